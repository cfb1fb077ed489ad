// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch explain: a diagnosis of the last ENOSPC from the module's event
 * log. Every statement prints the numbers it rests on; where the log cannot
 * tell (an old module without touched/checks), we say nothing rather than
 * guess. The evidence is read once (case.c); the stories it fits
 * (stories/) tell what happened in the places this file leaves them.
 */
#include <inttypes.h>
#include <string.h>
#include "explain.h"
#include "loops.h"
#include "pattern.h"
#include "plan.h"
#include "runtime.h"
#include "story.h"
#include "table.h"
#include "util.h"
#include "who.h"

void mw_print_pids(FILE *out, const struct mw_who *who)
{
	int i, shown = who->npids < 5 ? who->npids : 5;

	fprintf(out, "pid%s ", who->npids > 1 ? "s" : "");
	for (i = 0; i < shown; i++)
		fprintf(out, "%s%d", i ? "," : "", who->pids[i]);
	if (who->npids > shown)
		fprintf(out, " and %d more", who->npids - shown);
}

/* "namespace 4026532115 (docker 0123456789ab, pid 140 sleep)", at @when. */
void mw_print_ns_at(FILE *out, const struct mw_explain_in *in, uint64_t id,
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
	mw_print_pids(out, who);
	fprintf(out, " %s)", comm);
}

void mw_print_ns(FILE *out, const struct mw_explain_in *in, uint64_t id)
{
	mw_print_ns_at(out, in, id, MW_NONE);
}

/* Whether two factors print alike: "x1.99 to x1.99" is one figure. */
bool mw_same_factor(double a, double b)
{
	char fa[32], fb[32];

	snprintf(fa, sizeof(fa), "%.2f", a);
	snprintf(fb, sizeof(fb), "%.2f", b);
	return !strcmp(fa, fb);
}

/* Each matching story's part for @slot; how many printed one. */
static int print_stories(FILE *out, const struct mw_case *c, enum mw_slot slot)
{
	int i, n = 0;

	for (i = 0; i < c->nmatched; i++)
		if (c->matched[i]->slot == slot && c->matched[i]->print) {
			c->matched[i]->print(out, c);
			n++;
		}
	return n;
}

static bool caller_named(const struct mw_case *c)
{
	int i;

	for (i = 0; i < c->nmatched; i++)
		if (c->matched[i]->names_caller)
			return true;
	return false;
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

/* Where the growing attaches came from, when no story tells it. */
static void explain_callers(FILE *out, const struct mw_case *c)
{
	const struct mw_steps *gr = &c->gr;

	if (print_stories(out, c, MW_SLOT_GROWTH))
		return;
	if (gr->foreign == gr->n && gr->one_caller) {
		fprintf(out, "  Every one came from ");
		mw_print_ns(out, c->in, gr->caller);
		fprintf(out, ",\n  which is %s: not a restart loop (its namespace did not come and go); its mounts\n"
			"  propagate in.\n",
			mw_is_gone(mw_row_now(c->in, gr->caller)) ? "gone now" : "live");
	} else if (gr->foreign) {
		fprintf(out, "  %d of them came from other namespaces (%d of those gone now).\n",
			gr->foreign, gr->gone);
	}
}

/* How many more such steps fs.mount-max allows, from the last one kept. */
static void explain_steps_left(FILE *out, const struct mw_case *c)
{
	const struct mw_steps *gr = &c->gr;
	const struct mw_growth *last = gr->g[gr->n - 1];
	const struct mw_ns *row = c->grown;
	int64_t max = c->ev->max, from;
	double size, factor;
	int more = 0;

	factor = gr->steps ? gr->step : (last->before ?
					 (double)last->after / last->before : 0);
	/* a runtime unmounts its small binds after a step: start from now */
	from = mw_is_gone(row) || row->mounts == MW_NONE ? last->after : row->mounts;
	if (factor <= 1.05 || max <= 0)
		return;
	for (size = from; size <= max && more < 1000; more++)
		size *= factor;
	fprintf(out, "  At x%.2f per %s, from %" PRId64 " mounts, %s %d from now needs about %.0f > fs.mount-max %" PRId64 ".\n",
		factor, gr->steps ? "step" : "attach", from,
		gr->steps ? "step" : "attach", more, size, max);
}

/*
 * The attaches that grew the namespace, as the module kept them: the
 * series, the factor per attach and per step, where the callers lived, and
 * how many more such steps fs.mount-max allows.
 */
static void explain_growth(FILE *out, const struct mw_case *c)
{
	const struct mw_steps *gr = &c->gr;
	int i;

	if (!c->grown || !gr->n)
		return;
	fprintf(out, "\nGrowth of namespace %" PRIu64 " across the %d growing attach%s kept:\n  %" PRId64,
		c->grown->ns, gr->n, gr->n == 1 ? "" : "es", gr->g[0]->before);
	for (i = 0; i < gr->n; i++)
		fprintf(out, "%s -> %" PRId64,
			i && gr->g[i]->before != gr->g[i - 1]->after ? " ..." : "",
			gr->g[i]->after);
	fprintf(out, " mounts\n  factor per attach:");
	for (i = 0; i < gr->n; i++)
		fprintf(out, " x%.2f", gr->g[i]->before ?
			(double)gr->g[i]->after / gr->g[i]->before : 0);
	fputc('\n', out);
	if (gr->steps >= 2 && mw_same_factor(gr->step_lo, gr->step_hi))
		fprintf(out, "  %d of them multiplied it; from one to the next, small binds between included,\n"
			"  it grew x%.2f per step.\n", gr->steps, gr->step_hi);
	else if (gr->steps >= 2)
		fprintf(out, "  %d of them multiplied it; from one to the next, small binds between included,\n"
			"  it grew x%.2f to x%.2f per step.\n",
			gr->steps, gr->step_lo, gr->step_hi);
	explain_callers(out, c);
	explain_steps_left(out, c);
}

static void explain_lineage(FILE *out, const struct mw_case *c)
{
	const struct mw_explain_in *in = c->in;
	const struct mw_event *ev = c->ev;
	const struct mw_ns *row = mw_row_at(in->ns, in->nns, ev->failing_ns,
					    ev->time_us), *parent;

	if (!c->lineage)
		return;
	fprintf(out, "\nLineage: namespace %" PRIu64 " was made %.1f s before the failure as a copy of namespace %" PRIu64 ",\n"
		"  born with %" PRId64 " of the %" PRId64 " mounts it failed at: its mounts came from its parent.\n",
		ev->failing_ns, (ev->time_us - row->born_us) / 1e6,
		row->parent, row->born_mounts, ev->mounts);
	parent = mw_row_now(in, row->parent);
	if (!parent)
		return;
	fprintf(out, "  Parent now: ");
	mw_print_ns(out, in, parent->ns);
	fprintf(out, ", %s, %" PRId64 " mounts of %" PRId64 ".\n",
		parent->state, parent->mounts, parent->max);
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
static void explain_call(FILE *out, const struct mw_case *c)
{
	const struct mw_container *caller, *target = c->target;
	struct mw_runtimes *rt = c->in->rt;
	char label[2 * MW_NAME_LEN + 160];

	print_call(out, c->ev);
	if (target && !target->source && !strcmp(target->kind, "sandbox")) {
		/* a CRI sandbox whose start failed is removed at once */
		mw_sanitize(label, sizeof(label), target->id);
		fprintf(out, "  Its target lies in the files of %s's pod sandbox %.12s (the pod id\n"
			"  crictl would show), which no state file names now: a sandbox that failed\n"
			"  to start is removed at once, its pod named only in %s's log.\n",
			target->runtime, label, target->runtime);
	} else if (target) {
		mw_container_label(target, false, label, sizeof(label));
		fprintf(out, "  Its target lies in the files of %s%s.\n", label,
			target->source ? "" : ", which no state file of its runtime names now");
	}
	caller = rt ? mw_cgroup_container(rt, c->ev->cgroup) : NULL;
	if (caller) {
		mw_container_label(caller, false, label, sizeof(label));
		fprintf(out, "  The caller ran in %s then (cgroup %s)%s.\n", label,
			c->ev->cgroup, caller->source ? "" :
			"; no state file of its runtime names it now");
	}
}

/* Who asked for how many mounts where, and the call. */
static void explain_failure(FILE *out, const struct mw_case *c)
{
	const struct mw_explain_in *in = c->in;
	const struct mw_event *ev = c->ev;
	char when[64], ago[32], comm[MW_COMM_LEN];

	mw_format_time(when, sizeof(when), ev->time_us);
	mw_format_ago(ago, sizeof(ago), ev->time_us, in->now_us);
	mw_sanitize(comm, sizeof(comm), ev->comm);
	fprintf(out, "%s, %s (%s):\n  %s (pid %" PRId64 ")",
		c->nfallback && ev != &in->ev[in->nev - 1] ?
		"The failure a command reported" : "Last failure",
		when, ago, comm, ev->pid);
	if (caller_named(c)) {
		fprintf(out, ", in ");
		mw_print_ns_at(out, in, ev->caller_ns, ev->time_us);
		fprintf(out, ",\n ");
	}
	fprintf(out, " asked for %" PRId64 " mount%s in ", ev->requested,
		ev->requested == 1 ? "" : "s");
	mw_print_ns_at(out, in, ev->failing_ns, ev->time_us);
	fprintf(out, ".\n");
	explain_call(out, c);
}

static void explain_limit(FILE *out, const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;

	fprintf(out, "\nLimit: fs.mount-max = %" PRId64 " mounts per namespace.\n", ev->max);
	fprintf(out, "  %" PRId64 " mounted + %" PRId64 " pending + %" PRId64 " requested = %" PRId64 " > %" PRId64 ": over by %" PRId64 ".\n",
		ev->mounts, ev->pending, ev->requested, c->need, ev->max,
		c->need - ev->max);
	if (c->pending_decides)
		fprintf(out, "  The %" PRId64 " pending copies made the difference: %" PRId64 " + %" PRId64 " = %" PRId64 " alone fits;\n"
			"  the namespace was at %" PRId64 ".%" PRId64 "%% of the limit when it failed.\n",
			ev->pending, ev->mounts, ev->requested, c->fit,
			ev->max ? ev->mounts * 1000 / ev->max / 10 : 0,
			ev->max ? ev->mounts * 1000 / ev->max % 10 : 0);
	else if (ev->pending > 0)
		fprintf(out, "  Even without the %" PRId64 " pending copies it would not fit: %" PRId64 " + %" PRId64 " = %" PRId64 " > %" PRId64 ".\n",
			ev->pending, ev->mounts, ev->requested, c->fit, ev->max);
	else
		fprintf(out, "  No copies were pending: the namespace is full with its own %" PRId64 " mounts.\n",
			ev->mounts);
	print_stories(out, c, MW_SLOT_LIMIT);
}

/* What the attach would have done: the copies it reserved, and why. */
static void explain_propagation(FILE *out, const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;
	const struct mw_steps *gr = &c->gr;
	double grew = ev->mounts > 0 ? (double)c->need / ev->mounts : 0;

	if (ev->pending <= 0)
		return;
	fprintf(out, "\nPropagation: this one attach had reserved %" PRId64 " copies, %" PRId64 "%% of the %" PRId64 " mounts the namespace held",
		ev->pending, ev->mounts ? ev->pending * 100 / ev->mounts : 0,
		ev->mounts);
	if (ev->checks != MW_NONE && ev->touched != MW_NONE)
		fprintf(out, ",\n  in %" PRId64 " limit checks across %" PRId64 " namespace%s",
			ev->checks, ev->touched, ev->touched == 1 ? "" : "s");
	fprintf(out, ".\n");
	if (c->self_loop)
		fprintf(out, "  All %" PRId64 " checks hit this one namespace: the tree was being copied into peers of\n"
			"  itself, in its own namespace. That is a shared tree bind-mounted inside itself\n"
			"  (a container given / with shared propagation, then docker cp; mount --rbind dir dir/sub).\n",
			ev->checks);
	/*
	 * A step that multiplied it moments before, and nothing unmounted
	 * since: what failed is the tail of that step.
	 */
	if (c->tail)
		fprintf(out, "  This step had already multiplied it (%" PRId64 " -> %" PRId64 " mounts, moments before);\n"
			"  what failed is one of the small binds that follow, landing on every copy%s.\n",
			gr->last_step->before, gr->last_step->after,
			c->in->loops_now && c->in->loops_now->nloops ? " (mntwatch loops)" : "");
	else if (!c->lineage && gr->steps && gr->step > grew && ev->mounts > 0)
		/* the attach failed on the way: a whole step does more */
		fprintf(out, "  The step that failed would have taken it from %" PRId64 " to about %.0f mounts (x%.2f\n"
			"  per step, from the growth history below), %.1f times fs.mount-max: it failed on the way.\n",
			ev->mounts, ev->mounts * c->factor, c->factor,
			ev->mounts * c->factor / ev->max);
	else if (grew > 0)
		fprintf(out, "  Had it succeeded, the namespace would have grown from %" PRId64 " to at least %" PRId64 " mounts (x%.2f).\n",
			ev->mounts, c->need, grew);
}

/* The failing namespace now, and the loop in it. */
static void explain_now(FILE *out, const struct mw_case *c)
{
	const struct mw_ns *now = c->now;
	const struct mw_loop *loop = c->live_loop;
	int nloops = c->in->loops_now ? c->in->loops_now->nloops : 0;

	fprintf(out, "\nNow: ");
	if (!now)
		fprintf(out, "namespace %" PRIu64 " is no longer in the table (evicted).\n",
			c->ev->failing_ns);
	else if (mw_is_gone(now))
		fprintf(out, "namespace %" PRIu64 " is gone: the kernel freed it and its mounts (peak was %" PRId64 ").\n",
			now->ns, now->peak);
	else
		fprintf(out, "namespace %" PRIu64 " is live: %" PRId64 " mounts of %" PRId64 " (%" PRId64 ".%" PRId64 "%%), peak %" PRId64 ", %" PRId64 " ENOSPC so far.\n",
			now->ns, now->mounts, now->max, now->use_permille / 10,
			now->use_permille % 10, now->peak, now->enospc);
	if (now && !mw_is_gone(now) && (!c->holder || !c->holder->npids) &&
	    c->in->scan)
		fprintf(out, "  No process in /proc lives in it: it is held by an nsfs bind mount or an open file descriptor.\n");
	if (!loop)
		return;
	fprintf(out, "  A live propagation loop is there now: peer group %" PRIu64 " at %s propagates into\n"
		"  %s beneath it (%" PRId64 " nested); one more mount on it lands on %" PRId64 " mounts",
		loop->group, loop->outer, loop->inner, loop->nested,
		loop->factor);
	if (nloops > 1)
		fprintf(out, ";\n  %d more loop%s there", nloops - 1,
			nloops > 2 ? "s" : "");
	fprintf(out, " (mntwatch loops).\n");
}

/* What raising fs.mount-max does: buys time for a loop, or is the fix. */
static void advise_limit(FILE *out, const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;
	double size = ev->mounts * c->factor;
	int more = 0;

	if (c->factor < MW_STEP_FACTOR) {
		fprintf(out, "  - If these mounts are legitimate, raise the limit: sysctl -w fs.mount-max=N with N >= %" PRId64 "\n"
			"    (now %" PRId64 ").\n", c->need, ev->max);
		return;
	}
	/* what a doubled limit buys when each step multiplies by factor */
	if (size < c->need)
		size = c->need;
	while (size <= 2.0 * ev->max && more < 100) {
		size *= c->factor;
		more++;
	}
	fprintf(out, "  - Raising fs.mount-max only buys time: at x%.2f per %s, doubling it to %" PRId64 "\n"
		"    lets %d more such %s%s succeed before one needs about %.0f mounts.\n",
		c->factor, c->gr.steps ? "step" : "attach", 2 * ev->max, more,
		c->gr.steps ? "step" : "attach",
		more == 1 ? "" : c->gr.steps ? "s" : "es", size);
}

/* The plan of the stories that fit: the commands mntwatch fix prints. */
void mw_explain_plan(FILE *out, const struct mw_case *c)
{
	struct mw_plan plan;

	mw_case_plan(c, &plan);
	if (plan.nsteps) {
		fprintf(out, "  The commands (mntwatch fix prints them, mntwatch fix | sh -e runs them):\n");
		mw_plan_print_sh(out, &plan, "    ");
	} else if (plan.known) {
		fprintf(out, "  Nothing left to do: %s.\n", plan.done);
	} else {
		fprintf(out, "  No command that gives namespace %" PRIu64 " back in place has been proven by a test\n"
			"  yet: mntwatch fix prints none.\n", plan.ns);
	}
}

static bool owns_limit(const struct mw_case *c)
{
	int i;

	for (i = 0; i < c->nmatched; i++)
		if (c->matched[i]->owns_limit)
			return true;
	return false;
}

static void explain_todo(FILE *out, const struct mw_case *c)
{
	struct mw_plan plan;
	int i;

	mw_case_plan(c, &plan);
	fprintf(out, "\nWhat to do:\n");
	for (i = 0; i < plan.nnotes; i++)
		fprintf(out, "  - %s\n", plan.notes[i]);
	if (!owns_limit(c))
		advise_limit(out, c);
	mw_explain_plan(out, c);
}

/* The other namespaces that failed, each once, newest first. */
static void explain_others(FILE *out, const struct mw_case *c)
{
	const struct mw_explain_in *in = c->in;
	bool header = false;
	char ago[32];
	int i, j;

	for (i = in->nev - 1; i >= 0 && c->nfailing > 1; i--) {
		const struct mw_event *e = &in->ev[i];

		if (e->failing_ns == c->ev->failing_ns || mw_event_is_nscount(e))
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
		mw_print_ns_at(out, in, e->failing_ns, e->time_us);
		fprintf(out, ", %s: %" PRId64 " + %" PRId64 " pending + %" PRId64 " > %" PRId64,
			ago, e->mounts, e->pending, e->requested, e->max);
		if (e->caller_ns != e->failing_ns)
			fprintf(out, ", propagated from namespace %" PRIu64,
				e->caller_ns);
		fprintf(out, ".\n");
	}
}

static void explain_nothing(FILE *out, const struct mw_explain_in *in)
{
	const struct mw_ns *top = NULL;
	int i;

	fprintf(out, "No ENOSPC recorded since mntwatch.ko was loaded (events_total %" PRId64 ").\n",
		in->events_total == MW_NONE ? 0 : in->events_total);
	for (i = 0; i < in->nns && !top; i++)
		if (strcmp(in->ns[i].state, "gone"))
			top = &in->ns[i];
	if (!top)
		return;
	fprintf(out, "Fullest live ");
	mw_print_ns(out, in, top->ns);
	fprintf(out, ": %" PRId64 " mounts of %" PRId64 " (%" PRId64 ".%" PRId64 "%%).\n",
		top->mounts, top->max, top->use_permille / 10,
		top->use_permille % 10);
}

static void explain_count(FILE *out, const struct mw_case *c)
{
	const struct mw_explain_in *in = c->in;

	fprintf(out, "%d ENOSPC failure%s in the log (events_total %" PRId64,
		in->nev, in->nev == 1 ? "" : "s", in->events_total);
	if (in->events_overwritten > 0)
		fprintf(out, ", %" PRId64 " older ones overwritten", in->events_overwritten);
	fprintf(out, "), in %d namespace%s", c->nfailing,
		c->nfailing == 1 ? "" : "s");
	if (c->nfallback)
		fprintf(out, ";\n%d of them runc's silent fallback, which no command reported (see below)",
			c->nfallback);
	fprintf(out, ".\n\n");
}

void mw_explain(FILE *out, const struct mw_explain_in *in)
{
	struct mw_case c;

	if (!in->nev) {
		explain_nothing(out, in);
		return;
	}
	mw_case_read(&c, in, 0);
	explain_count(out, &c);
	if (print_stories(out, &c, MW_SLOT_WHOLE))
		return;
	explain_failure(out, &c);
	explain_limit(out, &c);
	explain_propagation(out, &c);
	explain_series(out, in, c.ev->failing_ns);
	explain_lineage(out, &c);
	explain_growth(out, &c);
	print_stories(out, &c, MW_SLOT_PATTERN);
	explain_now(out, &c);
	explain_todo(out, &c);
	explain_others(out, &c);
}
