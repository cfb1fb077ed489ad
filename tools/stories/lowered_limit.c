// SPDX-License-Identifier: GPL-2.0
/*
 * A lowered limit: fs.mount-max set far below the kernel's default (the
 * seed's first symptom: 10), so that a host or container with an ordinary
 * number of mounts cannot mount one more. Nothing grew; the limit is too
 * small. Restarting what holds the namespace would not help (for the
 * host's, it is a reboot); restoring the limit does.
 */
#include <inttypes.h>
#include "../limit_plan.h"
#include "../story.h"
#include "../sysctl_conf.h"

static bool match(const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;

	return !mw_event_is_nscount(ev) && ev->max > 0 &&
	       ev->max * 10 <= c->prior_max && c->need <= MW_NORMAL_MOUNTS &&
	       c->factor < MW_STEP_FACTOR &&
	       !mw_case_has(c, &mw_story_docker_cp) &&
	       !mw_case_has(c, &mw_story_restart_loop) &&
	       !mw_case_has(c, &mw_story_loop_in_place);
}

/* The file and line that set the low value at boot. */
static bool boot_setting(const struct mw_case *c, struct mw_sysctl_set *set)
{
	return c->in->sysroot &&
	       mw_sysctl_setting(c->in->sysroot, "fs.mount-max", set);
}

static void print(FILE *out, const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;
	const struct mw_who *who = c->holder;
	struct mw_sysctl_set set;

	fprintf(out, "  The limit was lowered: %" PRId64 " is far below ", ev->max);
	if (c->prior_max == MW_DEFAULT_MOUNT_MAX)
		fprintf(out, "the kernel's default of %d", MW_DEFAULT_MOUNT_MAX);
	else
		fprintf(out, "the %" PRId64 " the module saw before", c->prior_max);
	fprintf(out, ", and %" PRId64 " mounts are\n  an ordinary number for a %s: nothing multiplied them, no loop is there. The namespace\n"
		"  is not too big, the limit is too small: freeing mounts would not help.\n",
		ev->mounts, who && who->host ? "host" : "namespace");
	if (!c->in->sysroot)
		return;
	if (boot_setting(c, &set))
		fprintf(out, "  %s line %d sets fs.mount-max = %s at every boot.\n",
			set.file, set.line, set.value);
	else
		fprintf(out, "  No sysctl.d file or /etc/sysctl.conf sets fs.mount-max: something set it since boot.\n");
}

/* Restore the limit now and take the low value out of the boot files. */
static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	const struct mw_event *ev = c->ev;
	char why[MW_PLAN_LEN], before[96];

	if (c->prior_max == MW_DEFAULT_MOUNT_MAX)
		snprintf(before, sizeof(before), "the kernel's default %d",
			 MW_DEFAULT_MOUNT_MAX);
	else
		snprintf(before, sizeof(before), "%" PRId64 ", what the module saw before it was lowered",
			 c->prior_max);
	snprintf(why, sizeof(why), "restores fs.mount-max from %" PRId64 " to %s, so that namespace\n"
		 "%" PRIu64 "'s %" PRId64 " mounts fit again; unmounts and stops nothing, costs nothing",
		 ev->max, before, ev->failing_ns, c->need);
	mw_plan_sysctl(plan, c->in, "fs.mount-max", c->prior_max, why);
	mw_plan_boot_restore(plan, c->in, "fs.mount-max", c->prior_max);
	snprintf(plan->done, sizeof(plan->done), "fs.mount-max is %" PRId64 " or more now, and no file read at boot lowers it",
		 c->prior_max);
	return true;
}

const struct mw_story mw_story_lowered_limit = {
	.name = "lowered-limit",
	.slot = MW_SLOT_LIMIT,
	.owns_limit = true,
	.match = match,
	.print = print,
	.plan = plan,
};
