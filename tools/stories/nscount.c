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

/*
 * The limit of the initial user namespace, the one sysctl -w sets: back to
 * the kernel's default (threads-max / 2, kernel/fork.c) when it was set
 * below it, else raised with room to grow.
 */
static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	const struct mw_event *ev = c->ev;
	const char *key = "user.max_mnt_namespaces";
	int64_t had = ev->ns_count != MW_NONE ? ev->ns_count : ev->max;
	int64_t threads = mw_sysctl_now(c->in->procdir, "kernel.threads-max");
	int64_t now = mw_sysctl_now(c->in->procdir, key);
	int64_t def = threads != MW_NONE ? threads / 2 : MW_NONE;
	bool lowered = def != MW_NONE && ev->max < def;
	int64_t to = lowered ? def : mw_headroom(had + 1, ev->max);
	char why[MW_PLAN_LEN];

	if (ev->userns != (int64_t)INIT_USER_NS)
		return false;	/* each user namespace has its own, set inside it */
	if (lowered)
		snprintf(why, sizeof(why), "restores %s from %" PRId64 " to the kernel's default %" PRId64 " (threads-max / 2):\n"
			 "the user had %" PRId64 " mount namespaces; stops nothing, costs nothing",
			 key, ev->max, to, had);
	else
		snprintf(why, sizeof(why), "raises %s from %" PRId64 " to %" PRId64 ": the user had %" PRId64 " mount namespaces,\n"
			 "this leaves room for half again as many; stops nothing; costs only what more\n"
			 "namespaces would hold", key, ev->max, to, had);
	mw_plan_sysctl(plan, c->in, key, to, why);
	if (lowered)
		mw_plan_boot_restore(plan, c->in, key, to);
	else
		mw_plan_boot_set(plan, c->in, key, to, now != MW_NONE ? now : ev->max);
	snprintf(plan->done, sizeof(plan->done), "%s is %" PRId64 " or more now%s", key, to,
		 lowered ? ", and no file read at boot lowers it" : "");
	return true;
}

const struct mw_story mw_story_nscount = {
	.name = "namespace-count",
	.slot = MW_SLOT_WHOLE,
	.match = match,
	.print = print,
	.plan = plan,
};
