// SPDX-License-Identifier: GPL-2.0
/*
 * A foreign namespace: the caller's mount propagated into another
 * namespace (a peer or slave of its target) and failed there, so ENOSPC
 * reached a process whose own namespace is not full.
 */
#include <inttypes.h>
#include "../story.h"

static bool match(const struct mw_case *c)
{
	return !mw_event_is_nscount(c->ev) &&
	       c->ev->caller_ns != c->ev->failing_ns &&
	       !mw_case_has(c, &mw_story_docker_cp);
}

static void print(FILE *out, const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;

	fprintf(out, "\nForeign namespace: the caller lives in ");
	mw_print_ns_at(out, c->in, ev->caller_ns, ev->time_us);
	fprintf(out, ",\n  not in %" PRIu64 ": its mount propagated into %" PRIu64 " (a peer or slave of the\n"
		"  target) and failed there, so ENOSPC reached a process whose own namespace is not full.\n",
		ev->failing_ns, ev->failing_ns);
}

const struct mw_story mw_story_foreign = {
	.name = "foreign-namespace",
	.slot = MW_SLOT_PATTERN,
	.match = match,
	.print = print,
};
