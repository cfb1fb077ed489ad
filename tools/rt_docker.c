// SPDX-License-Identifier: GPL-2.0
/*
 * docker: <data-root>/containers/<id>/config.v2.json (Name, Config.Image,
 * Config.Labels), <data-root>/image/overlay2/layerdb/mounts/<id>/mount-id
 * for the overlay2 directory of its rootfs; its version from the dpkg
 * package that installed the running dockerd.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "json.h"
#include "kube.h"
#include "rootfs.h"
#include "rt_ops.h"

/* docker's layer directories: overlay2/<mount-id> -> container id */
struct docker_layer {
	char layer[MW_ID_LEN];
	char id[MW_ID_LEN];
};

struct docker_layers {
	struct docker_layer *v;
	int n;
};

static void docker_locate(struct mw_runtimes *rt, struct mw_daemon *d)
{
	char conf[MW_PATH_LEN] = "/etc/docker/daemon.json", *text = NULL;
	struct mw_json doc;
	size_t len = 0;
	char *cmdline;

	mw_copy(d->dir, sizeof(d->dir), "/var/lib/docker");
	cmdline = mw_daemon_cmdline(rt, d, &len);
	if (cmdline && (mw_cmdline_opt(cmdline, len, "--data-root", "-g", d->dir,
				       sizeof(d->dir)) ||
			mw_cmdline_opt(cmdline, len, "--graph", NULL, d->dir,
				       sizeof(d->dir)))) {
		free(cmdline);
		return;
	}
	if (cmdline)
		mw_cmdline_opt(cmdline, len, "--config-file", NULL, conf,
			       sizeof(conf));
	free(cmdline);
	if (!mw_json_in(d->root, conf, &text, &doc)) {
		if (!mw_json_get_string(&doc, 0, "data-root", d->dir, sizeof(d->dir)) &&
		    !mw_json_get_string(&doc, 0, "graph", d->dir, sizeof(d->dir)))
			mw_copy(d->dir, sizeof(d->dir), "/var/lib/docker");
		mw_json_free(&doc);
		free(text);
	}
}

static bool docker_lookup(struct mw_runtimes *rt, struct mw_daemon *d,
			  const char *id, struct mw_container *c)
{
	char path[MW_PATH_LEN], name[MW_NAME_LEN], *text;
	struct mw_json doc;
	int config;

	(void)rt;
	if (!mw_is_container_id(id))
		return false;
	snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json",
		 d->dir, id);
	if (mw_json_in(d->root, path, &text, &doc))
		return false;
	mw_json_get_string(&doc, 0, "ID", c->id, sizeof(c->id));
	if (!strcmp(c->id, id)) {
		mw_json_get_string(&doc, 0, "Name", name, sizeof(name));
		mw_copy(c->name, sizeof(c->name), name[0] == '/' ? name + 1 : name);
		config = mw_json_get(&doc, 0, "Config");
		mw_json_get_string(&doc, config, "Image", c->image,
				   sizeof(c->image));
		/* cri-dockerd's containers: the kubelet's labels */
		mw_kube_names(&doc, mw_json_get(&doc, config, "Labels"), c);
		mw_copy(c->runtime, sizeof(c->runtime), "docker");
		c->source = "config.v2.json";
	}
	mw_json_free(&doc);
	free(text);
	return !strcmp(c->id, id);
}

static int cmp_layer(const void *a, const void *b)
{
	return strcmp(((const struct docker_layer *)a)->layer,
		      ((const struct docker_layer *)b)->layer);
}

/* layerdb/mounts/<id>/mount-id: the layer of container @id */
static void add_layer(struct docker_layers *l, struct mw_daemon *d,
		      const char *id)
{
	char path[MW_PATH_LEN], *text;
	struct docker_layer *more;

	snprintf(path, sizeof(path), "%s/image/overlay2/layerdb/mounts/%s/mount-id",
		 d->dir, id);
	text = mw_read_in(d->root, path, NULL);
	if (!text)
		return;
	text[strcspn(text, "\n")] = '\0';
	more = realloc(l->v, (l->n + 1) * sizeof(*more));
	if (more)
		l->v = more;
	if (more && strlen(text) < sizeof(more->layer)) {
		mw_copy(more[l->n].layer, sizeof(more->layer), text);
		mw_copy(more[l->n].id, sizeof(more->id), id);
		l->n++;
	}
	free(text);
}

static struct docker_layers *docker_layers(struct mw_daemon *d)
{
	struct docker_layers *l = d->priv;
	char path[MW_PATH_LEN];
	struct dirent *de;
	DIR *dir;

	if (l)
		return l;
	l = d->priv = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	snprintf(path, sizeof(path), "%s/image/overlay2/layerdb/mounts", d->dir);
	dir = mw_opendir_in(d->root, path);
	if (!dir)
		return l;
	while ((de = readdir(dir)))
		if (mw_is_container_id(de->d_name))
			add_layer(l, d, de->d_name);
	closedir(dir);
	qsort(l->v, l->n, sizeof(*l->v), cmp_layer);
	return l;
}

static void docker_free(struct mw_daemon *d)
{
	struct docker_layers *l = d->priv;

	if (l)
		free(l->v);
	free(l);
	d->priv = NULL;
}

/* <data-root>/overlay2/<mount-id>[-init]/...: the container's rootfs */
static bool docker_by_path(struct mw_runtimes *rt, struct mw_daemon *d,
			   const char *path, struct mw_container *c)
{
	struct docker_layer key, *hit;
	struct docker_layers *l;
	char dir[MW_PATH_LEN], entry[MW_ID_LEN];
	size_t len;

	snprintf(dir, sizeof(dir), "%s/overlay2", d->dir);
	if (!mw_entry_under(path, dir, entry, sizeof(entry)))
		return false;
	/* the container's init layer is <mount-id>-init */
	len = strlen(entry);
	if (len > 5 && !strcmp(entry + len - 5, "-init"))
		entry[len - 5] = '\0';
	l = docker_layers(d);
	if (!l || !l->n)
		return false;
	mw_copy(key.layer, sizeof(key.layer), entry);
	hit = bsearch(&key, l->v, l->n, sizeof(key), cmp_layer);
	return hit && docker_lookup(rt, d, hit->id, c);
}

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
		list = mw_read_in(root, path, NULL);
		for (hit = list; hit && (hit = strstr(hit, file)); hit += flen)
			if ((hit == list || hit[-1] == '\n') &&
			    (hit[flen] == '\n' || !hit[flen]))
				owns = true;
		free(list);
	}
	return owns;
}

/* The dpkg package of docker that installed @exe: its upstream version. */
static void dpkg_docker(const struct mw_daemon *d, const char *exe,
			struct mw_version *v)
{
	static const char *const pkgs[] = { "docker.io", "docker-ce", "moby-engine",
					    "docker-engine" };
	char version[128], *status;
	size_t i;

	status = mw_read_in(d->root, "/var/lib/dpkg/status", NULL);
	for (i = 0; status && i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
		if (!dpkg_version(status, pkgs[i], version, sizeof(version)) ||
		    !dpkg_owns(d->root, pkgs[i], exe))
			continue;
		/* the upstream version: no epoch, no Debian revision */
		mw_copy(v->version, sizeof(v->version),
			strchr(version, ':') ? strchr(version, ':') + 1 : version);
		v->version[strcspn(v->version, "+~-")] = '\0';
		snprintf(v->how, sizeof(v->how),
			 "dpkg: %s %s installed %s, the executable of dockerd pid %d",
			 pkgs[i], version, exe, d->pid);
		free(status);
		return;
	}
	free(status);
	snprintf(v->how, sizeof(v->how),
		 "no dpkg package of docker owns %s, the executable of dockerd pid %d",
		 exe, d->pid);
}

/*
 * The version of the running dockerd, read without asking it: its
 * executable (/proc/PID/exe) and the dpkg package that installed that
 * file; v->how says how it was read, or why it could not be.
 */
static void docker_version(struct mw_runtimes *rt, struct mw_daemon *d,
			   struct mw_version *v)
{
	char path[MW_PATH_LEN], exe[MW_PATH_LEN];
	ssize_t n;

	if (!d->pid) {
		mw_copy(v->how, sizeof(v->how), "no dockerd process");
		return;
	}
	snprintf(path, sizeof(path), "%s/%d/exe", rt->procdir, d->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(v->how, sizeof(v->how), "cannot read %s", path);
		return;
	}
	exe[n] = '\0';
	if (n > 10 && !strcmp(exe + n - 10, " (deleted)")) {
		snprintf(v->how, sizeof(v->how),
			 "dockerd pid %d runs %s, replaced on disk since it started",
			 d->pid, exe);
		return;
	}
	dpkg_docker(d, exe, v);
}

const struct mw_runtime_ops mw_rt_docker = {
	.name = "docker",
	.daemons = (const char *const []){ "dockerd", NULL },
	.scopes = (const char *const []){ "docker-", NULL },
	.cgroup_parent = "docker",
	.locate = docker_locate,
	.lookup = docker_lookup,
	.by_path = docker_by_path,
	.version = docker_version,
	.free = docker_free,
};
