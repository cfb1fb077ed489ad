// SPDX-License-Identifier: GPL-2.0
/*
 * CRI-O: containers/storage as podman (cstorage.c), its metadata naming
 * the sandbox and the Kubernetes container, and each container's OCI
 * bundle <runroot>/overlay-containers/<id>/userdata/config.json with the
 * kubelet's labels as annotations (oci_bundle.c). crio's --root and
 * --runroot override storage.conf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "cstorage.h"
#include "oci_bundle.h"
#include "rootfs.h"
#include "rt_ops.h"

static void crio_locate(struct mw_runtimes *rt, struct mw_daemon *d)
{
	size_t len = 0;
	char *cmdline;

	mw_cstorage_locate(d);
	cmdline = mw_daemon_cmdline(rt, d, &len);
	if (cmdline) {
		mw_cmdline_opt(cmdline, len, "--root", "-r", d->dir, sizeof(d->dir));
		mw_cmdline_opt(cmdline, len, "--runroot", NULL, d->dir2,
			       sizeof(d->dir2));
	}
	free(cmdline);
}

static bool crio_bundle(struct mw_daemon *d, const char *id,
			struct mw_container *c)
{
	char path[MW_PATH_LEN];

	snprintf(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
		 d->dir2, id);
	return mw_bundle_read(d->root, path, c);
}

static bool crio_lookup(struct mw_runtimes *rt, struct mw_daemon *d,
			const char *id, struct mw_container *c)
{
	struct mw_cstorage_ctr e;
	bool listed;

	(void)rt;
	if (!mw_is_container_id(id))
		return false;
	listed = mw_cstorage_find(d, "id", id, &e);
	if (listed && !e.cri)
		return false;		/* podman's */
	if (listed) {
		mw_copy(c->name, sizeof(c->name),
			e.cri_name[0] ? e.cri_name : e.name);
		mw_copy(c->image, sizeof(c->image), e.image);
		c->source = "containers.json";
		c->attempt = e.attempt;
		c->has_attempt = e.attempt != MW_NONE;
	}
	/* the bundle has the pod's labels too */
	if (!crio_bundle(d, id, c) && !listed)
		return false;
	mw_copy(c->id, sizeof(c->id), id);
	mw_copy(c->runtime, sizeof(c->runtime), "crio");
	return true;
}

/* A path in the rootfs layer of one of its containers */
static bool crio_by_path(struct mw_runtimes *rt, struct mw_daemon *d,
			 const char *path, struct mw_container *c)
{
	struct mw_cstorage_ctr e;

	return mw_cstorage_by_layer(d, path, &e) && e.cri &&
	       crio_lookup(rt, d, e.id, c);
}

const struct mw_runtime_ops mw_rt_crio = {
	.name = "crio",
	.daemons = (const char *const []){ "crio", NULL },
	.scopes = (const char *const []){ "crio-", NULL },
	.locate = crio_locate,
	.lookup = crio_lookup,
	.by_path = crio_by_path,
	.free = mw_cstorage_free,
};
