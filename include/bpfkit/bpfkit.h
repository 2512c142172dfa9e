/* bpfkit/bpfkit.h — the whole public API of libbpfkit. */
#ifndef BPFKIT_BPFKIT_H
#define BPFKIT_BPFKIT_H

#include <bpfkit/print.h>
#include <bpfkit/xdp.h>
#include <bpfkit/object.h>
#include <bpfkit/trace.h>
#include <bpfkit/feature.h>
#include <bpfkit/embed.h>
#include <bpfkit/json.h>
#include <bpfkit/loader.h>
#include <bpfkit/netns.h>
#include <bpfkit/tc.h>
#include <bpfkit/verifier.h>
#include <bpfkit/packet.h>
#include <bpfkit/testrun.h>
#include <bpfkit/logger.h>

#define BPFKIT_VERSION "0.1.0"

#endif
