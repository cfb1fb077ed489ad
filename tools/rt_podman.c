// SPDX-License-Identifier: GPL-2.0
/*
 * podman: containers/storage's containers.json (id, names, layer,
 * metadata's image-name), located by storage.conf (cstorage.c), and each
 * container's OCI bundle <graphroot>/overlay-containers/<id>/userdata/
 * config.json with its annotations (oci_bundle.c). podman has
 * no daemon: conmon watches each of its containers, and its root is the
 * one the files are read through.
 */
#include <stdio.h>
#include <string.h>
#include "cstorage.h"
#include "oci_bundle.h"
#include "rootfs.h"
#include "rt_ops.h"

static void podman_locate(struct mw_runtimes *rt, struct mw_daemon *d)
{
	(void)rt;
	mw_cstorage_locate(d);
}

/*
 * Its OCI bundle, in the graphroot (CRI-O's is in the runroot): the
 * annotations of --annotation and kube play, and the pod podman made.
 */
static void podman_bundle(struct mw_daemon *d, const char *id,
			  struct mw_container *c)
{
	char path[MW_PATH_LEN];

	snprintf(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
		 d->dir, id);
	if (mw_path_component(id))
		mw_bundle_read(d->root, path, c);
}

static bool podman_lookup(struct mw_runtimes *rt, struct mw_daemon *d,
			  const char *id, struct mw_container *c)
{
	struct mw_cstorage_ctr e;

	(void)rt;
	/* CRI-O's containers share the file: rt_crio.c names those */
	if (!mw_cstorage_find(d, "id", id, &e) || e.cri)
		return false;
	mw_copy(c->id, sizeof(c->id), id);
	mw_copy(c->runtime, sizeof(c->runtime), "podman");
	mw_copy(c->name, sizeof(c->name), e.name);
	mw_copy(c->image, sizeof(c->image), e.image);
	c->source = "containers.json";
	podman_bundle(d, id, c);
	return true;
}

/* A path in the rootfs layer of one of its containers */
static bool podman_by_path(struct mw_runtimes *rt, struct mw_daemon *d,
			   const char *path, struct mw_container *c)
{
	struct mw_cstorage_ctr e;

	return mw_cstorage_by_layer(d, path, &e) && !e.cri &&
	       podman_lookup(rt, d, e.id, c);
}

const struct mw_runtime_ops mw_rt_podman = {
	.name = "podman",
	.daemons = (const char *const []){ "conmon", NULL },
	/* libpod-payload-: --cgroups=split */
	.scopes = (const char *const []){ "libpod-", "libpod-payload-", NULL },
	.locate = podman_locate,
	.lookup = podman_lookup,
	.by_path = podman_by_path,
	.free = mw_cstorage_free,
};
