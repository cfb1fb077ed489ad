/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands of mntwatch(8), one file each (cmd_*.c), and the options
 * they are given.
 */
#ifndef MNTWATCH_CMD_H
#define MNTWATCH_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "output.h"

#define DEBUGFS_DEFAULT	"/sys/kernel/debug/mntwatch"

/* What a command takes beyond --debugfs, --proc, --help and --version. */
enum takes {
	TAKES_JSON	= 1 << 0,	/* -J */
	TAKES_COLUMNS	= 1 << 1,	/* -o */
	TAKES_NOHEAD	= 1 << 2,	/* -n */
	TAKES_LIST	= 1 << 3,	/* --list-columns */
	TAKES_ALL	= 1 << 4,	/* -a */
	TAKES_INTERVAL	= 1 << 5,	/* -i */
	TAKES_FOLLOW	= 1 << 6,	/* -f */
	TAKES_LIMITS	= 1 << 7,	/* --warn, --crit, --recent */
	TAKES_OUTPUT	= 1 << 8,	/* --output */
	TAKES_APPLY	= 1 << 9,	/* --apply */
	TAKES_NS	= 1 << 10,	/* a namespace's number after the command */
	TAKES_TABLE	= TAKES_JSON | TAKES_COLUMNS | TAKES_NOHEAD | TAKES_LIST,
};

/* The long-only options' keys; the others are their short letter. */
enum { OPT_LIST = 256, OPT_WARN, OPT_CRIT, OPT_RECENT, OPT_OUTPUT,
	OPT_DEBUGFS, OPT_PROC, OPT_APPLY };

struct opts {
	const struct cmd *cmd;
	unsigned int given;		/* enum takes of the options given */
	bool json, noheadings, list_columns, follow, all, apply;
	const char *columns;
	const char *debugfs, *procdir, *output;
	double interval;
	double warn_pct, crit_pct;
	int64_t recent_s;
	uint64_t fix_ns;		/* fix NS; 0: the last failure's */
};

/* An option, as getopt_long() takes it and --help shows it. */
struct cmd_option {
	const char *name;
	int key;			/* short letter or OPT_* */
	int has_arg;			/* no_argument, required_argument */
	unsigned int takes;		/* its bit; 0: every command's */
	const char *refused;		/* "--all is an option" of ... */
	const char *help;		/* its line in --help; NULL: none */
};

/*
 * A command of mntwatch(8): one row of the table in mntwatch.c, defined
 * in its cmd_<name>.c with its options and its line of --help.
 */
struct cmd {
	const char *name;
	int (*run)(const struct opts *o);
	const char *help;			/* "  NAME       what it does" */
	unsigned int takes;			/* enum takes */
	const struct cmd_option *options;	/* its own; NULL-terminated */
	const struct column *columns;		/* -o, --list-columns */
	int (*check)(struct opts *o);		/* 0, or a one-line refusal */
	int usage_exit;				/* 0: MW_EXIT_USAGE */
	bool own_exit;		/* its status stands, even on a write error */
};

/* The commands in --help's order, the first the default: one row each. */
#define MW_COMMANDS(CMD) \
	CMD(ns) CMD(loops) CMD(events) CMD(explain) CMD(fix) CMD(watch) \
	CMD(check) CMD(metrics)
#define MW_COMMAND_DECLARE(name) extern const struct cmd name##_command;
MW_COMMANDS(MW_COMMAND_DECLARE)

extern const struct column mw_ns_columns[], mw_ev_columns[];
extern const struct column mw_loop_columns[];

int cmd_ns(const struct opts *o, FILE *out);

#endif
