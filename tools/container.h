/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A container as its runtime names it, and the runtimes' daemons with what
 * was read of their state: the data the registry (runtime.h) and each
 * runtime's file (rt_ops.h) share. Declarations only.
 */
#ifndef MNTWATCH_CONTAINER_H
#define MNTWATCH_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include "util.h"

struct mw_container {
	char id[MW_ID_LEN];		/* "" unknown */
	char runtime[16];		/* docker, podman, containerd, crio */
	char name[MW_NAME_LEN];		/* "" when the runtime has none */
	char image[MW_NAME_LEN];
	char pod_namespace[MW_NAME_LEN], pod_name[MW_NAME_LEN];
	char ctr_namespace[64];		/* containerd's: k8s.io, moby, default */
	char pod_uid[MW_UID_LEN];	/* from the cgroup, else its runtime */
	char kube_name[MW_NAME_LEN];	/* its name in the pod spec; "" */
	char kind[16];			/* CRI's: sandbox or container; "" */
	char sandbox[MW_ID_LEN];	/* its sandbox's id (podman: its pod's) */
	int64_t attempt;		/* restart attempt; if has_attempt */
	bool has_attempt;
	const char *source;		/* the file that named it; NULL */
};

/* A runtime daemon's version, and how it was read or why it was not. */
struct mw_version {
	bool read;
	char version[64];		/* upstream, "20.10.24"; "" unknown */
	char how[MW_PATH_LEN + 160];
};

struct mw_runtime_ops;			/* rt_ops.h */

/* One runtime of the registry (rt_list.h) and where its state lives. */
struct mw_daemon {
	const struct mw_runtime_ops *ops;
	int pid;			/* lowest pid of the daemon, 0 if none */
	char root[MW_CGPATH_LEN];	/* <proc>/<pid or 1>/root */
	char dir[MW_CGPATH_LEN];	/* data-root, state, graphroot */
	char dir2[MW_CGPATH_LEN];	/* runroot */
	void *priv;			/* what the runtime read once */
	char *db;			/* its state database (bbolt), */
	size_t db_len;			/* read once a run: mw_daemon_db() */
	bool db_read;
	struct mw_version version;
};

enum {
#define MW_RUNTIME(name) MW_RT_##name,
#include "rt_list.h"
#undef MW_RUNTIME
	MW_NRUNTIMES
};

struct mw_named;

struct mw_runtimes {
	const char *procdir;
	bool located;
	struct mw_daemon daemons[MW_NRUNTIMES];	/* in rt_list.h's order */
	struct mw_named **named;	/* what events' strings named */
	int nnamed;
	/* mw_docker_version()'s, until explain asks mw_runtime_version() */
	char docker_version[64];
	char docker_how[MW_PATH_LEN + 160];
};

#endif
