// SPDX-License-Identifier: GPL-2.0
/*
 * The container, pod and systemd unit a cgroup path names: the runtimes'
 * scope and slice names (cgroup driver "systemd" or "cgroupfs").
 */
#include <ctype.h>
#include <string.h>
#include "cgroup.h"

static bool all_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* A 64-hex-digit container id, the way every OCI runtime names them. */
static bool is_container_id(const char *s, size_t len)
{
	return len == 64 && all_hex(s, len);
}

bool mw_is_container_id(const char *s)
{
	return is_container_id(s, strlen(s));
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

/* systemd scope prefixes of the runtimes (cgroup driver "systemd") */
static const struct {
	const char *prefix;
	const char *runtime;
} scope_prefixes[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "crio" },
	{ "libpod-", "podman" },
	{ "libpod-payload-", "podman" },	/* --cgroups=split */
	{ "nerdctl-", "containerd" },
};

/*
 * One cgroup path, component by component; the innermost match wins, so
 * a container nested in a pod slice reports both.
 */
void mw_cgroup_path_parse(const char *path, struct mw_cgroup_info *info)
{
	const char *comp = path, *end;
	const char *prev = NULL;
	size_t prev_len = 0;
	bool kubepods = false;

	for (; *comp; comp = *end ? end + 1 : end) {
		const char *colon;
		size_t len, i;

		end = strchr(comp, '/');
		if (!end)
			end = comp + strlen(comp);
		len = end - comp;
		if (!len)
			continue;
		if (memmem(comp, len, "kubepods", 8))
			kubepods = true;

		/* cgroupfs driver: /kubepods/burstable/pod<uid>/<id> */
		if (len > 3 && !memcmp(comp, "pod", 3))
			take_pod_uid(comp + 3, len - 3, info->pod,
				     sizeof(info->pod));
		/* systemd driver: kubepods-burstable-pod<uid_>.slice */
		if (kubepods && ends_with(comp, len, ".slice")) {
			const char *pod = memmem(comp, len - 6, "-pod", 4);

			if (pod && pod + 4 < comp + len - 6)
				take_pod_uid(pod + 4, comp + len - 6 - (pod + 4),
					     info->pod, sizeof(info->pod));
		}

		/* kind, k3s: "kubepods-...-pod<uid_>.slice:cri-containerd:<id>" */
		colon = memchr(comp, ':', len);
		if (colon) {
			const char *last = comp + len;
			const char *pod = memmem(comp, colon - comp, "-pod", 4);
			const char *slice = memmem(comp, colon - comp, ".slice", 6);

			while (last[-1] != ':')
				last--;
			if (pod && slice)
				take_pod_uid(pod + 4, slice - (pod + 4), info->pod,
					     sizeof(info->pod));
			if (is_container_id(last, comp + len - last)) {
				memcpy(info->container, last, 64);
				info->container[64] = '\0';
				strcpy(info->runtime,
				       memmem(comp, len, "containerd", 10) ?
				       "containerd" : "");
			}
		} else if (is_container_id(comp, len)) {
			/* /docker/<id>, /kubepods/.../<id>, /default/<id> */
			memcpy(info->container, comp, len);
			info->container[len] = '\0';
			info->runtime[0] = '\0';
			if (prev && prev_len == 6 && !memcmp(prev, "docker", 6))
				strcpy(info->runtime, "docker");
		} else {
			/* runtime-id.scope (systemd driver) or runtime-id */
			bool scope = ends_with(comp, len, ".scope");
			size_t base = len - (scope ? 6 : 0);
			bool container = false;

			for (i = 0; i < sizeof(scope_prefixes) /
					sizeof(scope_prefixes[0]); i++) {
				size_t plen = strlen(scope_prefixes[i].prefix);

				if (base > plen &&
				    !memcmp(comp, scope_prefixes[i].prefix, plen) &&
				    is_container_id(comp + plen, base - plen)) {
					memcpy(info->container, comp + plen, 64);
					info->container[64] = '\0';
					strcpy(info->runtime,
					       scope_prefixes[i].runtime);
					container = true;
				}
			}
			if (scope && !container && len < sizeof(info->unit)) {
				memcpy(info->unit, comp, len);
				info->unit[len] = '\0';
			}
		}
		if (ends_with(comp, len, ".service") &&
		    len < sizeof(info->unit)) {
			memcpy(info->unit, comp, len);
			info->unit[len] = '\0';
		}
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
