/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mntwatch explain: the diagnosis of the last ENOSPC (explain.c).
 */
#ifndef MNTWATCH_EXPLAIN_H
#define MNTWATCH_EXPLAIN_H

#include <stdio.h>
#include "loops.h"
#include "runtime.h"
#include "table.h"
#include "who.h"

struct mw_explain_in {
	const struct mw_ns *ns;
	int nns;
	const struct mw_event *ev;
	int nev;
	int64_t events_total, events_overwritten;
	const struct mw_procscan *scan;
	int64_t now_us;
	const struct mw_loops *loops_now;	/* failing namespace's; NULL: unread */
	const struct mw_growth *growth;
	int ngrowth;
	struct mw_runtimes *rt;		/* names containers; NULL: by cgroup only */
	const char *procdir;		/* /proc/sys, /proc/PID; NULL: unread */
	/* a live namespace's mountinfo and loops as read; false: not read */
	bool (*mounts_of)(const void *ctx, uint64_t ns,
			  const struct mw_mountinfo **mi,
			  const struct mw_loops **loops);
	const void *mounts_ctx;
	const char *sysroot;		/* where the node's /etc is; NULL: unread */
};

void mw_explain(FILE *out, const struct mw_explain_in *in);

#endif
