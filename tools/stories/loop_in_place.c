// SPDX-License-Identifier: GPL-2.0
/*
 * A shared tree bound inside itself (mount --rbind dir dir/sub, a volume
 * with shared propagation mounted under its own source): every mount on it
 * lands on each copy, so the namespace multiplies in place.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "../story.h"
#include "../util.h"
#include "../who.h"

static bool match(const struct mw_case *c)
{
	return !mw_event_is_nscount(c->ev) &&
	       !mw_case_has(c, &mw_story_docker_cp) &&
	       (c->pending_decides || c->self_loop || c->live_loop);
}

/*
 * A loop made inside a container's own namespace goes with it: a restart
 * gives a fresh one. Not the host's, held by pid 1: that is a reboot.
 */
static void restart_note(const struct mw_case *c, struct mw_plan *plan)
{
	const struct mw_who *holder = c->holder;
	char comm[MW_COMM_LEN], *pids = NULL;
	size_t len = 0;
	FILE *out;

	if (!c->now || mw_is_gone(c->now) || !holder || !holder->npids ||
	    holder->host)
		return;
	out = open_memstream(&pids, &len);
	if (!out)
		return;
	mw_print_pids(out, holder);
	fclose(out);
	mw_sanitize(comm, sizeof(comm), holder->comm);
	mw_plan_note(plan, "Restart what holds namespace %" PRIu64 " (%s %s) to free its %" PRId64 " mounts.",
		     c->ev->failing_ns, pids, comm, c->now->mounts);
	free(pids);
}

static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	mw_plan_note(plan, "Stop the loop: make the bind source private, slave or unbindable before mounting it\n"
		     "    inside itself (mount --make-rslave /path; a container's volume propagation rslave or\n"
		     "    private, not rshared).");
	restart_note(c, plan);
	return false;	/* no command proven in place yet */
}

const struct mw_story mw_story_loop_in_place = {
	.name = "loop-in-place",
	.slot = MW_SLOT_PATTERN,
	.match = match,
	.plan = plan,
};
