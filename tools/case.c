// SPDX-License-Identifier: GPL-2.0
/*
 * The evidence behind explain and fix, read once from the module's tables
 * into a struct mw_case: the failure a user saw, the sum that broke the
 * limit, the growth history of the namespace that filled, the loops there
 * now, and which stories fit it.
 */
#include <string.h>
#include "pattern.h"
#include "runtime.h"
#include "story.h"
#include "who.h"

bool mw_is_gone(const struct mw_ns *row)
{
	return row && !strcmp(row->state, "gone");
}

/* The row of @id as it is now: the live one, else the newest gone one. */
const struct mw_ns *mw_row_now(const struct mw_explain_in *in, uint64_t id)
{
	return mw_row_at(in->ns, in->nns, id, MW_NONE);
}

/*
 * The failure a user saw: the last event that is no runtime's fallback, in
 * namespace @ns if not 0. NULL if none failed there.
 */
static const struct mw_event *seen_failure(const struct mw_explain_in *in,
					   uint64_t ns, int *nfallback)
{
	const struct mw_event *seen = NULL, *any = NULL;
	int i;

	*nfallback = 0;
	for (i = 0; i < in->nev; i++) {
		if (mw_event_fallback(&in->ev[i]))
			(*nfallback)++;
		if (ns && in->ev[i].failing_ns != ns)
			continue;
		any = &in->ev[i];
		if (!mw_event_fallback(&in->ev[i]))
			seen = &in->ev[i];
	}
	return seen ? seen : any;
}

static int count_failing(const struct mw_explain_in *in)
{
	int i, j, n = 0;

	for (i = 0; i < in->nev; i++) {
		for (j = 0; j < i; j++)
			if (in->ev[j].failing_ns == in->ev[i].failing_ns)
				break;
		n += j == i;
	}
	return n;
}

/* From one multiplying attach to the next, the small binds between included. */
static void add_step(struct mw_steps *gr, const struct mw_growth *g,
		     const struct mw_growth *last_step)
{
	if (last_step && last_step->after) {
		double f = (double)g->after / last_step->after;

		if (!gr->step_lo || f < gr->step_lo)
			gr->step_lo = f;
		if (f > gr->step_hi)
			gr->step_hi = f;
		gr->step = f;
	}
	gr->steps++;
}

static void read_growth(const struct mw_explain_in *in, const struct mw_ns *row,
			struct mw_steps *gr)
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
			gr->gone += mw_is_gone(caller);
			if (gr->foreign > 1 && gr->caller != g->caller_ns)
				gr->one_caller = false;
			gr->caller = g->caller_ns;
		}
		if (!g->before || (double)g->after / g->before < MW_STEP_FACTOR)
			continue;
		add_step(gr, g, last_step);
		last_step = g;
	}
	if (gr->steps == 1)
		gr->step = (double)last_step->after / last_step->before;
	gr->last_step = last_step;
}

/*
 * Whether the failure is one of the small binds that finish the step which
 * last multiplied the namespace (docker cp binds /, then the container's
 * hostname, hosts and resolv.conf): that step's growth is all in the
 * history, the latest entry as recent as the failure, and the namespace
 * holds all of it still. A runtime that unmounts after a step (docker cp
 * does) leaves the next step's failure below the latest entry.
 */
static bool step_tail(const struct mw_event *ev, const struct mw_steps *gr)
{
	const struct mw_growth *latest = gr->n ? gr->g[gr->n - 1] : NULL;
	int64_t now_s = ev->time_us / 1000000;

	return gr->last_step && ev->mounts >= latest->after &&
	       latest->time_s - gr->last_step->time_s <= 2 &&
	       now_s - latest->time_s <= 2;
}

/*
 * A young namespace that failed with mounts it was born with did not fill
 * itself: it copied them from its parent at unshare() or clone(). The row
 * whose growth tells the story is the parent's then.
 */
static void read_lineage(struct mw_case *c)
{
	const struct mw_explain_in *in = c->in;
	const struct mw_event *ev = c->ev;
	const struct mw_ns *row = mw_row_at(in->ns, in->nns, ev->failing_ns,
					    ev->time_us);

	c->lineage = row && row->parent && row->born_mounts != MW_NONE &&
		     row->born_us != MW_NONE && ev->mounts > 0 &&
		     row->born_mounts * 2 > ev->mounts;
	c->grown = c->lineage ? mw_row_now(in, row->parent) : row;
	if (c->grown)
		read_growth(in, c->grown, &c->gr);
}

/* What one more step multiplies the namespace by, as explain tells it. */
static void read_factor(struct mw_case *c)
{
	const struct mw_event *ev = c->ev;

	if (ev->pending > 0) {
		if (ev->mounts > 0)
			c->factor = (double)c->need / ev->mounts;
		c->tail = !c->lineage && step_tail(ev, &c->gr);
		if (c->tail || (!c->lineage && c->gr.steps &&
				c->gr.step > c->factor && ev->mounts > 0))
			c->factor = c->gr.step;
	}
	/* a restart loop grows the parent step by step, not this copy */
	if (c->lineage && c->gr.steps)
		c->factor = c->gr.step;
}

/* The loops in the failing namespace now: the one fed by the caller's. */
static void read_loops(struct mw_case *c)
{
	const struct mw_loops *lp = c->in->loops_now;
	int i;

	for (i = 0; lp && i < lp->nloops; i++) {
		const struct mw_loop *loop = &lp->loops[i];

		if (loop->fed_by == c->ev->caller_ns &&
		    (!c->fed_loop || loop->factor > c->fed_loop->factor))
			c->fed_loop = loop;
		if (!c->live_loop || loop->factor > c->live_loop->factor)
			c->live_loop = loop;
	}
}

/* The limit before someone lowered it: the highest the module recorded. */
static int64_t read_prior_max(const struct mw_explain_in *in, int64_t max)
{
	int64_t prior = max;
	int i;

	for (i = 0; i < in->nns; i++)
		if (in->ns[i].max > prior)
			prior = in->ns[i].max;
	for (i = 0; i < in->nev; i++)
		if (!mw_event_is_nscount(&in->ev[i]) && in->ev[i].max > prior)
			prior = in->ev[i].max;
	return prior > max ? prior : MW_DEFAULT_MOUNT_MAX;
}

/* The case of the last failure, or of the last in namespace @ns (not 0). */
bool mw_case_read(struct mw_case *c, const struct mw_explain_in *in,
		  uint64_t ns)
{
	const struct mw_event *ev;
	int i;

	memset(c, 0, sizeof(*c));
	c->in = in;
	c->ev = ev = seen_failure(in, ns, &c->nfallback);
	if (!ev)
		return false;
	c->nfailing = count_failing(in);
	c->need = ev->mounts + ev->pending + ev->requested;
	c->fit = ev->mounts + ev->requested;
	c->pending_decides = ev->pending > 0 && c->fit <= ev->max;
	c->self_loop = ev->touched == 1 && ev->checks > 1;
	c->target = in->rt ? mw_path_container(in->rt, ev->target) : NULL;
	read_lineage(c);
	read_factor(c);
	read_loops(c);
	c->now = mw_row_now(in, ev->failing_ns);
	c->holder = mw_who_now(in->scan, in->ns, in->nns, ev->failing_ns);
	c->prior_max = read_prior_max(in, ev->max);
	for (i = 0; mw_stories[i] && c->nmatched < MW_STORIES_MAX; i++)
		if (mw_stories[i]->match(c)) {
			c->matched[c->nmatched++] = mw_stories[i];
			/* the whole explanation: no other is told beside it */
			if (mw_stories[i]->slot == MW_SLOT_WHOLE)
				break;
		}
	return true;
}

bool mw_case_has(const struct mw_case *c, const struct mw_story *story)
{
	int i;

	for (i = 0; i < c->nmatched; i++)
		if (c->matched[i] == story)
			return true;
	return false;
}

/* The plan of every story that fits, in their order: one source for explain and fix. */
void mw_case_plan(const struct mw_case *c, struct mw_plan *plan)
{
	int i;

	memset(plan, 0, sizeof(*plan));
	plan->ns = c->ev->failing_ns;
	for (i = 0; i < c->nmatched; i++) {
		if (!c->matched[i]->plan)
			continue;
		if (!plan->story)
			plan->story = c->matched[i]->name;
		plan->known |= c->matched[i]->plan(c, plan);
	}
}
