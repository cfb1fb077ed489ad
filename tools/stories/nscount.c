// SPDX-License-Identifier: GPL-2.0
/*
 * user.max_mnt_namespaces: ENOSPC from creating a mount namespace, not from
 * mounting. No namespace had too many mounts; a user had too many
 * namespaces.
 */
#include <inttypes.h>
#include "../limit_plan.h"
#include "../story.h"
#include "../util.h"

static bool match(const struct mw_case *c)
{
	return mw_event_is_nscount(c->ev);
}

static void print(FILE *out, const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;
	char when[64], ago[32], comm[MW_COMM_LEN];

	mw_format_time(when, sizeof(when), ev->time_us);
	mw_format_ago(ago, sizeof(ago), ev->time_us, c->in->now_us);
	mw_sanitize(comm, sizeof(comm), ev->comm);
	fprintf(out, "Last failure, %s (%s):\n  %s (pid %" PRId64 ") could not create a mount namespace (unshare, clone or\n"
		"  open_tree with a new namespace), called from ", when, ago, comm,
		ev->pid);
	mw_print_ns_at(out, c->in, ev->caller_ns, ev->time_us);
	fprintf(out, ".\n\nLimit: user.max_mnt_namespaces = %" PRId64 " mount namespaces per user, in user namespace %" PRId64 ".\n",
		ev->max, ev->userns);
	fprintf(out, "  This is not fs.mount-max: no namespace had too many mounts, there were too many namespaces.\n");
	if (ev->ns_count != MW_NONE)
		fprintf(out, "  %" PRId64 " namespaces were charged to the caller's user there: %" PRId64 " >= %" PRId64 ".\n",
			ev->ns_count, ev->ns_count, ev->max);
	fprintf(out, "\nWhat to do:\n"
		"  - If that many namespaces are expected, raise the limit: sysctl -w user.max_mnt_namespaces=N\n"
		"    with N > %" PRId64 " (in user namespace %" PRId64 "; each user namespace has its own).\n"
		"  - Otherwise find who creates namespaces and keeps them: mntwatch ns lists every namespace\n"
		"    with who lives in it (lsns -t mnt shows the same from /proc).\n",
		ev->ns_count != MW_NONE ? ev->ns_count : ev->max, ev->userns);
	mw_explain_plan(out, c);
}

/* The initial user namespace's inode number (PROC_USER_INIT_INO). */
#define INIT_USER_NS	4026531837ULL

/* Raise the limit of the initial user namespace: the one sysctl -w sets. */
static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	const struct mw_event *ev = c->ev;
	int64_t had = ev->ns_count != MW_NONE ? ev->ns_count : ev->max;
	int64_t to = mw_headroom(had + 1, ev->max);
	int64_t now = mw_sysctl_now(c->in->procdir, "user.max_mnt_namespaces");
	char why[MW_PLAN_LEN];

	if (ev->userns != (int64_t)INIT_USER_NS)
		return false;	/* each user namespace has its own, set inside it */
	snprintf(why, sizeof(why), "raises user.max_mnt_namespaces from %" PRId64 " to %" PRId64 ": the user had %" PRId64 " mount namespaces,\n"
		 "this leaves room for half again as many; stops nothing; costs only what more\n"
		 "namespaces would hold",
		 ev->max, to, had);
	mw_plan_sysctl(plan, c->in, "user.max_mnt_namespaces", to, why);
	mw_plan_boot_set(plan, c->in, "user.max_mnt_namespaces", to,
			 now != MW_NONE ? now : ev->max);
	snprintf(plan->done, sizeof(plan->done), "user.max_mnt_namespaces is %" PRId64 " or more now", to);
	return true;
}

const struct mw_story mw_story_nscount = {
	.name = "namespace-count",
	.slot = MW_SLOT_WHOLE,
	.match = match,
	.print = print,
	.plan = plan,
};
