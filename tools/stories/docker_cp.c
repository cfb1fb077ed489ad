// SPDX-License-Identifier: GPL-2.0
/*
 * docker cp into a container that receives every bind made on its root
 * file system: Docker before 24.0, with / (or a directory holding
 * /var/lib/docker) as a volume. Each docker cp copies the copies.
 */
#include <inttypes.h>
#include <string.h>
#include "../mount_plan.h"
#include "../runtime.h"
#include "../story.h"
#include "../util.h"
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
	const struct mw_version *v = mw_runtime_version(rt, "docker");
	int fixed = v->version[0] ? mw_version_at_least(v->version, 24, 0) : -1;

	if (fixed > 0)
		fprintf(out, "  This dockerd is %s (%s), which has the fix (moby PR #44210):\n"
			"  the bind did not come from its docker cp.\n",
			v->version, v->how);
	else if (!fixed)
		fprintf(out, "  This dockerd is %s (%s).\n"
			"  Docker 24.0 fixed it (moby PR #44210): docker cp works in a mount namespace of its own.\n",
			v->version, v->how);
	else
		fprintf(out, "  The version of dockerd is not known (%s);\n"
			"  Docker 24.0 fixed it (moby PR #44210): docker cp works in a mount namespace of its own.\n",
			v->how);
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

/*
 * The device number of the host's /, from pid 1's namespace as explain
 * read it already (one read a namespace), else from pid 1's mountinfo.
 */
static bool host_root_dev(const struct mw_case *c, char *dev, size_t len)
{
	const struct mw_procscan *scan = c->in->scan;
	const struct mw_mountinfo *mi = NULL;
	const struct mw_loops *loops;
	struct mw_mountinfo host = { 0 };
	int i;

	for (i = 0; scan && c->in->mounts_of && i < scan->nwho && !mi; i++)
		if (!scan->who[i].host ||
		    !c->in->mounts_of(c->in->mounts_ctx, scan->who[i].ns, &mi,
				      &loops))
			mi = NULL;
	if (!mi) {
		if (!mw_mountinfo_of(c->in->procdir, 1, &host))
			return false;
		mi = &host;
	}
	dev[0] = '\0';
	for (i = 0; i < mi->n && !dev[0]; i++)
		if (!strcmp(mi->mounts[i].mountpoint, "/"))
			snprintf(dev, len, "%s", mi->mounts[i].dev);
	mw_mountinfo_free(&host);
	return true;
}

/*
 * The volume whose source is the host's /: the shortest mountpoint but /
 * where a bind of the host's root file system sits (its root "/", its
 * device that of pid 1's /). docker cp stacks its copies there.
 */
static bool host_root_volume(const struct mw_case *c,
			     const struct mw_mountinfo *mi, char *vol,
			     size_t len)
{
	char dev[64] = "", point[MW_PATH_LEN];
	int i;

	if (!host_root_dev(c, dev, sizeof(dev)))
		return false;
	vol[0] = '\0';
	for (i = 0; i < mi->n; i++) {
		const struct mw_mount *m = &mi->mounts[i];

		mw_unescape(point, sizeof(point), m->mountpoint);
		if (!dev[0] || strcmp(m->dev, dev) || strcmp(m->root, "/") ||
		    !strcmp(point, "/"))
			continue;
		if (!vol[0] || strlen(point) < strlen(vol))
			snprintf(vol, len, "%s", point);
	}
	return vol[0] && mw_plain_path(vol);
}

static void plan_private(const struct mw_case *c, struct mw_plan *plan,
			 int pid, const char *name)
{
	struct mw_fix *fix = mw_plan_mount(plan, MW_EXPECT_PRIVATE, pid,
					   c->ev->failing_ns, "/");

	if (!fix)
		return;
	mw_fix_why(fix, "stops the doubling: the container's / private in its own namespace (%s, pid %d),\n"
		   "so dockerd's binds on its layer no longer reach it; the container keeps running",
		   name, pid);
	mw_fix_cmd(fix, "mount -N /proc/%d/ns/mnt --make-rprivate /", pid);
}

static void plan_unstack(const struct mw_case *c, struct mw_plan *plan,
			 int pid, const char *vol, int64_t stacked)
{
	struct mw_fix *fix = mw_plan_mount(plan, MW_EXPECT_FEWER, pid,
					   c->ev->failing_ns, vol);

	if (!fix)
		return;
	mw_fix_why(fix, "frees the %" PRId64 " mounts stacked at %s above the bottom one, with the copies nested in\n"
		   "them; the bottom one (the host's /, as the volume showed it) stays; the container keeps running",
		   stacked - 1, vol);
	mw_fix_cmd(fix, "while [ \"$(awk '$5 == \"%s\"' /proc/%d/mountinfo | wc -l)\" -gt 1 ]; do nsenter -t %d -p -- umount -N /proc/%d/ns/mnt -l %s; done",
		   vol, pid, pid, pid, vol);
}

/*
 * In place, the container running: its / made private stops dockerd's
 * binds from reaching it; the copies stacked on the volume of the host's
 * / come off, the one at the bottom stays (verified on docker.io 20.10.24).
 */
static bool plan(const struct mw_case *c, struct mw_plan *plan)
{
	const struct mw_who *who = c->holder;
	const struct mw_mountinfo *mi;
	const struct mw_loops *loops;
	char vol[MW_PATH_LEN], name[MW_NAME_LEN];
	int64_t stacked;

	mw_plan_note(plan, "Upgrade docker to 24.0 or later; until then, do not docker cp into a container that has /\n"
		     "    (or the directory holding docker's data) as a volume, or give that volume rslave or\n"
		     "    rprivate propagation.");
	if (!who || who->host || !who->npids || who->pids[0] <= 1 ||
	    !c->in->mounts_of ||
	    !c->in->mounts_of(c->in->mounts_ctx, c->ev->failing_ns, &mi, &loops) ||
	    !host_root_volume(c, mi, vol, sizeof(vol)))
		return false;
	snprintf(name, sizeof(name), "%s", who->ctr.name[0] ? who->ctr.name :
		 who->ctr.id[0] ? who->ctr.id : "the container");
	if (!mw_mounts_private(mi, "/"))
		plan_private(c, plan, who->pids[0], name);
	stacked = mw_mounts_at(mi, vol, false);
	if (stacked > 1)
		plan_unstack(c, plan, who->pids[0], vol, stacked);
	snprintf(plan->done, sizeof(plan->done), "the container's / propagates nothing and one mount is left at %s",
		 vol);
	return true;
}

const struct mw_story mw_story_docker_cp = {
	.name = "docker-cp",
	.slot = MW_SLOT_PATTERN,
	.names_caller = true,
	.match = match,
	.print = print,
	.plan = plan,
};
