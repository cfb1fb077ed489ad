// SPDX-License-Identifier: GPL-2.0
/*
 * containerd: each task's OCI bundle <state>/io.containerd.runtime.v2.task/
 * <namespace>/<id>/config.json, with the CRI plugin's annotations in the
 * k8s.io namespace (oci_bundle.c); the CRI plugin's sandbox directories
 * under <root> and <state>; ctr's containers live in a cgroup
 * /<namespace>/<id> whose id may have any shape. The CRI's attempt is only
 * in containerd's metadata store (cri_meta.c), read once a run.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "cri_meta.h"
#include "oci_bundle.h"
#include "rootfs.h"
#include "rt_ops.h"

static const char *const task_dir = "io.containerd.runtime.v2.task";
static const char *const meta_db = "io.containerd.metadata.v1.bolt/meta.db";

static void containerd_locate(struct mw_runtimes *rt, struct mw_daemon *d)
{
	char conf[MW_PATH_LEN] = "/etc/containerd/config.toml", *text;
	size_t len = 0;
	bool state, root;
	char *cmdline;

	mw_copy(d->dir, sizeof(d->dir), "/run/containerd");
	mw_copy(d->dir2, sizeof(d->dir2), "/var/lib/containerd");
	cmdline = mw_daemon_cmdline(rt, d, &len);
	state = cmdline && mw_cmdline_opt(cmdline, len, "--state", NULL, d->dir,
					  sizeof(d->dir));
	root = cmdline && mw_cmdline_opt(cmdline, len, "--root", NULL, d->dir2,
					 sizeof(d->dir2));
	if (cmdline)
		mw_cmdline_opt(cmdline, len, "--config", "-c", conf, sizeof(conf));
	free(cmdline);
	text = state && root ? NULL : mw_read_in(d->root, conf, NULL);
	if (text && !state && !mw_toml_string(text, "", "state", d->dir, sizeof(d->dir)))
		mw_copy(d->dir, sizeof(d->dir), "/run/containerd");
	if (text && !root && !mw_toml_string(text, "", "root", d->dir2, sizeof(d->dir2)))
		mw_copy(d->dir2, sizeof(d->dir2), "/var/lib/containerd");
	free(text);
}

/*
 * The CRI's own record of @id in containerd's metadata (a container gone
 * from disk has one until it is removed): its attempt, and its name in
 * the pod spec and kind where nothing named them.
 */
static void cri_record(struct mw_daemon *d, const char *id,
		       struct mw_container *c)
{
	struct mw_cri_meta m;
	char path[MW_PATH_LEN];
	const char *db;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", d->dir2, meta_db);
	db = mw_daemon_db(d, path, &len);
	if (!db || !mw_cri_meta(db, len, id, &m))
		return;
	c->attempt = m.attempt;
	c->has_attempt = true;
	if (!c->kind[0])
		mw_copy(c->kind, sizeof(c->kind), m.kind);
	if (strcmp(m.kind, "container"))
		return;
	if (!c->kube_name[0])
		mw_copy(c->kube_name, sizeof(c->kube_name), m.name);
	if (!c->name[0])
		mw_copy(c->name, sizeof(c->name), c->kube_name);
}

/* The task @id of containerd's namespace @ns, from its bundle. */
static bool task_lookup(struct mw_daemon *d, const char *ns, const char *id,
			struct mw_container *c)
{
	char path[MW_PATH_LEN];

	if (!mw_path_component(ns) || !mw_path_component(id))
		return false;
	snprintf(path, sizeof(path), "%s/%s/%s/%s/config.json", d->dir,
		 task_dir, ns, id);
	if (!mw_bundle_read(d->root, path, c))
		return false;
	mw_copy(c->id, sizeof(c->id), id);
	mw_copy(c->runtime, sizeof(c->runtime), "containerd");
	mw_copy(c->ctr_namespace, sizeof(c->ctr_namespace), ns);
	if (!strcmp(ns, "k8s.io"))
		cri_record(d, id, c);
	return true;
}

/* by id alone: each of containerd's namespaces (k8s.io, moby, ...) */
static bool containerd_lookup(struct mw_runtimes *rt, struct mw_daemon *d,
			      const char *id, struct mw_container *c)
{
	char path[MW_PATH_LEN];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	(void)rt;
	if (!mw_path_component(id))
		return false;
	snprintf(path, sizeof(path), "%s/%s", d->dir, task_dir);
	dir = mw_opendir_in(d->root, path);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			found = task_lookup(d, de->d_name, id, c);
	closedir(dir);
	return found;
}

/*
 * The CRI plugin's directory of a sandbox, under containerd's root or
 * state: <dir>/io.containerd.grpc.v1.cri/sandboxes/<id>/ (its shm, mounted
 * before any task, its hostname and resolv.conf). A sandbox whose start
 * failed is gone from disk at once: then its id alone, and no source.
 */
static bool cri_sandbox(struct mw_daemon *d, const char *dir, const char *path,
			struct mw_container *c)
{
	char sandboxes[MW_PATH_LEN], id[MW_ID_LEN];

	snprintf(sandboxes, sizeof(sandboxes),
		 "%s/io.containerd.grpc.v1.cri/sandboxes", dir);
	if (!mw_entry_under(path, sandboxes, id, sizeof(id)) ||
	    !mw_is_container_id(id))
		return false;
	if (!task_lookup(d, "k8s.io", id, c)) {
		mw_copy(c->id, sizeof(c->id), id);
		mw_copy(c->runtime, sizeof(c->runtime), "containerd");
		mw_copy(c->ctr_namespace, sizeof(c->ctr_namespace), "k8s.io");
	}
	mw_copy(c->kind, sizeof(c->kind), "sandbox");
	return true;
}

/* <state>/io.containerd.runtime.v2.task/<ns>/<id>/...: its bundle */
static bool containerd_by_path(struct mw_runtimes *rt, struct mw_daemon *d,
			       const char *path, struct mw_container *c)
{
	char dir[MW_PATH_LEN], ns[MW_ID_LEN], entry[MW_ID_LEN];

	(void)rt;
	if (cri_sandbox(d, d->dir2, path, c) || cri_sandbox(d, d->dir, path, c))
		return true;
	snprintf(dir, sizeof(dir), "%s/%s", d->dir, task_dir);
	if (!mw_entry_under(path, dir, ns, sizeof(ns)))
		return false;
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", ns);
	return mw_entry_under(path, dir, entry, sizeof(entry)) &&
	       task_lookup(d, ns, entry, c);
}

/*
 * ctr's container: a cgroup of exactly two components, /<namespace>/<id>.
 * Its task gone (the bundle with it), but the namespace one of
 * containerd's, the cgroup still names the container: id and runtime are
 * filled and false returned.
 */
static bool containerd_by_cgroup(struct mw_runtimes *rt, struct mw_daemon *d,
				 const char *cgpath, struct mw_container *c)
{
	char ns[MW_ID_LEN], id[MW_ID_LEN], path[MW_PATH_LEN];
	const char *slash;
	int fd;

	(void)rt;
	if (cgpath[0] != '/' || !(slash = strchr(cgpath + 1, '/')) ||
	    strchr(slash + 1, '/') || (size_t)(slash - cgpath - 1) >= sizeof(ns))
		return false;
	memcpy(ns, cgpath + 1, slash - cgpath - 1);
	ns[slash - cgpath - 1] = '\0';
	mw_copy(id, sizeof(id), slash + 1);
	if (task_lookup(d, ns, id, c))
		return true;
	snprintf(path, sizeof(path), "%s/%s/%s", d->dir, task_dir, ns);
	fd = mw_path_component(ns) && mw_path_component(id) ?
		mw_open_in(d->root, path, O_PATH | O_DIRECTORY) : -1;
	if (fd >= 0) {
		close(fd);
		mw_copy(c->id, sizeof(c->id), id);
		mw_copy(c->runtime, sizeof(c->runtime), "containerd");
		mw_copy(c->ctr_namespace, sizeof(c->ctr_namespace), ns);
	}
	return false;
}

/* The CRI sandbox of pod @uid in namespace k8s.io: its pod's names. */
static bool containerd_pod_by_uid(struct mw_runtimes *rt, struct mw_daemon *d,
				  const char *uid, struct mw_container *c)
{
	struct mw_container sb;
	char path[MW_PATH_LEN];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	(void)rt;
	snprintf(path, sizeof(path), "%s/%s/k8s.io", d->dir, task_dir);
	dir = mw_opendir_in(d->root, path);
	while (dir && !found && (de = readdir(dir))) {
		memset(&sb, 0, sizeof(sb));
		found = de->d_name[0] != '.' && task_lookup(d, "k8s.io", de->d_name, &sb) &&
			!strcmp(sb.kind, "sandbox") && !strcmp(sb.pod_uid, uid) &&
			sb.pod_name[0];
	}
	if (dir)
		closedir(dir);
	if (found) {
		cri_record(d, c->id, c);
		mw_copy(c->pod_name, sizeof(c->pod_name), sb.pod_name);
		mw_copy(c->pod_namespace, sizeof(c->pod_namespace), sb.pod_namespace);
		mw_copy(c->sandbox, sizeof(c->sandbox), sb.id);
	}
	return found;
}

const struct mw_runtime_ops mw_rt_containerd = {
	.name = "containerd",
	.daemons = (const char *const []){ "containerd", NULL },
	/* the CRI plugin's systemd scopes, and nerdctl's */
	.scopes = (const char *const []){ "cri-containerd-", "nerdctl-", NULL },
	.locate = containerd_locate,
	.lookup = containerd_lookup,
	.by_path = containerd_by_path,
	.by_cgroup = containerd_by_cgroup,
	.pod_by_uid = containerd_pod_by_uid,
};
