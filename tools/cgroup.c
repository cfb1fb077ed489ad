// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/cgroup: the container, pod and systemd unit around a process.
 * Which prefix or parent directory belongs to which runtime is the
 * registry's (runtime.c, each runtime's scopes); the pod's slice and the
 * systemd units are Kubernetes' and systemd's, read here.
 */
#include <ctype.h>
#include <string.h>
#include "cgroup.h"
#include "registry.h"

static bool all_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* A 64-hex-digit container id, the way every OCI runtime names them. */
bool mw_is_container_id_n(const char *s, size_t len)
{
	return len == 64 && all_hex(s, len);
}

bool mw_is_container_id(const char *s)
{
	return mw_is_container_id_n(s, strlen(s));
}

/* 8-4-4-4-12 with '-' or, inside systemd slice names, '_'. */
static bool take_pod_uid(const char *s, size_t len, char *dst, size_t dstlen)
{
	size_t i;

	if (len != 36 || dstlen <= len)
		return false;
	for (i = 0; i < len; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? (s[i] != '-' && s[i] != '_') :
			   !isxdigit((unsigned char)s[i]))
			return false;
		dst[i] = dash ? '-' : s[i];
	}
	dst[len] = '\0';
	return true;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static void take(char *dst, size_t dstlen, const char *s, size_t len)
{
	if (len < dstlen) {
		memcpy(dst, s, len);
		dst[len] = '\0';
	}
}

static void take_container(struct mw_cgroup_info *info, const char *id,
			   const char *runtime)
{
	take(info->container, sizeof(info->container), id, 64);
	take(info->runtime, sizeof(info->runtime), runtime ? runtime : "",
	     runtime ? strlen(runtime) : 0);
}

/* The pod's uid from its slice or directory. */
static void pod_component(const char *comp, size_t len, bool kubepods,
			  struct mw_cgroup_info *info)
{
	/* cgroupfs driver: /kubepods/burstable/pod<uid>/<id> */
	if (len > 3 && !memcmp(comp, "pod", 3))
		take_pod_uid(comp + 3, len - 3, info->pod, sizeof(info->pod));
	/* systemd driver: kubepods-burstable-pod<uid_>.slice */
	if (kubepods && ends_with(comp, len, ".slice")) {
		const char *pod = memmem(comp, len - 6, "-pod", 4);

		if (pod && pod + 4 < comp + len - 6)
			take_pod_uid(pod + 4, comp + len - 6 - (pod + 4),
				     info->pod, sizeof(info->pod));
	}
}

/* kind, k3s: "kubepods-...-pod<uid_>.slice:cri-containerd:<id>" */
static void colon_component(const char *comp, size_t len, const char *colon,
			    struct mw_cgroup_info *info)
{
	const char *last = comp + len;
	const char *pod = memmem(comp, colon - comp, "-pod", 4);
	const char *slice = memmem(comp, colon - comp, ".slice", 6);

	while (last[-1] != ':')
		last--;
	if (pod && slice)
		take_pod_uid(pod + 4, slice - (pod + 4), info->pod,
			     sizeof(info->pod));
	if (mw_is_container_id_n(last, comp + len - last))
		take_container(info, last, last - 1 > colon ?
			       mw_runtime_of_prefix(colon + 1, last - 1 - colon - 1) :
			       NULL);
}

/* runtime-id.scope (systemd driver) or runtime-id; else a unit */
static void scope_component(const char *comp, size_t len,
			    struct mw_cgroup_info *info)
{
	bool scope = ends_with(comp, len, ".scope");
	size_t base = len - (scope ? 6 : 0);
	const char *runtime = mw_runtime_of_scope(comp, base);

	if (runtime && mw_is_container_id_n(comp + base - 64, 64))
		take_container(info, comp + base - 64, runtime);
	else if (scope)
		take(info->unit, sizeof(info->unit), comp, len);
}

/*
 * One cgroup path, component by component; the innermost match wins, so
 * a container nested in a pod slice reports both.
 */
void mw_cgroup_path_parse(const char *path, struct mw_cgroup_info *info)
{
	const char *comp = path, *end, *prev = "";
	size_t prev_len = 0, len;
	bool kubepods = false;

	for (; *comp; comp = *end ? end + 1 : end) {
		const char *colon;

		end = strchrnul(comp, '/');
		len = end - comp;
		if (!len)
			continue;
		if (memmem(comp, len, "kubepods", 8))
			kubepods = true;
		pod_component(comp, len, kubepods, info);
		colon = memchr(comp, ':', len);
		if (colon)
			colon_component(comp, len, colon, info);
		else if (mw_is_container_id_n(comp, len))
			/* /docker/<id>, /kubepods/.../<id>, /default/<id> */
			take_container(info, comp,
				       mw_runtime_of_parent(prev, prev_len));
		else
			scope_component(comp, len, info);
		if (ends_with(comp, len, ".service"))
			take(info->unit, sizeof(info->unit), comp, len);
		prev = comp;
		prev_len = len;
	}
}

/*
 * /proc/PID/cgroup: "hierarchy:controllers:path" per line; one "0::" line
 * on cgroup v2, one per hierarchy on v1. The first line that names a
 * container decides; otherwise the v2 or name=systemd line names the unit.
 */
void mw_cgroup_parse(const char *cgroup_file, struct mw_cgroup_info *info)
{
	const char *line, *next;

	memset(info, 0, sizeof(*info));
	for (line = cgroup_file; line && *line; line = next) {
		struct mw_cgroup_info one;
		const char *c1, *c2;
		char path[4096];
		size_t len;

		next = strchr(line, '\n');
		len = next ? (size_t)(next - line) : strlen(line);
		if (next)
			next++;
		c1 = memchr(line, ':', len);
		c2 = c1 ? memchr(c1 + 1, ':', line + len - c1 - 1) : NULL;
		if (!c2)
			continue;
		len = line + len - c2 - 1;
		if (len >= sizeof(path))
			continue;
		memcpy(path, c2 + 1, len);
		path[len] = '\0';

		memset(&one, 0, sizeof(one));
		mw_cgroup_path_parse(path, &one);
		/* the v2 line's path, else the first that is not the root */
		if ((!strncmp(line, "0::", 3) ||
		     (!info->path[0] && strcmp(path, "/"))) &&
		    len < sizeof(info->path))
			memcpy(info->path, path, len + 1);
		if (one.container[0] && !info->container[0]) {
			memcpy(info->container, one.container, sizeof(one.container));
			memcpy(info->runtime, one.runtime, sizeof(one.runtime));
		}
		if (one.pod[0] && !info->pod[0])
			memcpy(info->pod, one.pod, sizeof(one.pod));
		if (one.unit[0] && !info->unit[0])
			memcpy(info->unit, one.unit, sizeof(one.unit));
	}
}
