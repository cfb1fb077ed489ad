// SPDX-License-Identifier: GPL-2.0
/*
 * docker cp into a container that receives every bind made on its root
 * file system: Docker before 24.0, with / (or a directory holding
 * /var/lib/docker) as a volume. Each docker cp copies the copies.
 */
#include <inttypes.h>
#include <string.h>
#include "../runtime.h"
#include "../story.h"
#include "../who.h"

/*
 * A caller in a live namespace bound something onto a container's root
 * file system, and the container's namespace received it many times over:
 * its root and copies of it nested inside it are slaves of one peer group
 * whose member is in the caller's namespace.
 */
static bool match(const struct mw_case *c)
{
	const struct mw_explain_in *in = c->in;
	const struct mw_event *ev = c->ev;
	const struct mw_ns *caller = mw_row_at(in->ns, in->nns, ev->caller_ns,
					       ev->time_us);
	const struct mw_who *failing = mw_who_at(in->scan, in->ns, in->nns,
						 ev->failing_ns, ev->time_us);

	if (mw_event_is_nscount(ev) || ev->caller_ns == ev->failing_ns ||
	    mw_is_gone(caller) || !failing)
		return false;
	/* the target is the failing container's own, or the loop shows it */
	if (c->target && failing->ctr.id[0] &&
	    !strcmp(c->target->id, failing->ctr.id) &&
	    !strcmp(c->target->runtime, "docker"))
		return true;
	return c->fed_loop && !strcmp(ev->comm, "dockerd");
}

static void print_version(FILE *out, struct mw_runtimes *rt)
{
	int fixed;

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

static void print(FILE *out, const struct mw_case *c)
{
	const struct mw_loop *loop = c->fed_loop;
	const struct mw_steps *gr = &c->gr;

	fprintf(out, "\nPattern: docker cp into a container that receives every bind made on its root file system\n"
		"  (Docker before 24.0, with / or a directory holding /var/lib/docker as a volume).\n"
		"  For docker cp, dockerd, in the live namespace ");
	fprintf(out, "%" PRIu64 ", binds the container's volumes onto its rootfs;\n",
		c->ev->caller_ns);
	if (loop)
		fprintf(out, "  the container's root is a slave of that mount (peer group %" PRIu64 ", whose member lives in\n"
			"  namespace %" PRIu64 "), and %" PRId64 " copies of it nested in it (%s) receive each bind too:\n"
			"  every docker cp copies the copies.\n",
			loop->group, loop->fed_by, loop->nested, loop->inner);
	else
		fprintf(out, "  the container's namespace receives each of those binds on every copy of its root.\n");
	if (gr->steps >= 2 && !mw_same_factor(gr->step_lo, gr->step_hi))
		fprintf(out, "  Growth per docker cp: x%.2f to x%.2f (the growth history above).\n",
			gr->step_lo, gr->step_hi);
	else if (gr->steps)
		fprintf(out, "  Growth per docker cp: x%.2f (the growth history above).\n",
			gr->step);
	if (c->in->rt)
		print_version(out, c->in->rt);
}

static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	(void)c;
	mw_plan_note(plan, "Upgrade docker to 24.0 or later; until then, do not docker cp into a container that has /\n"
		     "    (or the directory holding docker's data) as a volume, or give that volume rslave or\n"
		     "    rprivate propagation.");
	return false;	/* no command proven in place yet */
}

const struct mw_story mw_story_docker_cp = {
	.name = "docker-cp",
	.slot = MW_SLOT_PATTERN,
	.names_caller = true,
	.match = match,
	.print = print,
	.plan = plan,
};
