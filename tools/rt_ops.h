/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a container runtime's file rt_NAME.c tells the registry: one struct
 * of operations, mw_rt_NAME, listed in rt_list.h.
 */
#ifndef MNTWATCH_RT_OPS_H
#define MNTWATCH_RT_OPS_H

#include <stdbool.h>
#include "container.h"

struct mw_runtime_ops {
	const char *name;		/* as RUNTIME shows it: docker, crio */
	/* commands whose lowest pid's root the state is read through */
	const char *const *daemons;
	/* systemd scope (or cgroupfs) prefixes before the id: "docker-" */
	const char *const *scopes;
	/* a cgroupfs parent directory holding ids: /docker/<id> */
	const char *cgroup_parent;
	/* where its state lives: fills d->dir, d->dir2 */
	void (*locate)(struct mw_runtimes *rt, struct mw_daemon *d);
	bool (*lookup)(struct mw_runtimes *rt, struct mw_daemon *d,
		       const char *id, struct mw_container *c);
	/* the container whose files @path lies in; NULL: none of its own */
	bool (*by_path)(struct mw_runtimes *rt, struct mw_daemon *d,
			const char *path, struct mw_container *c);
	/* a cgroup naming no id the registry recognises: ctr's /<ns>/<id> */
	bool (*by_cgroup)(struct mw_runtimes *rt, struct mw_daemon *d,
			  const char *cgpath, struct mw_container *c);
	/* the pod of Kubernetes uid @uid, where a container is gone; NULL */
	bool (*pod_by_uid)(struct mw_runtimes *rt, struct mw_daemon *d,
			   const char *uid, struct mw_container *c);
	/* the running daemon's version, read without asking it; NULL */
	void (*version)(struct mw_runtimes *rt, struct mw_daemon *d,
			struct mw_version *v);
	/* what it kept in d->priv */
	void (*free)(struct mw_daemon *d);
};

#define MW_RUNTIME(name) extern const struct mw_runtime_ops mw_rt_##name;
#include "rt_list.h"
#undef MW_RUNTIME

#endif
