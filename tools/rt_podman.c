// SPDX-License-Identifier: GPL-2.0
/*
 * podman: containers/storage's containers.json (id, names, layer,
 * metadata's image-name), located by storage.conf (cstorage.c), and each
 * container's OCI bundle <graphroot>/overlay-containers/<id>/userdata/
 * config.json with its annotations (oci_bundle.c); its pod's name from
 * libpod's state database (bolt.c). podman has
 * no daemon: conmon watches each of its containers, and its root is the
 * one the files are read through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bolt.h"
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

/*
 * The podman pod a container joined (podman pod create, kube play): libpod
 * keeps it in <graphroot>/libpod/bolt_state.db, the key pod-id of bucket
 * ctr/<id> naming the pod's id, allPods mapping ids to names (podman 4.3's
 * boltdb_state_internal.go). The bundle's io.kubernetes.cri-o.SandboxID is
 * the pod's id only in a pod without an infra container; in one with, it is
 * the infra container's.
 */
static void podman_pod(struct mw_daemon *d, const char *id,
		       struct mw_container *c)
{
	char path[MW_PATH_LEN], pod[MW_ID_LEN];
	const char *db;
	size_t len;

	snprintf(path, sizeof(path), "%s/libpod/bolt_state.db", d->dir);
	db = mw_daemon_db(d, path, &len);
	if (!db)
		return;
	if (!mw_bolt_get(db, len, (const char *const []){ "ctr", id, "pod-id" }, 3,
			 pod, sizeof(pod)))
		mw_copy(pod, sizeof(pod), c->sandbox);
	if (pod[0] && mw_bolt_get(db, len, (const char *const []){ "allPods", pod },
				  2, c->pod_name, sizeof(c->pod_name)))
		mw_copy(c->sandbox, sizeof(c->sandbox), pod);
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
	if (!c->pod_name[0])
		podman_pod(d, id, c);
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
