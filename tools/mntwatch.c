// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch(8): which mount namespace is close to fs.mount-max, who lives in
 * it, and why a mount failed with ENOSPC. Reads the tables of mntwatch.ko in
 * debugfs; without the module it counts mounts from /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include "mntwatch.h"

#define DEBUGFS_DEFAULT	"/sys/kernel/debug/mntwatch"
#define DEBUGFS_MOUNT	"/sys/kernel/debug"
#define DEBUGFS_MAGIC	0x64626720

/* ------------------------------------------------------------------ util */

static const char *prog = "mntwatch";

static void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* MNTWATCH_NOW lets the tests pin "now" for relative times. */
static int64_t now_us(void)
{
	const char *pinned = getenv("MNTWATCH_NOW");
	struct timespec ts;

	if (pinned && *pinned)
		return mw_parse_time_us(pinned);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* JSON strings: bytes outside printable ASCII become \u00XX, always valid. */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* --------------------------------------------------------------- options */

enum cmd { CMD_NS, CMD_EVENTS, CMD_EXPLAIN, CMD_WATCH, CMD_CHECK, CMD_METRICS };

static const char *const cmd_names[] = {
	[CMD_NS] = "ns", [CMD_EVENTS] = "events", [CMD_EXPLAIN] = "explain",
	[CMD_WATCH] = "watch", [CMD_CHECK] = "check", [CMD_METRICS] = "metrics",
};

struct opts {
	enum cmd cmd;
	bool json, noheadings, list_columns;
	const char *columns;
	const char *debugfs, *procdir, *output;
	double interval;
	double warn_pct, crit_pct;
	int64_t recent_s;
};

/* ------------------------------------------------------------------ data */

struct data {
	bool module;
	struct mw_status status;
	struct mw_table ns_tbl, ev_tbl;
	struct mw_ns *ns;
	int nns;
	struct mw_event *ev;
	int nev;
	struct mw_procscan scan;
	bool have_scan;
	int64_t now_us;
};

static void data_free(struct data *d)
{
	mw_status_free(&d->status);
	mw_table_free(&d->ns_tbl);
	mw_table_free(&d->ev_tbl);
	free(d->ns);
	free(d->ev);
	mw_proc_free(&d->scan);
	memset(d, 0, sizeof(*d));
}

static int read_table(const char *dir, const char *name, struct mw_table *tbl)
{
	char path[4096], err[160], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = mw_read_file(path, NULL);
	if (!text) {
		warnx_("cannot read %s: %s%s", path, strerror(errno),
		       errno == EACCES || errno == EPERM ?
		       " (debugfs is root-only: run as root)" : "");
		return -1;
	}
	if (mw_table_parse(tbl, text, err, sizeof(err))) {
		warnx_("%s: %s", path, err);
		return -1;
	}
	return 0;
}

/*
 * Why the module's directory is missing, in one line with what to do: the
 * module is not loaded, or debugfs is not even mounted where we look.
 */
static void explain_missing(const char *dir, const char *consequence)
{
	char parent[4096];
	struct statfs sfs;

	snprintf(parent, sizeof(parent), "%s", dir);
	dirname(parent);
	if (!strcmp(parent, DEBUGFS_MOUNT) &&
	    (statfs(parent, &sfs) || sfs.f_type != DEBUGFS_MAGIC))
		warnx_("debugfs is not mounted (mount -t debugfs none %s)%s",
		       DEBUGFS_MOUNT, consequence);
	else
		warnx_("module not loaded (no %s; insmod mntwatch.ko)%s", dir,
		       consequence);
}

static int cmp_use(const void *a, const void *b)
{
	const struct mw_ns *x = a, *y = b;

	if (x->use_permille != y->use_permille)
		return x->use_permille > y->use_permille ? -1 : 1;
	return (x->ns > y->ns) - (x->ns < y->ns);
}

/* Without the module: one row per namespace, counted now. */
static int rows_from_proc(struct data *d)
{
	int i;

	d->ns = calloc(d->scan.nwho + 1, sizeof(*d->ns));
	if (!d->ns)
		return -1;
	for (i = 0; i < d->scan.nwho; i++) {
		const struct mw_who *who = &d->scan.who[i];
		struct mw_ns *row;

		if (who->mounts == MW_NONE)
			continue;
		row = &d->ns[d->nns++];
		row->ns = who->ns;
		row->mounts = who->mounts;
		row->max = d->scan.mount_max;
		row->use_permille = row->max > 0 ?
			row->mounts * 1000 / row->max : MW_NONE;
		row->pending = row->peak = row->checks = row->enospc = MW_NONE;
		row->last_fail_us = row->last_pid = MW_NONE;
		row->last_requested = MW_NONE;
		strcpy(row->state, "live");
	}
	qsort(d->ns, d->nns, sizeof(*d->ns), cmp_use);
	return 0;
}

/*
 * need_module: the command has no meaning without the module (events,
 * explain). Returns 0 or an exit code; everything printed already.
 */
static int load(const struct opts *o, struct data *d, bool want_events,
		bool need_module)
{
	char path[4096], err[160], *text;
	const char *format;
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->now_us = now_us();
	if (stat(o->debugfs, &st)) {
		if (errno == EACCES || errno == EPERM) {
			warnx_("cannot read %s: %s (debugfs is root-only: run as root)",
			       o->debugfs, strerror(errno));
			return MW_EXIT_ERROR;
		}
		explain_missing(o->debugfs, need_module ? "" :
			": live counts from /proc, no pending or history");
		if (need_module)
			return MW_EXIT_ERROR;
	} else {
		d->module = true;
		snprintf(path, sizeof(path), "%s/status", o->debugfs);
		text = mw_read_file(path, NULL);
		if (!text) {
			warnx_("cannot read %s: %s%s", path, strerror(errno),
			       errno == EACCES ? " (debugfs is root-only: run as root)" : "");
			return MW_EXIT_ERROR;
		}
		if (mw_status_parse(&d->status, text, err, sizeof(err))) {
			warnx_("%s: %s", path, err);
			return MW_EXIT_ERROR;
		}
		format = mw_status_get(&d->status, "format");
		if (!format || strcmp(format, MW_TABLE_FORMAT)) {
			warnx_("%s: table format '%s' unknown (this mntwatch reads format %s): update mntwatch",
			       path, format ? format : "(none)", MW_TABLE_FORMAT);
			return MW_EXIT_ERROR;
		}
		if (read_table(o->debugfs, "namespaces", &d->ns_tbl))
			return MW_EXIT_ERROR;
		d->nns = mw_parse_namespaces(&d->ns_tbl, &d->ns, err, sizeof(err));
		if (d->nns < 0) {
			warnx_("%s/namespaces: %s", o->debugfs, err);
			return MW_EXIT_ERROR;
		}
		if (want_events) {
			if (read_table(o->debugfs, "events", &d->ev_tbl))
				return MW_EXIT_ERROR;
			d->nev = mw_parse_events(&d->ev_tbl, &d->ev, err, sizeof(err));
			if (d->nev < 0) {
				warnx_("%s/events: %s", o->debugfs, err);
				return MW_EXIT_ERROR;
			}
		}
	}

	if (mw_proc_scan(o->procdir, !d->module, &d->scan)) {
		warnx_("cannot scan %s: %s", o->procdir, strerror(errno));
		return MW_EXIT_ERROR;
	}
	d->have_scan = true;
	if (d->scan.unreadable)
		warnx_("%d process%s in %s could not be inspected (%s): %s incomplete",
		       d->scan.unreadable, d->scan.unreadable == 1 ? "" : "es",
		       o->procdir, geteuid() ? "run as root" : "permission denied",
		       d->module ? "who columns are" : "the table is");
	if (!d->module) {
		if (rows_from_proc(d)) {
			warnx_("out of memory");
			return MW_EXIT_ERROR;
		}
		if (!d->nns) {
			warnx_("no mount namespace readable in %s", o->procdir);
			return MW_EXIT_ERROR;
		}
	}
	return 0;
}

/* --------------------------------------------------------------- columns */

enum cell_kind {
	CELL_NONE,	/* "-" / null */
	CELL_INT,
	CELL_STR,
	CELL_PERMILLE,	/* 810 -> 81.0 */
	CELL_AGO,	/* table: "3m ago"; JSON: epoch seconds */
	CELL_TIME,	/* table: local time; JSON: epoch seconds */
	CELL_PIDS,	/* table: "1,2,3,+5"; JSON: array */
};

struct cell {
	enum cell_kind kind;
	int64_t num;
	const char *str;
	const struct mw_who *who;
	char buf[200];
};

struct ns_view {
	const struct mw_ns *ns;
	const struct mw_who *who;
};

struct ev_view {
	const struct mw_event *ev;
	const struct mw_who *caller, *failing;
};

#define COL_RIGHT	0x1	/* numbers */
#define COL_DEFAULT	0x2	/* shown without -o */
#define COL_ID12	0x4	/* container id: 12 characters in tables */

struct column {
	const char *name;	/* header and -o name */
	const char *json;	/* JSON member, Prometheus-safe */
	int width;		/* minimum width */
	unsigned int flags;
	const char *help;
	void (*get)(const void *row, struct cell *cell);
};

static void cell_int(struct cell *c, int64_t v)
{
	c->kind = v == MW_NONE ? CELL_NONE : CELL_INT;
	c->num = v;
}

static void cell_str(struct cell *c, const char *s)
{
	c->kind = s && *s ? CELL_STR : CELL_NONE;
	c->str = s;
}

#define NS_GET(fn, body)						\
static void fn(const void *row, struct cell *c)				\
{									\
	const struct mw_ns *ns = ((const struct ns_view *)row)->ns;	\
	const struct mw_who *who = ((const struct ns_view *)row)->who;	\
	(void)ns; (void)who;						\
	body;								\
}

NS_GET(ns_id, cell_int(c, (int64_t)ns->ns))
NS_GET(ns_mounts, cell_int(c, ns->mounts))
NS_GET(ns_pending, cell_int(c, ns->pending))
NS_GET(ns_max, cell_int(c, ns->max))
NS_GET(ns_use, cell_int(c, ns->use_permille);
	if (c->kind != CELL_NONE) c->kind = CELL_PERMILLE)
NS_GET(ns_peak, cell_int(c, ns->peak))
NS_GET(ns_checks, cell_int(c, ns->checks))
NS_GET(ns_enospc, cell_int(c, ns->enospc))
NS_GET(ns_last_fail, cell_int(c, ns->last_fail_us);
	if (c->kind != CELL_NONE) c->kind = CELL_AGO)
NS_GET(ns_last_pid, cell_int(c, ns->last_pid))
NS_GET(ns_last_comm, cell_str(c, ns->last_comm))
NS_GET(ns_last_req, cell_int(c, ns->last_requested))
NS_GET(ns_state, cell_str(c, ns->state))
NS_GET(ns_pids, c->kind = who ? CELL_PIDS : CELL_NONE; c->who = who)
NS_GET(ns_nproc, cell_int(c, who ? who->npids : 0))
NS_GET(ns_comm, cell_str(c, who ? who->comm : NULL))
NS_GET(ns_container, cell_str(c, who ? who->cg.container : NULL))
NS_GET(ns_runtime, cell_str(c, who ? who->cg.runtime : NULL))
NS_GET(ns_pod, cell_str(c, who ? who->cg.pod : NULL))
NS_GET(ns_unit, cell_str(c, who ? who->cg.unit : NULL))

/* The one table behind headers, widths, JSON names and --list-columns. */
static const struct column ns_columns[] = {
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
	{ "PIDS", "pids", 4, COL_DEFAULT, "processes living in the namespace (first few)", ns_pids },
	{ "NPROC", "nr_pids", 5, COL_RIGHT, "number of processes living in the namespace", ns_nproc },
	{ "COMM", "comm", 4, COL_DEFAULT, "command name of its lowest pid", ns_comm },
	{ "CONTAINER", "container", 12, COL_DEFAULT | COL_ID12, "container id (12 characters; JSON: full)", ns_container },
	{ "RUNTIME", "runtime", 7, 0, "docker, containerd, crio or podman, when the cgroup says", ns_runtime },
	{ "POD", "pod", 3, COL_DEFAULT, "Kubernetes pod uid", ns_pod },
	{ "UNIT", "unit", 4, 0, "systemd unit (.service or .scope) of its lowest pid", ns_unit },
	{ NULL, NULL, 0, 0, NULL, NULL },
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
EV_GET(ev_pid, cell_int(c, ev->pid))
EV_GET(ev_comm, cell_str(c, ev->comm))
EV_GET(ev_caller, cell_int(c, (int64_t)ev->caller_ns))
EV_GET(ev_failing, cell_int(c, (int64_t)ev->failing_ns))
EV_GET(ev_mounts, cell_int(c, ev->mounts))
EV_GET(ev_pending, cell_int(c, ev->pending))
EV_GET(ev_max, cell_int(c, ev->max))
EV_GET(ev_requested, cell_int(c, ev->requested))
EV_GET(ev_result, cell_int(c, ev->result))
EV_GET(ev_touched, cell_int(c, ev->touched))
EV_GET(ev_checks, cell_int(c, ev->checks))
EV_GET(ev_caller_who, mw_who_label(v->caller, true, c->buf, sizeof(c->buf));
	cell_str(c, c->buf))
EV_GET(ev_failing_who, mw_who_label(v->failing, true, c->buf, sizeof(c->buf));
	cell_str(c, c->buf))

static const struct column ev_columns[] = {
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
	{ NULL, NULL, 0, 0, NULL, NULL },
};

/* Table text of a cell, "-" for none. */
static const char *cell_text(const struct column *col, struct cell *c,
			     int64_t now)
{
	char tmp[MW_UNIT_LEN];
	int i, n, shown;

	switch (c->kind) {
	case CELL_NONE:
		return "-";
	case CELL_INT:
		snprintf(c->buf, sizeof(c->buf), "%" PRId64, c->num);
		return c->buf;
	case CELL_PERMILLE:
		snprintf(c->buf, sizeof(c->buf), "%" PRId64 ".%" PRId64,
			 c->num / 10, c->num % 10);
		return c->buf;
	case CELL_AGO:
		mw_format_ago(c->buf, sizeof(c->buf), c->num, now);
		return c->buf;
	case CELL_TIME:
		mw_format_time(c->buf, sizeof(c->buf), c->num);
		return c->buf;
	case CELL_PIDS:
		shown = c->who->npids < 3 ? c->who->npids : 3;
		for (i = 0, n = 0; i < shown; i++)
			n += snprintf(c->buf + n, sizeof(c->buf) - n, "%s%d",
				      i ? "," : "", c->who->pids[i]);
		if (c->who->npids > shown)
			snprintf(c->buf + n, sizeof(c->buf) - n, ",+%d",
				 c->who->npids - shown);
		return c->buf;
	case CELL_STR:
		mw_sanitize(tmp, (col->flags & COL_ID12) ? 13 : sizeof(tmp),
			    c->str);
		snprintf(c->buf, sizeof(c->buf), "%s", tmp);
		return c->buf;
	}
	return "-";
}

static void cell_json(FILE *out, struct cell *c)
{
	int i;

	switch (c->kind) {
	case CELL_NONE:
		fputs("null", out);
		break;
	case CELL_INT:
		fprintf(out, "%" PRId64, c->num);
		break;
	case CELL_PERMILLE:
		fprintf(out, "%" PRId64 ".%" PRId64, c->num / 10, c->num % 10);
		break;
	case CELL_AGO:
	case CELL_TIME:
		fprintf(out, "%" PRId64 ".%06" PRId64, c->num / 1000000,
			c->num % 1000000);
		break;
	case CELL_PIDS:
		fputc('[', out);
		for (i = 0; i < c->who->npids; i++)
			fprintf(out, "%s%d", i ? "," : "", c->who->pids[i]);
		fputc(']', out);
		break;
	case CELL_STR:
		json_str(out, c->str);
		break;
	}
}

#define MAX_SELECTED 64

/*
 * "-o LIST": names, case-insensitive, comma-separated; "+LIST" appends to
 * the defaults, as findmnt does. JSON without -o gets every column.
 */
static int select_columns(const struct column *cols, const char *list,
			  bool all, const struct column **sel)
{
	char buf[1024], *name, *save;
	int n = 0, i;

	if (!list || *list == '+') {
		for (i = 0; cols[i].name; i++)
			if (all || (cols[i].flags & COL_DEFAULT))
				sel[n++] = &cols[i];
		if (!list)
			return n;
		list++;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (name = strtok_r(buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (i = 0; cols[i].name; i++)
			if (!strcasecmp(cols[i].name, name) ||
			    !strcasecmp(cols[i].json, name))
				break;
		if (!cols[i].name) {
			warnx_("unknown column '%s' (--list-columns lists them)", name);
			return -1;
		}
		if (n == MAX_SELECTED) {
			warnx_("too many columns");
			return -1;
		}
		sel[n++] = &cols[i];
	}
	if (!n) {
		warnx_("no columns given to -o");
		return -1;
	}
	return n;
}

static void list_columns(FILE *out, const struct column *cols, bool json)
{
	int i;

	if (json)
		fputs("{\"columns\": [", out);
	for (i = 0; cols[i].name; i++) {
		if (json) {
			fprintf(out, "%s\n  {\"name\": ", i ? "," : "");
			json_str(out, cols[i].name);
			fputs(", \"json\": ", out);
			json_str(out, cols[i].json);
			fprintf(out, ", \"default\": %s, \"help\": ",
				cols[i].flags & COL_DEFAULT ? "true" : "false");
			json_str(out, cols[i].help);
			fputc('}', out);
		} else {
			fprintf(out, "%-10s %-15s %c %s\n", cols[i].name,
				cols[i].json,
				cols[i].flags & COL_DEFAULT ? '*' : ' ',
				cols[i].help);
		}
	}
	if (json)
		fputs("\n]}\n", out);
}

/*
 * One listing: rows are opaque to this code, each column knows how to read
 * its row. Widths fit the widest cell, the last column is not padded.
 */
static void print_rows(FILE *out, const struct column **sel, int nsel,
		       const void *rows, size_t row_size, int nrows,
		       const char *json_key, const char *source, bool json,
		       bool noheadings, int64_t now)
{
	int width[MAX_SELECTED];
	struct cell cell;
	int r, c;

	if (json) {
		fprintf(out, "{\"source\": \"%s\", \"%s\": [", source, json_key);
		for (r = 0; r < nrows; r++) {
			fprintf(out, "%s\n  {", r ? "," : "");
			for (c = 0; c < nsel; c++) {
				memset(&cell, 0, sizeof(cell));
				sel[c]->get((const char *)rows + r * row_size, &cell);
				fprintf(out, "%s\"%s\": ", c ? ", " : "", sel[c]->json);
				cell_json(out, &cell);
			}
			fputc('}', out);
		}
		fputs(nrows ? "\n]}\n" : "]}\n", out);
		return;
	}
	for (c = 0; c < nsel; c++) {
		width[c] = sel[c]->width;
		if (!noheadings && (int)strlen(sel[c]->name) > width[c])
			width[c] = strlen(sel[c]->name);
		for (r = 0; r < nrows; r++) {
			int len;

			memset(&cell, 0, sizeof(cell));
			sel[c]->get((const char *)rows + r * row_size, &cell);
			len = strlen(cell_text(sel[c], &cell, now));
			if (len > width[c])
				width[c] = len;
		}
	}
	for (r = noheadings ? 0 : -1; r < nrows; r++) {
		for (c = 0; c < nsel; c++) {
			const char *text = sel[c]->name;
			bool last = c == nsel - 1;

			if (r >= 0) {
				memset(&cell, 0, sizeof(cell));
				sel[c]->get((const char *)rows + r * row_size, &cell);
				text = cell_text(sel[c], &cell, now);
			}
			if (sel[c]->flags & COL_RIGHT)
				fprintf(out, "%*s", width[c], text);
			else
				fprintf(out, "%-*s", last ? 0 : width[c], text);
			fputs(last ? "\n" : " ", out);
		}
	}
}

/* -------------------------------------------------------------- commands */

/* A row of `ns`: a gone namespace's id may live on in an unrelated reuse. */
static void fill_ns_view(void *view, int i, const struct data *d)
{
	struct ns_view *row = (struct ns_view *)view + i;

	row->ns = &d->ns[i];
	row->who = strcmp(d->ns[i].state, "gone") ?
		mw_who_find(&d->scan, d->ns[i].ns) : NULL;
}

/* A row of `events`: who is in its namespaces now. */
static void fill_ev_view(void *view, int i, const struct data *d)
{
	struct ev_view *row = (struct ev_view *)view + i;

	row->ev = &d->ev[i];
	row->caller = mw_who_now(&d->scan, d->ns, d->nns, d->ev[i].caller_ns);
	row->failing = mw_who_now(&d->scan, d->ns, d->nns, d->ev[i].failing_ns);
}

/* What `ns` and `events` share: pick columns, load, build the view, print. */
struct table_cmd {
	const struct column *columns;
	bool events;			/* the events table, which needs the module */
	size_t view_size;
	void (*fill)(void *view, int i, const struct data *d);
	const char *json_key;
};

static int cmd_table(const struct opts *o, FILE *out,
		     const struct table_cmd *cmd)
{
	const struct column *sel[MAX_SELECTED];
	struct data d;
	int nsel, nrows, i, ret;
	void *view;

	nsel = select_columns(cmd->columns, o->columns, o->json, sel);
	if (nsel < 0)
		return MW_EXIT_USAGE;
	ret = load(o, &d, cmd->events, cmd->events);
	if (ret) {
		data_free(&d);
		return ret;
	}
	nrows = cmd->events ? d.nev : d.nns;
	view = calloc(nrows + 1, cmd->view_size);
	if (!view) {
		data_free(&d);
		return MW_EXIT_ERROR;
	}
	for (i = 0; i < nrows; i++)
		cmd->fill(view, i, &d);
	print_rows(out, sel, nsel, view, cmd->view_size, nrows, cmd->json_key,
		   d.module ? "module" : "proc", o->json,
		   o->noheadings, d.now_us);
	free(view);
	data_free(&d);
	return MW_EXIT_OK;
}

static int cmd_ns(const struct opts *o, FILE *out)
{
	static const struct table_cmd ns = {
		ns_columns, false, sizeof(struct ns_view), fill_ns_view,
		"namespaces",
	};

	return cmd_table(o, out, &ns);
}

static int cmd_events(const struct opts *o)
{
	static const struct table_cmd events = {
		ev_columns, true, sizeof(struct ev_view), fill_ev_view,
		"events",
	};

	return cmd_table(o, stdout, &events);
}

static int cmd_explain(const struct opts *o)
{
	struct mw_explain_in in;
	struct data d;
	int ret = load(o, &d, true, true);

	if (ret) {
		data_free(&d);
		return ret;
	}
	memset(&in, 0, sizeof(in));
	in.ns = d.ns;
	in.nns = d.nns;
	in.ev = d.ev;
	in.nev = d.nev;
	in.events_total = mw_status_num(&d.status, "events_total");
	in.events_overwritten = mw_status_num(&d.status, "events_overwritten");
	if (in.events_total == MW_NONE)
		in.events_total = d.nev;
	in.scan = &d.scan;
	in.now_us = d.now_us;
	mw_explain(stdout, &in);
	data_free(&d);
	return MW_EXIT_OK;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Draw each frame off-screen, then in one write: no flicker. */
static int cmd_watch(const struct opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char when[64];
	int ret = 0;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		char *frame = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&frame, &len);
		struct timespec ts;

		if (!mem)
			return MW_EXIT_ERROR;
		mw_format_time(when, sizeof(when), now_us());
		fprintf(mem, "\033[H\033[2Jmntwatch ns, every %gs: %s\n\n",
			o->interval, when);
		fflush(mem);
		ret = cmd_ns(o, mem);
		fclose(mem);
		if (ret == MW_EXIT_USAGE) {
			free(frame);
			return ret;
		}
		fwrite(frame, 1, len, stdout);
		fflush(stdout);
		free(frame);
		ts.tv_sec = (time_t)o->interval;
		ts.tv_nsec = (long)((o->interval - ts.tv_sec) * 1e9);
		while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return MW_EXIT_OK;
}

static const char *const check_words[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

static int cmd_check(const struct opts *o)
{
	const struct mw_ns *worst = NULL;
	int nlive = 0, nrecent = 0, level = 0, ret, i;
	int64_t worst_fail = MW_NONE;
	char who[200] = "", ago[32];
	struct data d;

	ret = load(o, &d, false, false);
	if (ret) {
		printf("MNTWATCH UNKNOWN - cannot read the mount namespace tables (see stderr)\n");
		data_free(&d);
		return MW_EXIT_ERROR;
	}
	for (i = 0; i < d.nns; i++) {
		const struct mw_ns *ns = &d.ns[i];

		if (!strcmp(ns->state, "gone"))
			continue;
		nlive++;
		if (!worst || ns->use_permille > worst->use_permille)
			worst = ns;
		if (o->recent_s && ns->last_fail_us != MW_NONE &&
		    d.now_us - ns->last_fail_us <= o->recent_s * 1000000) {
			nrecent++;
			if (worst_fail == MW_NONE || ns->last_fail_us > worst_fail)
				worst_fail = ns->last_fail_us;
		}
	}
	if (!worst || worst->use_permille == MW_NONE) {
		printf("MNTWATCH UNKNOWN - no live mount namespace with a known limit\n");
		data_free(&d);
		return MW_EXIT_ERROR;
	}
	if (worst->use_permille >= o->crit_pct * 10 || nrecent)
		level = 2;
	else if (worst->use_permille >= o->warn_pct * 10)
		level = 1;
	mw_who_label(mw_who_find(&d.scan, worst->ns), false, who, sizeof(who));
	printf("MNTWATCH %s - fullest namespace %" PRIu64 " (%s) at %" PRId64 ".%" PRId64 "%%: %" PRId64 " mounts",
	       check_words[level], worst->ns, who, worst->use_permille / 10,
	       worst->use_permille % 10, worst->mounts);
	if (worst->pending != MW_NONE && worst->pending)
		printf(" + %" PRId64 " pending", worst->pending);
	printf(" of %" PRId64 "; %d live namespace%s", worst->max, nlive,
	       nlive == 1 ? "" : "s");
	if (nrecent) {
		mw_format_ago(ago, sizeof(ago), worst_fail, d.now_us);
		printf(", %d with ENOSPC in the last %" PRId64 "s (latest %s)",
		       nrecent, o->recent_s, ago);
	}
	if (!d.module)
		printf(" (module not loaded: no ENOSPC history)");
	printf(" | use_pct=%" PRId64 ".%" PRId64 "%%;%g;%g;0;100 namespaces=%d enospc_namespaces=%d\n",
	       worst->use_permille / 10, worst->use_permille % 10,
	       o->warn_pct, o->crit_pct, nlive, nrecent);
	data_free(&d);
	return level;
}

/* Prometheus label values: backslash, quote and newline escaped. */
static void prom_label(FILE *out, const char *name, const char *value,
		       bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fputc('\\', out);
		if (*value == '\n')
			fputs("\\n", out);
		else
			fputc(*value, out);
	}
	fputc('"', out);
}

struct metric {
	const char *name, *type, *help;
	int64_t (*get)(const struct mw_ns *ns, const struct mw_who *who);
	bool scale_permille;	/* a ratio: value / 1000 */
};

static int64_t m_mounts(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->mounts; }
static int64_t m_pending(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->pending; }
static int64_t m_max(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->max; }
static int64_t m_use(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->use_permille; }
static int64_t m_peak(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->peak; }
static int64_t m_checks(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->checks; }
static int64_t m_enospc(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->enospc; }
static int64_t m_procs(const struct mw_ns *ns, const struct mw_who *who) { (void)ns; return who ? who->npids : 0; }
static int64_t m_last_fail(const struct mw_ns *ns, const struct mw_who *who)
{
	(void)who;
	return ns->last_fail_us == MW_NONE ? MW_NONE : ns->last_fail_us / 1000000;
}

static const struct metric ns_metrics[] = {
	{ "mntwatch_namespace_mounts", "gauge", "Mounts in the mount namespace.", m_mounts, false },
	{ "mntwatch_namespace_pending_mounts", "gauge", "Copies reserved in the namespace by an attach under way.", m_pending, false },
	{ "mntwatch_namespace_mount_max", "gauge", "fs.mount-max, the per-namespace mount limit.", m_max, false },
	{ "mntwatch_namespace_use_ratio", "gauge", "(mounts + pending) / mount_max.", m_use, true },
	{ "mntwatch_namespace_peak_mounts", "gauge", "Most mounts seen in the namespace since the module was loaded.", m_peak, false },
	{ "mntwatch_namespace_limit_checks_total", "counter", "Mount limit checks for the namespace.", m_checks, false },
	{ "mntwatch_namespace_enospc_total", "counter", "Mount limit checks that failed with ENOSPC.", m_enospc, false },
	{ "mntwatch_namespace_last_enospc_timestamp_seconds", "gauge", "Time of the last ENOSPC in the namespace.", m_last_fail, false },
	{ "mntwatch_namespace_processes", "gauge", "Processes living in the namespace.", m_procs, false },
};

/* The module's own counters, from status; absent without the module. */
static const struct {
	const char *name, *type, *help, *key;
} module_metrics[] = {
	{ "mntwatch_events_total", "counter", "ENOSPC events recorded since the module was loaded.", "events_total" },
	{ "mntwatch_events_overwritten_total", "counter", "ENOSPC events lost to the ring's wrap-around.", "events_overwritten" },
	{ "mntwatch_table_rows", "gauge", "Namespaces in the module's table.", "table_rows" },
	{ "mntwatch_table_evicted_total", "counter", "Namespace rows dropped from the full table.", "table_evicted" },
	{ "mntwatch_probe_missed_total", "counter", "kretprobe hits missed on count_mounts (numbers may be incomplete).", "count_nmissed" },
	{ "mntwatch_verdict_mismatch_total", "counter", "ENOSPC after a limit check the module judged to fit (its reading of the namespace is wrong).", "verdict_mismatch" },
	{ "mntwatch_memory_bytes", "gauge", "Memory the module allocated for its tables.", "memory_bytes" },
};

static void metrics_global(FILE *out, const char *name, const char *type,
			   const char *help, int64_t value)
{
	if (value == MW_NONE)
		return;
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n%s %" PRId64 "\n", name,
		help, name, type, name, value);
}

static void write_metrics(FILE *out, const struct data *d)
{
	size_t m;
	int i;

	fprintf(out, "# HELP mntwatch_module_loaded 1 if mntwatch.ko's tables were read, 0 if counted from /proc.\n"
		"# TYPE mntwatch_module_loaded gauge\nmntwatch_module_loaded %d\n",
		d->module);
	for (m = 0; m < sizeof(ns_metrics) / sizeof(ns_metrics[0]); m++) {
		const struct metric *mt = &ns_metrics[m];
		bool header = false;

		for (i = 0; i < d->nns; i++) {
			const struct mw_ns *ns = &d->ns[i];
			const struct mw_who *who;
			char id[24];
			int64_t v;

			/* a gone namespace is no longer a series */
			if (!strcmp(ns->state, "gone"))
				continue;
			who = mw_who_find(&d->scan, ns->ns);
			v = mt->get(ns, who);
			if (v == MW_NONE)
				continue;
			if (!header) {
				fprintf(out, "# HELP %s %s\n# TYPE %s %s\n",
					mt->name, mt->help, mt->name, mt->type);
				header = true;
			}
			snprintf(id, sizeof(id), "%" PRIu64, ns->ns);
			fprintf(out, "%s{", mt->name);
			prom_label(out, "namespace", id, true);
			if (who && who->cg.pod[0])
				prom_label(out, "pod", who->cg.pod, false);
			if (who && who->cg.container[0])
				prom_label(out, "container", who->cg.container, false);
			if (mt->scale_permille)
				fprintf(out, "} %" PRId64 ".%03" PRId64 "\n",
					v / 1000, v % 1000);
			else
				fprintf(out, "} %" PRId64 "\n", v);
		}
	}
	if (!d->module)
		return;
	for (m = 0; m < sizeof(module_metrics) / sizeof(module_metrics[0]); m++)
		metrics_global(out, module_metrics[m].name, module_metrics[m].type,
			       module_metrics[m].help,
			       mw_status_num(&d->status, module_metrics[m].key));
}

/* node_exporter must never read half a file: temp file, fsync, rename. */
static int write_atomically(const char *path, const struct data *d)
{
	char tmp[4096];
	FILE *out;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		warnx_("cannot create %s: %s", tmp, strerror(errno));
		return MW_EXIT_ERROR;
	}
	fchmod(fd, 0644);
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		unlink(tmp);
		return MW_EXIT_ERROR;
	}
	write_metrics(out, d);
	if (fflush(out) || fsync(fd) || ferror(out)) {
		warnx_("cannot write %s: %s", tmp, strerror(errno));
		fclose(out);
		unlink(tmp);
		return MW_EXIT_ERROR;
	}
	fclose(out);
	if (rename(tmp, path)) {
		warnx_("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}

static int cmd_metrics(const struct opts *o)
{
	struct data d;
	int ret = load(o, &d, false, false);

	if (!ret) {
		if (o->output)
			ret = write_atomically(o->output, &d);
		else
			write_metrics(stdout, &d);
	}
	data_free(&d);
	return ret;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *out)
{
	fprintf(out,
"Usage: mntwatch [ns|events|explain|watch|check|metrics] [OPTIONS]\n"
"Mount namespaces near fs.mount-max, who lives in them, why a mount hit ENOSPC.\n"
"\n"
"  ns         namespace table, fullest first (the default)\n"
"  events     the ENOSPC log, caller and failing namespace named\n"
"  explain    plain-language diagnosis of the last ENOSPC\n"
"  watch      the namespace table, refreshed until interrupted\n"
"  check      monitoring check, exit 0/1/2/3: OK/WARNING/CRITICAL/UNKNOWN\n"
"  metrics    Prometheus text exposition\n"
"\n"
"  -J, --json             JSON (ns, events; every column unless -o)\n"
"  -o, --columns LIST     columns to show; +LIST adds to the default ones\n"
"  -n, --noheadings       no header line\n"
"      --list-columns     the columns of ns (or of events), and exit\n"
"  -i, --interval SECS    watch: refresh period (default 2)\n"
"      --warn/--crit PCT  check: WARNING/CRITICAL from this use%% (80/90)\n"
"      --recent SECS      check: ENOSPC this recent is CRITICAL (3600, 0: off)\n"
"      --output FILE      metrics: write FILE atomically (temp file + rename)\n"
"      --debugfs DIR      module tables (default %s)\n"
"      --proc DIR         procfs (default /proc)\n"
"  -h, --help, -V, --version\n"
"\n"
"Exit: 0 done, 2 usage error, 3 cannot read what is needed. See mntwatch(8).\n",
		DEBUGFS_DEFAULT);
}

enum { OPT_LIST = 256, OPT_WARN, OPT_CRIT, OPT_RECENT, OPT_OUTPUT,
	OPT_DEBUGFS, OPT_PROC };

static bool parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && *out >= lo && *out <= hi;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "columns", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "list-columns", no_argument, NULL, OPT_LIST },
		{ "interval", required_argument, NULL, 'i' },
		{ "warn", required_argument, NULL, OPT_WARN },
		{ "crit", required_argument, NULL, OPT_CRIT },
		{ "recent", required_argument, NULL, OPT_RECENT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "proc", required_argument, NULL, OPT_PROC },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.cmd = CMD_NS, .debugfs = DEBUGFS_DEFAULT, .procdir = "/proc",
		.interval = 2, .warn_pct = 80, .crit_pct = 90, .recent_s = 3600,
	};
	bool warn_set = false, crit_set = false, recent_set = false;
	bool interval_set = false;
	int usage_exit, opt, i;
	double num;

	/* the command may come first or after the options */
	for (i = 1; i < argc; i++) {
		size_t c;

		if (argv[i][0] == '-')
			continue;
		for (c = 0; c < sizeof(cmd_names) / sizeof(cmd_names[0]); c++)
			if (!strcmp(argv[i], cmd_names[c]))
				break;
		if (c == sizeof(cmd_names) / sizeof(cmd_names[0]))
			continue;	/* an option's argument, or junk below */
		o.cmd = c;
		memmove(&argv[i], &argv[i + 1], (argc - i) * sizeof(*argv));
		argc--;
		break;
	}
	/* Nagios reads exit 2 as CRITICAL: usage errors in check are UNKNOWN */
	usage_exit = o.cmd == CMD_CHECK ? MW_EXIT_ERROR : MW_EXIT_USAGE;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":Jo:ni:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'J':
			o.json = true;
			break;
		case 'o':
			o.columns = optarg;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case OPT_LIST:
			o.list_columns = true;
			break;
		case 'i':
			if (!parse_number(optarg, 0.1, 86400, &o.interval)) {
				warnx_("--interval wants seconds between 0.1 and 86400, not '%s'", optarg);
				return usage_exit;
			}
			interval_set = true;
			break;
		case OPT_WARN:
		case OPT_CRIT:
			if (!parse_number(optarg, 0, 100, &num)) {
				warnx_("--%s wants a percentage 0..100, not '%s'",
				       opt == OPT_WARN ? "warn" : "crit", optarg);
				return usage_exit;
			}
			if (opt == OPT_WARN) {
				o.warn_pct = num;
				warn_set = true;
			} else {
				o.crit_pct = num;
				crit_set = true;
			}
			break;
		case OPT_RECENT:
			if (!parse_number(optarg, 0, 1e9, &num)) {
				warnx_("--recent wants seconds, not '%s'", optarg);
				return usage_exit;
			}
			o.recent_s = num;
			recent_set = true;
			break;
		case OPT_OUTPUT:
			o.output = optarg;
			break;
		case OPT_DEBUGFS:
			o.debugfs = optarg;
			break;
		case OPT_PROC:
			o.procdir = optarg;
			break;
		case 'h':
			usage(stdout);
			return MW_EXIT_OK;
		case 'V':
			printf("mntwatch %s (reads table format %s)\n",
			       MW_VERSION, MW_TABLE_FORMAT);
			return MW_EXIT_OK;
		case ':':
			warnx_("option '%s' needs an argument (--help)", argv[optind - 1]);
			return usage_exit;
		default:
			warnx_("unknown option '%s' (--help)", argv[optind - 1]);
			return usage_exit;
		}
	}
	if (optind < argc) {
		warnx_("unknown command '%s' (--help)", argv[optind]);
		return usage_exit;
	}
	if ((warn_set || crit_set || recent_set) && o.cmd != CMD_CHECK) {
		warnx_("--warn, --crit and --recent are options of 'check'");
		return usage_exit;
	}
	if (o.warn_pct > o.crit_pct) {
		warnx_("--warn %g is above --crit %g", o.warn_pct, o.crit_pct);
		return usage_exit;
	}
	if (interval_set && o.cmd != CMD_WATCH) {
		warnx_("--interval is an option of 'watch'");
		return usage_exit;
	}
	if (o.output && o.cmd != CMD_METRICS) {
		warnx_("--output FILE is an option of 'metrics'; columns are chosen with -o LIST");
		return usage_exit;
	}
	if ((o.json || o.columns || o.noheadings || o.list_columns) &&
	    o.cmd != CMD_NS && o.cmd != CMD_EVENTS &&
	    !(o.cmd == CMD_WATCH && !o.json)) {
		warnx_("-J, -o, -n and --list-columns apply to ns and events%s",
		       o.cmd == CMD_WATCH ? " (watch takes -o and -n)" : "");
		return usage_exit;
	}
	if (o.list_columns) {
		list_columns(stdout, o.cmd == CMD_EVENTS ? ev_columns : ns_columns,
			     o.json);
		return MW_EXIT_OK;
	}
	/* a closed or full stdout must not pass for a complete table */
	switch (o.cmd) {
	case CMD_NS:
		i = cmd_ns(&o, stdout);
		break;
	case CMD_EVENTS:
		i = cmd_events(&o);
		break;
	case CMD_EXPLAIN:
		i = cmd_explain(&o);
		break;
	case CMD_WATCH:
		return cmd_watch(&o);
	case CMD_CHECK:
		return cmd_check(&o);
	case CMD_METRICS:
		i = cmd_metrics(&o);
		break;
	default:
		i = MW_EXIT_USAGE;
	}
	if (fflush(stdout) || ferror(stdout)) {
		warnx_("write error on standard output: %s", strerror(errno));
		return MW_EXIT_ERROR;
	}
	return i;
}
