// SPDX-License-Identifier: GPL-2.0
/*
 * Containers named the way their runtime names them, from the runtime's own
 * state on disk; nothing is started and no API is called, so nothing can
 * hang on a daemon that is itself stuck.
 *
 *   docker      <data-root>/containers/<id>/config.v2.json (Name,
 *               Config.Image), <data-root>/image/overlay2/layerdb/mounts/
 *               <id>/mount-id for the overlay2 directory of its rootfs
 *   podman      containers/storage's <graphroot>/overlay-containers/
 *               containers.json (id, names, layer, metadata)
 *   containerd  the OCI bundle <state>/io.containerd.runtime.v2.task/<ns>/
 *               <id>/config.json, with the CRI annotations
 *   cri-o       the OCI bundle <runroot>/overlay-containers/<id>/userdata/
 *               config.json, with the kubelet's labels as annotations
 *
 * Every file is read through /proc/PID/root of the runtime's daemon (or of
 * pid 1), which works on the host and from a hostPID pod alike, and with
 * RESOLVE_IN_ROOT where the kernel has it (5.6), so that an absolute
 * symlink inside that root resolves there and not in ours.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cgroup.h"
#include "json.h"
#include "runtime.h"
#include "util.h"

#ifndef SYS_openat2
#define SYS_openat2	437
#endif
#define MW_RESOLVE_NO_MAGICLINKS	0x02
#define MW_RESOLVE_IN_ROOT		0x10

struct mw_open_how {
	uint64_t flags, mode, resolve;
};

/* state files are small: a container's config is a few KiB */
#define STATE_FILE_MAX	(16 << 20)

static const char *const task_dir = "io.containerd.runtime.v2.task";

/* @path (absolute) inside @root, resolved as if @root were "/". */
static int open_in(const char *root, const char *path, int flags)
{
	struct mw_open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = MW_RESOLVE_IN_ROOT | MW_RESOLVE_NO_MAGICLINKS,
	};
	int dirfd, fd, saved;

	dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));
	/* before 5.6: absolute symlinks in the root then point into ours */
	if (fd < 0 && (errno == ENOSYS || errno == E2BIG || errno == EPERM))
		fd = openat(dirfd, *path ? path : ".", flags | O_CLOEXEC);
	saved = errno;
	close(dirfd);
	errno = saved;
	return fd;
}

static char *read_in(const char *root, const char *path, size_t *len)
{
	int fd = open_in(root, path, O_RDONLY);
	char *text;

	if (fd < 0)
		return NULL;
	text = mw_read_fd(fd, STATE_FILE_MAX, len);
	close(fd);
	return text;
}

/* A JSON file inside @root: 0, or -1 when missing or not JSON. */
static int json_in(const char *root, const char *path, char **text,
		   struct mw_json *doc)
{
	char err[160];
	size_t len;

	*text = read_in(root, path, &len);
	if (!*text)
		return -1;
	if (mw_json_parse(doc, *text, len, err, sizeof(err))) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* @src into @dst, cut to fit */
static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* --- where each runtime keeps its state */

/* NUL-separated /proc/PID/cmdline: the value of --name=V or --name V. */
static bool cmdline_opt(const char *cmdline, size_t len, const char *name,
			const char *alias, char *val, size_t vlen)
{
	const char *arg = cmdline, *end = cmdline + len;
	size_t nlen = strlen(name);

	for (; arg < end; arg += strlen(arg) + 1) {
		const char *next = arg + strlen(arg) + 1;

		if (!strncmp(arg, name, nlen) && arg[nlen] == '=') {
			copy(val, vlen, arg + nlen + 1);
			return true;
		}
		if ((!strcmp(arg, name) || (alias && !strcmp(arg, alias))) &&
		    next < end) {
			copy(val, vlen, next);
			return true;
		}
	}
	return false;
}

/* key = "value" in a TOML file, in @section ("" before any header). */
static bool toml_string(const char *text, const char *section,
			const char *key, char *val, size_t vlen)
{
	const char *line, *next;
	char here[64] = "";

	for (line = text; line && *line; line = next) {
		const char *p = line, *q;
		size_t klen = strlen(key);

		next = strchr(line, '\n');
		next = next ? next + 1 : NULL;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			q = strchr(p, ']');
			if (q && (size_t)(q - p - 1) < sizeof(here)) {
				memcpy(here, p + 1, q - p - 1);
				here[q - p - 1] = '\0';
			}
			continue;
		}
		if (strcmp(here, section) || strncmp(p, key, klen))
			continue;
		p += klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '=')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '"' || !(q = strchr(p + 1, '"')) ||
		    (next && q > next) || (size_t)(q - p - 1) >= vlen)
			continue;
		memcpy(val, p + 1, q - p - 1);
		val[q - p - 1] = '\0';
		return true;
	}
	return false;
}

static char *proc_file(const char *procdir, int pid, const char *name,
		       size_t *len)
{
	char path[MW_PATH_LEN];

	snprintf(path, sizeof(path), "%s/%d/%s", procdir, pid, name);
	return mw_read_file(path, len);
}

/* The target of /proc/PID/ns/mnt, "" if unreadable. */
static void mnt_ns_of(const char *procdir, long pid, char *buf, size_t len)
{
	char path[MW_PATH_LEN];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%ld/ns/mnt", procdir, pid);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
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
	struct mw_daemon *d[] = { &rt->docker, &rt->containerd, &rt->podman,
				  &rt->crio };
	/* podman has no daemon: conmon watches each of its containers */
	static const char *const comm[] = { "dockerd", "containerd", "conmon",
					    "crio" };
	char path[MW_PATH_LEN], host[64], ns[64], *text;
	struct dirent *de;
	size_t i;
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
		for (i = 0; i < sizeof(comm) / sizeof(comm[0]); i++) {
			if (strcmp(text, comm[i]) || (d[i]->pid && pid > d[i]->pid))
				continue;
			mnt_ns_of(rt->procdir, pid, ns, sizeof(ns));
			if (host[0] && !strcmp(ns, host))
				d[i]->pid = pid;
		}
		free(text);
	}
	if (dir)
		closedir(dir);
	for (i = 0; i < sizeof(comm) / sizeof(comm[0]); i++)
		snprintf(d[i]->root, sizeof(d[i]->root), "%s/%d/root",
			 rt->procdir, d[i]->pid ? d[i]->pid : 1);
}

static void locate_docker(struct mw_runtimes *rt)
{
	struct mw_daemon *d = &rt->docker;
	char conf[MW_PATH_LEN] = "/etc/docker/daemon.json", *text = NULL;
	struct mw_json doc;
	size_t len = 0;
	char *cmdline;

	copy(d->dir, sizeof(d->dir), "/var/lib/docker");
	cmdline = d->pid ? proc_file(rt->procdir, d->pid, "cmdline", &len) : NULL;
	if (cmdline && (cmdline_opt(cmdline, len, "--data-root", "-g", d->dir,
				    sizeof(d->dir)) ||
			cmdline_opt(cmdline, len, "--graph", NULL, d->dir,
				    sizeof(d->dir)))) {
		free(cmdline);
		return;
	}
	if (cmdline)
		cmdline_opt(cmdline, len, "--config-file", NULL, conf, sizeof(conf));
	free(cmdline);
	if (!json_in(d->root, conf, &text, &doc)) {
		if (!mw_json_get_string(&doc, 0, "data-root", d->dir, sizeof(d->dir)) &&
		    !mw_json_get_string(&doc, 0, "graph", d->dir, sizeof(d->dir)))
			copy(d->dir, sizeof(d->dir), "/var/lib/docker");
		mw_json_free(&doc);
		free(text);
	}
}

static void locate_containerd(struct mw_runtimes *rt)
{
	struct mw_daemon *d = &rt->containerd;
	char conf[MW_PATH_LEN] = "/etc/containerd/config.toml", *text;
	size_t len = 0;
	char *cmdline;

	copy(d->dir, sizeof(d->dir), "/run/containerd");
	cmdline = d->pid ? proc_file(rt->procdir, d->pid, "cmdline", &len) : NULL;
	if (cmdline && cmdline_opt(cmdline, len, "--state", NULL, d->dir,
				   sizeof(d->dir))) {
		free(cmdline);
		return;
	}
	if (cmdline)
		cmdline_opt(cmdline, len, "--config", "-c", conf, sizeof(conf));
	free(cmdline);
	text = read_in(d->root, conf, NULL);
	if (text && !toml_string(text, "", "state", d->dir, sizeof(d->dir)))
		copy(d->dir, sizeof(d->dir), "/run/containerd");
	free(text);
}

/* podman and CRI-O share containers/storage and its storage.conf */
static void locate_storage(struct mw_runtimes *rt)
{
	struct mw_daemon *p = &rt->podman, *c = &rt->crio;
	char *text, *cmdline;
	size_t len = 0;

	copy(p->dir, sizeof(p->dir), "/var/lib/containers/storage");
	copy(p->dir2, sizeof(p->dir2), "/run/containers/storage");
	text = read_in(p->root, "/etc/containers/storage.conf", NULL);
	if (text) {
		toml_string(text, "storage", "graphroot", p->dir, sizeof(p->dir));
		toml_string(text, "storage", "runroot", p->dir2, sizeof(p->dir2));
	}
	free(text);
	copy(c->dir, sizeof(c->dir), p->dir);
	copy(c->dir2, sizeof(c->dir2), p->dir2);
	cmdline = c->pid ? proc_file(rt->procdir, c->pid, "cmdline", &len) : NULL;
	if (cmdline) {
		cmdline_opt(cmdline, len, "--root", "-r", c->dir, sizeof(c->dir));
		cmdline_opt(cmdline, len, "--runroot", NULL, c->dir2, sizeof(c->dir2));
	}
	free(cmdline);
}

void mw_runtimes_init(struct mw_runtimes *rt, const char *procdir)
{
	memset(rt, 0, sizeof(*rt));
	rt->procdir = procdir;
}

static void locate(struct mw_runtimes *rt)
{
	if (rt->located)
		return;
	rt->located = true;
	find_daemons(rt);
	locate_docker(rt);
	locate_containerd(rt);
	locate_storage(rt);
}

/* A string of an event and the container it named, looked up once. */
struct mw_named {
	char *key;
	bool by_path, looked_up;
	struct mw_container c;
};

void mw_runtimes_free(struct mw_runtimes *rt)
{
	int i;

	for (i = 0; i < rt->nnamed; i++) {
		free(rt->named[i]->key);
		free(rt->named[i]);
	}
	free(rt->named);
	if (rt->storage_state > 0)
		mw_json_free(&rt->storage);
	free(rt->storage_text);
	free(rt->layers);
	memset(rt, 0, sizeof(*rt));
}

/* --- docker */

static void docker_labels(const struct mw_json *doc, int config,
			  struct mw_container *c)
{
	int labels = mw_json_get(doc, config, "Labels");

	mw_json_get_string(doc, labels, "io.kubernetes.pod.namespace",
			   c->pod_namespace, sizeof(c->pod_namespace));
	mw_json_get_string(doc, labels, "io.kubernetes.pod.name",
			   c->pod_name, sizeof(c->pod_name));
}

static bool docker_lookup(struct mw_runtimes *rt, const char *id,
			  struct mw_container *c)
{
	char path[MW_PATH_LEN], name[MW_NAME_LEN], *text;
	struct mw_json doc;
	int config;

	if (!mw_is_container_id(id))
		return false;
	snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json",
		 rt->docker.dir, id);
	if (json_in(rt->docker.root, path, &text, &doc))
		return false;
	mw_json_get_string(&doc, 0, "ID", c->id, sizeof(c->id));
	if (!strcmp(c->id, id)) {
		mw_json_get_string(&doc, 0, "Name", name, sizeof(name));
		copy(c->name, sizeof(c->name), name[0] == '/' ? name + 1 : name);
		config = mw_json_get(&doc, 0, "Config");
		mw_json_get_string(&doc, config, "Image", c->image,
				   sizeof(c->image));
		docker_labels(&doc, config, c);
		copy(c->runtime, sizeof(c->runtime), "docker");
		c->source = "config.v2.json";
	}
	mw_json_free(&doc);
	free(text);
	return !strcmp(c->id, id);
}

static int cmp_layer(const void *a, const void *b)
{
	return strcmp(((const struct mw_layer *)a)->layer,
		      ((const struct mw_layer *)b)->layer);
}

/* docker's layer directories: overlay2/<mount-id> -> container id */
static void docker_layers(struct mw_runtimes *rt)
{
	char path[MW_PATH_LEN], *text;
	struct dirent *de;
	DIR *dir;
	int fd;

	if (rt->layers_read)
		return;
	rt->layers_read = true;
	snprintf(path, sizeof(path), "%s/image/overlay2/layerdb/mounts",
		 rt->docker.dir);
	fd = open_in(rt->docker.root, path, O_RDONLY | O_DIRECTORY);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		struct mw_layer *more;

		if (!mw_is_container_id(de->d_name))
			continue;
		snprintf(path, sizeof(path),
			 "%s/image/overlay2/layerdb/mounts/%s/mount-id",
			 rt->docker.dir, de->d_name);
		text = read_in(rt->docker.root, path, NULL);
		if (!text)
			continue;
		text[strcspn(text, "\n")] = '\0';
		more = realloc(rt->layers, (rt->nlayers + 1) * sizeof(*more));
		if (more && strlen(text) < sizeof(more->layer)) {
			rt->layers = more;
			copy(more[rt->nlayers].layer, sizeof(more->layer), text);
			copy(more[rt->nlayers].id, sizeof(more->id), de->d_name);
			rt->nlayers++;
		} else if (more) {
			rt->layers = more;
		}
		free(text);
	}
	closedir(dir);
	qsort(rt->layers, rt->nlayers, sizeof(*rt->layers), cmp_layer);
}

/* --- containers/storage: podman, and CRI-O's layers */

static int storage_containers(struct mw_runtimes *rt)
{
	char path[MW_PATH_LEN];

	if (!rt->storage_state) {
		snprintf(path, sizeof(path), "%s/overlay-containers/containers.json",
			 rt->podman.dir);
		rt->storage_state = -1;
		if (!json_in(rt->podman.root, path, &rt->storage_text,
			     &rt->storage))
			rt->storage_state = 1;
		if (rt->storage_state > 0 &&
		    rt->storage.tok[0].type != MW_JSON_ARRAY) {
			mw_json_free(&rt->storage);
			rt->storage_state = -1;
		}
	}
	return rt->storage_state > 0 ? 0 : -1;
}

/* The containers.json entry whose @key is @value, -1 if none. */
static int storage_find(struct mw_runtimes *rt, const char *key,
			const char *value)
{
	const struct mw_json *doc = &rt->storage;
	char buf[MW_ID_LEN];
	uint32_t i;
	int t;

	if (storage_containers(rt))
		return -1;
	for (i = 0, t = 1; i < doc->tok[0].count; i++, t = doc->tok[t].next)
		if (mw_json_get_string(doc, t, key, buf, sizeof(buf)) &&
		    !strcmp(buf, value))
			return t;
	return -1;
}

static bool storage_lookup(struct mw_runtimes *rt, const char *id,
			   struct mw_container *c)
{
	const struct mw_json *doc = &rt->storage;
	char meta[4096], err[160];
	struct mw_json md;
	int t = storage_find(rt, "id", id);

	if (t < 0)
		return false;
	copy(c->id, sizeof(c->id), id);
	copy(c->runtime, sizeof(c->runtime), "podman");
	mw_json_string(doc, mw_json_index(doc, mw_json_get(doc, t, "names"), 0),
		       c->name, sizeof(c->name));
	c->source = "containers.json";
	if (mw_json_get_string(doc, t, "metadata", meta, sizeof(meta)) &&
	    !mw_json_parse(&md, meta, strlen(meta), err, sizeof(err))) {
		mw_json_get_string(&md, 0, "image-name", c->image,
				   sizeof(c->image));
		/*
		 * CRI-O's metadata has its sandbox (pod-name: k8s_POD_...)
		 * and the Kubernetes container name; podman's has neither.
		 * The pod itself is named in CRI-O's bundle.
		 */
		if (mw_json_get(&md, 0, "pod-name") >= 0) {
			copy(c->runtime, sizeof(c->runtime), "crio");
			mw_json_get_string(&md, 0, "metadata-name", c->name,
					   sizeof(c->name));
		}
		mw_json_free(&md);
	}
	return true;
}

/* --- OCI bundles: containerd and CRI-O */

static void bundle_names(const struct mw_json *doc, struct mw_container *c)
{
	int ann = mw_json_get(doc, 0, "annotations");
	static const struct {
		const char *key;
		size_t offset, size;
	} keys[] = {
#define ANN(k, m) { k, offsetof(struct mw_container, m), \
		    sizeof(((struct mw_container *)0)->m) }
		/* containerd's CRI plugin */
		ANN("io.kubernetes.cri.container-name", name),
		ANN("io.kubernetes.cri.sandbox-name", pod_name),
		ANN("io.kubernetes.cri.sandbox-namespace", pod_namespace),
		ANN("io.kubernetes.cri.image-name", image),
		/* CRI-O: the kubelet's labels are annotations too */
		ANN("io.kubernetes.container.name", name),
		ANN("io.kubernetes.pod.name", pod_name),
		ANN("io.kubernetes.pod.namespace", pod_namespace),
		ANN("io.kubernetes.cri-o.ImageName", image),
#undef ANN
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *dst = (char *)c + keys[i].offset;

		if (!*dst)
			mw_json_get_string(doc, ann, keys[i].key, dst, keys[i].size);
	}
}

static bool bundle_lookup(const char *root, const char *path, const char *id,
			  const char *runtime, struct mw_container *c)
{
	struct mw_json doc;
	char *text;

	if (json_in(root, path, &text, &doc))
		return false;
	/* the bundle's annotations name it the way the kubelet does */
	c->name[0] = c->pod_name[0] = c->pod_namespace[0] = '\0';
	if (mw_json_get(&doc, mw_json_get(&doc, 0, "annotations"),
			"io.kubernetes.cri-o.ImageName") >= 0)
		c->image[0] = '\0';
	copy(c->id, sizeof(c->id), id);
	copy(c->runtime, sizeof(c->runtime), runtime);
	c->source = "config.json";
	bundle_names(&doc, c);
	mw_json_free(&doc);
	free(text);
	return true;
}

/* A safe path component: no "/", not "." or "..", not empty. */
static bool component(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") &&
	       strlen(s) < MW_ID_LEN;
}

static bool containerd_lookup(struct mw_runtimes *rt, const char *ns,
			      const char *id, struct mw_container *c)
{
	char path[MW_PATH_LEN];
	struct dirent *de;
	bool found = false;
	DIR *dir;
	int fd;

	if (!component(id))
		return false;
	if (ns) {
		if (!component(ns))
			return false;
		snprintf(path, sizeof(path), "%s/%s/%s/%s/config.json",
			 rt->containerd.dir, task_dir, ns, id);
		found = bundle_lookup(rt->containerd.root, path, id,
				      "containerd", c);
		if (found)
			copy(c->ctr_namespace, sizeof(c->ctr_namespace), ns);
		return found;
	}
	/* by id alone: each of containerd's namespaces (k8s.io, moby, ...) */
	snprintf(path, sizeof(path), "%s/%s", rt->containerd.dir, task_dir);
	fd = open_in(rt->containerd.root, path, O_RDONLY | O_DIRECTORY);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			found = containerd_lookup(rt, de->d_name, id, c);
	closedir(dir);
	return found;
}

static bool crio_lookup(struct mw_runtimes *rt, const char *id,
			struct mw_container *c)
{
	char path[MW_PATH_LEN];

	if (!mw_is_container_id(id))
		return false;
	snprintf(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
		 rt->crio.dir2, id);
	return bundle_lookup(rt->crio.root, path, id, "crio", c);
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

	memset(c, 0, sizeof(*c));
	if (!*id)
		return false;
	locate(rt);
	if ((any || !strcmp(runtime, "docker")) && docker_lookup(rt, id, c))
		return true;
	if ((any || !strcmp(runtime, "podman") || !strcmp(runtime, "crio")) &&
	    storage_lookup(rt, id, c)) {
		/* CRI-O's bundle has the pod's labels too */
		if (!strcmp(c->runtime, "crio"))
			crio_lookup(rt, id, c);
		return true;
	}
	if ((any || !strcmp(runtime, "crio")) && crio_lookup(rt, id, c))
		return true;
	if ((any || !strcmp(runtime, "containerd")) &&
	    containerd_lookup(rt, NULL, id, c))
		return true;
	memset(c, 0, sizeof(*c));
	return false;
}

/*
 * A container named by a cgroup path: the id and runtime the path says
 * (info, from mw_cgroup_parse), looked up; or a plain containerd one
 * ("ctr run"), whose cgroup is /<namespace>/<id> with an id of any shape.
 * Without state on disk the id and runtime of the cgroup still stand.
 */
bool mw_runtime_from_cgroup(struct mw_runtimes *rt,
			    const struct mw_cgroup_info *cg,
			    struct mw_container *c)
{
	char ns[MW_ID_LEN], id[MW_ID_LEN], path[MW_PATH_LEN];
	const char *slash;
	bool found;
	int fd;

	if (cg->container[0]) {
		found = mw_runtime_lookup(rt, cg->runtime, cg->container, c);
		if (!found) {
			copy(c->id, sizeof(c->id), cg->container);
			copy(c->runtime, sizeof(c->runtime), cg->runtime);
		}
		copy(c->pod_uid, sizeof(c->pod_uid), cg->pod);
		return found;
	}
	memset(c, 0, sizeof(*c));
	/* exactly two components: /<namespace>/<id> */
	if (cg->path[0] != '/' || !(slash = strchr(cg->path + 1, '/')) ||
	    strchr(slash + 1, '/') || (size_t)(slash - cg->path - 1) >= sizeof(ns))
		return false;
	memcpy(ns, cg->path + 1, slash - cg->path - 1);
	ns[slash - cg->path - 1] = '\0';
	copy(id, sizeof(id), slash + 1);
	locate(rt);
	if (containerd_lookup(rt, ns, id, c))
		return true;
	/*
	 * Its task is gone (the bundle with it), but the namespace is one
	 * of containerd's: the cgroup still names the container.
	 */
	snprintf(path, sizeof(path), "%s/%s/%s", rt->containerd.dir, task_dir, ns);
	fd = component(ns) && component(id) ?
		open_in(rt->containerd.root, path, O_PATH | O_DIRECTORY) : -1;
	if (fd >= 0) {
		close(fd);
		copy(c->id, sizeof(c->id), id);
		copy(c->runtime, sizeof(c->runtime), "containerd");
		copy(c->ctr_namespace, sizeof(c->ctr_namespace), ns);
	}
	return false;
}

/* "<dir>/<entry>/..." -> entry, if @path lies under @dir. */
static bool entry_under(const char *path, const char *dir, char *entry,
			size_t len)
{
	size_t dlen = strlen(dir), elen;
	const char *end;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (strncmp(path, dir, dlen) || path[dlen] != '/')
		return false;
	path += dlen + 1;
	end = strchrnul(path, '/');
	elen = end - path;
	if (!elen || elen >= len)
		return false;
	memcpy(entry, path, elen);
	entry[elen] = '\0';
	return true;
}

/*
 * The container whose files @path (a mount target or source, as its caller
 * gave it) lies in: docker's overlay2 layer directory or container
 * directory, containers/storage's layer, containerd's bundle, or a
 * runtime's state directory named by the container id (runc's own bind
 * lands in /run/docker/runtime-runc/moby/<id>/, /run/containerd/runc/...).
 */
bool mw_runtime_by_path(struct mw_runtimes *rt, const char *path,
			struct mw_container *c)
{
	char entry[MW_ID_LEN], dir[MW_PATH_LEN], ns[MW_ID_LEN];
	const char *p;
	int t;

	memset(c, 0, sizeof(*c));
	if (path[0] != '/')
		return false;
	locate(rt);
	snprintf(dir, sizeof(dir), "%s/overlay2", rt->docker.dir);
	if (entry_under(path, dir, entry, sizeof(entry))) {
		struct mw_layer key, *hit;
		size_t len = strlen(entry);

		/* the container's init layer is <mount-id>-init */
		if (len > 5 && !strcmp(entry + len - 5, "-init"))
			entry[len - 5] = '\0';
		docker_layers(rt);
		copy(key.layer, sizeof(key.layer), entry);
		hit = bsearch(&key, rt->layers, rt->nlayers, sizeof(key), cmp_layer);
		if (hit)
			return docker_lookup(rt, hit->id, c);
	}
	snprintf(dir, sizeof(dir), "%s/overlay", rt->podman.dir);
	if (entry_under(path, dir, entry, sizeof(entry)) &&
	    (t = storage_find(rt, "layer", entry)) >= 0 &&
	    mw_json_get_string(&rt->storage, t, "id", entry, sizeof(entry)))
		return mw_runtime_lookup(rt, "podman", entry, c);
	snprintf(dir, sizeof(dir), "%s/%s", rt->containerd.dir, task_dir);
	if (entry_under(path, dir, ns, sizeof(ns))) {
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", ns);
		if (entry_under(path, dir, entry, sizeof(entry)))
			return containerd_lookup(rt, ns, entry, c);
	}
	/* any component that is a container id */
	for (p = path; *p; ) {
		const char *end;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		if (end - p == 64) {
			memcpy(entry, p, 64);
			entry[64] = '\0';
			if (mw_is_container_id(entry) &&
			    mw_runtime_lookup(rt, NULL, entry, c))
				return true;
		}
		p = end;
	}
	return false;
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
		copy(cg.path, sizeof(cg.path), cgroup);
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

/* --- the docker daemon's version, from the package that installed it */

/* The stanza of @pkg in dpkg's status file, installed: its Version. */
static bool dpkg_version(const char *status, const char *pkg, char *version,
			 size_t len)
{
	const char *stanza, *next;
	size_t plen = strlen(pkg);

	for (stanza = status; stanza && *stanza; stanza = next) {
		const char *p, *end;
		bool ours = false, installed = false;

		next = strstr(stanza, "\n\n");
		end = next ? next : stanza + strlen(stanza);
		if (next)
			next += 2;
		version[0] = '\0';
		for (p = stanza; p && p < end; p = strchr(p, '\n'), p = p ? p + 1 : p) {
			size_t vlen;

			if (!strncmp(p, "Package: ", 9) && !strncmp(p + 9, pkg, plen) &&
			    (p[9 + plen] == '\n' || p + 9 + plen == end))
				ours = true;
			else if (!strncmp(p, "Status: ", 8) &&
				 !strncmp(p + 8, "install ok installed", 20))
				installed = true;
			else if (!strncmp(p, "Version: ", 9)) {
				vlen = strcspn(p + 9, "\n");
				if (vlen < len) {
					memcpy(version, p + 9, vlen);
					version[vlen] = '\0';
				}
			}
		}
		if (ours && installed && version[0])
			return true;
	}
	version[0] = '\0';
	return false;
}

/* Whether dpkg's file list of @pkg names @file. */
static bool dpkg_owns(const char *root, const char *pkg, const char *file)
{
	static const char *const arch[] = { "", ":amd64", ":arm64" };
	char path[MW_PATH_LEN], *list, *hit;
	size_t i, flen = strlen(file);
	bool owns = false;

	for (i = 0; i < sizeof(arch) / sizeof(arch[0]) && !owns; i++) {
		snprintf(path, sizeof(path), "/var/lib/dpkg/info/%s%s.list", pkg,
			 arch[i]);
		list = read_in(root, path, NULL);
		for (hit = list; hit && (hit = strstr(hit, file)); hit += flen)
			if ((hit == list || hit[-1] == '\n') &&
			    (hit[flen] == '\n' || !hit[flen]))
				owns = true;
		free(list);
	}
	return owns;
}

/*
 * The version of the running dockerd, read without asking it: its
 * executable (/proc/PID/exe) and the dpkg package that installed that
 * file. Fills rt->docker_version ("" if unknown) and rt->docker_how, which
 * says how it was read, or why it could not be.
 */
void mw_docker_version(struct mw_runtimes *rt)
{
	static const char *const pkgs[] = { "docker.io", "docker-ce", "moby-engine",
					    "docker-engine" };
	char path[MW_PATH_LEN], exe[MW_PATH_LEN], version[128], *status;
	ssize_t n;
	size_t i;

	if (rt->version_read)
		return;
	rt->version_read = true;
	locate(rt);
	if (!rt->docker.pid) {
		copy(rt->docker_how, sizeof(rt->docker_how), "no dockerd process");
		return;
	}
	snprintf(path, sizeof(path), "%s/%d/exe", rt->procdir, rt->docker.pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(rt->docker_how, sizeof(rt->docker_how),
			 "cannot read %s", path);
		return;
	}
	exe[n] = '\0';
	if (n > 10 && !strcmp(exe + n - 10, " (deleted)")) {
		snprintf(rt->docker_how, sizeof(rt->docker_how),
			 "dockerd pid %d runs %s, replaced on disk since it started",
			 rt->docker.pid, exe);
		return;
	}
	status = read_in(rt->docker.root, "/var/lib/dpkg/status", NULL);
	for (i = 0; status && i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
		if (!dpkg_version(status, pkgs[i], version, sizeof(version)) ||
		    !dpkg_owns(rt->docker.root, pkgs[i], exe))
			continue;
		/* the upstream version: no epoch, no Debian revision */
		copy(rt->docker_version, sizeof(rt->docker_version),
		     strchr(version, ':') ? strchr(version, ':') + 1 : version);
		rt->docker_version[strcspn(rt->docker_version, "+~-")] = '\0';
		snprintf(rt->docker_how, sizeof(rt->docker_how),
			 "dpkg: %s %s installed %s, the executable of dockerd pid %d",
			 pkgs[i], version, exe, rt->docker.pid);
		free(status);
		return;
	}
	free(status);
	snprintf(rt->docker_how, sizeof(rt->docker_how),
		 "no dpkg package of docker owns %s, the executable of dockerd pid %d",
		 exe, rt->docker.pid);
}

/* Whether @version (major.minor...) is @major.@minor or later; -1: unknown. */
int mw_version_at_least(const char *version, int major, int minor)
{
	int ma, mi;

	if (sscanf(version, "%d.%d", &ma, &mi) != 2)
		return -1;
	return ma > major || (ma == major && mi >= minor);
}
