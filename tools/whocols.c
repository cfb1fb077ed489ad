// SPDX-License-Identifier: GPL-2.0
/* The who-lives-there columns: each reads the who its row holds first. */
#include <stdio.h>
#include "data.h"
#include "whocols.h"
#include "who.h"

#define WHO_GET(fn, body)						\
void fn(const void *row, struct cell *c)				\
{									\
	const struct mw_who *who = *(const struct mw_who *const *)row;	\
	body;								\
}

/* What keeps it alive: its processes, nsfs bind mounts, open nsfs files. */
static void held_by(const struct mw_who *who, struct cell *c)
{
	int i, n = 0, shown;

	if (!who) {
		mw_cell_str(c, NULL);
		return;
	}
	shown = who->npids < 3 ? who->npids : 3;
	for (i = 0; i < shown; i++)
		n += snprintf(c->buf + n, sizeof(c->buf) - n, "%s%d",
			      i ? "," : "", who->pids[i]);
	if (who->npids > shown)
		n += snprintf(c->buf + n, sizeof(c->buf) - n, ",+%d",
			      who->npids - shown);
	if (who->held_by[0])
		snprintf(c->buf + n, sizeof(c->buf) - n, "%s%s", n ? "," : "",
			 who->held_by);
	mw_cell_str(c, c->buf);
}

WHO_GET(mw_who_pids, c->kind = who && who->npids ? CELL_PIDS : CELL_NONE; c->who = who)
WHO_GET(mw_who_nproc, mw_cell_int(c, who ? who->npids : 0))
WHO_GET(mw_who_comm, mw_cell_str(c, who ? who->comm : NULL))
WHO_GET(mw_who_container, mw_cell_str(c, who ? mw_who_container_id(who) : NULL))
WHO_GET(mw_who_runtime_cell, mw_cell_str(c, who ? mw_who_runtime(who) : NULL))
WHO_GET(mw_who_pod, mw_cell_pod(c, who))
WHO_GET(mw_who_unit, mw_cell_str(c, who ? who->cg.unit : NULL))
WHO_GET(mw_who_held_by, held_by(who, c))
WHO_GET(mw_who_name, mw_cell_str(c, who ? who->ctr.name : NULL))
WHO_GET(mw_who_image, mw_cell_str(c, who ? who->ctr.image : NULL))
WHO_GET(mw_who_pod_ns, mw_cell_str(c, who ? who->ctr.pod_namespace : NULL))
WHO_GET(mw_who_pod_name, mw_cell_str(c, who ? who->ctr.pod_name : NULL))
WHO_GET(mw_who_pod_uid, mw_cell_str(c, !who ? NULL : who->cg.pod[0] ? who->cg.pod :
				    who->ctr.pod_uid))
WHO_GET(mw_who_ctr_name, mw_cell_str(c, who ? who->ctr.kube_name : NULL))
WHO_GET(mw_who_ctr_type, mw_cell_str(c, who ? who->ctr.kind : NULL))
WHO_GET(mw_who_attempt, mw_cell_int(c, who && who->ctr.has_attempt ?
				    who->ctr.attempt : MW_NONE))
