/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the commands read (data.c): the module's tables, or /proc without
 * it, the namespaces' mountinfo and loops, and the table a listing prints.
 */
#ifndef MNTWATCH_DATA_H
#define MNTWATCH_DATA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cmd.h"
#include "loops.h"
#include "output.h"
#include "runtime.h"
#include "table.h"
#include "who.h"

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
void mw_cell_pod(struct cell *c, const struct mw_who *who);

#endif
