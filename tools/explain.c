// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch explain: a diagnosis of the last ENOSPC from the module's event
 * log. Every statement prints the numbers it rests on; where the log cannot
 * tell (an old module without touched/checks), we say nothing rather than
 * guess.
 */
#include <inttypes.h>
#include <string.h>
#include "mntwatch.h"

static const struct mw_ns *find_ns(const struct mw_explain_in *in, uint64_t id)
{
	int i;

	for (i = 0; i < in->nns; i++)
		if (in->ns[i].ns == id)
			return &in->ns[i];
	return NULL;
}

static void print_pids(FILE *out, const struct mw_who *who)
{
	int i, shown = who->npids < 5 ? who->npids : 5;

	fprintf(out, "pid%s ", who->npids > 1 ? "s" : "");
	for (i = 0; i < shown; i++)
		fprintf(out, "%s%d", i ? "," : "", who->pids[i]);
	if (who->npids > shown)
		fprintf(out, " and %d more", who->npids - shown);
}

/* "namespace 4026532115 (docker 0123456789ab, pid 140 sleep)" */
static void print_ns(FILE *out, const struct mw_explain_in *in, uint64_t id)
{
	const struct mw_who *who = mw_who_now(in->scan, in->ns, in->nns, id);
	char label[160], comm[MW_COMM_LEN];

	fprintf(out, "namespace %" PRIu64, id);
	if (!who)
		return;
	mw_who_label(who, false, label, sizeof(label));
	mw_sanitize(comm, sizeof(comm), who->comm);
	/* a bare "comm[pid]" label would only repeat the pid list */
	if (who->host || who->cg.container[0] || who->cg.unit[0])
		fprintf(out, " (%s, ", label);
	else
		fprintf(out, " (");
	print_pids(out, who);
	fprintf(out, " %s)", comm);
}

/*
 * Consecutive failures in one namespace: a constant ratio between their
 * mount counts is growth by a constant factor per step.
 */
static void explain_series(FILE *out, const struct mw_explain_in *in,
			   uint64_t id)
{
	int64_t sizes[8];
	int i, n = 0, total = 0;
	double lo = 0, hi = 0;

	for (i = in->nev - 1; i >= 0; i--) {
		if (in->ev[i].failing_ns != id)
			continue;
		if (n < 8)
			sizes[n++] = in->ev[i].mounts;
		total++;
	}
	if (n < 2)
		return;
	fprintf(out, "  %d failures in this namespace; mounts at the last %d, oldest first:",
		total, n);
	for (i = n - 1; i >= 0; i--)
		fprintf(out, " %" PRId64, sizes[i]);
	fputc('\n', out);
	for (i = n - 1; i > 0; i--) {
		double ratio = sizes[i] ? (double)sizes[i - 1] / sizes[i] : 0;

		if (i == n - 1 || ratio < lo)
			lo = ratio;
		if (i == n - 1 || ratio > hi)
			hi = ratio;
	}
	if (lo >= 1.2 && hi <= lo * 1.15)
		fprintf(out, "  It grew by a constant factor between failures: x%.2f to x%.2f.\n",
			lo, hi);
	else if (lo == 1.0 && hi == 1.0)
		fprintf(out, "  Same size at every failure: the caller retries and nothing was unmounted in between.\n");
}

/* The row of the failing namespace: ids are reused, its last_pid is not. */
static const struct mw_ns *find_failed(const struct mw_explain_in *in,
				       const struct mw_event *ev)
{
	int i;

	for (i = 0; i < in->nns; i++)
		if (in->ns[i].ns == ev->failing_ns &&
		    in->ns[i].last_pid == ev->pid)
			return &in->ns[i];
	return find_ns(in, ev->failing_ns);
}

/* A live row of @id if there is one: the parent a copy came from. */
static const struct mw_ns *find_live(const struct mw_explain_in *in,
				     uint64_t id)
{
	int i;

	for (i = 0; i < in->nns; i++)
		if (in->ns[i].ns == id && !strcmp(in->ns[i].state, "live"))
			return &in->ns[i];
	return find_ns(in, id);
}

/*
 * The attaches that grew @row, as the module kept them: the series, the
 * factor per attach, where the callers lived, and how many more such
 * attaches fs.mount-max allows.
 */
static void explain_growth(FILE *out, const struct mw_explain_in *in,
			   const struct mw_ns *row, int64_t max)
{
	const struct mw_growth *g[64], *last;
	int i, n = 0, foreign = 0, gone = 0, more = 0;
	double factor = 0, size;

	for (i = 0; i < in->ngrowth && n < 64; i++)
		if (in->growth[i].ns == row->ns &&
		    !strcmp(in->growth[i].state, row->state))
			g[n++] = &in->growth[i];
	if (!n)
		return;
	fprintf(out, "\nGrowth of namespace %" PRIu64 " across its last %d growing attach%s:\n  %" PRId64,
		row->ns, n, n == 1 ? "" : "es", g[0]->before);
	for (i = 0; i < n; i++)
		fprintf(out, "%s -> %" PRId64, i && g[i]->before != g[i - 1]->after ?
			" ..." : "", g[i]->after);
	fprintf(out, " mounts\n  factor per attach:");
	for (i = 0; i < n; i++) {
		factor = g[i]->before ? (double)g[i]->after / g[i]->before : 0;
		fprintf(out, " x%.2f", factor);
	}
	fputc('\n', out);
	for (i = 0; i < n; i++) {
		const struct mw_ns *caller = find_live(in, g[i]->caller_ns);

		foreign += g[i]->caller_ns != row->ns;
		gone += caller && !strcmp(caller->state, "gone");
	}
	if (foreign == n)
		fprintf(out, "  Every one came from another namespace (%d of them gone now): the mounts propagated in\n"
			"  from short-lived namespaces that bound a shared directory into itself. That is a restart\n"
			"  loop: each container start with a shared (rshared, Bidirectional) host volume copies the\n"
			"  host's mounts into the container and back, so the host multiplies on every restart.\n",
			gone);
	last = g[n - 1];
	if (factor > 1.05 && max > 0) {
		for (size = last->after; size <= max && more < 1000; more++)
			size *= factor;
		fprintf(out, "  At x%.2f per attach, from %" PRId64 " mounts, attach %d from now needs about %.0f > fs.mount-max %" PRId64 ".\n",
			factor, last->after, more, size, max);
	}
}

/*
 * A young namespace that failed with mounts it was born with did not fill
 * itself: it copied them from its parent at unshare() or clone().
 */
static void explain_lineage(FILE *out, const struct mw_explain_in *in,
			    const struct mw_event *ev)
{
	const struct mw_ns *row = find_failed(in, ev), *parent;

	if (row && row->parent && row->born_mounts != MW_NONE &&
	    row->born_us != MW_NONE && ev->mounts > 0 &&
	    row->born_mounts * 2 > ev->mounts) {
		fprintf(out, "\nLineage: namespace %" PRIu64 " was made %.1f s before the failure as a copy of namespace %" PRIu64 ",\n"
			"  born with %" PRId64 " of the %" PRId64 " mounts it failed at: its mounts came from its parent.\n",
			ev->failing_ns, (ev->time_us - row->born_us) / 1e6,
			row->parent, row->born_mounts, ev->mounts);
		parent = find_live(in, row->parent);
		if (!parent)
			return;
		fprintf(out, "  Parent now: ");
		print_ns(out, in, parent->ns);
		fprintf(out, ", %s, %" PRId64 " mounts of %" PRId64 ".\n",
			parent->state, parent->mounts, parent->max);
		explain_growth(out, in, parent, ev->max);
		return;
	}
	if (row)
		explain_growth(out, in, row, ev->max);
}

/* ENOSPC from user.max_mnt_namespaces: no mount namespace was checked. */
static void explain_nscount(FILE *out, const struct mw_explain_in *in,
			    const struct mw_event *ev)
{
	char when[64], ago[32], comm[MW_COMM_LEN];

	mw_format_time(when, sizeof(when), ev->time_us);
	mw_format_ago(ago, sizeof(ago), ev->time_us, in->now_us);
	mw_sanitize(comm, sizeof(comm), ev->comm);
	fprintf(out, "Last failure, %s (%s):\n  %s (pid %" PRId64 ") could not create a mount namespace (unshare, clone or\n"
		"  open_tree with a new namespace), called from ", when, ago, comm,
		ev->pid);
	print_ns(out, in, ev->caller_ns);
	fprintf(out, ".\n\nLimit: user.max_mnt_namespaces = %" PRId64 " mount namespaces per user, in user namespace %" PRId64 ".\n",
		ev->max, ev->userns);
	fprintf(out, "  This is not fs.mount-max: no namespace had too many mounts, there were too many namespaces.\n");
	if (ev->ns_count != MW_NONE)
		fprintf(out, "  %" PRId64 " namespaces were charged to the caller's user there: %" PRId64 " >= %" PRId64 ".\n",
			ev->ns_count, ev->ns_count, ev->max);
	fprintf(out, "\nWhat to do:\n"
		"  - If that many namespaces are expected, raise the limit: sysctl -w user.max_mnt_namespaces=N\n"
		"    with N > %" PRId64 " (in user namespace %" PRId64 "; each user namespace has its own).\n"
		"  - Otherwise find who creates namespaces and keeps them: mntwatch ns lists every namespace\n"
		"    with who lives in it (lsns -t mnt shows the same from /proc).\n",
		ev->ns_count != MW_NONE ? ev->ns_count : ev->max, ev->userns);
}

void mw_explain(FILE *out, const struct mw_explain_in *in)
{
	const struct mw_event *ev;
	const struct mw_ns *now;
	const struct mw_who *holder;
	char when[64], ago[32], comm[MW_COMM_LEN];
	int64_t need, over, fit, i;
	bool pending_decides, self_loop, live_loop;
	double factor = 0;
	int nfailing = 0;

	if (!in->nev) {
		const struct mw_ns *top = NULL;

		fprintf(out, "No ENOSPC recorded since mntwatch.ko was loaded (events_total %" PRId64 ").\n",
			in->events_total == MW_NONE ? 0 : in->events_total);
		for (i = 0; i < in->nns && !top; i++)
			if (strcmp(in->ns[i].state, "gone"))
				top = &in->ns[i];
		if (top) {
			fprintf(out, "Fullest live ");
			print_ns(out, in, top->ns);
			fprintf(out, ": %" PRId64 " mounts of %" PRId64 " (%" PRId64 ".%" PRId64 "%%).\n",
				top->mounts, top->max, top->use_permille / 10,
				top->use_permille % 10);
		}
		return;
	}

	/* how many distinct namespaces failed */
	for (i = 0; i < in->nev; i++) {
		int j;

		for (j = 0; j < i; j++)
			if (in->ev[j].failing_ns == in->ev[i].failing_ns)
				break;
		nfailing += j == i;
	}
	fprintf(out, "%d ENOSPC failure%s in the log (events_total %" PRId64,
		in->nev, in->nev == 1 ? "" : "s", in->events_total);
	if (in->events_overwritten > 0)
		fprintf(out, ", %" PRId64 " older ones overwritten", in->events_overwritten);
	fprintf(out, "), in %d namespace%s.\n\n", nfailing, nfailing == 1 ? "" : "s");

	ev = &in->ev[in->nev - 1];
	if (mw_event_is_nscount(ev)) {
		explain_nscount(out, in, ev);
		return;
	}
	mw_format_time(when, sizeof(when), ev->time_us);
	mw_format_ago(ago, sizeof(ago), ev->time_us, in->now_us);
	mw_sanitize(comm, sizeof(comm), ev->comm);
	fprintf(out, "Last failure, %s (%s):\n  %s (pid %" PRId64 ") asked for %" PRId64 " mount%s in ",
		when, ago, comm, ev->pid, ev->requested,
		ev->requested == 1 ? "" : "s");
	print_ns(out, in, ev->failing_ns);
	fprintf(out, ".\n");

	need = ev->mounts + ev->pending + ev->requested;
	over = need - ev->max;
	fprintf(out, "\nLimit: fs.mount-max = %" PRId64 " mounts per namespace.\n", ev->max);
	fprintf(out, "  %" PRId64 " mounted + %" PRId64 " pending + %" PRId64 " requested = %" PRId64 " > %" PRId64 ": over by %" PRId64 ".\n",
		ev->mounts, ev->pending, ev->requested, need, ev->max, over);

	fit = ev->mounts + ev->requested;
	pending_decides = ev->pending > 0 && fit <= ev->max;
	if (pending_decides)
		fprintf(out, "  The %" PRId64 " pending copies made the difference: %" PRId64 " + %" PRId64 " = %" PRId64 " alone fits;\n"
			"  the namespace was at %" PRId64 ".%" PRId64 "%% of the limit when it failed.\n",
			ev->pending, ev->mounts, ev->requested, fit,
			ev->max ? ev->mounts * 1000 / ev->max / 10 : 0,
			ev->max ? ev->mounts * 1000 / ev->max % 10 : 0);
	else if (ev->pending > 0)
		fprintf(out, "  Even without the %" PRId64 " pending copies it would not fit: %" PRId64 " + %" PRId64 " = %" PRId64 " > %" PRId64 ".\n",
			ev->pending, ev->mounts, ev->requested, fit, ev->max);
	else
		fprintf(out, "  No copies were pending: the namespace is full with its own %" PRId64 " mounts.\n",
			ev->mounts);

	self_loop = ev->touched == 1 && ev->checks > 1;
	if (ev->pending > 0) {
		fprintf(out, "\nPropagation: this one attach had reserved %" PRId64 " copies, %" PRId64 "%% of the %" PRId64 " mounts the namespace held",
			ev->pending, ev->mounts ? ev->pending * 100 / ev->mounts : 0,
			ev->mounts);
		if (ev->checks != MW_NONE && ev->touched != MW_NONE)
			fprintf(out, ",\n  in %" PRId64 " limit checks across %" PRId64 " namespace%s",
				ev->checks, ev->touched, ev->touched == 1 ? "" : "s");
		fprintf(out, ".\n");
		if (self_loop)
			fprintf(out, "  All %" PRId64 " checks hit this one namespace: the tree was being copied into peers of\n"
				"  itself, in its own namespace. That is a shared tree bind-mounted inside itself\n"
				"  (a container given / with shared propagation, then docker cp; mount --rbind dir dir/sub).\n",
				ev->checks);
		if (ev->mounts > 0) {
			factor = (double)need / ev->mounts;
			fprintf(out, "  Had it succeeded, the namespace would have grown from %" PRId64 " to at least %" PRId64 " mounts (x%.2f).\n",
				ev->mounts, need, factor);
		}
	}
	explain_series(out, in, ev->failing_ns);
	explain_lineage(out, in, ev);

	if (ev->caller_ns != ev->failing_ns) {
		fprintf(out, "\nForeign namespace: the caller lives in ");
		print_ns(out, in, ev->caller_ns);
		fprintf(out, ",\n  not in %" PRIu64 ": its mount propagated into %" PRIu64 " (a peer or slave of the\n"
			"  target) and failed there, so ENOSPC reached a process whose own namespace is not full.\n",
			ev->failing_ns, ev->failing_ns);
	}

	now = find_ns(in, ev->failing_ns);
	holder = mw_who_now(in->scan, in->ns, in->nns, ev->failing_ns);
	fprintf(out, "\nNow: ");
	if (!now)
		fprintf(out, "namespace %" PRIu64 " is no longer in the table (evicted).\n",
			ev->failing_ns);
	else if (!strcmp(now->state, "gone"))
		fprintf(out, "namespace %" PRIu64 " is gone: the kernel freed it and its mounts (peak was %" PRId64 ").\n",
			now->ns, now->peak);
	else
		fprintf(out, "namespace %" PRIu64 " is live: %" PRId64 " mounts of %" PRId64 " (%" PRId64 ".%" PRId64 "%%), peak %" PRId64 ", %" PRId64 " ENOSPC so far.\n",
			now->ns, now->mounts, now->max, now->use_permille / 10,
			now->use_permille % 10, now->peak, now->enospc);
	if (now && strcmp(now->state, "gone") && !holder && in->scan)
		fprintf(out, "  No process in /proc lives in it: it is held by an nsfs bind mount or an open file descriptor.\n");

	live_loop = in->loops_now && in->loops_now->nloops;
	for (i = 0; live_loop && i < in->loops_now->nloops; i++) {
		const struct mw_loop *loop = &in->loops_now->loops[i];

		fprintf(out, "  A live propagation loop is there now: peer group %" PRIu64 " at %s propagates into\n"
			"  %s beneath it (%" PRId64 " nested); one more mount on it lands on %" PRId64 " mounts (mntwatch loops).\n",
			loop->group, loop->outer, loop->inner, loop->nested,
			loop->factor);
	}

	fprintf(out, "\nWhat to do:\n");
	if (pending_decides || self_loop || live_loop)
		fprintf(out, "  - Stop the loop: make the bind source private, slave or unbindable before mounting it\n"
			"    inside itself (mount --make-rslave /path; a container's volume propagation rslave or\n"
			"    private, not rshared).\n");
	if (now && strcmp(now->state, "gone") && holder) {
		fprintf(out, "  - Restart what holds namespace %" PRIu64 " (", ev->failing_ns);
		print_pids(out, holder);
		mw_sanitize(comm, sizeof(comm), holder->comm);
		fprintf(out, " %s) to free its %" PRId64 " mounts.\n", comm, now->mounts);
	}
	if (factor >= 1.5) {
		/* what a doubled limit buys when each attach multiplies by factor */
		double size = need;
		int more = 0;

		while (size <= 2.0 * ev->max && more < 100) {
			size *= factor;
			more++;
		}
		fprintf(out, "  - Raising fs.mount-max only buys time: at x%.2f per attach, doubling it to %" PRId64 "\n"
			"    lets %d more such attach%s succeed before one needs about %.0f mounts.\n",
			factor, 2 * ev->max, more, more == 1 ? "" : "es", size);
	} else {
		fprintf(out, "  - If these mounts are legitimate, raise the limit: sysctl -w fs.mount-max=N with N >= %" PRId64 "\n"
			"    (now %" PRId64 ").\n", need, ev->max);
	}
	if (nfailing > 1) {
		fprintf(out, "\nOther namespaces that failed:\n");
		for (i = in->nev - 2; i >= 0; i--) {
			const struct mw_event *e = &in->ev[i];
			int64_t j;

			if (e->failing_ns == ev->failing_ns ||
			    mw_event_is_nscount(e))
				continue;
			for (j = i + 1; j < in->nev; j++)
				if (in->ev[j].failing_ns == e->failing_ns)
					break;
			if (j < in->nev)
				continue;	/* a later event already listed */
			mw_format_ago(ago, sizeof(ago), e->time_us, in->now_us);
			fprintf(out, "  ");
			print_ns(out, in, e->failing_ns);
			fprintf(out, ", %s: %" PRId64 " + %" PRId64 " pending + %" PRId64 " > %" PRId64,
				ago, e->mounts, e->pending, e->requested, e->max);
			if (e->caller_ns != e->failing_ns)
				fprintf(out, ", propagated from namespace %" PRIu64,
					e->caller_ns);
			fprintf(out, ".\n");
		}
	}
}
