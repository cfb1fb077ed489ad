// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch explain: a diagnosis of the last ENOSPC from the module's event
 * log. Every statement prints the numbers it rests on; where the log cannot
 * tell (an old module without touched/checks), we say nothing rather than
 * guess. The story told is the one the evidence fits: who called, from
 * which namespace and container, what it mounted where, how the namespace
 * grew step by step, and whether the callers' namespaces came and went.
 */
#include <inttypes.h>
#include <string.h>
#include "explain.h"
#include "loops.h"
#include "pattern.h"
#include "runtime.h"
#include "table.h"
#include "util.h"
#include "who.h"

/* Attaches that multiply a namespace at least this much are steps of a loop. */
#define STEP_FACTOR	1.5

/* The row of @id as it is now: the live one, else the newest gone one. */
static const struct mw_ns *row_now(const struct mw_explain_in *in, uint64_t id)
{
	return mw_row_at(in->ns, in->nns, id, MW_NONE);
}

static bool is_gone(const struct mw_ns *row)
{
	return row && !strcmp(row->state, "gone");
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

/* "namespace 4026532115 (docker 0123456789ab, pid 140 sleep)", at @when. */
static void print_ns_at(FILE *out, const struct mw_explain_in *in, uint64_t id,
			int64_t when_us)
{
	const struct mw_who *who = mw_who_at(in->scan, in->ns, in->nns, id,
					     when_us);
	char label[2 * MW_NAME_LEN + 160], comm[MW_COMM_LEN];

	fprintf(out, "namespace %" PRIu64, id);
	if (!who || !who->npids)
		return;
	mw_who_label(who, false, label, sizeof(label));
	mw_sanitize(comm, sizeof(comm), who->comm);
	/* a bare "comm[pid]" label would only repeat the pid list */
	if (who->host || who->cg.container[0] || who->ctr.id[0] ||
	    who->cg.unit[0])
		fprintf(out, " (%s, ", label);
	else
		fprintf(out, " (");
	print_pids(out, who);
	fprintf(out, " %s)", comm);
}

static void print_ns(FILE *out, const struct mw_explain_in *in, uint64_t id)
{
	print_ns_at(out, in, id, MW_NONE);
}

/* The failure a user saw: the last event that is no runtime's fallback. */
static const struct mw_event *seen_failure(const struct mw_explain_in *in,
					   int *nfallback)
{
	const struct mw_event *seen = NULL;
	int i;

	*nfallback = 0;
	for (i = 0; i < in->nev; i++) {
		if (mw_event_fallback(&in->ev[i]))
			(*nfallback)++;
		else
			seen = &in->ev[i];
	}
	return seen ? seen : &in->ev[in->nev - 1];
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
		if (in->ev[i].failing_ns != id || mw_event_fallback(&in->ev[i]))
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

/* What the growth history of one namespace says. */
struct growth {
	const struct mw_growth *g[64];
	int n;
	int steps;		/* attaches that multiplied it, STEP_FACTOR+ */
	double step_lo, step_hi;	/* growth from one such step to the next */
	double step;		/* the last of them: what the next step brings */
	int foreign, gone;	/* attaches from other namespaces; gone now */
	const struct mw_growth *last_step;	/* the last that multiplied it */
	uint64_t caller;	/* their caller's namespace, if only one */
	bool one_caller;
};

static void read_growth(const struct mw_explain_in *in, const struct mw_ns *row,
			struct growth *gr)
{
	const struct mw_growth *last_step = NULL;
	int i;

	memset(gr, 0, sizeof(*gr));
	gr->one_caller = true;
	for (i = 0; i < in->ngrowth && gr->n < 64; i++)
		if (in->growth[i].ns == row->ns &&
		    !strcmp(in->growth[i].state, row->state))
			gr->g[gr->n++] = &in->growth[i];
	for (i = 0; i < gr->n; i++) {
		const struct mw_growth *g = gr->g[i];
		/* the caller's namespace then: its number may be reused since */
		const struct mw_ns *caller = mw_row_at(in->ns, in->nns, g->caller_ns,
						       g->time_s * 1000000 + 999999);

		if (g->caller_ns != row->ns) {
			gr->foreign++;
			gr->gone += is_gone(caller);
			if (gr->foreign > 1 && gr->caller != g->caller_ns)
				gr->one_caller = false;
			gr->caller = g->caller_ns;
		}
		if (!g->before || (double)g->after / g->before < STEP_FACTOR)
			continue;
		/*
		 * From one multiplying attach to the next: the whole step,
		 * the runtime's small binds in between included.
		 */
		if (last_step && last_step->after) {
			double f = (double)g->after / last_step->after;

			if (!gr->step_lo || f < gr->step_lo)
				gr->step_lo = f;
			if (f > gr->step_hi)
				gr->step_hi = f;
			gr->step = f;
		}
		last_step = g;
		gr->steps++;
	}
	if (gr->steps == 1)
		gr->step = (double)last_step->after / last_step->before;
	gr->last_step = last_step;
}

/* Whether two factors print alike: "x1.99 to x1.99" is one figure. */
static bool same_factor(double a, double b)
{
	char fa[32], fb[32];

	snprintf(fa, sizeof(fa), "%.2f", a);
	snprintf(fb, sizeof(fb), "%.2f", b);
	return !strcmp(fa, fb);
}

/*
 * Whether @ev is one of the small binds that finish the step which last
 * multiplied the namespace (docker cp binds /, then the container's
 * hostname, hosts and resolv.conf): that step's growth is all in the
 * history, the latest entry as recent as the failure, and the namespace
 * holds all of it still. A runtime that unmounts after a step (docker cp
 * does) leaves the next step's failure below the latest entry.
 */
static bool step_tail(const struct mw_event *ev, const struct growth *gr)
{
	const struct mw_growth *latest = gr->n ? gr->g[gr->n - 1] : NULL;
	int64_t now_s = ev->time_us / 1000000;

	return gr->last_step && ev->mounts >= latest->after &&
	       latest->time_s - gr->last_step->time_s <= 2 &&
	       now_s - latest->time_s <= 2;
}

/*
 * The attaches that grew @row, as the module kept them: the series, the
 * factor per attach and per step, where the callers lived, and how many
 * more such steps fs.mount-max allows.
 */
static void explain_growth(FILE *out, const struct mw_explain_in *in,
			   const struct mw_ns *row, int64_t max,
			   const struct growth *gr)
{
	const struct mw_growth *last;
	double size, factor;
	int64_t from;
	int i, more = 0;

	if (!gr->n)
		return;
	fprintf(out, "\nGrowth of namespace %" PRIu64 " across the %d growing attach%s kept:\n  %" PRId64,
		row->ns, gr->n, gr->n == 1 ? "" : "es", gr->g[0]->before);
	for (i = 0; i < gr->n; i++)
		fprintf(out, "%s -> %" PRId64,
			i && gr->g[i]->before != gr->g[i - 1]->after ? " ..." : "",
			gr->g[i]->after);
	fprintf(out, " mounts\n  factor per attach:");
	for (i = 0; i < gr->n; i++)
		fprintf(out, " x%.2f", gr->g[i]->before ?
			(double)gr->g[i]->after / gr->g[i]->before : 0);
	fputc('\n', out);
	if (gr->steps >= 2 && same_factor(gr->step_lo, gr->step_hi))
		fprintf(out, "  %d of them multiplied it; from one to the next, small binds between included,\n"
			"  it grew x%.2f per step.\n", gr->steps, gr->step_hi);
	else if (gr->steps >= 2)
		fprintf(out, "  %d of them multiplied it; from one to the next, small binds between included,\n"
			"  it grew x%.2f to x%.2f per step.\n",
			gr->steps, gr->step_lo, gr->step_hi);
	if (gr->foreign == gr->n && gr->gone && gr->gone * 2 >= gr->foreign)
		fprintf(out, "  Every one came from another namespace, %d of them gone now: the mounts propagated in\n"
			"  from short-lived namespaces that bound a shared directory into itself. That is a restart\n"
			"  loop: each container start with a shared (rshared, Bidirectional) host volume copies the\n"
			"  host's mounts into the container and back, so the host multiplies on every restart.\n",
			gr->gone);
	else if (gr->foreign == gr->n && gr->one_caller) {
		fprintf(out, "  Every one came from ");
		print_ns(out, in, gr->caller);
		fprintf(out, ",\n  which is %s: not a restart loop (its namespace did not come and go); its mounts\n"
			"  propagate in.\n", is_gone(row_now(in, gr->caller)) ? "gone now" : "live");
	} else if (gr->foreign) {
		fprintf(out, "  %d of them came from other namespaces (%d of those gone now).\n",
			gr->foreign, gr->gone);
	}
	last = gr->g[gr->n - 1];
	factor = gr->steps ? gr->step : (last->before ?
					 (double)last->after / last->before : 0);
	/* a runtime unmounts its small binds after a step: start from now */
	from = is_gone(row) || row->mounts == MW_NONE ? last->after : row->mounts;
	if (factor > 1.05 && max > 0) {
		for (size = from; size <= max && more < 1000; more++)
			size *= factor;
		fprintf(out, "  At x%.2f per %s, from %" PRId64 " mounts, %s %d from now needs about %.0f > fs.mount-max %" PRId64 ".\n",
			factor, gr->steps ? "step" : "attach", from,
			gr->steps ? "step" : "attach", more, size, max);
	}
}

/*
 * A young namespace that failed with mounts it was born with did not fill
 * itself: it copied them from its parent at unshare() or clone(). Returns
 * the row whose growth tells the story (the parent's then), NULL if none.
 */
static const struct mw_ns *growth_row(const struct mw_explain_in *in,
				      const struct mw_event *ev, bool *lineage)
{
	const struct mw_ns *row = mw_row_at(in->ns, in->nns, ev->failing_ns,
					    ev->time_us);

	*lineage = row && row->parent && row->born_mounts != MW_NONE &&
		   row->born_us != MW_NONE && ev->mounts > 0 &&
		   row->born_mounts * 2 > ev->mounts;
	return *lineage ? row_now(in, row->parent) : row;
}

static void explain_lineage(FILE *out, const struct mw_explain_in *in,
			    const struct mw_event *ev)
{
	const struct mw_ns *row = mw_row_at(in->ns, in->nns, ev->failing_ns,
					    ev->time_us), *parent;

	fprintf(out, "\nLineage: namespace %" PRIu64 " was made %.1f s before the failure as a copy of namespace %" PRIu64 ",\n"
		"  born with %" PRId64 " of the %" PRId64 " mounts it failed at: its mounts came from its parent.\n",
		ev->failing_ns, (ev->time_us - row->born_us) / 1e6,
		row->parent, row->born_mounts, ev->mounts);
	parent = row_now(in, row->parent);
	if (!parent)
		return;
	fprintf(out, "  Parent now: ");
	print_ns(out, in, parent->ns);
	fprintf(out, ", %s, %" PRId64 " mounts of %" PRId64 ".\n",
		parent->state, parent->mounts, parent->max);
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
	print_ns_at(out, in, ev->caller_ns, ev->time_us);
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

/* mount("SRC", "TARGET", flags 0x5000 MS_BIND|MS_REC), as far as known */
static void print_call(FILE *out, const struct mw_event *ev)
{
	char src[4 * MW_ARG_LEN], dst[4 * MW_ARG_LEN], names[128];

	if (!ev->syscall[0] && !ev->target[0])
		return;
	mw_escape(src, sizeof(src), ev->source);
	mw_escape(dst, sizeof(dst), ev->target);
	mw_mount_flags(names, sizeof(names), ev->flags);
	fprintf(out, "  The call: %s(", ev->syscall[0] ? ev->syscall : "?");
	if (ev->source[0] || ev->target[0])
		fprintf(out, "\"%s\", \"%s\"", ev->source[0] ? src : "-",
			ev->target[0] ? dst : "-");
	if (ev->flags != MW_NONE)
		fprintf(out, "%sflags 0x%" PRIx64 "%s%s",
			ev->source[0] || ev->target[0] ? ", " : "", ev->flags,
			names[0] ? " " : "", names);
	fprintf(out, ")\n");
}

/* What the event's own strings name: the caller's container, the target's. */
static void explain_call(FILE *out, const struct mw_explain_in *in,
			 const struct mw_event *ev,
			 const struct mw_container *target)
{
	const struct mw_container *caller;
	char label[2 * MW_NAME_LEN + 160];

	print_call(out, ev);
	if (target) {
		mw_container_label(target, false, label, sizeof(label));
		fprintf(out, "  Its target lies in the files of %s%s.\n", label,
			target->source ? "" : ", which no state file of its runtime names now");
	}
	caller = in->rt ? mw_cgroup_container(in->rt, ev->cgroup) : NULL;
	if (caller) {
		mw_container_label(caller, false, label, sizeof(label));
		fprintf(out, "  The caller ran in %s then (cgroup %s)%s.\n", label,
			ev->cgroup, caller->source ? "" :
			"; no state file of its runtime names it now");
	}
}

/* What the evidence says happened: the docker cp pattern. */
struct story {
	bool docker_cp;
	const struct mw_loop *loop;	/* the failing namespace's fed loop */
	const struct mw_container *target;
};

/*
 * A caller in a live namespace bound something onto a container's root
 * file system, and the container's namespace received it many times over:
 * its root and copies of it nested inside it are slaves of one peer group
 * whose member is in the caller's namespace. That is docker cp on a
 * container with / (or /var/lib/docker) as a volume, before Docker 24.0.
 */
static void find_story(const struct mw_explain_in *in,
		       const struct mw_event *ev, struct story *st)
{
	const struct mw_ns *caller = mw_row_at(in->ns, in->nns, ev->caller_ns,
					       ev->time_us);
	const struct mw_who *failing = mw_who_at(in->scan, in->ns, in->nns,
						 ev->failing_ns, ev->time_us);
	int i;

	memset(st, 0, sizeof(*st));
	st->target = in->rt ? mw_path_container(in->rt, ev->target) : NULL;
	/* the group with the most receivers here: the container's root's */
	for (i = 0; in->loops_now && i < in->loops_now->nloops; i++)
		if (in->loops_now->loops[i].fed_by == ev->caller_ns &&
		    (!st->loop || in->loops_now->loops[i].factor > st->loop->factor))
			st->loop = &in->loops_now->loops[i];
	if (ev->caller_ns == ev->failing_ns || is_gone(caller) || !failing)
		return;
	/* the target is the failing container's own, or the loop shows it */
	if (st->target && failing->ctr.id[0] &&
	    !strcmp(st->target->id, failing->ctr.id) &&
	    !strcmp(st->target->runtime, "docker"))
		st->docker_cp = true;
	if (st->loop && !strcmp(ev->comm, "dockerd"))
		st->docker_cp = true;
}

static void explain_docker_cp(FILE *out, const struct mw_explain_in *in,
			      const struct mw_event *ev, const struct story *st,
			      const struct growth *gr)
{
	struct mw_runtimes *rt = in->rt;
	int fixed;

	fprintf(out, "\nPattern: docker cp into a container that receives every bind made on its root file system\n"
		"  (Docker before 24.0, with / or a directory holding /var/lib/docker as a volume).\n"
		"  For docker cp, dockerd, in the live namespace ");
	fprintf(out, "%" PRIu64 ", binds the container's volumes onto its rootfs;\n", ev->caller_ns);
	if (st->loop)
		fprintf(out, "  the container's root is a slave of that mount (peer group %" PRIu64 ", whose member lives in\n"
			"  namespace %" PRIu64 "), and %" PRId64 " copies of it nested in it (%s) receive each bind too:\n"
			"  every docker cp copies the copies.\n",
			st->loop->group, st->loop->fed_by, st->loop->nested,
			st->loop->inner);
	else
		fprintf(out, "  the container's namespace receives each of those binds on every copy of its root.\n");
	if (gr->steps >= 2 && !same_factor(gr->step_lo, gr->step_hi))
		fprintf(out, "  Growth per docker cp: x%.2f to x%.2f (the growth history above).\n",
			gr->step_lo, gr->step_hi);
	else if (gr->steps)
		fprintf(out, "  Growth per docker cp: x%.2f (the growth history above).\n",
			gr->step);
	if (!rt)
		return;
	mw_docker_version(rt);
	fixed = rt->docker_version[0] ?
		mw_version_at_least(rt->docker_version, 24, 0) : -1;
	if (fixed > 0)
		fprintf(out, "  This dockerd is %s (%s), which has the fix (moby PR #44210):\n"
			"  the bind did not come from its docker cp.\n",
			rt->docker_version, rt->docker_how);
	else if (!fixed)
		fprintf(out, "  This dockerd is %s (%s).\n"
			"  Docker 24.0 fixed it (moby PR #44210): docker cp works in a mount namespace of its own.\n",
			rt->docker_version, rt->docker_how);
	else
		fprintf(out, "  The version of dockerd is not known (%s);\n"
			"  Docker 24.0 fixed it (moby PR #44210): docker cp works in a mount namespace of its own.\n",
			rt->docker_how);
}

/* The runtime's own mounts that failed too and were survived. */
static void explain_fallbacks(FILE *out, const struct mw_explain_in *in,
			      int nfallback)
{
	const struct mw_event *last = NULL;
	char target[4 * MW_ARG_LEN];
	int i;

	for (i = 0; i < in->nev; i++)
		if (mw_event_fallback(&in->ev[i]))
			last = &in->ev[i];
	if (!last)
		return;
	mw_escape(target, sizeof(target), last->target);
	fprintf(out, "\nSilent fallbacks: %d of the %d events %s runc init binding its own binary\n"
		"  (/proc/self/exe onto %s, comm %s): runc copies the binary instead when that\n"
		"  mount fails, so no command failed. They say that the namespace receiving that directory,\n  ",
		nfallback, in->nev, nfallback == 1 ? "was" : "were", target,
		last->comm);
	print_ns_at(out, in, last->failing_ns, last->time_us);
	fprintf(out, ", was full then.\n");
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
	int nfailing = 0, nfallback;
	struct growth gr = { .n = 0 };
	const struct mw_ns *grown;
	bool lineage;
	struct story st;

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
	ev = seen_failure(in, &nfallback);
	fprintf(out, "%d ENOSPC failure%s in the log (events_total %" PRId64,
		in->nev, in->nev == 1 ? "" : "s", in->events_total);
	if (in->events_overwritten > 0)
		fprintf(out, ", %" PRId64 " older ones overwritten", in->events_overwritten);
	fprintf(out, "), in %d namespace%s", nfailing, nfailing == 1 ? "" : "s");
	if (nfallback)
		fprintf(out, ";\n%d of them runc's silent fallback, which no command reported (see below)",
			nfallback);
	fprintf(out, ".\n\n");

	if (mw_event_is_nscount(ev)) {
		explain_nscount(out, in, ev);
		return;
	}
	find_story(in, ev, &st);
	grown = growth_row(in, ev, &lineage);
	if (grown)
		read_growth(in, grown, &gr);
	mw_format_time(when, sizeof(when), ev->time_us);
	mw_format_ago(ago, sizeof(ago), ev->time_us, in->now_us);
	mw_sanitize(comm, sizeof(comm), ev->comm);
	fprintf(out, "%s, %s (%s):\n  %s (pid %" PRId64 ")",
		nfallback && ev != &in->ev[in->nev - 1] ?
		"The failure a command reported" : "Last failure",
		when, ago, comm, ev->pid);
	if (st.docker_cp) {
		fprintf(out, ", in ");
		print_ns_at(out, in, ev->caller_ns, ev->time_us);
		fprintf(out, ",\n ");
	}
	fprintf(out, " asked for %" PRId64 " mount%s in ", ev->requested,
		ev->requested == 1 ? "" : "s");
	print_ns_at(out, in, ev->failing_ns, ev->time_us);
	fprintf(out, ".\n");
	explain_call(out, in, ev, st.target);

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
		if (ev->mounts > 0)
			factor = (double)need / ev->mounts;
		/*
		 * A step that multiplied it moments before, and nothing
		 * unmounted since: what failed is the tail of that step.
		 */
		if (!lineage && step_tail(ev, &gr)) {
			fprintf(out, "  This step had already multiplied it (%" PRId64 " -> %" PRId64 " mounts, moments before);\n"
				"  what failed is one of the small binds that follow, landing on every copy%s.\n",
				gr.last_step->before, gr.last_step->after,
				in->loops_now && in->loops_now->nloops ? " (mntwatch loops)" : "");
			factor = gr.step;
		} else if (!lineage && gr.steps && gr.step > factor && ev->mounts > 0) {
			/* the attach failed on the way: a whole step does more */
			factor = gr.step;
			fprintf(out, "  The step that failed would have taken it from %" PRId64 " to about %.0f mounts (x%.2f\n"
				"  per step, from the growth history below), %.1f times fs.mount-max: it failed on the way.\n",
				ev->mounts, ev->mounts * factor, factor,
				ev->mounts * factor / ev->max);
		} else if (factor > 0) {
			fprintf(out, "  Had it succeeded, the namespace would have grown from %" PRId64 " to at least %" PRId64 " mounts (x%.2f).\n",
				ev->mounts, need, factor);
		}
	}
	/* a restart loop grows the parent step by step, not this copy */
	if (lineage && gr.steps)
		factor = gr.step;
	explain_series(out, in, ev->failing_ns);
	if (lineage)
		explain_lineage(out, in, ev);
	if (grown)
		explain_growth(out, in, grown, ev->max, &gr);

	if (st.docker_cp)
		explain_docker_cp(out, in, ev, &st, &gr);
	else if (ev->caller_ns != ev->failing_ns) {
		fprintf(out, "\nForeign namespace: the caller lives in ");
		print_ns_at(out, in, ev->caller_ns, ev->time_us);
		fprintf(out, ",\n  not in %" PRIu64 ": its mount propagated into %" PRIu64 " (a peer or slave of the\n"
			"  target) and failed there, so ENOSPC reached a process whose own namespace is not full.\n",
			ev->failing_ns, ev->failing_ns);
	}
	if (nfallback)
		explain_fallbacks(out, in, nfallback);

	now = row_now(in, ev->failing_ns);
	holder = mw_who_now(in->scan, in->ns, in->nns, ev->failing_ns);
	fprintf(out, "\nNow: ");
	if (!now)
		fprintf(out, "namespace %" PRIu64 " is no longer in the table (evicted).\n",
			ev->failing_ns);
	else if (is_gone(now))
		fprintf(out, "namespace %" PRIu64 " is gone: the kernel freed it and its mounts (peak was %" PRId64 ").\n",
			now->ns, now->peak);
	else
		fprintf(out, "namespace %" PRIu64 " is live: %" PRId64 " mounts of %" PRId64 " (%" PRId64 ".%" PRId64 "%%), peak %" PRId64 ", %" PRId64 " ENOSPC so far.\n",
			now->ns, now->mounts, now->max, now->use_permille / 10,
			now->use_permille % 10, now->peak, now->enospc);
	if (now && !is_gone(now) && (!holder || !holder->npids) && in->scan)
		fprintf(out, "  No process in /proc lives in it: it is held by an nsfs bind mount or an open file descriptor.\n");

	live_loop = in->loops_now && in->loops_now->nloops;
	if (live_loop) {
		const struct mw_loop *loop = &in->loops_now->loops[0];

		for (i = 1; i < in->loops_now->nloops; i++)
			if (in->loops_now->loops[i].factor > loop->factor)
				loop = &in->loops_now->loops[i];
		fprintf(out, "  A live propagation loop is there now: peer group %" PRIu64 " at %s propagates into\n"
			"  %s beneath it (%" PRId64 " nested); one more mount on it lands on %" PRId64 " mounts",
			loop->group, loop->outer, loop->inner, loop->nested,
			loop->factor);
		if (in->loops_now->nloops > 1)
			fprintf(out, ";\n  %d more loop%s there", in->loops_now->nloops - 1,
				in->loops_now->nloops > 2 ? "s" : "");
		fprintf(out, " (mntwatch loops).\n");
	}

	fprintf(out, "\nWhat to do:\n");
	if (st.docker_cp)
		fprintf(out, "  - Upgrade docker to 24.0 or later; until then, do not docker cp into a container that has /\n"
			"    (or the directory holding docker's data) as a volume, or give that volume rslave or\n"
			"    rprivate propagation.\n");
	else if (pending_decides || self_loop || live_loop)
		fprintf(out, "  - Stop the loop: make the bind source private, slave or unbindable before mounting it\n"
			"    inside itself (mount --make-rslave /path; a container's volume propagation rslave or\n"
			"    private, not rshared).\n");
	if (now && !is_gone(now) && holder && holder->npids) {
		fprintf(out, "  - Restart what holds namespace %" PRIu64 " (", ev->failing_ns);
		print_pids(out, holder);
		mw_sanitize(comm, sizeof(comm), holder->comm);
		fprintf(out, " %s) to free its %" PRId64 " mounts.\n", comm, now->mounts);
	}
	if (factor >= STEP_FACTOR) {
		/* what a doubled limit buys when each step multiplies by factor */
		double size = ev->mounts * factor;
		int more = 0;

		if (size < need)
			size = need;
		while (size <= 2.0 * ev->max && more < 100) {
			size *= factor;
			more++;
		}
		fprintf(out, "  - Raising fs.mount-max only buys time: at x%.2f per %s, doubling it to %" PRId64 "\n"
			"    lets %d more such %s%s succeed before one needs about %.0f mounts.\n",
			factor, gr.steps ? "step" : "attach", 2 * ev->max, more,
			gr.steps ? "step" : "attach",
			more == 1 ? "" : gr.steps ? "s" : "es", size);
	} else {
		fprintf(out, "  - If these mounts are legitimate, raise the limit: sysctl -w fs.mount-max=N with N >= %" PRId64 "\n"
			"    (now %" PRId64 ").\n", need, ev->max);
	}
	if (nfailing > 1) {
		bool header = false;

		for (i = in->nev - 1; i >= 0; i--) {
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
			if (!header)
				fprintf(out, "\nOther namespaces that failed:\n");
			header = true;
			mw_format_ago(ago, sizeof(ago), e->time_us, in->now_us);
			fprintf(out, "  ");
			print_ns_at(out, in, e->failing_ns, e->time_us);
			fprintf(out, ", %s: %" PRId64 " + %" PRId64 " pending + %" PRId64 " > %" PRId64,
				ago, e->mounts, e->pending, e->requested, e->max);
			if (e->caller_ns != e->failing_ns)
				fprintf(out, ", propagated from namespace %" PRIu64,
					e->caller_ns);
			fprintf(out, ".\n");
		}
	}
}
