// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch(8): which mount namespace is close to fs.mount-max, who lives in
 * it, and why a mount failed with ENOSPC. Reads the tables of mntwatch.ko in
 * debugfs; without the module it counts mounts from /proc.
 *
 * The commands are a table, as bpftool's: each cmd_<name>.c defines its row
 * (struct cmd) with its options and its line of --help; the usage text, the
 * options getopt_long() is given and which command takes which all come
 * from the rows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "output.h"
#include "table.h"
#include "util.h"

#define MW_COMMAND_ROW(name) &name##_command,
static const struct cmd *const commands[] = { MW_COMMANDS(MW_COMMAND_ROW) };
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* Before the commands' own options in --help: those several take. */
static const struct cmd_option shared_options[] = {
	{ "json", 'J', no_argument, TAKES_JSON, "-J is an option of %s",
	  "  -J, --json             JSON (ns, loops, events; every column unless -o)" },
	{ "columns", 'o', required_argument, TAKES_COLUMNS, "-o is an option of %s",
	  "  -o, --columns LIST     columns to show; +LIST adds to the default ones" },
	{ "noheadings", 'n', no_argument, TAKES_NOHEAD, "-n is an option of %s",
	  "  -n, --noheadings       no header line" },
	{ "all", 'a', no_argument, TAKES_ALL, "--all is an option of %s",
	  "  -a, --all              ns: also gone namespaces that never failed (helpers)" },
	{ "list-columns", OPT_LIST, no_argument, TAKES_LIST,
	  "--list-columns is an option of %s",
	  "      --list-columns     the columns of ns, loops or events, and exit" },
	{ NULL },
};

/* After them: every command's. */
static const struct cmd_option common_options[] = {
	{ "debugfs", OPT_DEBUGFS, required_argument, 0, NULL,
	  "      --debugfs DIR      module tables (default " DEBUGFS_DEFAULT ")" },
	{ "proc", OPT_PROC, required_argument, 0, NULL,
	  "      --proc DIR         procfs (default /proc)      -h, --help, -V, --version" },
	{ "help", 'h', no_argument, 0, NULL, NULL },
	{ "version", 'V', no_argument, 0, NULL, NULL },
	{ NULL },
};

#define MAX_OPTIONS	32

/* Every option, in --help's order; returns their number. */
static int all_options(const struct cmd_option **all)
{
	const struct cmd_option *opt;
	size_t c;
	int n = 0;

	for (opt = shared_options; opt->name; opt++)
		all[n++] = opt;
	for (c = 0; c < NCOMMANDS; c++)
		for (opt = commands[c]->options; opt && opt->name; opt++)
			all[n++] = opt;
	for (opt = common_options; opt->name; opt++)
		all[n++] = opt;
	return n;
}

static void usage(FILE *out)
{
	const struct cmd_option *opts[MAX_OPTIONS];
	int nopts = all_options(opts), i;
	size_t c;

	fputs("Usage: mntwatch [", out);
	for (c = 0; c < NCOMMANDS; c++)
		fprintf(out, "%s%s", c ? "|" : "", commands[c]->name);
	fputs("] [OPTIONS]\n"
	      "Mount namespaces near fs.mount-max, who lives in them, why a mount hit ENOSPC.\n",
	      out);
	for (c = 0; c < NCOMMANDS; c++)
		fprintf(out, "%s\n", commands[c]->help);
	fputs("\n", out);
	for (i = 0; i < nopts; i++)
		if (opts[i]->help)
			fprintf(out, "%s\n", opts[i]->help);
	fputs("Exit: 0 done, 2 usage error, 3 cannot read what is needed. See mntwatch(8).\n",
	      out);
}

static bool parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && *out >= lo && *out <= hi;
}

/* One option's value into @o; false after saying why it is refused. */
static bool set_option(struct opts *o, int key, const char *arg)
{
	double num;

	switch (key) {
	case 'J':
		o->json = true;
		break;
	case 'o':
		o->columns = arg;
		break;
	case 'n':
		o->noheadings = true;
		break;
	case OPT_LIST:
		o->list_columns = true;
		break;
	case 'f':
		o->follow = true;
		break;
	case 'a':
		o->all = true;
		break;
	case OPT_OUTPUT:
		o->output = arg;
		break;
	case OPT_DEBUGFS:
		o->debugfs = arg;
		break;
	case OPT_PROC:
		o->procdir = arg;
		break;
	case OPT_APPLY:
		o->apply = true;
		break;
	case 'i':
		if (parse_number(arg, 0.1, 86400, &o->interval))
			break;
		mw_warnx("--interval wants seconds between 0.1 and 86400, not '%s'", arg);
		return false;
	case OPT_WARN:
	case OPT_CRIT:
		if (!parse_number(arg, 0, 100, &num)) {
			mw_warnx("--%s wants a percentage 0..100, not '%s'",
				 key == OPT_WARN ? "warn" : "crit", arg);
			return false;
		}
		*(key == OPT_WARN ? &o->warn_pct : &o->crit_pct) = num;
		break;
	case OPT_RECENT:
		if (!parse_number(arg, 0, 1e9, &num)) {
			mw_warnx("--recent wants seconds, not '%s'", arg);
			return false;
		}
		o->recent_s = num;
		break;
	}
	return true;
}

/* The command named anywhere in argv, taken out of it; NULL: none. */
static const struct cmd *find_command(int *argc, char **argv)
{
	size_t c;
	int i;

	for (i = 1; i < *argc; i++) {
		if (argv[i][0] == '-')
			continue;
		for (c = 0; c < NCOMMANDS; c++)
			if (!strcmp(argv[i], commands[c]->name))
				break;
		if (c == NCOMMANDS)
			continue;	/* an option's argument, or junk below */
		memmove(&argv[i], &argv[i + 1], (*argc - i) * sizeof(*argv));
		(*argc)--;
		return commands[c];
	}
	return NULL;
}

/* The first option given that the command does not take, said; or 0. */
static int refuse_options(const struct opts *o)
{
	const struct cmd_option *opts[MAX_OPTIONS];
	int nopts = all_options(opts), i, len;
	char takers[256];
	size_t c, k, n;

	for (i = 0; i < nopts; i++) {
		if (!(o->given & opts[i]->takes & ~o->cmd->takes))
			continue;
		for (c = n = 0; c < NCOMMANDS; c++)
			n += !!(commands[c]->takes & opts[i]->takes);
		len = 0;
		for (c = k = 0; c < NCOMMANDS; c++)
			if (commands[c]->takes & opts[i]->takes)
				len += snprintf(takers + len, sizeof(takers) - len,
						"%s'%s'", !k++ ? "" : k == n ? " and " : ", ",
						commands[c]->name);
		mw_warnx(opts[i]->refused, takers);
		return -1;
	}
	return 0;
}

/* argv into @o; 0, -1 after an error said, 1 after --help or --version. */
static int parse_options(int argc, char **argv, struct opts *o)
{
	const struct cmd_option *opts[MAX_OPTIONS];
	struct option longopts[MAX_OPTIONS + 1] = { { NULL } };
	int nopts = all_options(opts), i, opt;
	char shortopts[2 * MAX_OPTIONS + 2] = ":", *s = shortopts + 1;

	for (i = 0; i < nopts; i++) {
		longopts[i] = (struct option){ opts[i]->name, opts[i]->has_arg,
					       NULL, opts[i]->key };
		if (opts[i]->key >= 256)
			continue;
		*s++ = opts[i]->key;
		if (opts[i]->has_arg == required_argument)
			*s++ = ':';
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, &i)) != -1) {
		if (opt == 'h' || opt == 'V') {
			if (opt == 'h')
				usage(stdout);
			else
				printf("mntwatch %s (reads table format %s)\n",
				       MW_VERSION, MW_TABLE_FORMAT);
			return 1;
		}
		if (opt == ':' || opt == '?') {
			mw_warnx(opt == ':' ? "option '%s' needs an argument (--help)" :
				 "unknown option '%s' (--help)", argv[optind - 1]);
			return -1;
		}
		if (!set_option(o, opt, optarg))
			return -1;
		for (i = 0; i < nopts; i++)
			if (opts[i]->key == opt)
				o->given |= opts[i]->takes;
	}
	if ((o->cmd->takes & TAKES_NS) && optind == argc - 1) {
		if (mw_parse_u64(argv[optind], &o->fix_ns) || !o->fix_ns) {
			mw_warnx("%s wants a namespace's number as mntwatch ns shows it, not '%s'",
				 o->cmd->name, argv[optind]);
			return -1;
		}
		optind++;
	}
	if (optind < argc) {
		mw_warnx("unknown command '%s' (--help)", argv[optind]);
		return -1;
	}
	return refuse_options(o) || (o->cmd->check && o->cmd->check(o)) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.debugfs = DEBUGFS_DEFAULT, .procdir = "/proc",
		.interval = 2, .warn_pct = 80, .crit_pct = 90, .recent_s = 3600,
	};
	int rc;

	/* the command may come first or after the options */
	o.cmd = find_command(&argc, argv);
	if (!o.cmd)
		o.cmd = commands[0];
	rc = parse_options(argc, argv, &o);
	if (rc)
		/* Nagios reads exit 2 as CRITICAL: check says UNKNOWN */
		return rc > 0 ? MW_EXIT_OK :
		       o.cmd->usage_exit ? o.cmd->usage_exit : MW_EXIT_USAGE;
	if (o.list_columns) {
		mw_list_columns(stdout, o.cmd->columns, o.json);
		return MW_EXIT_OK;
	}
	rc = o.cmd->run(&o);
	/* a closed or full stdout must not pass for a complete table */
	if (!o.cmd->own_exit && (fflush(stdout) || ferror(stdout))) {
		mw_warnx("write error on standard output: %s", strerror(errno));
		return MW_EXIT_ERROR;
	}
	return rc;
}
