// SPDX-License-Identifier: GPL-2.0
/*
 * fix --apply's checks (fix.h). A step is refused when its process left
 * its namespace or died, its path is no mount any more, or the line it
 * edits changed: the plan was made from a node that is no longer there.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fix.h"
#include "limit_plan.h"
#include "loops.h"
#include "mount_plan.h"
#include "sysctl_conf.h"
#include "util.h"
#include "who.h"

/* Whether line @line of @file sets @key, and to what (MW_NONE: not). */
static int64_t conf_line(const char *sysroot, const char *file, int line,
			 const char *key)
{
	struct mw_sysctl_set sets[MW_SYSCTL_SETS];
	int i, n = mw_sysctl_settings(sysroot, key, sets, MW_SYSCTL_SETS);

	for (i = 0; i < n; i++)
		if (!strcmp(sets[i].file, file) && sets[i].line == line)
			return strtoll(sets[i].value, NULL, 10);
	return MW_NONE;
}

static bool conf_check(const struct mw_fix *fix, const char *sysroot,
		       char *err, size_t errlen)
{
	char path[2 * MW_PLAN_PATH];

	if (!fix->line) {
		snprintf(path, sizeof(path), "%s%s", sysroot, fix->file);
		if (access(path, F_OK))
			return true;
		snprintf(err, errlen, "%s exists now: it was not there when the plan was made",
			 fix->file);
		return false;
	}
	if (conf_line(sysroot, fix->file, fix->line, fix->key) == fix->from)
		return true;
	snprintf(err, errlen, "%s line %d no longer sets %s = %" PRId64,
		 fix->file, fix->line, fix->key, fix->from);
	return false;
}

static bool mount_check(const struct mw_fix *fix, const char *procdir,
			char *err, size_t errlen)
{
	char path[MW_PATH_LEN], link[MW_PATH_LEN], want[64];
	ssize_t n;

	struct mw_mountinfo mi;
	bool mounted;

	if (fix->pid == 1 || fix->pid < 0) {
		snprintf(err, errlen, "pid %d: mntwatch acts through no process but one in the namespace, never pid 1",
			 fix->pid);
		return false;
	}
	if (fix->pid == MW_FIX_SELF)
		snprintf(path, sizeof(path), "%s/self/ns/mnt", procdir);
	else
		snprintf(path, sizeof(path), "%s/%d/ns/mnt", procdir, fix->pid);
	snprintf(want, sizeof(want), "mnt:[%" PRIu64 "]", fix->ns);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 || (link[n] = '\0', strcmp(link, want))) {
		if (fix->pid == MW_FIX_SELF)
			snprintf(err, errlen, "this shell does not live in mount namespace %" PRIu64,
				 fix->ns);
		else
			snprintf(err, errlen, "pid %d no longer lives in mount namespace %" PRIu64,
				 fix->pid, fix->ns);
		return false;
	}
	mounted = mw_mountinfo_of(procdir, fix->pid, &mi) &&
		  mw_mounts_at(&mi, fix->path, false) > 0;
	mw_mountinfo_free(&mi);
	if (!mounted) {
		snprintf(err, errlen, "%s is no longer a mount in namespace %" PRIu64,
			 fix->path, fix->ns);
		return false;
	}
	return true;
}

bool mw_fix_check(const struct mw_fix *fix, const char *procdir,
		  const char *sysroot, char *err, size_t errlen)
{
	switch (fix->kind) {
	case MW_FIX_SYSCTL:
		if (mw_sysctl_now(procdir, fix->key) != MW_NONE)
			return true;
		snprintf(err, errlen, "cannot read %s under %s/sys", fix->key,
			 procdir);
		return false;
	case MW_FIX_CONF:
		return conf_check(fix, sysroot, err, errlen);
	case MW_FIX_MOUNT:
		return mount_check(fix, procdir, err, errlen);
	}
	return false;
}

int64_t mw_fix_measure(const struct mw_fix *fix, const char *procdir)
{
	struct mw_mountinfo mi;
	int64_t n;

	if (fix->kind != MW_FIX_MOUNT || !mw_mountinfo_of(procdir, fix->pid, &mi))
		return MW_NONE;
	n = mw_mounts_at(&mi, fix->path, true);
	mw_mountinfo_free(&mi);
	return n;
}

static bool mount_helped(const struct mw_fix *fix, const char *procdir,
			 int64_t before, char *err, size_t errlen)
{
	struct mw_mountinfo mi;
	int64_t now = mw_fix_measure(fix, procdir);
	bool private;

	if (fix->expect == MW_EXPECT_FEWER) {
		if (now != MW_NONE && now < before)
			return true;
		snprintf(err, errlen, "%" PRId64 " mounts at and under %s in namespace %" PRIu64 ", %" PRId64 " before",
			 now, fix->path, fix->ns, before);
		return false;
	}
	private = mw_mountinfo_of(procdir, fix->pid, &mi) &&
		  mw_mounts_private(&mi, fix->path);
	mw_mountinfo_free(&mi);
	if (!private)
		snprintf(err, errlen, "a mount at or under %s in namespace %" PRIu64 " still propagates",
			 fix->path, fix->ns);
	return private;
}

bool mw_fix_helped(const struct mw_fix *fix, const char *procdir,
		   const char *sysroot, int64_t before, char *err,
		   size_t errlen)
{
	int64_t now;

	switch (fix->kind) {
	case MW_FIX_SYSCTL:
		now = mw_sysctl_now(procdir, fix->key);
		if (now == fix->value)
			return true;
		snprintf(err, errlen, "%s is %" PRId64 ", not %" PRId64,
			 fix->key, now, fix->value);
		return false;
	case MW_FIX_CONF:
		now = conf_line(sysroot, fix->file, fix->line ? fix->line : 1,
				fix->key);
		if (now == fix->value)
			return true;
		snprintf(err, errlen, "%s line %d still sets %s = %" PRId64,
			 fix->file, fix->line ? fix->line : 1, fix->key, now);
		return false;
	case MW_FIX_MOUNT:
		return mount_helped(fix, procdir, before, err, errlen);
	}
	return false;
}
