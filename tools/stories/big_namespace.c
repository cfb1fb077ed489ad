// SPDX-License-Identifier: GPL-2.0
/*
 * A namespace that is just big: it reached fs.mount-max with mounts of its
 * own, no loop multiplying it and the limit not lowered. If the mounts are
 * legitimate, the limit is what to change.
 */
#include "../story.h"

static bool match(const struct mw_case *c)
{
	return !mw_event_is_nscount(c->ev) && c->factor < MW_STEP_FACTOR &&
	       !mw_case_has(c, &mw_story_docker_cp) &&
	       !mw_case_has(c, &mw_story_restart_loop) &&
	       !mw_case_has(c, &mw_story_loop_in_place) &&
	       !mw_case_has(c, &mw_story_lowered_limit);
}

const struct mw_story mw_story_big_namespace = {
	.name = "big-namespace",
	.slot = MW_SLOT_PATTERN,
	.match = match,
};
