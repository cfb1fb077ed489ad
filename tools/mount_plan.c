// SPDX-License-Identifier: GPL-2.0
/* What the plans that act on mounts read from mountinfo (mount_plan.h). */
#include <stdio.h>
#include <string.h>
#include "mount_plan.h"
#include "util.h"

static bool at_or_under(const char *mountpoint, const char *path, bool under)
{
	size_t n = strlen(path);

	if (!strcmp(mountpoint, path))
		return true;
	if (!under)
		return false;
	if (!strcmp(path, "/"))
		return true;
	return !strncmp(mountpoint, path, n) && mountpoint[n] == '/';
}

int64_t mw_mounts_at(const struct mw_mountinfo *mi, const char *path,
		     bool under)
{
	char point[MW_PATH_LEN];
	int64_t n = 0;
	int i;

	for (i = 0; i < mi->n; i++) {
		mw_unescape(point, sizeof(point), mi->mounts[i].mountpoint);
		n += at_or_under(point, path, under);
	}
	return n;
}

bool mw_mounts_private(const struct mw_mountinfo *mi, const char *path)
{
	char point[MW_PATH_LEN];
	int i;

	for (i = 0; i < mi->n; i++) {
		mw_unescape(point, sizeof(point), mi->mounts[i].mountpoint);
		if (at_or_under(point, path, true) &&
		    (mi->mounts[i].shared || mi->mounts[i].master))
			return false;
	}
	return true;
}

bool mw_plain_path(const char *path)
{
	return path[0] == '/' &&
	       strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789/._-+:@,=") == strlen(path);
}

bool mw_mountinfo_of(const char *procdir, int pid, struct mw_mountinfo *mi)
{
	char path[MW_PATH_LEN], *text;

	memset(mi, 0, sizeof(*mi));
	if (pid)
		snprintf(path, sizeof(path), "%s/%d/mountinfo", procdir, pid);
	else
		snprintf(path, sizeof(path), "%s/self/mountinfo", procdir);
	text = mw_read_file(path, NULL);
	if (!text)
		return false;
	return !mw_mountinfo_parse(mi, text);	/* it frees @text on failure */
}
