// SPDX-License-Identifier: GPL-2.0
/*
 * A restart loop through a shared host directory: each container start
 * with an rshared (Kubernetes: Bidirectional) volume bound inside itself
 * copies the host's mounts into the container and back, so the host's
 * namespace multiplies on every start (podman, ctr, a pod's volume).
 */
#include <inttypes.h>
#include <string.h>
#include "../mount_plan.h"
#include "../story.h"
#include "../util.h"
#include "../who.h"

/* Every attach that grew it came from namespaces that are mostly gone now. */
static bool match(const struct mw_case *c)
{
	const struct mw_steps *gr = &c->gr;

	return !mw_event_is_nscount(c->ev) && gr->n && gr->foreign == gr->n &&
	       gr->gone && gr->gone * 2 >= gr->foreign;
}

static void print(FILE *out, const struct mw_case *c)
{
	fprintf(out, "  Every one came from another namespace, %d of them gone now: the mounts propagated in\n"
		"  from short-lived namespaces that bound a shared directory into itself. That is a restart\n"
		"  loop: each container start with a shared (rshared, Bidirectional) host volume copies the\n"
		"  host's mounts into the container and back, so the host multiplies on every restart.\n",
		c->gr.gone);
}

static void plan_collapse(struct mw_plan *plan, uint64_t ns,
			  const char *dir, const char *inner, int64_t under)
{
	struct mw_fix *fix = mw_plan_mount(plan, MW_EXPECT_FEWER, MW_FIX_SELF,
					   ns, dir);

	if (!fix)
		return;
	mw_fix_why(fix, "frees the %" PRId64 " copies the starts left at and under %s in the host's namespace, down\n"
		   "to the one mount of %s (its files stay); stops no container",
		   under - 1, dir, dir);
	mw_fix_cmd(fix, "while [ \"$(awk -v p=%s '$5 == p || index($5, p \"/\") == 1' /proc/self/mountinfo | wc -l)\" -gt 1 ]; do umount -l %s 2>/dev/null || umount -l %s; done",
		   dir, inner, dir);
}

static void plan_private(struct mw_plan *plan, uint64_t ns, const char *dir)
{
	struct mw_fix *fix = mw_plan_mount(plan, MW_EXPECT_PRIVATE, MW_FIX_SELF,
					   ns, dir);

	if (!fix)
		return;
	mw_fix_why(fix, "stops the loop: %s private, so a container's rshared binds of it stay in the\n"
		   "container's namespace; costs what relied on its mounts propagating between namespaces",
		   dir);
	mw_fix_cmd(fix, "mount --make-rprivate %s", dir);
}

/*
 * In the host's namespace, which the person runs it in: the copies stacked
 * at and under the loop's directory collapse to its one mount, then the
 * directory is made private (verified with podman 4.3 and ctr 1.6).
 */
static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	const struct mw_who *who;
	const struct mw_mountinfo *mi;
	const struct mw_loops *loops;
	const struct mw_loop *loop = NULL;
	char dir[MW_PATH_LEN], inner[MW_PATH_LEN];
	int64_t under;
	int i;

	if (!c->grown)
		return false;
	plan->ns = c->grown->ns;
	who = mw_who_now(c->in->scan, c->in->ns, c->in->nns, plan->ns);
	if (!who || !who->host || !c->in->mounts_of ||
	    !c->in->mounts_of(c->in->mounts_ctx, plan->ns, &mi, &loops))
		return false;
	/* the loop of the directory the failing start bound, else the biggest */
	for (i = 0; i < loops->nloops; i++) {
		const struct mw_loop *l = &loops->loops[i];
		bool mine = !strcmp(l->outer, c->ev->source);

		if (!loop || (mine && strcmp(loop->outer, c->ev->source)) ||
		    (mine == !strcmp(loop->outer, c->ev->source) &&
		     l->factor > loop->factor))
			loop = l;
	}
	if (!loop) {
		snprintf(plan->done, sizeof(plan->done), "no propagation loop is left in namespace %" PRIu64,
			 plan->ns);
		return true;
	}
	mw_unescape(dir, sizeof(dir), loop->outer);
	mw_unescape(inner, sizeof(inner), loop->inner);
	if (!strcmp(dir, "/") || !mw_plain_path(dir) || !mw_plain_path(inner))
		return false;
	under = mw_mounts_at(mi, dir, true);
	if (under > 1)
		plan_collapse(plan, plan->ns, dir, inner, under);
	plan_private(plan, plan->ns, dir);
	return true;
}

const struct mw_story mw_story_restart_loop = {
	.name = "restart-loop",
	.slot = MW_SLOT_GROWTH,
	.match = match,
	.print = print,
	.plan = plan,
};
