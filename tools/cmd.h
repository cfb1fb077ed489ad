/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands of mntwatch(8), one file each (cmd_*.c), and the options
 * they are given.
 */
#ifndef MNTWATCH_CMD_H
#define MNTWATCH_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "output.h"

#define DEBUGFS_DEFAULT	"/sys/kernel/debug/mntwatch"

enum cmd { CMD_NS, CMD_EVENTS, CMD_EXPLAIN, CMD_WATCH, CMD_CHECK, CMD_METRICS,
	CMD_LOOPS, CMD_FIX };

struct opts {
	enum cmd cmd;
	bool json, noheadings, list_columns, follow, all, apply;
	const char *columns;
	const char *debugfs, *procdir, *output;
	double interval;
	double warn_pct, crit_pct;
	int64_t recent_s;
	uint64_t fix_ns;		/* fix NS; 0: the last failure's */
};

extern const struct column mw_ns_columns[], mw_ev_columns[];
extern const struct column mw_loop_columns[];

int cmd_ns(const struct opts *o, FILE *out);
int cmd_events(const struct opts *o);
int cmd_explain(const struct opts *o);
int cmd_watch(const struct opts *o);
int cmd_check(const struct opts *o);
int cmd_metrics(const struct opts *o);
int cmd_loops(const struct opts *o);
int cmd_fix(const struct opts *o);

#endif
