// SPDX-License-Identifier: GPL-2.0
/* mntwatch events: the ENOSPC log, caller and failing namespace named. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cmd.h"
#include "data.h"
#include "output.h"
#include "pattern.h"
#include "runtime.h"
#include "table.h"
#include "util.h"
#include "who.h"

struct ev_view {
	const struct mw_event *ev;
	const struct mw_who *caller, *failing;
	/* the caller's container from its cgroup then; the target's owner */
	const struct mw_container *caller_ctr, *target_ctr;
};

#define EV_GET(fn, body)						\
static void fn(const void *row, struct cell *c)				\
{									\
	const struct ev_view *v = row;					\
	const struct mw_event *ev = v->ev;				\
	(void)ev;							\
	body;								\
}

/* The caller: who lives in its namespace, else its container then. */
static void caller_label(const struct ev_view *v, struct cell *c)
{
	if (v->caller)
		mw_who_label(v->caller, true, c->buf, sizeof(c->buf));
	else if (v->caller_ctr)
		mw_container_label(v->caller_ctr, true, c->buf, sizeof(c->buf));
	mw_cell_str(c, c->buf);
}

static const struct mw_container *failing_ctr(const struct ev_view *v)
{
	return v->failing && v->failing->ctr.id[0] ? &v->failing->ctr : NULL;
}

static void ctr_pod(const struct mw_container *ctr, struct cell *c)
{
	if (ctr)
		mw_pod_label(ctr, c->buf, sizeof(c->buf));
	mw_cell_str(c, c->buf);
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
EV_GET(ev_caller_who, caller_label(v, c))
EV_GET(ev_failing_who, mw_who_label(v->failing, true, c->buf, sizeof(c->buf));
	mw_cell_str(c, c->buf))
EV_GET(ev_syscall, mw_cell_str(c, ev->syscall))
EV_GET(ev_flags, if (ev->flags != MW_NONE)
		snprintf(c->buf, sizeof(c->buf), "0x%" PRIx64, ev->flags);
	mw_cell_str(c, c->buf))
EV_GET(ev_source, mw_cell_str(c, ev->source))
EV_GET(ev_target, mw_cell_str(c, ev->target))
EV_GET(ev_cgroup, mw_cell_str(c, ev->cgroup))
EV_GET(ev_caller_ctr, mw_cell_str(c, v->caller_ctr ? v->caller_ctr->id : NULL))
EV_GET(ev_caller_runtime, mw_cell_str(c, v->caller_ctr ? v->caller_ctr->runtime : NULL))
EV_GET(ev_caller_name, mw_cell_str(c, v->caller_ctr ? v->caller_ctr->name : NULL))
EV_GET(ev_caller_pod, ctr_pod(v->caller_ctr, c))
EV_GET(ev_caller_attempt, mw_cell_int(c, v->caller_ctr && v->caller_ctr->has_attempt ?
					v->caller_ctr->attempt : MW_NONE))
EV_GET(ev_failing_ctr, mw_cell_str(c, failing_ctr(v) ? failing_ctr(v)->id : NULL))
EV_GET(ev_failing_name, mw_cell_str(c, failing_ctr(v) ? failing_ctr(v)->name : NULL))
EV_GET(ev_failing_pod, ctr_pod(failing_ctr(v), c))
EV_GET(ev_target_ctr, mw_cell_str(c, v->target_ctr ? v->target_ctr->id : NULL))
EV_GET(ev_target_runtime, mw_cell_str(c, v->target_ctr ? v->target_ctr->runtime : NULL))
EV_GET(ev_target_name, mw_cell_str(c, v->target_ctr ? v->target_ctr->name : NULL))
EV_GET(ev_fallback, mw_cell_str(c, mw_event_fallback(ev)))

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
	{ "CALLER", "caller_who", 6, COL_DEFAULT, "who lives in the caller's namespace, else its container then", ev_caller_who },
	{ "FAILING", "failing_who", 7, COL_DEFAULT, "who lives in the failing namespace", ev_failing_who },
	{ "LIMIT", "limit", 5, 0, "mount-max (fs.mount-max) or mnt-namespaces (user.max_mnt_namespaces)", ev_limit },
	{ "USERNS", "userns", 10, COL_RIGHT, "user namespace whose namespace count was full", ev_userns },
	{ "NS-COUNT", "ns_count", 8, COL_RIGHT, "mount namespaces charged there when it failed", ev_ns_count },
	{ "SEQ", "seq", 3, COL_RIGHT, "event number since the module was loaded", ev_seq },
	{ "SYSCALL", "syscall", 7, 0, "the caller's system call: mount, move_mount, unshare, ... (module)", ev_syscall },
	{ "FLAGS", "flags", 5, 0, "mount's or move_mount's flags, 0x5000 = MS_BIND|MS_REC (module)", ev_flags },
	{ "SOURCE", "source", 6, COL_ESCAPED, "the mount's source as the caller gave it (tables: \\ooo escapes)", ev_source },
	{ "TARGET", "target", 6, COL_ESCAPED, "the mount's target as the caller gave it (tables: \\ooo escapes)", ev_target },
	{ "CGROUP", "cgroup", 6, COL_ESCAPED, "the caller's cgroup v2 path at the failure", ev_cgroup },
	{ "CALLER-CONTAINER", "caller_container", 16, COL_ID12, "the caller's container then, from its cgroup (JSON: full id)", ev_caller_ctr },
	{ "CALLER-RUNTIME", "caller_runtime", 14, 0, "its runtime", ev_caller_runtime },
	{ "CALLER-NAME", "caller_name", 11, 0, "its name, while its runtime still knows it", ev_caller_name },
	{ "CALLER-POD", "caller_pod", 10, 0, "its Kubernetes pod, namespace/name", ev_caller_pod },
	{ "CALLER-ATTEMPT", "caller_attempt", 14, COL_RIGHT, "its restart attempt, where its runtime records it", ev_caller_attempt },
	{ "FAILING-CONTAINER", "failing_container", 17, COL_ID12, "the container living in the failing namespace (JSON: full id)", ev_failing_ctr },
	{ "FAILING-NAME", "failing_name", 12, 0, "its name", ev_failing_name },
	{ "FAILING-POD", "failing_pod", 11, 0, "its Kubernetes pod, namespace/name", ev_failing_pod },
	{ "TARGET-CONTAINER", "target_container", 16, COL_ID12, "the container whose files the target is in (JSON: full id)", ev_target_ctr },
	{ "TARGET-RUNTIME", "target_runtime", 14, 0, "its runtime", ev_target_runtime },
	{ "TARGET-NAME", "target_name", 11, 0, "its name", ev_target_name },
	{ "FALLBACK", "fallback", 8, 0, "a runtime's own mount it survives (runc-exe-bind): not the failure a user saw", ev_fallback },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

/* Event @i as a row of `events`: who was in its namespaces then. */
static void ev_view_of(struct ev_view *row, struct data *d, int i)
{
	const struct mw_event *ev = &d->ev[i];

	row->ev = ev;
	row->caller = mw_who_at(&d->scan, d->ns, d->nns, ev->caller_ns,
				ev->time_us);
	row->failing = mw_who_at(&d->scan, d->ns, d->nns, ev->failing_ns,
				 ev->time_us);
	row->caller_ctr = mw_cgroup_container(&d->rt, ev->cgroup);
	row->target_ctr = mw_path_container(&d->rt, ev->target);
}

static void fill_ev_view(void *view, int i, struct data *d)
{
	ev_view_of(view, d, i);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* the module's directory is gone: it was unloaded */
#define FOLLOW_GONE (-1)

/*
 * Whether a failed read of @dir means the module is going: debugfs answers
 * ENXIO for a file of a module being unloaded and EIO for one being
 * removed; either is soon followed by the directory's own removal.
 */
static bool module_gone(const char *dir, int err)
{
	const struct timespec tick = { .tv_nsec = 100000000 };
	struct stat sb;
	int i;

	if (err == ENOENT)
		return true;
	if (err != ENXIO && err != EIO)
		return false;
	for (i = 0; i < 10; i++) {
		if (stat(dir, &sb) && errno == ENOENT)
			return true;
		nanosleep(&tick, NULL);
	}
	errno = err;
	return false;
}

/*
 * Where the module's event counter stands, from status (a few hundred
 * bytes, unlike the ring): 0, FOLLOW_GONE or an exit code.
 */
static int events_total(const struct opts *o, int64_t *total, ino_t *dir)
{
	char path[4096], err[160], *text;
	struct mw_status st;
	struct stat sb;
	int ret = MW_EXIT_ERROR;

	snprintf(path, sizeof(path), "%s/status", o->debugfs);
	text = stat(o->debugfs, &sb) ? NULL : mw_read_file(path, NULL);
	if (!text) {
		if (module_gone(o->debugfs, errno))
			return FOLLOW_GONE;
		mw_warnx("cannot read %s: %s", path, strerror(errno));
		return ret;
	}
	*dir = sb.st_ino;
	if (mw_status_parse(&st, text, err, sizeof(err))) {
		mw_warnx("%s: %s", path, err);
		return ret;
	}
	*total = mw_status_num(&st, "events_total");
	if (*total == MW_NONE || *total < 0)
		mw_warnx("%s: no events_total", path);
	else
		ret = 0;
	mw_status_free(&st);
	return ret;
}

/*
 * Prints the events after @last (a seq) and moves @last to the newest; the
 * ring may have overwritten some of them since the last read, and then says
 * how many. Returns 0 or an exit code.
 */
static int print_new_events(const struct opts *o, struct mw_stream *stream,
			    const struct column **sel, int nsel, int64_t *last)
{
	struct ev_view *view;
	struct data d;
	int i, first, ret;

	ret = mw_load(o, &d, true, true);
	if (ret)
		goto out;
	if (d.nev && d.ev[d.nev - 1].seq == MW_NONE) {
		mw_warnx("%s/events has no seq column: --follow needs a newer mntwatch.ko",
			 o->debugfs);
		ret = MW_EXIT_ERROR;
		goto out;
	}
	for (first = d.nev; first > 0 && d.ev[first - 1].seq > *last; first--)
		;
	if (first == d.nev)
		goto out;
	if (d.ev[first].seq > *last + 1)
		mw_warnx("%" PRId64 " event%s overwritten in the ring (events_max %s) before %s could be read",
			 d.ev[first].seq - *last - 1,
			 d.ev[first].seq - *last - 1 == 1 ? " was" : "s were",
			 mw_status_get(&d.status, "events_max") ?: "?",
			 d.ev[first].seq - *last - 1 == 1 ? "it" : "they");
	view = calloc(d.nev - first, sizeof(*view));
	if (!view) {
		mw_warnx("out of memory");
		ret = MW_EXIT_ERROR;
		goto out;
	}
	for (i = first; i < d.nev; i++)
		ev_view_of(&view[i - first], &d, i);
	mw_print_stream(stdout, stream, sel, nsel, view, sizeof(*view),
			d.nev - first, d.now_us);
	free(view);
	*last = d.ev[d.nev - 1].seq;
	if (fflush(stdout) || ferror(stdout)) {
		mw_warnx("write error on standard output: %s", strerror(errno));
		ret = MW_EXIT_ERROR;
	}
out:
	mw_data_free(&d);
	return ret;
}

/*
 * events --follow: the ring so far, then each new event once. Every
 * interval only status is read; the ring only when events_total moved.
 */
static int events_follow(const struct opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct mw_stream stream = { .json = o->json,
				    .noheadings = o->noheadings };
	const struct column *sel[MAX_SELECTED];
	int64_t last = 0, total;
	ino_t dir = 0, was;
	int nsel, ret;

	nsel = mw_select_columns(mw_ev_columns, o->columns, o->json, sel);
	if (nsel < 0)
		return MW_EXIT_USAGE;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = print_new_events(o, &stream, sel, nsel, &last);
	if (!ret)
		ret = events_total(o, &total, &dir);
	while (!ret && !stop) {
		struct timespec ts = {
			.tv_sec = (time_t)o->interval,
			.tv_nsec = (long)((o->interval - (time_t)o->interval) * 1e9),
		};

		while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
			;
		if (stop)
			break;
		was = dir;
		ret = events_total(o, &total, &dir);
		if (ret)
			break;
		/* a new module numbers its events from 1 again */
		if (dir != was || total < last) {
			mw_warnx("mntwatch.ko was reloaded: following its events from seq 1");
			last = 0;
		}
		if (total > last)
			ret = print_new_events(o, &stream, sel, nsel, &last);
	}
	if (ret == FOLLOW_GONE) {
		mw_warnx("module unloaded (no %s): stopped following", o->debugfs);
		return MW_EXIT_ERROR;
	}
	return ret;
}

static int cmd_events(const struct opts *o)
{
	static const struct table_cmd events = {
		mw_ev_columns, true, sizeof(struct ev_view), fill_ev_view,
		"events", NULL,
	};

	if (o->follow)
		return events_follow(o);
	return mw_cmd_table(o, stdout, &events);
}

static const struct cmd_option events_options[] = {
	{ "follow", 'f', no_argument, TAKES_FOLLOW, "--follow is an option of %s",
	  "  -f, --follow           events: new ones as they happen, until interrupted" },
	{ "interval", 'i', required_argument, TAKES_INTERVAL,
	  "--interval is an option of %s",
	  "  -i, --interval SECS    watch: redraw period (2); events -f: poll period (1)" },
	{ NULL },
};

/* -i is the poll period of --follow, 1 s unless given */
static int check_events(struct opts *o)
{
	if ((o->given & TAKES_INTERVAL) && !o->follow) {
		mw_warnx("--interval is an option of 'watch' and 'events --follow'");
		return -1;
	}
	if (o->follow && !(o->given & TAKES_INTERVAL))
		o->interval = 1;
	return 0;
}

const struct cmd events_command = {
	.name = "events",
	.run = cmd_events,
	.help = "  events     the ENOSPC log, caller and failing namespace named",
	.takes = TAKES_TABLE | TAKES_INTERVAL | TAKES_FOLLOW,
	.options = events_options,
	.columns = mw_ev_columns,
	.check = check_events,
};
