// SPDX-License-Identifier: GPL-2.0
/*
 * An OCI bundle's config.json, as containerd's task directory and
 * containers/storage's userdata hold it: its annotations name the
 * container the way the kubelet does. containerd's CRI plugin writes its
 * own (io.kubernetes.cri.*, pkg/cri/annotations); CRI-O copies the
 * kubelet's labels (io.kubernetes.pod.*, io.kubernetes.container.*).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "oci_bundle.h"
#include "rootfs.h"

/* The keys that fill a field, the first present wins. */
static const struct {
	const char *key;
	size_t offset, size;
} bundle_keys[] = {
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

#define NKEYS	(sizeof(bundle_keys) / sizeof(bundle_keys[0]))

/* What the annotations say replaces what the runtime's other files said. */
static void bundle_names(const struct mw_json *doc, struct mw_container *c)
{
	int ann = mw_json_get(doc, 0, "annotations");
	char val[MW_NAME_LEN];
	bool done[NKEYS] = { false };
	size_t i, j;

	for (i = 0; i < NKEYS; i++) {
		char *dst = (char *)c + bundle_keys[i].offset;

		if (done[i] || !mw_json_get_string(doc, ann, bundle_keys[i].key,
						   val, sizeof(val)) || !val[0])
			continue;
		mw_copy(dst, bundle_keys[i].size, val);
		for (j = i; j < NKEYS; j++)
			if (bundle_keys[j].offset == bundle_keys[i].offset)
				done[j] = true;
	}
}

/* The bundle at @path inside @root: false when missing or not JSON. */
bool mw_bundle_read(const char *root, const char *path,
		    struct mw_container *c)
{
	struct mw_json doc;
	char *text;

	if (mw_json_in(root, path, &text, &doc))
		return false;
	c->source = "config.json";
	bundle_names(&doc, c);
	mw_json_free(&doc);
	free(text);
	return true;
}
