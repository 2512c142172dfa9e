/* apps/xdpfw/restore.c — `xdpfw restore IFACE`: brings a saved rule set back
 * at boot (pins vanish with the reboot; the rules file does not). The file is
 * what `xdpfw save` prints, by default /etc/xdpfw/IFACE.rules, and the systemd
 * unit xdpfw@IFACE.service (apps/xdpfw/xdpfw@.service.in) runs this.
 *
 * The whole file is parsed and checked before anything is touched, so a bad
 * file (or a missing one) fails the unit and leaves the interface as it was:
 * without the firewall after a reboot, or with the rule set it had when the
 * unit is restarted or reloaded. On an interface the firewall is already on,
 * restore is an atomic apply (the same as `xdpfw apply FILE`); otherwise it is
 * `xdpfw load IFACE --rules FILE`, which removes whatever it created if the
 * load fails. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpfkit/bpfkit.h>
#include "cli.h"

#define XDPFW_CONF_DIR "/etc/xdpfw"

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'F' },
		{ "mode", required_argument, NULL, 'm' },
		{ "max-rules", required_argument, NULL, 'M' },
		{ "max-size", required_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char file[PATH_MAX], err[512];
	const char *mode = NULL, *max_rules = NULL, *ifname;
	const char *sub[12];
	struct xdpfw_ruleset rs;
	bool force = false, loaded;
	int c, n = 0;

	file[0] = 0;
	optind = 0;
	opterr = 0;
	/* the file is xdpfw save's output: as big as the largest set a
	 * firewall holds (--max-rules 3,355,379 saves about 200 MB), not a
	 * hand-written file's 16 MiB */
	xdpfw_rules_max_bytes = (size_t)256 << 20;
	while ((c = getopt_long(argc, argv, ":F:m:M:S:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'F': snprintf(file, sizeof(file), "%s", optarg); break;
		case 'm': {
			/* checked here, not only by load: a reload (the firewall
			 * already on IFACE) does not pass them on, and a unit's
			 * typo must not wait for the next boot to show */
			enum bpfkit_xdp_mode m;

			if (bpfkit_xdp_mode__parse(optarg, &m))
				return xusage("restore", "--mode is auto, native or skb, not '%s'", optarg);
			mode = optarg;
			break;
		}
		case 'M': {
			uint32_t v;

			if (parse_max_rules("restore", optarg, &v))
				return EXIT_USAGE;
			max_rules = optarg;
			break;
		}
		case 'S':
			if (parse_max_size("restore", optarg))
				return EXIT_USAGE;
			break;
		case 'f': force = true; break;
		case 'h':
			printf("Usage: xdpfw restore IFACE [--file FILE] [--mode auto|native|skb] [--max-rules N]\n"
			       "                     [--max-size N] [--force]\n"
			       "\n"
			       "Puts the saved rule set and policy back on IFACE, e.g. at boot (systemd:\n"
			       "xdpfw@IFACE.service). FILE is what 'xdpfw save' prints; default\n"
			       XDPFW_CONF_DIR "/IFACE.rules. Save the running set with\n"
			       "  xdpfw save > " XDPFW_CONF_DIR "/IFACE.rules.new && mv " XDPFW_CONF_DIR
			       "/IFACE.rules.new " XDPFW_CONF_DIR "/IFACE.rules\n"
			       "\n"
			       "The file is checked whole first: a missing or bad file changes nothing\n"
			       "(exit 1). If the firewall is already on IFACE the set is applied\n"
			       "atomically (a reload); otherwise it is loaded with it. --mode, --max-rules\n"
			       "and --force are load's (see xdpfw load --help). At most 256 MiB of FILE\n"
			       "is read (a saved set of millions of rules); --max-size changes it.\n");
			return EXIT_OK;
		case ':': return xusage("restore", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("restore", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return xusage("restore", optind >= argc ? "missing the interface" : "one interface only");
	ifname = argv[optind];
	if (!*ifname || strchr(ifname, '/') || strlen(ifname) >= 16)
		return xusage("restore", "'%s' is not an interface name", ifname);
	if (!file[0])
		snprintf(file, sizeof(file), "%s/%s.rules", XDPFW_CONF_DIR, ifname);

	/* everything is checked before anything changes */
	if (access(file, R_OK)) {
		xerr("restore: no saved rules for '%s': %s: %s (write them with xdpfw save); nothing changed",
		     ifname, file, strerror(errno));
		return EXIT_FAIL;
	}
	if (xdpfw_rules_parse_file(file, &rs, err, sizeof(err))) {
		xerr("restore: %s; nothing changed on '%s'", err, ifname);
		return EXIT_FAIL;
	}
	if (rs.policy < 0) {
		xdpfw_ruleset_free(&rs);
		xerr("restore: %s has no 'policy allow|deny' line (xdpfw save writes one); nothing changed on '%s'",
		     file, ifname);
		return EXIT_FAIL;
	}
	xdpfw_ruleset_free(&rs);
	if (bpfkit_ifindex(ifname) < 0) {
		xerr("restore: interface '%s' not found; nothing changed", ifname);
		return EXIT_FAIL;
	}

	/* on IFACE means attached: through libxdp (load --multi) while our
	 * program is still in the dispatcher, or by our own link while it is
	 * still attached. Either detached behind our back leaves its pin; load
	 * replaces it and attaches */
	loaded = iface_attached(ifname);
	if (loaded && (mode || max_rules))
		fprintf(stderr, "xdpfw: note: the firewall is already on '%s': a reload applies the rules and "
			"leaves %s%s%s as loaded (they are load's)\n", ifname, mode ? "--mode" : "",
			mode && max_rules ? " and " : "", max_rules ? "--max-rules" : "");
	if (loaded) {
		sub[n++] = "apply";
		sub[n++] = "--quiet";
		sub[n++] = file;
	} else {
		sub[n++] = "load";
		sub[n++] = ifname;
		sub[n++] = "--rules";
		sub[n++] = file;
		if (mode) {
			sub[n++] = "--mode";
			sub[n++] = mode;
		}
		if (max_rules) {
			sub[n++] = "--max-rules";
			sub[n++] = max_rules;
		}
	}
	if (force)
		sub[n++] = "--force";
	sub[n] = NULL;
	c = loaded ? cmd_apply(n, (char **)sub) : cmd_load(n, (char **)sub);
	if (c == EXIT_OK && loaded)
		printf("xdpfw: restored %s on %s (applied atomically)\n", file, ifname);
	return c;
}
