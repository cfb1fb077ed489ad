// SPDX-License-Identifier: GPL-2.0
/*
 * What the commands read: the module's tables in debugfs, who lives in each
 * namespace from /proc, and without the module the counts from /proc.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include "census.h"
#include "cmd.h"
#include "data.h"
#include "loops.h"
#include "nsenter.h"
#include "output.h"
#include "runtime.h"
#include "table.h"
#include "util.h"
#include "who.h"

#define DEBUGFS_MOUNT	"/sys/kernel/debug"
#define DEBUGFS_MAGIC	0x64626720

/* MNTWATCH_NOW lets the tests pin "now" for relative times. */
int64_t mw_now_us(void)
{
	const char *pinned = getenv("MNTWATCH_NOW");
	struct timespec ts;

	if (pinned && *pinned)
		return mw_parse_time_us(pinned);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void mw_data_free(struct data *d)
{
	int i;

	for (i = 0; i < d->nmounts; i++) {
		mw_loops_free(&d->mounts[i].found);
		mw_mountinfo_free(&d->mounts[i].mi);
	}
	free(d->mounts);
	mw_status_free(&d->status);
	mw_table_free(&d->ns_tbl);
	mw_table_free(&d->ev_tbl);
	mw_table_free(&d->growth_tbl);
	free(d->ns);
	free(d->ev);
	free(d->growth);
	mw_proc_free(&d->scan);
	mw_runtimes_free(&d->rt);
	memset(d, 0, sizeof(*d));
}

static int read_table(const char *dir, const char *name, struct mw_table *tbl)
{
	char path[4096], err[160], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = mw_read_file(path, NULL);
	if (!text) {
		mw_warnx("cannot read %s: %s%s", path, strerror(errno),
			 errno == EACCES || errno == EPERM ?
			 " (debugfs is root-only: run as root)" : "");
		return -1;
	}
	if (mw_table_parse(tbl, text, err, sizeof(err))) {
		mw_warnx("%s: %s", path, err);
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
		mw_warnx("debugfs is not mounted (mount -t debugfs none %s)%s",
			 DEBUGFS_MOUNT, consequence);
	else
		mw_warnx("module not loaded (no %s; insmod mntwatch.ko)%s", dir,
			 consequence);
}

static int cmp_use(const void *a, const void *b)
{
	const struct mw_ns *x = a, *y = b;

	if (x->use_permille != y->use_permille)
		return x->use_permille > y->use_permille ? -1 : 1;
	return (x->ns > y->ns) - (x->ns < y->ns);
}

/* Live before gone, fullest first: the module's own order. */
static int cmp_rows(const void *a, const void *b)
{
	const struct mw_ns *x = a, *y = b;
	bool xgone = !strcmp(x->state, "gone"), ygone = !strcmp(y->state, "gone");

	if (xgone != ygone)
		return xgone ? 1 : -1;
	return cmp_use(a, b);
}

static bool have_row(const struct data *d, uint64_t ns)
{
	int i;

	/* a gone row's id may be reused by the namespace we see live now */
	for (i = 0; i < d->nns; i++)
		if (d->ns[i].ns == ns && strcmp(d->ns[i].state, "gone"))
			return true;
	return false;
}

/*
 * One row per namespace of the census the module's table lacks (all of
 * them without the module), counted now; with the module, the host's
 * namespace before anything mounted there, those held by nsfs files.
 */
static int rows_from_census(const struct opts *o, struct data *d)
{
	struct mw_ns *rows;
	int i, added = 0;

	rows = realloc(d->ns, (d->nns + d->scan.nwho + 1) * sizeof(*rows));
	if (!rows)
		return -1;
	d->ns = rows;
	for (i = 0; i < d->scan.nwho; i++) {
		const struct mw_who *who = &d->scan.who[i];
		struct mw_ns *row;

		if (have_row(d, who->ns))
			continue;
		row = &d->ns[d->nns + added++];
		mw_ns_unknown(row);
		row->ns = who->ns;
		row->mounts = who->mounts;
		if (row->mounts == MW_NONE && d->module)
			row->mounts = mw_who_count(o->procdir, who);
		/* without the module a process we cannot look into says so */
		if (row->mounts == MW_NONE && who->npids && !d->module) {
			added--;
			continue;
		}
		row->source = row->mounts == MW_NONE ? NULL : "live";
		row->max = d->scan.mount_max;
		row->use_permille = row->max > 0 && row->mounts != MW_NONE ?
			row->mounts * 1000 / row->max : MW_NONE;
		strcpy(row->state, "live");
	}
	d->nns += added;
	if (added)
		qsort(d->ns, d->nns, sizeof(*d->ns), cmp_rows);
	return 0;
}

/*
 * The module's row is the namespace as its last count_mounts() saw it; an
 * unmount since (a fix that freed thousands) is no count. Where the module
 * read the kernel's counters as we read the table, show those and today's
 * limit, so that MOUNTS and USE% are the namespace now.
 */
static void rows_now(struct data *d)
{
	struct mw_ns *row;

	for (row = d->ns; row < d->ns + d->nns; row++) {
		if (row->now_mounts == MW_NONE || !strcmp(row->state, "gone"))
			continue;
		row->mounts = row->now_mounts;
		row->pending = row->now_pending;
		if (d->scan.mount_max > 0)
			row->max = d->scan.mount_max;
		row->use_permille = row->max > 0 ?
			(row->mounts + row->pending) * 1000 / row->max : MW_NONE;
	}
	qsort(d->ns, d->nns, sizeof(*d->ns), cmp_rows);
}

/*
 * Each namespace's container as its runtime names it: the cgroup of its
 * lowest pid in a container says which runtime and id, the runtime's
 * state on disk the name, image and pod.
 */
static void name_containers(const struct opts *o, struct data *d)
{
	int i;

	mw_runtimes_init(&d->rt, o->procdir);
	for (i = 0; i < d->scan.nwho; i++) {
		struct mw_who *who = &d->scan.who[i];

		if (!who->host && who->npids &&
		    (who->cg.container[0] || who->cg.path[0]))
			mw_runtime_from_cgroup(&d->rt, &who->cg, &who->ctr);
	}
}

/*
 * need_module: the command has no meaning without the module (events,
 * explain). Returns 0 or an exit code; everything printed already.
 */
/* The module's table @name read and parsed into *@rows: rows, or -1 said. */
static int load_table(const char *debugfs, const char *name,
		      struct mw_table *tbl, void **rows)
{
	char err[160];
	int n;

	if (read_table(debugfs, name, tbl))
		return -1;
	n = mw_parse_table(tbl, name, rows, err, sizeof(err));
	if (n < 0)
		mw_warnx("%s/%s: %s", debugfs, name, err);
	return n;
}

/* The module's status and tables: 0, or an exit code after saying why. */
static int load_module(const struct opts *o, struct data *d, bool want_events)
{
	char path[4096], err[160], *text;
	const char *format;
	void *rows;

	d->module = true;
	snprintf(path, sizeof(path), "%s/status", o->debugfs);
	text = mw_read_file(path, NULL);
	if (!text) {
		mw_warnx("cannot read %s: %s%s", path, strerror(errno),
			 errno == EACCES ? " (debugfs is root-only: run as root)" : "");
		return MW_EXIT_ERROR;
	}
	if (mw_status_parse(&d->status, text, err, sizeof(err))) {
		mw_warnx("%s: %s", path, err);
		return MW_EXIT_ERROR;
	}
	format = mw_status_get(&d->status, "format");
	if (!format || strcmp(format, MW_TABLE_FORMAT)) {
		mw_warnx("%s: table format '%s' unknown (this mntwatch reads format %s): update mntwatch",
			 path, format ? format : "(none)", MW_TABLE_FORMAT);
		return MW_EXIT_ERROR;
	}
	d->nns = load_table(o->debugfs, "namespaces", &d->ns_tbl, &rows);
	if (d->nns < 0)
		return MW_EXIT_ERROR;
	d->ns = rows;
	if (want_events) {
		d->nev = load_table(o->debugfs, "events", &d->ev_tbl, &rows);
		if (d->nev < 0)
			return MW_EXIT_ERROR;
		d->ev = rows;
	}
	/* a module older than the growth file explains less */
	snprintf(path, sizeof(path), "%s/growth", o->debugfs);
	if (!access(path, F_OK)) {
		d->ngrowth = load_table(o->debugfs, "growth", &d->growth_tbl,
					&rows);
		if (d->ngrowth < 0)
			return MW_EXIT_ERROR;
		d->growth = rows;
	}
	return 0;
}

int mw_load(const struct opts *o, struct data *d, bool want_events,
	    bool need_module)
{
	struct stat st;
	int ret;

	memset(d, 0, sizeof(*d));
	d->now_us = mw_now_us();
	if (!stat(o->debugfs, &st)) {
		ret = load_module(o, d, want_events);
		if (ret)
			return ret;
	} else if (errno == EACCES || errno == EPERM) {
		mw_warnx("cannot read %s: %s (debugfs is root-only: run as root)",
			 o->debugfs, strerror(errno));
		return MW_EXIT_ERROR;
	} else {
		explain_missing(o->debugfs, need_module ? "" :
			": live counts from /proc, no pending or history");
		if (need_module)
			return MW_EXIT_ERROR;
	}

	/* the census counts: it reads each mountinfo once for all */
	if (mw_proc_scan(o->procdir, false, &d->scan)) {
		mw_warnx("cannot scan %s: %s", o->procdir, strerror(errno));
		return MW_EXIT_ERROR;
	}
	d->have_scan = true;
	if (d->scan.unreadable)
		mw_warnx("%d process%s in %s could not be inspected (%s): %s incomplete",
			 d->scan.unreadable, d->scan.unreadable == 1 ? "" : "es",
			 o->procdir, geteuid() ? "run as root" : "permission denied",
			 d->module ? "who columns are" : "the table is");
	if (mw_census(o->procdir, &d->scan, !d->module) ||
	    rows_from_census(o, d)) {
		mw_warnx("out of memory");
		return MW_EXIT_ERROR;
	}
	name_containers(o, d);
	if (d->module) {
		mw_audit_namespaces(d->ns, d->nns, &d->scan, o->procdir,
				    o->debugfs);
		rows_now(d);
	}
	if (!d->module && !d->nns) {
		mw_warnx("no mount namespace readable in %s", o->procdir);
		return MW_EXIT_ERROR;
	}
	return 0;
}

/*
 * POD of ns and loops: tables show the pod as namespace/name where its
 * runtime names it, else its uid; JSON keeps the uid of the cgroup, as the
 * metrics' pod label (the names have members of their own).
 */
void mw_cell_pod(struct cell *c, const struct mw_who *who)
{
	mw_cell_str(c, who ? who->cg.pod : NULL);
	if (!who || !who->ctr.pod_name[0])
		return;
	mw_pod_label(&who->ctr, c->buf, sizeof(c->buf));
	c->shown = c->buf;
	c->kind = CELL_STR;
}

/* What `ns` and `events` share: pick columns, load, build the view, print. */
int mw_cmd_table(const struct opts *o, FILE *out,
		 const struct table_cmd *cmd)
{
	const struct column *sel[MAX_SELECTED];
	struct data d;
	int nsel, nrows, shown, i, ret;
	void *view;

	nsel = mw_select_columns(cmd->columns, o->columns, o->json, sel);
	if (nsel < 0)
		return MW_EXIT_USAGE;
	ret = mw_load(o, &d, cmd->events, cmd->events);
	if (ret) {
		mw_data_free(&d);
		return ret;
	}
	nrows = cmd->events ? d.nev : d.nns;
	view = calloc(nrows + 1, cmd->view_size);
	if (!view) {
		mw_data_free(&d);
		return MW_EXIT_ERROR;
	}
	for (i = 0, shown = 0; i < nrows; i++)
		if (o->all || !cmd->hidden || !cmd->hidden(&d, i))
			cmd->fill((char *)view + shown++ * cmd->view_size, i, &d);
	mw_print_rows(out, sel, nsel, view, cmd->view_size, shown, cmd->json_key,
		      d.module ? "module" : "proc", o->json,
		      o->noheadings, d.now_us);
	free(view);
	mw_data_free(&d);
	return MW_EXIT_OK;
}

/* A namespace with a member (shared:@group) of @group, other than @not. */
static uint64_t member_ns(const struct data *d, uint64_t group, uint64_t not)
{
	int i, k;

	for (i = 0; i < d->nmounts; i++)
		for (k = 0; d->mounts[i].ns != not && k < d->mounts[i].mi.n; k++)
			if (d->mounts[i].mi.mounts[k].shared == group)
				return d->mounts[i].ns;
	return 0;
}

/*
 * Peer group ids are global: a loop whose group has no member in its own
 * namespace is fed from the one that holds a member (docker's overlay
 * mount in the host's namespace, its container's root a slave of it).
 */
static void feeders(struct data *d)
{
	int i, k;

	for (i = 0; i < d->nmounts; i++)
		for (k = 0; k < d->mounts[i].found.nloops; k++) {
			struct mw_loop *loop = &d->mounts[i].found.loops[k];

			if (!loop->members)
				loop->fed_by = member_ns(d, loop->group,
							 d->mounts[i].ns);
		}
}

/*
 * Every namespace's mountinfo, through the first of its processes that
 * lets us read it, and the loops in it; after mw_load() or on its own.
 * Returns 0 or an exit code.
 */
int mw_load_loops(const struct opts *o, struct data *d)
{
	char path[4096], *text;
	int i, p, unread = 0;

	/* loops need no module: a scan of /proc is enough */
	if (!d->have_scan) {
		memset(d, 0, sizeof(*d));
		d->now_us = mw_now_us();
		if (mw_proc_scan(o->procdir, false, &d->scan)) {
			mw_warnx("cannot scan %s: %s", o->procdir, strerror(errno));
			return MW_EXIT_ERROR;
		}
		d->have_scan = true;
		if (mw_census(o->procdir, &d->scan, false))
			goto oom;
		name_containers(o, d);
	}
	d->mounts = calloc(d->scan.nwho + 1, sizeof(*d->mounts));
	if (!d->mounts)
		goto oom;
	for (i = 0; i < d->scan.nwho; i++) {
		struct mw_who *who = &d->scan.who[i];
		struct ns_mounts *nm = &d->mounts[d->nmounts];

		/* the census read it already: never twice */
		if (mw_who_take_mountinfo(who, &nm->mi))
			goto parsed;
		text = NULL;
		for (p = 0; p < who->npids && !text; p++) {
			snprintf(path, sizeof(path), "%s/%d/mountinfo",
				 o->procdir, who->pids[p]);
			text = mw_read_file(path, NULL);
		}
		/* held by an nsfs file only: a child enters it to read */
		if (!who->npids && who->nsfile[0]) {
			snprintf(path, sizeof(path), "%s", who->nsfile);
			text = mw_ns_mountinfo(who->nsfile);
		}
		if (!text) {
			unread++;
			continue;
		}
		if (mw_mountinfo_parse(&nm->mi, text)) {
			if (errno != EINVAL)
				goto oom;
			mw_warnx("%s: not a mountinfo file", path);
			unread++;
			continue;
		}
parsed:
		if (mw_loops_find(&nm->mi, &nm->found)) {
			mw_mountinfo_free(&nm->mi);
			goto oom;
		}
		nm->ns = who->ns;
		nm->who = who;
		d->nloops += nm->found.nloops;
		d->nmounts++;
	}
	if (unread)
		mw_warnx("the mounts of %d namespace%s could not be read: loops there are not shown",
			 unread, unread == 1 ? "" : "s");
	feeders(d);
	return 0;
oom:
	mw_warnx("out of memory");
	return MW_EXIT_ERROR;
}

const struct ns_mounts *mw_mounts_find(const struct data *d, uint64_t ns)
{
	int i;

	for (i = 0; i < d->nmounts; i++)
		if (d->mounts[i].ns == ns)
			return &d->mounts[i];
	return NULL;
}
