// SPDX-License-Identifier: GPL-2.0
/*
 * containerd 1.6's CRI plugin keeps a container's attempt nowhere on disk
 * but in containerd's metadata store (<root>/io.containerd.metadata.v1.bolt/
 * meta.db, bbolt): the bucket v1/k8s.io/containers/<id>/extensions holds,
 * under io.cri-containerd.container.metadata (a pod's sandbox:
 * io.cri-containerd.sandbox.metadata), a protobuf Any (metadata/
 * containers.go) whose value is the JSON the plugin's store marshals
 * (pkg/cri/store/container/metadata.go): {"Version":"v1","Metadata":
 * {...,"Config":{"metadata":{"name":...,"attempt":N}}}}. The config is the
 * CRI's own message in Go's JSON, which omits an attempt of 0.
 */
#include <string.h>
#include "bolt.h"
#include "cri_meta.h"
#include "json.h"

#define ANY_TYPE_URL	1	/* google.protobuf.Any's field numbers */
#define ANY_VALUE	2
#define WIRE_VARINT	0
#define WIRE_LEN	2

static const struct {
	const char *key, *kind;
} extensions[] = {
	{ "io.cri-containerd.container.metadata", "container" },
	{ "io.cri-containerd.sandbox.metadata", "sandbox" },
};

/* A varint at *@p (before @end): false if it runs past or over 64 bits. */
static bool varint(const unsigned char **p, const unsigned char *end,
		   uint64_t *out)
{
	int shift;

	*out = 0;
	for (shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char b = *(*p)++;

		*out |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* The Any's value field: its bytes inside @any. */
static bool any_value(const char *any, size_t len, const char **val,
		      size_t *vlen)
{
	const unsigned char *p = (const unsigned char *)any, *end = p + len;
	uint64_t tag, n;

	*val = NULL;
	while (p < end) {
		if (!varint(&p, end, &tag))
			return false;
		if ((tag & 7) == WIRE_VARINT) {
			if (!varint(&p, end, &n))
				return false;
			continue;
		}
		if ((tag & 7) != WIRE_LEN || !varint(&p, end, &n) ||
		    n > (uint64_t)(end - p))
			return false;
		if (tag >> 3 == ANY_VALUE) {
			*val = (const char *)p;
			*vlen = n;
		}
		p += n;
	}
	return *val != NULL;
}

/*
 * The CRI's metadata from an extension's bytes (@any, a protobuf Any):
 * name and attempt; false unless its JSON has Metadata.Config.metadata.
 */
bool mw_cri_meta_any(const char *any, size_t len, struct mw_cri_meta *out)
{
	struct mw_json doc;
	const char *val;
	size_t vlen;
	char err[160];
	int md, attempt;
	bool ok;

	if (!any_value(any, len, &val, &vlen) ||
	    mw_json_parse(&doc, val, vlen, err, sizeof(err)))
		return false;
	md = mw_json_get(&doc, 0, "Metadata");
	md = md < 0 ? -1 : mw_json_get(&doc, md, "Config");
	md = md < 0 ? -1 : mw_json_get(&doc, md, "metadata");
	ok = md >= 0 && doc.tok[md].type == MW_JSON_OBJECT &&
	     mw_json_get_string(&doc, md, "name", out->name, sizeof(out->name));
	attempt = ok ? mw_json_get(&doc, md, "attempt") : -1;
	out->attempt = 0;
	if (attempt >= 0)
		ok = mw_json_int(&doc, attempt, &out->attempt) && out->attempt >= 0;
	mw_json_free(&doc);
	return ok;
}

/*
 * The CRI's record of the container or sandbox @id in the meta.db @db
 * (its @len bytes): false if containerd's k8s.io namespace has none.
 */
bool mw_cri_meta(const char *db, size_t len, const char *id,
		 struct mw_cri_meta *out)
{
	const char *any;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		if (!mw_bolt_value(db, len, (const char *const []){ "v1", "k8s.io",
				   "containers", id, "extensions",
				   extensions[i].key }, 6, &any, &n) ||
		    !mw_cri_meta_any(any, n, out))
			continue;
		strcpy(out->kind, extensions[i].kind);
		return true;
	}
	return false;
}
