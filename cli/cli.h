/* cli/cli.h — what the bpfkit CLI's noun files share. */
#ifndef BPFKIT_CLI_H
#define BPFKIT_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <bpfkit/bpfkit.h>

/* Exit codes: decided only in the CLI. */
#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

extern bool json_output;	/* -j/--json */
extern bool pretty_output;	/* -p/--pretty */
extern int verbosity;		/* -q: -1, default 0, -v: 1 */

/* Prints "bpfkit CMD: MSG" and a pointer to --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "bpfkit: MSG" to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* getopt_long over argv[0..argc) where argv[0] is the command name; handles
 * -h/--help (returns 'h') and -j/--json. Unknown options: usage error. */
struct option;

/* A noun's or verb's entry point: argv[0] is its own name. */
typedef int (*cmd_fn)(int argc, char **argv);
struct cmd {
	const char *name;
	cmd_fn fn;
	const char *summary;
};
/* Dispatches argv[0] over CMDS (exact names only); prints HELP on
 * "help"/--help/none. */
int dispatch(const char *noun, const struct cmd *cmds, int argc, char **argv,
	     void (*help)(FILE *out));

/* Shared by run and load: open + load an object file with messages. */
struct bpfkit_object *cli_open_and_load(const char *path);
/* The load half of it, for an object opened (and adjusted) by the caller;
 * with -j a refusal is printed as JSON. 0 or -errno. */
int cli_load(struct bpfkit_object *obj);
/* Parses --mode; usage error message on failure. */
int cli_parse_mode(const char *cmd, const char *s, enum bpfkit_xdp_mode *mode);
/* "id -1" in ARGV (a PROG or MAP spec of NOUN, "prog" or "map"), which
 * getopt would call an unknown option: says what an id is and returns
 * EXIT_FAIL (as "id abc" does); 0 if there is none. */
int cli_negative_id(const char *noun, int argc, char **argv);
/* Parses a non-negative integer argument; -1 if invalid. */
long cli_parse_ulong(const char *s, unsigned long max);

/* The attach options run and load share: --iface --mode --prog --force
 * (--replace) --multi --priority, for their getopt_long tables. */
#define CLI_ATTACH_SHORTOPTS "i:m:P:fXR:"
#define CLI_ATTACH_LONGOPTS                                                            \
	{ "iface", required_argument, NULL, 'i' }, { "mode", required_argument, NULL, 'm' }, \
	{ "prog", required_argument, NULL, 'P' }, { "force", no_argument, NULL, 'f' },      \
	{ "replace", no_argument, NULL, 'f' },	/* xdpfw's word for it */                    \
	{ "multi", no_argument, NULL, 'X' }, { "priority", required_argument, NULL, 'R' }
struct cli_attach {
	struct bpfkit_attach_opts ao;
	bool multi;
	long prio;		/* --priority; -1: libxdp's default */
};
/* Takes getopt's option C (argument ARG, written as OPT) into A: 0, or
 * the exit code after a usage error for CMD (a bad value, or OPT is not
 * an attach option: the caller's own are handled before). */
int cli_attach_opt(const char *cmd, int c, const char *arg, const char *opt, struct cli_attach *a);

/* multi.c: --multi for run and load (libxdp's dispatcher) and unload's part.
 * cli_multi_check: usage/feature checks, 0 to go on or an exit code. */
int cli_multi_check(const char *cmd, const struct cli_attach *a);
int cli_multi_run(const char *path, const char *iface, enum bpfkit_xdp_mode mode, const char *prog,
		  long prio, long timeout_s);
int cli_multi_load(const char *path, const char *iface, const char *pin, enum bpfkit_xdp_mode mode,
		   const char *prog, long prio);
int cli_multi_unpin(const char *dir);

/* The nouns; each lives in its own file. Weak: a noun whose file is absent
 * from this build is simply not offered. */
#define NOUN(fn) int fn(int argc, char **argv) __attribute__((weak))
NOUN(do_run);
NOUN(do_load);
NOUN(do_unload);
NOUN(do_net);
NOUN(do_trace);
NOUN(do_obj);
NOUN(do_prog);
NOUN(do_map);
NOUN(do_log);
NOUN(do_new);
NOUN(do_test);
NOUN(do_feature);
#undef NOUN

#endif
