// SPDX-License-Identifier: GPL-2.0
/*
 * A namespace that is just big: it reached fs.mount-max with mounts of its
 * own, no loop multiplying it and the limit not lowered. If the mounts are
 * legitimate, the limit is what to change.
 */
#include <inttypes.h>
#include "../limit_plan.h"
#include "../story.h"

static bool match(const struct mw_case *c)
{
	return !mw_event_is_nscount(c->ev) && c->factor < MW_STEP_FACTOR &&
	       !mw_case_has(c, &mw_story_docker_cp) &&
	       !mw_case_has(c, &mw_story_restart_loop) &&
	       !mw_case_has(c, &mw_story_loop_in_place) &&
	       !mw_case_has(c, &mw_story_lowered_limit);
}

/* Raise the limit with room to grow, now and at boot. */
static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	const struct mw_event *ev = c->ev;
	int64_t to = mw_headroom(c->need, ev->max);
	char why[MW_PLAN_LEN];

	snprintf(why, sizeof(why), "raises fs.mount-max from %" PRId64 " to %" PRId64 ": namespace %" PRIu64 " needed %" PRId64 " mounts,\n"
		 "this leaves room for half again as many; unmounts and stops nothing; costs kernel\n"
		 "memory only as namespaces fill, and a loop would fill more before it fails",
		 ev->max, to, ev->failing_ns, c->need);
	mw_plan_sysctl(plan, c->in, "fs.mount-max", to, why);
	mw_plan_boot_set(plan, c->in, "fs.mount-max", to, MW_DEFAULT_MOUNT_MAX);
	snprintf(plan->done, sizeof(plan->done), "fs.mount-max is %" PRId64 " or more now and at boot",
		 to);
	return true;
}

const struct mw_story mw_story_big_namespace = {
	.name = "big-namespace",
	.slot = MW_SLOT_PATTERN,
	.match = match,
	.plan = plan,
};
