// SPDX-License-Identifier: GPL-2.0
/*
 * A shared tree bound inside itself (mount --rbind dir dir/sub, a volume
 * with shared propagation mounted under its own source): every mount on it
 * lands on each copy, so the namespace multiplies in place.
 */
#include "../story.h"

static bool match(const struct mw_case *c)
{
	return !mw_event_is_nscount(c->ev) &&
	       !mw_case_has(c, &mw_story_docker_cp) &&
	       (c->pending_decides || c->self_loop || c->live_loop);
}

static void plan(const struct mw_case *c, struct mw_plan *plan)
{
	(void)c;
	mw_plan_note(plan, "Stop the loop: make the bind source private, slave or unbindable before mounting it\n"
		     "    inside itself (mount --make-rslave /path; a container's volume propagation rslave or\n"
		     "    private, not rshared).");
}

const struct mw_story mw_story_loop_in_place = {
	.name = "loop-in-place",
	.slot = MW_SLOT_PATTERN,
	.match = match,
	.plan = plan,
};
