/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the plans that act on mounts read from a namespace's mountinfo: how
 * many mounts sit at or under a path, and whether they still propagate.
 */
#ifndef MNTWATCH_MOUNT_PLAN_H
#define MNTWATCH_MOUNT_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include "loops.h"

/* Mounts at @path exactly, or at and under it if @under. Paths unescaped. */
int64_t mw_mounts_at(const struct mw_mountinfo *mi, const char *path,
		     bool under);
/* Whether no mount at or under @path is shared or a slave. */
bool mw_mounts_private(const struct mw_mountinfo *mi, const char *path);
/* Whether @path needs no quoting in a shell or awk and no mountinfo escape. */
bool mw_plain_path(const char *path);
/* The mountinfo of @pid (0: self) under @procdir; false if unreadable. */
bool mw_mountinfo_of(const char *procdir, int pid, struct mw_mountinfo *mi);

#endif
