/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands of mntwatch(8), one file each (cmd_*.c), and what they
 * share: the parsed options and the data they read (data.c).
 */
#ifndef MNTWATCH_CMD_H
#define MNTWATCH_CMD_H

#include "output.h"

#define DEBUGFS_DEFAULT	"/sys/kernel/debug/mntwatch"

enum cmd { CMD_NS, CMD_EVENTS, CMD_EXPLAIN, CMD_WATCH, CMD_CHECK, CMD_METRICS,
	CMD_LOOPS };

struct opts {
	enum cmd cmd;
	bool json, noheadings, list_columns, follow, all;
	const char *columns;
	const char *debugfs, *procdir, *output;
	double interval;
	double warn_pct, crit_pct;
	int64_t recent_s;
};

/* One namespace's mountinfo and the loops in it. */
struct ns_mounts {
	uint64_t ns;
	const struct mw_who *who;
	struct mw_mountinfo mi;
	struct mw_loops found;
};

/* What the commands read: the module's tables, or /proc without it. */
struct data {
	bool module;
	struct mw_status status;
	struct mw_table ns_tbl, ev_tbl, growth_tbl;
	struct mw_ns *ns;
	int nns;
	struct mw_event *ev;
	int nev;
	struct mw_growth *growth;
	int ngrowth;
	struct mw_procscan scan;
	bool have_scan;
	struct mw_runtimes rt;		/* the runtimes' state, read lazily */
	int64_t now_us;
	struct ns_mounts *mounts;	/* after mw_load_loops() */
	int nmounts;
	int64_t nloops;			/* loops in all namespaces */
};

int64_t mw_now_us(void);
int mw_load(const struct opts *o, struct data *d, bool want_events,
	    bool need_module);
void mw_data_free(struct data *d);
int mw_load_loops(const struct opts *o, struct data *d);
const struct ns_mounts *mw_mounts_find(const struct data *d, uint64_t ns);

/* What `ns` and `events` share: pick columns, load, build the view, print. */
struct table_cmd {
	const struct column *columns;
	bool events;			/* the events table, which needs the module */
	size_t view_size;
	void (*fill)(void *view, int i, struct data *d);
	const char *json_key;
	bool (*hidden)(const struct data *d, int i);	/* without --all */
};

int mw_cmd_table(const struct opts *o, FILE *out, const struct table_cmd *cmd);

extern const struct column mw_ns_columns[], mw_ev_columns[];
extern const struct column mw_loop_columns[];

int cmd_ns(const struct opts *o, FILE *out);
int cmd_events(const struct opts *o);
int cmd_explain(const struct opts *o);
int cmd_watch(const struct opts *o);
int cmd_check(const struct opts *o);
int cmd_metrics(const struct opts *o);
int cmd_loops(const struct opts *o);

#endif
