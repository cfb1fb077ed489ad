// SPDX-License-Identifier: GPL-2.0
/*
 * The names Kubernetes gives a container, from an object of annotations
 * or labels: containerd's CRI plugin writes its own into the task's
 * config.json (io.kubernetes.cri.*, containerd's pkg/cri/annotations);
 * CRI-O and cri-dockerd carry the kubelet's labels (io.kubernetes.pod.*,
 * io.kubernetes.container.*); podman keeps what --annotation or a kube
 * play gave it. They are the pod spec's strings, user input: callers
 * escape them on output.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kube.h"

/* The keys that fill a field, the first present wins. */
static const struct {
	const char *key;
	size_t offset, size;
} kube_keys[] = {
#define KEY(k, m) { k, offsetof(struct mw_container, m), \
		    sizeof(((struct mw_container *)0)->m) }
	/* containerd's CRI plugin */
	KEY("io.kubernetes.cri.container-name", kube_name),
	KEY("io.kubernetes.cri.sandbox-name", pod_name),
	KEY("io.kubernetes.cri.sandbox-namespace", pod_namespace),
	KEY("io.kubernetes.cri.sandbox-uid", pod_uid),
	KEY("io.kubernetes.cri.container-type", kind),
	KEY("io.kubernetes.cri.image-name", image),
	KEY("io.kubernetes.cri.sandbox-id", sandbox),
	/* the kubelet's labels: CRI-O's annotations, cri-dockerd's labels */
	KEY("io.kubernetes.container.name", kube_name),
	KEY("io.kubernetes.pod.name", pod_name),
	KEY("io.kubernetes.pod.namespace", pod_namespace),
	KEY("io.kubernetes.pod.uid", pod_uid),
	KEY("io.kubernetes.cri-o.ContainerType", kind),
	KEY("io.kubernetes.docker.type", kind),
	KEY("io.kubernetes.cri-o.ImageName", image),
	/* CRI-O's sandbox; podman 4 names its own pod's id so */
	KEY("io.kubernetes.cri-o.SandboxID", sandbox),
#undef KEY
};

#define NKEYS	(sizeof(kube_keys) / sizeof(kube_keys[0]))

/* The kubelet's restart count: CRI-O's annotation, cri-dockerd's label. */
static const char *const attempt_keys[] = {
	"io.kubernetes.container.restartCount",
	"annotation.io.kubernetes.container.restartCount",
};

static void kube_attempt(const struct mw_json *doc, int obj,
			 struct mw_container *c)
{
	char val[24], *end;
	long long n;
	size_t i;

	for (i = 0; i < sizeof(attempt_keys) / sizeof(attempt_keys[0]); i++) {
		if (!mw_json_get_string(doc, obj, attempt_keys[i], val, sizeof(val)))
			continue;
		n = strtoll(val, &end, 10);
		if (end == val || *end || n < 0)
			continue;
		c->attempt = n;
		c->has_attempt = true;
		return;
	}
}

/*
 * What the annotations say replaces what the runtime's other files said;
 * the container's name becomes its name in the pod spec, where it has one.
 */
void mw_kube_names(const struct mw_json *doc, int obj, struct mw_container *c)
{
	bool done[NKEYS] = { false };
	char val[MW_NAME_LEN];
	size_t i, j;

	for (i = 0; i < NKEYS; i++) {
		char *dst = (char *)c + kube_keys[i].offset;

		if (done[i] || !mw_json_get_string(doc, obj, kube_keys[i].key,
						   val, sizeof(val)) || !val[0])
			continue;
		snprintf(dst, kube_keys[i].size, "%s", val);
		for (j = i; j < NKEYS; j++)
			if (kube_keys[j].offset == kube_keys[i].offset)
				done[j] = true;
	}
	if (c->kube_name[0])
		snprintf(c->name, sizeof(c->name), "%s", c->kube_name);
	kube_attempt(doc, obj, c);
}
