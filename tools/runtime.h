/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Containers as their runtime names them, from its state on disk
 * (runtime.c).
 */
#ifndef MNTWATCH_RUNTIME_H
#define MNTWATCH_RUNTIME_H

#include <stdbool.h>
#include "cgroup.h"
#include "json.h"
#include "util.h"

struct mw_container {
	char id[MW_ID_LEN];		/* "" unknown */
	char runtime[16];		/* docker, podman, containerd, crio */
	char name[MW_NAME_LEN];		/* "" when the runtime has none */
	char image[MW_NAME_LEN];
	char pod_namespace[MW_NAME_LEN], pod_name[MW_NAME_LEN];
	char ctr_namespace[64];		/* containerd's: k8s.io, moby, default */
	char pod_uid[MW_UID_LEN];	/* from the cgroup */
	const char *source;		/* the file that named it; NULL */
};

struct mw_daemon {
	int pid;			/* lowest pid of the daemon, 0 if none */
	char root[MW_CGPATH_LEN];	/* <proc>/<pid or 1>/root */
	char dir[MW_CGPATH_LEN];	/* data-root, state, graphroot */
	char dir2[MW_CGPATH_LEN];	/* runroot */
};

struct mw_layer {
	char layer[MW_ID_LEN];		/* docker's overlay2/<mount-id> */
	char id[MW_ID_LEN];		/* its container */
};

struct mw_named;

struct mw_runtimes {
	const char *procdir;
	bool located;
	struct mw_daemon docker, containerd, podman, crio;
	struct mw_layer *layers;	/* sorted by layer */
	int nlayers;
	bool layers_read;
	struct mw_json storage;		/* containers.json */
	char *storage_text;
	int storage_state;		/* 0 unread, 1 read, -1 unreadable */
	struct mw_named **named;	/* what events' strings named */
	int nnamed;
	bool version_read;
	char docker_version[64];	/* upstream, "20.10.24"; "" unknown */
	char docker_how[MW_PATH_LEN + 160];	/* how it was read, or not */
};

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
void mw_docker_version(struct mw_runtimes *rt);
int mw_version_at_least(const char *version, int major, int minor);

#endif
