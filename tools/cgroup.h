/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The container, pod and unit a cgroup path names (cgroup.c).
 */
#ifndef MNTWATCH_CGROUP_H
#define MNTWATCH_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct mw_cgroup_info {
	char container[MW_ID_LEN];	/* full id, "" if none */
	char runtime[16];		/* docker, containerd, crio, podman, "" */
	char pod[MW_UID_LEN];		/* pod uid with dashes, "" if none */
	char unit[MW_UNIT_LEN];		/* innermost systemd .service/.scope */
	char path[MW_CGPATH_LEN];	/* the cgroup v2 path, else the first */
};

void mw_cgroup_parse(const char *cgroup_file, struct mw_cgroup_info *info);
void mw_cgroup_path_parse(const char *path, struct mw_cgroup_info *info);
bool mw_is_container_id(const char *s);
bool mw_is_container_id_n(const char *s, size_t len);

#endif
