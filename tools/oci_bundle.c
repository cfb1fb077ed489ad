// SPDX-License-Identifier: GPL-2.0
/*
 * An OCI bundle's config.json, as containerd's task directory and
 * containers/storage's userdata hold it: its annotations name the
 * container the way the kubelet does (kube.c).
 */
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "kube.h"
#include "oci_bundle.h"
#include "rootfs.h"

/* The bundle at @path inside @root: false when missing or not JSON. */
bool mw_bundle_read(const char *root, const char *path,
		    struct mw_container *c)
{
	struct mw_json doc;
	char *text;

	if (mw_json_in(root, path, &text, &doc))
		return false;
	c->source = "config.json";
	mw_kube_names(&doc, mw_json_get(&doc, 0, "annotations"), c);
	mw_json_free(&doc);
	free(text);
	return true;
}
