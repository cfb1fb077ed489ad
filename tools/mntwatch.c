// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch(8): which mount namespace is close to fs.mount-max, who lives in
 * it, and why a mount failed with ENOSPC. Reads the tables of mntwatch.ko in
 * debugfs; without the module it counts mounts from /proc.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "output.h"
#include "table.h"
#include "util.h"

static const char *const cmd_names[] = {
	[CMD_NS] = "ns", [CMD_EVENTS] = "events", [CMD_EXPLAIN] = "explain",
	[CMD_WATCH] = "watch", [CMD_CHECK] = "check", [CMD_METRICS] = "metrics",
	[CMD_LOOPS] = "loops", [CMD_FIX] = "fix",
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: mntwatch [ns|loops|events|explain|fix|watch|check|metrics] [OPTIONS]\n"
"Mount namespaces near fs.mount-max, who lives in them, why a mount hit ENOSPC.\n"
"  ns         namespace table, fullest first (the default)\n"
"  loops      live propagation loops and repeated mountpoints, from mountinfo\n"
"  events     the ENOSPC log, caller and failing namespace named\n"
"  explain    plain-language diagnosis of the last ENOSPC\n"
"  fix        commands that give the node back (fix NS; -J; --apply runs them)\n"
"  watch      the namespace table, refreshed until interrupted\n"
"  check      monitoring check, exit 0/1/2/3: OK/WARNING/CRITICAL/UNKNOWN\n"
"  metrics    Prometheus text exposition\n"
"\n"
"  -J, --json             JSON (ns, loops, events; every column unless -o)\n"
"  -o, --columns LIST     columns to show; +LIST adds to the default ones\n"
"  -n, --noheadings       no header line\n"
"  -a, --all              ns: also gone namespaces that never failed (helpers)\n"
"      --list-columns     the columns of ns, loops or events, and exit\n"
"  -f, --follow           events: new ones as they happen, until interrupted\n"
"  -i, --interval SECS    watch: redraw period (2); events -f: poll period (1)\n"
"      --warn/--crit PCT  check: WARNING/CRITICAL from this use%% (80/90)\n"
"      --recent SECS      check: ENOSPC this recent is CRITICAL (3600, 0: off)\n"
"      --output FILE      metrics: write FILE atomically (temp file + rename)\n"
"      --debugfs DIR      module tables (default %s)\n"
"      --proc DIR         procfs (default /proc)      -h, --help, -V, --version\n"
"Exit: 0 done, 2 usage error, 3 cannot read what is needed. See mntwatch(8).\n",
		DEBUGFS_DEFAULT);
}

enum { OPT_LIST = 256, OPT_WARN, OPT_CRIT, OPT_RECENT, OPT_OUTPUT,
	OPT_DEBUGFS, OPT_PROC, OPT_APPLY };

static bool parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && *out >= lo && *out <= hi;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "columns", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "list-columns", no_argument, NULL, OPT_LIST },
		{ "follow", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'i' },
		{ "warn", required_argument, NULL, OPT_WARN },
		{ "crit", required_argument, NULL, OPT_CRIT },
		{ "recent", required_argument, NULL, OPT_RECENT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "proc", required_argument, NULL, OPT_PROC },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.cmd = CMD_NS, .debugfs = DEBUGFS_DEFAULT, .procdir = "/proc",
		.interval = 2, .warn_pct = 80, .crit_pct = 90, .recent_s = 3600,
	};
	bool warn_set = false, crit_set = false, recent_set = false;
	bool interval_set = false;
	int usage_exit, opt, i;
	double num;

	/* the command may come first or after the options */
	for (i = 1; i < argc; i++) {
		size_t c;

		if (argv[i][0] == '-')
			continue;
		for (c = 0; c < sizeof(cmd_names) / sizeof(cmd_names[0]); c++)
			if (!strcmp(argv[i], cmd_names[c]))
				break;
		if (c == sizeof(cmd_names) / sizeof(cmd_names[0]))
			continue;	/* an option's argument, or junk below */
		o.cmd = c;
		memmove(&argv[i], &argv[i + 1], (argc - i) * sizeof(*argv));
		argc--;
		break;
	}
	/* Nagios reads exit 2 as CRITICAL: usage errors in check are UNKNOWN */
	usage_exit = o.cmd == CMD_CHECK ? MW_EXIT_ERROR : MW_EXIT_USAGE;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":Jo:nfai:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'J':
			o.json = true;
			break;
		case 'o':
			o.columns = optarg;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case OPT_LIST:
			o.list_columns = true;
			break;
		case 'f':
			o.follow = true;
			break;
		case 'a':
			o.all = true;
			break;
		case 'i':
			if (!parse_number(optarg, 0.1, 86400, &o.interval)) {
				mw_warnx("--interval wants seconds between 0.1 and 86400, not '%s'", optarg);
				return usage_exit;
			}
			interval_set = true;
			break;
		case OPT_WARN:
		case OPT_CRIT:
			if (!parse_number(optarg, 0, 100, &num)) {
				mw_warnx("--%s wants a percentage 0..100, not '%s'",
					 opt == OPT_WARN ? "warn" : "crit", optarg);
				return usage_exit;
			}
			if (opt == OPT_WARN) {
				o.warn_pct = num;
				warn_set = true;
			} else {
				o.crit_pct = num;
				crit_set = true;
			}
			break;
		case OPT_RECENT:
			if (!parse_number(optarg, 0, 1e9, &num)) {
				mw_warnx("--recent wants seconds, not '%s'", optarg);
				return usage_exit;
			}
			o.recent_s = num;
			recent_set = true;
			break;
		case OPT_OUTPUT:
			o.output = optarg;
			break;
		case OPT_DEBUGFS:
			o.debugfs = optarg;
			break;
		case OPT_PROC:
			o.procdir = optarg;
			break;
		case OPT_APPLY:
			o.apply = true;
			break;
		case 'h':
			usage(stdout);
			return MW_EXIT_OK;
		case 'V':
			printf("mntwatch %s (reads table format %s)\n",
			       MW_VERSION, MW_TABLE_FORMAT);
			return MW_EXIT_OK;
		case ':':
			mw_warnx("option '%s' needs an argument (--help)", argv[optind - 1]);
			return usage_exit;
		default:
			mw_warnx("unknown option '%s' (--help)", argv[optind - 1]);
			return usage_exit;
		}
	}
	if (o.cmd == CMD_FIX && optind == argc - 1) {
		if (mw_parse_u64(argv[optind], &o.fix_ns) || !o.fix_ns) {
			mw_warnx("fix wants a namespace's number as mntwatch ns shows it, not '%s'",
				 argv[optind]);
			return usage_exit;
		}
		optind++;
	}
	if (optind < argc) {
		mw_warnx("unknown command '%s' (--help)", argv[optind]);
		return usage_exit;
	}
	if (o.apply && (o.cmd != CMD_FIX || o.json)) {
		mw_warnx("--apply is an option of 'fix', without --json");
		return usage_exit;
	}
	if ((warn_set || crit_set || recent_set) && o.cmd != CMD_CHECK) {
		mw_warnx("--warn, --crit and --recent are options of 'check'");
		return usage_exit;
	}
	if (o.warn_pct > o.crit_pct) {
		mw_warnx("--warn %g is above --crit %g", o.warn_pct, o.crit_pct);
		return usage_exit;
	}
	if (o.follow && o.cmd != CMD_EVENTS) {
		mw_warnx("--follow is an option of 'events'");
		return usage_exit;
	}
	if (interval_set && o.cmd != CMD_WATCH && !o.follow) {
		mw_warnx("--interval is an option of 'watch' and 'events --follow'");
		return usage_exit;
	}
	if (o.all && o.cmd != CMD_NS && o.cmd != CMD_WATCH) {
		mw_warnx("--all is an option of 'ns' and 'watch'");
		return usage_exit;
	}
	if (o.follow && !interval_set)
		o.interval = 1;
	if (o.output && o.cmd != CMD_METRICS) {
		mw_warnx("--output FILE is an option of 'metrics'; columns are chosen with -o LIST");
		return usage_exit;
	}
	if ((o.json || o.columns || o.noheadings || o.list_columns) &&
	    !(o.cmd == CMD_FIX && o.json && !o.columns && !o.noheadings &&
	      !o.list_columns) &&
	    o.cmd != CMD_NS && o.cmd != CMD_EVENTS && o.cmd != CMD_LOOPS &&
	    !(o.cmd == CMD_WATCH && !o.json)) {
		mw_warnx("-J, -o, -n and --list-columns apply to ns, loops and events%s",
			 o.cmd == CMD_WATCH ? " (watch takes -o and -n)" : "");
		return usage_exit;
	}
	if (o.list_columns) {
		mw_list_columns(stdout, o.cmd == CMD_EVENTS ? mw_ev_columns :
				o.cmd == CMD_LOOPS ? mw_loop_columns : mw_ns_columns,
				o.json);
		return MW_EXIT_OK;
	}
	/* a closed or full stdout must not pass for a complete table */
	switch (o.cmd) {
	case CMD_NS:
		i = cmd_ns(&o, stdout);
		break;
	case CMD_EVENTS:
		i = cmd_events(&o);
		break;
	case CMD_EXPLAIN:
		i = cmd_explain(&o);
		break;
	case CMD_WATCH:
		return cmd_watch(&o);
	case CMD_CHECK:
		return cmd_check(&o);
	case CMD_METRICS:
		i = cmd_metrics(&o);
		break;
	case CMD_LOOPS:
		i = cmd_loops(&o);
		break;
	case CMD_FIX:
		i = cmd_fix(&o);
		break;
	default:
		i = MW_EXIT_USAGE;
	}
	if (fflush(stdout) || ferror(stdout)) {
		mw_warnx("write error on standard output: %s", strerror(errno));
		return MW_EXIT_ERROR;
	}
	return i;
}
