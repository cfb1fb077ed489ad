// SPDX-License-Identifier: GPL-2.0
/*
 * Containers named the way their runtime names them, from the runtime's own
 * state on disk; nothing is started and no API is called, so nothing can
 * hang on a daemon that is itself stuck. The runtimes are a registry
 * (rt_list.h, registry.c), each one a file rt_NAME.c behind struct
 * mw_runtime_ops; this file finds their daemons and asks them in turn.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "registry.h"
#include "rootfs.h"
#include "rt_ops.h"
#include "runtime.h"
#include "util.h"

#define each_daemon(rt, d) \
	for ((d) = (rt)->daemons; (d) < (rt)->daemons + MW_NRUNTIMES; (d)++)

/* The target of /proc/PID/ns/mnt, "" if unreadable. */
static void mnt_ns_of(const char *procdir, long pid, char *buf, size_t len)
{
	char path[MW_PATH_LEN];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%ld/ns/mnt", procdir, pid);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* @pid runs @comm: whether it is a daemon of a runtime, and its lowest */
static void take_daemon(struct mw_runtimes *rt, long pid, const char *comm,
			const char *host)
{
	struct mw_daemon *d;
	char ns[64];

	each_daemon(rt, d) {
		if (!in_list(d->ops->daemons, comm) || (d->pid && pid > d->pid))
			continue;
		mnt_ns_of(rt->procdir, pid, ns, sizeof(ns));
		if (host[0] && !strcmp(ns, host))
			d->pid = pid;
	}
}

/*
 * The daemons whose roots the runtimes' files are read through: the lowest
 * pid of each name, in one pass over the processes. Any process may call
 * itself dockerd: one is taken only in the mount namespace of pid 1 (the
 * host's, also from a hostPID pod), so that a container cannot pass its
 * own files off as the runtime's.
 */
static void find_daemons(struct mw_runtimes *rt)
{
	char path[MW_PATH_LEN], host[64], *text;
	struct mw_daemon *d;
	struct dirent *de;
	DIR *dir = opendir(rt->procdir);

	mnt_ns_of(rt->procdir, 1, host, sizeof(host));
	while (dir && (de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%ld/comm", rt->procdir, pid);
		text = mw_read_file(path, NULL);
		if (!text)
			continue;
		text[strcspn(text, "\n")] = '\0';
		take_daemon(rt, pid, text, host);
		free(text);
	}
	if (dir)
		closedir(dir);
	each_daemon(rt, d)
		snprintf(d->root, sizeof(d->root), "%s/%d/root", rt->procdir,
			 d->pid ? d->pid : 1);
}

void mw_runtimes_init(struct mw_runtimes *rt, const char *procdir)
{
	int i;

	memset(rt, 0, sizeof(*rt));
	rt->procdir = procdir;
	for (i = 0; i < MW_NRUNTIMES; i++)
		rt->daemons[i].ops = mw_registry_at(i);
}

static void locate(struct mw_runtimes *rt)
{
	struct mw_daemon *d;

	if (rt->located)
		return;
	rt->located = true;
	find_daemons(rt);
	each_daemon(rt, d)
		d->ops->locate(rt, d);
}

/* A string of an event and the container it named, looked up once. */
struct mw_named {
	char *key;
	bool by_path, looked_up;
	struct mw_container c;
};

void mw_runtimes_free(struct mw_runtimes *rt)
{
	struct mw_daemon *d;
	int i;

	for (i = 0; i < rt->nnamed; i++) {
		free(rt->named[i]->key);
		free(rt->named[i]);
	}
	free(rt->named);
	each_daemon(rt, d) {
		if (d->ops && d->ops->free)
			d->ops->free(d);
		free(d->db);
	}
	memset(rt, 0, sizeof(*rt));
}

/* The runtime that calls itself @name; NULL. */
static struct mw_daemon *daemon_of(struct mw_runtimes *rt, const char *name)
{
	struct mw_daemon *d;

	each_daemon(rt, d)
		if (!strcmp(d->ops->name, name))
			return d;
	return NULL;
}

/*
 * The container @id as its runtime names it; @runtime narrows the search
 * when the cgroup said which runtime ("" tries each). False if no
 * runtime's state on disk knows it: it was removed, or is not a container.
 */
bool mw_runtime_lookup(struct mw_runtimes *rt, const char *runtime,
		       const char *id, struct mw_container *c)
{
	bool any = !runtime || !*runtime;
	struct mw_daemon *d;

	memset(c, 0, sizeof(*c));
	if (!*id)
		return false;
	locate(rt);
	each_daemon(rt, d) {
		if (!any && strcmp(runtime, d->ops->name))
			continue;
		if (d->ops->lookup(rt, d, id, c))
			return true;
		memset(c, 0, sizeof(*c));
	}
	return false;
}

/*
 * A container gone from its runtime's state (a failed start deletes its
 * bundle at once), in a pod that lives on: the pod named by its sandbox.
 */
static void pod_of_gone(struct mw_runtimes *rt, struct mw_container *c)
{
	struct mw_daemon *d;

	each_daemon(rt, d)
		if (d->ops->pod_by_uid && (!c->runtime[0] ||
					   !strcmp(c->runtime, d->ops->name)) &&
		    d->ops->pod_by_uid(rt, d, c->pod_uid, c)) {
			mw_copy(c->runtime, sizeof(c->runtime), d->ops->name);
			return;
		}
}

/*
 * A container named by a cgroup path: the id and runtime the path says
 * (info, from mw_cgroup_parse), looked up; or one only its runtime
 * recognises (ctr's /<namespace>/<id>, an id of any shape). Without state
 * on disk the id and runtime of the cgroup still stand.
 */
bool mw_runtime_from_cgroup(struct mw_runtimes *rt,
			    const struct mw_cgroup_info *cg,
			    struct mw_container *c)
{
	struct mw_daemon *d;
	bool found;

	if (cg->container[0]) {
		found = mw_runtime_lookup(rt, cg->runtime, cg->container, c);
		if (!found) {
			mw_copy(c->id, sizeof(c->id), cg->container);
			mw_copy(c->runtime, sizeof(c->runtime), cg->runtime);
		}
		/* the kubelet's cgroup, rather than an annotation anyone sets */
		if (cg->pod[0] || !found)
			mw_copy(c->pod_uid, sizeof(c->pod_uid), cg->pod);
		if (!found && cg->pod[0])
			pod_of_gone(rt, c);
		return found;
	}
	memset(c, 0, sizeof(*c));
	locate(rt);
	each_daemon(rt, d) {
		if (!d->ops->by_cgroup)
			continue;
		if (d->ops->by_cgroup(rt, d, cg->path, c))
			return true;
		if (c->id[0])
			return false;	/* its runtime's, its state gone */
	}
	return false;
}

/* Any component of @path that is a container id some runtime knows. */
static bool id_in_path(struct mw_runtimes *rt, const char *path,
		       struct mw_container *c)
{
	char entry[MW_ID_LEN];
	const char *p, *end;

	for (p = path; *p; p = end) {
		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		if (end - p != 64)
			continue;
		memcpy(entry, p, 64);
		entry[64] = '\0';
		if (mw_is_container_id(entry) &&
		    mw_runtime_lookup(rt, NULL, entry, c))
			return true;
	}
	return false;
}

/*
 * The container whose files @path (a mount target or source, as its caller
 * gave it) lies in: a directory each runtime keeps per container (its
 * rootfs layer, its bundle), or a runtime's state directory named by the
 * container id (runc's own bind lands in /run/docker/runtime-runc/moby/
 * <id>/, /run/containerd/runc/...).
 */
bool mw_runtime_by_path(struct mw_runtimes *rt, const char *path,
			struct mw_container *c)
{
	struct mw_daemon *d;

	memset(c, 0, sizeof(*c));
	if (path[0] != '/')
		return false;
	locate(rt);
	each_daemon(rt, d) {
		if (d->ops->by_path && d->ops->by_path(rt, d, path, c))
			return true;
		memset(c, 0, sizeof(*c));
	}
	return id_in_path(rt, path, c);
}

/* Each entry on its own: callers keep pointers to it while more come. */
static struct mw_named *named(struct mw_runtimes *rt, const char *key,
			      bool by_path)
{
	struct mw_named **more, *n;
	int i;

	for (i = 0; i < rt->nnamed; i++)
		if (rt->named[i]->by_path == by_path &&
		    !strcmp(rt->named[i]->key, key))
			return rt->named[i];
	more = realloc(rt->named, (rt->nnamed + 1) * sizeof(*more));
	if (!more)
		return NULL;
	rt->named = more;
	n = calloc(1, sizeof(*n));
	if (n)
		n->key = strdup(key);
	if (!n || !n->key) {
		free(n);
		return NULL;
	}
	n->by_path = by_path;
	rt->named[rt->nnamed++] = n;
	return n;
}

/*
 * The container a cgroup v2 path (an event's, recorded at the failure)
 * belongs to: runtime and id from the path, name and image if the runtime
 * still knows it. NULL when the path names no container.
 */
const struct mw_container *mw_cgroup_container(struct mw_runtimes *rt,
						const char *cgroup)
{
	struct mw_cgroup_info cg;
	struct mw_named *n;

	if (!*cgroup || strlen(cgroup) >= sizeof(cg.path))
		return NULL;
	n = named(rt, cgroup, false);
	if (n && !n->looked_up) {
		n->looked_up = true;
		memset(&cg, 0, sizeof(cg));
		mw_cgroup_path_parse(cgroup, &cg);
		mw_copy(cg.path, sizeof(cg.path), cgroup);
		mw_runtime_from_cgroup(rt, &cg, &n->c);
	}
	return n && n->c.id[0] ? &n->c : NULL;
}

/* The container whose files @path lies in (mw_runtime_by_path); NULL. */
const struct mw_container *mw_path_container(struct mw_runtimes *rt,
					     const char *path)
{
	struct mw_named *n;

	if (!*path)
		return NULL;
	n = named(rt, path, true);
	if (n && !n->looked_up) {
		n->looked_up = true;
		mw_runtime_by_path(rt, path, &n->c);
	}
	return n && n->c.id[0] ? &n->c : NULL;
}

/*
 * The version of the runtime @name's running daemon, read once without
 * asking it; NULL when no runtime of that name can tell its version.
 */
const struct mw_version *mw_runtime_version(struct mw_runtimes *rt,
					    const char *name)
{
	struct mw_daemon *d = daemon_of(rt, name);

	if (!d || !d->ops->version)
		return NULL;
	if (!d->version.read) {
		d->version.read = true;
		locate(rt);
		d->ops->version(rt, d, &d->version);
	}
	return &d->version;
}

/* Until explain asks mw_runtime_version(rt, "docker") itself. */
void mw_docker_version(struct mw_runtimes *rt)
{
	const struct mw_version *v = mw_runtime_version(rt, "docker");

	mw_copy(rt->docker_version, sizeof(rt->docker_version), v->version);
	mw_copy(rt->docker_how, sizeof(rt->docker_how), v->how);
}

/* Whether @version (major.minor...) is @major.@minor or later; -1: unknown. */
int mw_version_at_least(const char *version, int major, int minor)
{
	int ma, mi;

	if (sscanf(version, "%d.%d", &ma, &mi) != 2)
		return -1;
	return ma > major || (ma == major && mi >= minor);
}
