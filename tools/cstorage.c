// SPDX-License-Identifier: GPL-2.0
/*
 * containers/storage, which podman and CRI-O share: storage.conf says
 * where it lives (graphroot, runroot), <graphroot>/overlay-containers/
 * containers.json lists the containers (id, names, layer, metadata), and
 * <runroot>/overlay-containers/<id>/userdata/ holds each one's bundle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cstorage.h"
#include "json.h"
#include "rootfs.h"

/* containers.json, read once per daemon */
struct cstorage {
	struct mw_json doc;
	char *text;
	int state;		/* 1 read, -1 unreadable */
};

void mw_cstorage_locate(struct mw_daemon *d)
{
	char *text;

	mw_copy(d->dir, sizeof(d->dir), "/var/lib/containers/storage");
	mw_copy(d->dir2, sizeof(d->dir2), "/run/containers/storage");
	text = mw_read_in(d->root, "/etc/containers/storage.conf", NULL);
	if (text) {
		mw_toml_string(text, "storage", "graphroot", d->dir, sizeof(d->dir));
		mw_toml_string(text, "storage", "runroot", d->dir2, sizeof(d->dir2));
	}
	free(text);
}

static struct cstorage *containers(struct mw_daemon *d)
{
	struct cstorage *st = d->priv;
	char path[MW_PATH_LEN];

	if (st)
		return st->state > 0 ? st : NULL;
	st = d->priv = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	snprintf(path, sizeof(path), "%s/overlay-containers/containers.json",
		 d->dir);
	st->state = -1;
	if (!mw_json_in(d->root, path, &st->text, &st->doc))
		st->state = 1;
	if (st->state > 0 && st->doc.tok[0].type != MW_JSON_ARRAY) {
		mw_json_free(&st->doc);
		st->state = -1;
	}
	return st->state > 0 ? st : NULL;
}

void mw_cstorage_free(struct mw_daemon *d)
{
	struct cstorage *st = d->priv;

	if (st && st->state > 0)
		mw_json_free(&st->doc);
	if (st)
		free(st->text);
	free(st);
	d->priv = NULL;
}

/* The metadata string of an entry: its image, and what CRI-O adds. */
static void entry_metadata(const struct mw_json *doc, int t,
			   struct mw_cstorage_ctr *out)
{
	char meta[4096], err[160];
	struct mw_json md;

	if (!mw_json_get_string(doc, t, "metadata", meta, sizeof(meta)) ||
	    mw_json_parse(&md, meta, strlen(meta), err, sizeof(err)))
		return;
	mw_json_get_string(&md, 0, "image-name", out->image, sizeof(out->image));
	/*
	 * CRI-O's metadata has its sandbox (pod-name: k8s_POD_...) and the
	 * Kubernetes container name; podman's has neither.
	 */
	out->cri = mw_json_get(&md, 0, "pod-name") >= 0;
	mw_json_get_string(&md, 0, "metadata-name", out->cri_name,
			   sizeof(out->cri_name));
	mw_json_int(&md, mw_json_get(&md, 0, "metadata-attempt"), &out->attempt);
	mw_json_free(&md);
}

/* The containers.json entry whose @key is @value. */
bool mw_cstorage_find(struct mw_daemon *d, const char *key, const char *value,
		      struct mw_cstorage_ctr *out)
{
	struct cstorage *st = containers(d);
	const struct mw_json *doc = st ? &st->doc : NULL;
	char buf[MW_ID_LEN];
	uint32_t i;
	int t;

	memset(out, 0, sizeof(*out));
	out->attempt = MW_NONE;
	if (!doc)
		return false;
	for (i = 0, t = 1; i < doc->tok[0].count; i++, t = doc->tok[t].next) {
		if (!mw_json_get_string(doc, t, key, buf, sizeof(buf)) ||
		    strcmp(buf, value))
			continue;
		mw_json_get_string(doc, t, "id", out->id, sizeof(out->id));
		mw_json_string(doc, mw_json_index(doc, mw_json_get(doc, t, "names"), 0),
			       out->name, sizeof(out->name));
		entry_metadata(doc, t, out);
		return true;
	}
	return false;
}

/* The entry whose layer @path lies in: <graphroot>/overlay/<layer>/... */
bool mw_cstorage_by_layer(struct mw_daemon *d, const char *path,
			  struct mw_cstorage_ctr *out)
{
	char dir[MW_PATH_LEN], layer[MW_ID_LEN];

	snprintf(dir, sizeof(dir), "%s/overlay", d->dir);
	return mw_entry_under(path, dir, layer, sizeof(layer)) &&
	       mw_cstorage_find(d, "layer", layer, out);
}
