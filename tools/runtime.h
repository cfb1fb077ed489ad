/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Containers as their runtime names them, from its state on disk: the
 * registry of runtimes (runtime.c over registry.c and rt_*.c).
 */
#ifndef MNTWATCH_RUNTIME_H
#define MNTWATCH_RUNTIME_H

#include <stdbool.h>
#include "cgroup.h"
#include "container.h"

void mw_runtimes_init(struct mw_runtimes *rt, const char *procdir);
void mw_runtimes_free(struct mw_runtimes *rt);
bool mw_runtime_lookup(struct mw_runtimes *rt, const char *runtime,
		       const char *id, struct mw_container *c);
bool mw_runtime_from_cgroup(struct mw_runtimes *rt,
			    const struct mw_cgroup_info *cg,
			    struct mw_container *c);
bool mw_runtime_by_path(struct mw_runtimes *rt, const char *path,
			struct mw_container *c);
const struct mw_container *mw_cgroup_container(struct mw_runtimes *rt,
						const char *cgroup);
const struct mw_container *mw_path_container(struct mw_runtimes *rt,
					     const char *path);
const struct mw_version *mw_runtime_version(struct mw_runtimes *rt,
					    const char *name);
void mw_docker_version(struct mw_runtimes *rt);
int mw_version_at_least(const char *version, int major, int minor);

#endif
