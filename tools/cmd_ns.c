// SPDX-License-Identifier: GPL-2.0
/* mntwatch ns: one row per mount namespace, fullest first. */
#include <stdio.h>
#include <inttypes.h>
#include <string.h>
#include "cmd.h"
#include "data.h"
#include "output.h"
#include "table.h"
#include "util.h"
#include "who.h"
#include "whocols.h"

struct ns_view {
	const struct mw_who *who;	/* first: the who-columns read it */
	const struct mw_ns *ns;
	const struct mw_growth *growth;
	int ngrowth;
};

/* "13>25>61": the namespace's attaches, oldest first, "-" without any */
static void mw_growth_series(const struct mw_growth *g, int n,
			     const struct mw_ns *ns, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		if (g[i].ns != ns->ns || strcmp(g[i].state, ns->state))
			continue;
		if (!used)
			used += snprintf(buf, len, "%" PRId64, g[i].before);
		if (used < len)
			used += snprintf(buf + used, len - used, ">%" PRId64,
					 g[i].after);
	}
}

#define NS_GET(fn, body)						\
static void fn(const void *row, struct cell *c)				\
{									\
	const struct mw_ns *ns = ((const struct ns_view *)row)->ns;	\
	const struct ns_view *v = row;					\
	const struct mw_who *who = v->who;				\
	(void)ns; (void)who; (void)v;					\
	body;								\
}

NS_GET(ns_id, mw_cell_int(c, (int64_t)ns->ns))
NS_GET(ns_mounts, mw_cell_int(c, ns->mounts))
NS_GET(ns_pending, mw_cell_int(c, ns->pending))
NS_GET(ns_max, mw_cell_int(c, ns->max))
NS_GET(ns_use, mw_cell_int(c, ns->use_permille);
	if (c->kind != CELL_NONE) c->kind = CELL_PERMILLE)
NS_GET(ns_peak, mw_cell_int(c, ns->peak))
NS_GET(ns_checks, mw_cell_int(c, ns->checks))
NS_GET(ns_enospc, mw_cell_int(c, ns->enospc))
NS_GET(ns_last_fail, mw_cell_int(c, ns->last_fail_us);
	if (c->kind != CELL_NONE) c->kind = CELL_AGO)
NS_GET(ns_last_pid, mw_cell_int(c, ns->last_pid))
NS_GET(ns_last_comm, mw_cell_str(c, ns->last_comm))
NS_GET(ns_last_req, mw_cell_int(c, ns->last_requested))
NS_GET(ns_state, mw_cell_str(c, ns->state))
NS_GET(ns_parent, mw_cell_int(c, ns->parent ? (int64_t)ns->parent : MW_NONE))
NS_GET(ns_born_mounts, mw_cell_int(c, ns->born_mounts))
NS_GET(ns_born, mw_cell_int(c, ns->born_us);
	if (c->kind != CELL_NONE) c->kind = CELL_TIME)
NS_GET(ns_growth, mw_growth_series(v->growth, v->ngrowth, ns, c->buf,
				   sizeof(c->buf));
	mw_cell_str(c, c->buf))
NS_GET(ns_source, mw_cell_str(c, ns->source))
NS_GET(ns_audit, mw_cell_str(c, mw_audit_word(&ns->audit, c->buf, sizeof(c->buf))))

/* The one table behind headers, widths, JSON names and --list-columns. */
const struct column mw_ns_columns[] = {
	{ "NS", "ns", 10, COL_RIGHT | COL_DEFAULT, "mount namespace id (inode of /proc/PID/ns/mnt)", ns_id },
	{ "MOUNTS", "mounts", 6, COL_RIGHT | COL_DEFAULT, "mounts in the namespace", ns_mounts },
	{ "PENDING", "pending", 7, COL_RIGHT | COL_DEFAULT, "copies reserved by an attach under way (module)", ns_pending },
	{ "MAX", "max", 6, COL_RIGHT | COL_DEFAULT, "fs.mount-max", ns_max },
	{ "USE%", "use_pct", 5, COL_RIGHT | COL_DEFAULT, "(mounts + pending) / max, percent", ns_use },
	{ "PEAK", "peak", 6, COL_RIGHT | COL_DEFAULT, "most mounts seen since the module was loaded", ns_peak },
	{ "CHECKS", "checks", 6, COL_RIGHT, "limit checks seen (module)", ns_checks },
	{ "ENOSPC", "enospc", 6, COL_RIGHT | COL_DEFAULT, "limit checks that failed with ENOSPC", ns_enospc },
	{ "LAST-FAIL", "last_fail", 9, COL_DEFAULT, "time of the last ENOSPC (JSON: epoch seconds)", ns_last_fail },
	{ "LAST-PID", "last_pid", 8, COL_RIGHT, "pid whose mount failed last", ns_last_pid },
	{ "LAST-COMM", "last_comm", 9, 0, "its command name", ns_last_comm },
	{ "LAST-REQ", "last_requested", 8, COL_RIGHT, "mounts that failing call asked for", ns_last_req },
	{ "STATE", "state", 5, COL_DEFAULT, "live, or gone once the kernel freed the namespace", ns_state },
	WHO_PIDS,
	WHO_NPROC,
	WHO_COMM,
	WHO_CONTAINER,
	WHO_RUNTIME,
	WHO_POD,
	WHO_UNIT,
	WHO_HELD_BY,
	{ "SOURCE", "source", 6, COL_DEFAULT, "module: the module's figures; live: counted now", ns_source },
	{ "PARENT", "parent", 10, COL_RIGHT, "namespace it was copied from (module)", ns_parent },
	{ "BORN-MOUNTS", "born_mounts", 11, COL_RIGHT, "mounts it was born with (module)", ns_born_mounts },
	{ "BORN", "born", 19, 0, "when it was made (JSON: epoch seconds)", ns_born },
	{ "GROWTH", "growth", 6, 0, "mounts across its last growing attaches, e.g. 7>12>24 (module)", ns_growth },
	WHO_NAME,
	WHO_IMAGE,
	WHO_POD_NS,
	WHO_POD_NAME,
	WHO_POD_UID,
	WHO_CTR_NAME,
	WHO_CTR_TYPE,
	{ "AUDIT", "audit", 5, 0, "the kernel's mount counter against mountinfo (module): ok, churn, drift:+N, wrapped, leak:N", ns_audit },
	WHO_ATTEMPT,
	{ NULL, NULL, 0, 0, NULL, NULL },
};

/* A row of `ns`: a gone namespace's id may live on in an unrelated reuse. */
static void fill_ns_view(void *view, int i, struct data *d)
{
	struct ns_view *row = view;

	row->ns = &d->ns[i];
	row->growth = d->growth;
	row->ngrowth = d->ngrowth;
	row->who = strcmp(d->ns[i].state, "gone") ?
		mw_who_find(&d->scan, d->ns[i].ns) : NULL;
}

/*
 * A gone namespace that never failed: a helper that lived for a moment
 * (docker's untar, runc's), one per docker cp or container start.
 */
static bool ns_hidden(const struct data *d, int i)
{
	const struct mw_ns *ns = &d->ns[i];

	return !strcmp(ns->state, "gone") && (ns->enospc == MW_NONE || !ns->enospc);
}

int cmd_ns(const struct opts *o, FILE *out)
{
	static const struct table_cmd ns = {
		mw_ns_columns, false, sizeof(struct ns_view), fill_ns_view,
		"namespaces", ns_hidden,
	};

	return mw_cmd_table(o, out, &ns);
}

static int run_ns(const struct opts *o)
{
	return cmd_ns(o, stdout);
}

const struct cmd ns_command = {
	.name = "ns",
	.run = run_ns,
	.help = "  ns         namespace table, fullest first (the default)",
	.takes = TAKES_TABLE | TAKES_ALL,
	.columns = mw_ns_columns,
};
