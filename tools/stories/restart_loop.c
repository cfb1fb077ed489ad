// SPDX-License-Identifier: GPL-2.0
/*
 * A restart loop through a shared host directory: each container start
 * with an rshared (Kubernetes: Bidirectional) volume bound inside itself
 * copies the host's mounts into the container and back, so the host's
 * namespace multiplies on every start (podman, ctr, a pod's volume).
 */
#include "../story.h"

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

/* Not yet: the commands that collapse the host's copies are being proven. */
static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	/* what it would give back is the namespace that multiplied */
	if (c->grown)
		plan->ns = c->grown->ns;
	return false;
}

const struct mw_story mw_story_restart_loop = {
	.name = "restart-loop",
	.slot = MW_SLOT_GROWTH,
	.match = match,
	.print = print,
	.plan = plan,
};
