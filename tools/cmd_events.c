// SPDX-License-Identifier: GPL-2.0
/* mntwatch events: the ENOSPC log, caller and failing namespace named. */
#include "cmd.h"

struct ev_view {
	const struct mw_event *ev;
	const struct mw_who *caller, *failing;
};

#define EV_GET(fn, body)						\
static void fn(const void *row, struct cell *c)				\
{									\
	const struct ev_view *v = row;					\
	const struct mw_event *ev = v->ev;				\
	(void)ev;							\
	body;								\
}

EV_GET(ev_time, c->kind = CELL_TIME; c->num = ev->time_us)
EV_GET(ev_pid, mw_cell_int(c, ev->pid))
EV_GET(ev_comm, mw_cell_str(c, ev->comm))
EV_GET(ev_caller, mw_cell_int(c, (int64_t)ev->caller_ns))
EV_GET(ev_failing, mw_cell_int(c, (int64_t)ev->failing_ns))
EV_GET(ev_mounts, mw_cell_int(c, ev->mounts))
EV_GET(ev_pending, mw_cell_int(c, ev->pending))
EV_GET(ev_max, mw_cell_int(c, ev->max))
EV_GET(ev_requested, mw_cell_int(c, ev->requested))
EV_GET(ev_result, mw_cell_int(c, ev->result))
EV_GET(ev_touched, mw_cell_int(c, ev->touched))
EV_GET(ev_checks, mw_cell_int(c, ev->checks))
EV_GET(ev_limit, mw_cell_str(c, ev->limit))
EV_GET(ev_userns, mw_cell_int(c, ev->userns))
EV_GET(ev_ns_count, mw_cell_int(c, ev->ns_count))
EV_GET(ev_seq, mw_cell_int(c, ev->seq))
EV_GET(ev_caller_who, mw_who_label(v->caller, true, c->buf, sizeof(c->buf));
	mw_cell_str(c, c->buf))
EV_GET(ev_failing_who, mw_who_label(v->failing, true, c->buf, sizeof(c->buf));
	mw_cell_str(c, c->buf))

const struct column mw_ev_columns[] = {
	{ "TIME", "time", 19, COL_DEFAULT, "when the limit check failed (JSON: epoch seconds)", ev_time },
	{ "PID", "pid", 5, COL_RIGHT | COL_DEFAULT, "pid that asked for the mount", ev_pid },
	{ "COMM", "comm", 4, COL_DEFAULT, "its command name", ev_comm },
	{ "CALLER-NS", "caller_ns", 10, COL_RIGHT | COL_DEFAULT, "namespace the caller lives in", ev_caller },
	{ "FAILING-NS", "failing_ns", 10, COL_RIGHT | COL_DEFAULT, "namespace whose limit was hit", ev_failing },
	{ "MOUNTS", "mounts", 6, COL_RIGHT | COL_DEFAULT, "mounts in the failing namespace", ev_mounts },
	{ "PENDING", "pending", 7, COL_RIGHT | COL_DEFAULT, "copies this attach had reserved there", ev_pending },
	{ "MAX", "max", 6, COL_RIGHT | COL_DEFAULT, "fs.mount-max in force", ev_max },
	{ "REQ", "requested", 3, COL_RIGHT | COL_DEFAULT, "mounts the check asked to add", ev_requested },
	{ "RESULT", "result", 6, COL_RIGHT, "return value of the attach (-28 is ENOSPC)", ev_result },
	{ "TOUCHED", "touched", 7, COL_RIGHT, "namespaces the attach had checked", ev_touched },
	{ "CHECKS", "checks", 6, COL_RIGHT | COL_DEFAULT, "limit checks the attach had run", ev_checks },
	{ "CALLER", "caller_who", 6, COL_DEFAULT, "who lives in the caller's namespace", ev_caller_who },
	{ "FAILING", "failing_who", 7, COL_DEFAULT, "who lives in the failing namespace", ev_failing_who },
	{ "LIMIT", "limit", 5, 0, "mount-max (fs.mount-max) or mnt-namespaces (user.max_mnt_namespaces)", ev_limit },
	{ "USERNS", "userns", 10, COL_RIGHT, "user namespace whose namespace count was full", ev_userns },
	{ "NS-COUNT", "ns_count", 8, COL_RIGHT, "mount namespaces charged there when it failed", ev_ns_count },
	{ "SEQ", "seq", 3, COL_RIGHT, "event number since the module was loaded", ev_seq },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

/* A row of `events`: who is in its namespaces now. */
static void fill_ev_view(void *view, int i, const struct data *d)
{
	struct ev_view *row = (struct ev_view *)view + i;

	row->ev = &d->ev[i];
	row->caller = mw_who_now(&d->scan, d->ns, d->nns, d->ev[i].caller_ns);
	row->failing = mw_who_now(&d->scan, d->ns, d->nns, d->ev[i].failing_ns);
}

int cmd_events(const struct opts *o)
{
	static const struct table_cmd events = {
		mw_ev_columns, true, sizeof(struct ev_view), fill_ev_view,
		"events",
	};

	return mw_cmd_table(o, stdout, &events);
}
