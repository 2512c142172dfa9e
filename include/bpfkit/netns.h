/* bpfkit/netns.h — work inside a named network namespace without leaving
 * the mount namespace (unlike `ip netns exec`, which gives the process a
 * private /sys where bpffs pins would vanish when it exits). */
#ifndef BPFKIT_NETNS_H
#define BPFKIT_NETNS_H

#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Moves the calling thread into network namespace NAME (/run/netns/NAME, as
 * made by `ip netns add`) or PATH (if it contains a '/'). 0 or -errno. */
BPFKIT_API int bpfkit_netns__enter(const char *name_or_path);

/* 1 if this process runs under `ip netns exec` (a private mount namespace
 * with its own /sys, where a bpffs mount dies with the process), else 0. */
BPFKIT_API int bpfkit_netns__private_mounts(void);

#ifdef __cplusplus
}
#endif
#endif
