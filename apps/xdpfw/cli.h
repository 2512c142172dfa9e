/* apps/xdpfw/cli.h — what xdpfw's command files (main.c, show.c) share. */
#ifndef XDPFW_CLI_H
#define XDPFW_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "state.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

extern const char *pin_dir;		/* --pin-dir / XDPFW_PIN_DIR */
extern bool json_out;			/* xdpfw -j COMMAND: as COMMAND -j */

int xusage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens the pinned state with a message when xdpfw is not loaded. */
int open_state(struct xdpfw_state *st);

int cmd_status(int argc, char **argv);
int cmd_rule_list(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_log(int argc, char **argv);

#endif
