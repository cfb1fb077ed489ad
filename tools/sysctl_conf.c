// SPDX-License-Identifier: GPL-2.0
/*
 * Where a sysctl's value comes from at boot: the files systemd-sysctl and
 * sysctl --system read, in their order (sysctl.d(5)): *.conf of
 * /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d
 * and /lib/sysctl.d sorted by name, a name in an earlier directory hiding
 * the same name in a later one, then /etc/sysctl.conf. The last setting
 * read wins.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sysctl_conf.h"

static const char *const dirs[] = {
	"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
	"/usr/lib/sysctl.d", "/lib/sysctl.d",
};

#define NDIRS	(sizeof(dirs) / sizeof(dirs[0]))
#define MAX_CONF	256

struct conf {
	char name[256];
	int dir;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct conf *)a)->name,
		      ((const struct conf *)b)->name);
}

/* "fs.mount-max" and "fs/mount-max" are one key; a leading '-' too */
static bool same_key(const char *line, size_t len, const char *key)
{
	size_t i;

	if (len && line[0] == '-') {
		line++;
		len--;
	}
	if (len != strlen(key))
		return false;
	for (i = 0; i < len; i++)
		if (line[i] != key[i] && !(line[i] == '/' && key[i] == '.'))
			return false;
	return true;
}

/* The key's setting in @path, the last one in the file; 0 if none. */
static int scan_file(const char *path, const char *key, struct mw_sysctl_set *set)
{
	char line[1024];
	int lineno = 0, found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *eq, *end, *v;

		lineno++;
		eq = strchr(p, '=');
		if (*p == '#' || *p == ';' || !eq)
			continue;
		for (end = eq; end > p && strchr(" \t", end[-1]); end--)
			;
		if (!same_key(p, end - p, key))
			continue;
		v = eq + 1 + strspn(eq + 1, " \t");
		v[strcspn(v, " \t\r\n")] = '\0';
		snprintf(set->file, sizeof(set->file), "%s", path);
		snprintf(set->value, sizeof(set->value), "%s", v);
		set->line = lineno;
		found = 1;
	}
	fclose(f);
	return found;
}

static int list_confs(const char *root, struct conf *confs)
{
	char path[MW_SYSCTL_PATH];
	struct dirent *de;
	int n = 0, i;
	size_t d;

	for (d = 0; d < NDIRS; d++) {
		DIR *dir;

		snprintf(path, sizeof(path), "%s%s", root, dirs[d]);
		dir = opendir(path);
		while (dir && (de = readdir(dir)) && n < MAX_CONF) {
			size_t len = strlen(de->d_name);

			if (len < 6 || strcmp(de->d_name + len - 5, ".conf") ||
			    len >= sizeof(confs->name))
				continue;
			for (i = 0; i < n; i++)
				if (!strcmp(confs[i].name, de->d_name))
					break;
			if (i < n)
				continue;	/* hidden by an earlier directory */
			snprintf(confs[n].name, sizeof(confs[n].name), "%s", de->d_name);
			confs[n++].dir = d;
		}
		if (dir)
			closedir(dir);
	}
	qsort(confs, n, sizeof(*confs), by_name);
	return n;
}

bool mw_sysctl_setting(const char *root, const char *key,
		       struct mw_sysctl_set *set)
{
	struct conf *confs = calloc(MAX_CONF, sizeof(*confs));
	char path[MW_SYSCTL_PATH];
	bool found = false;
	int i, n;

	memset(set, 0, sizeof(*set));
	if (!confs)
		return false;
	n = list_confs(root, confs);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%s/%s", root,
			 dirs[confs[i].dir], confs[i].name);
		found |= scan_file(path, key, set);
	}
	snprintf(path, sizeof(path), "%s/etc/sysctl.conf", root);
	found |= scan_file(path, key, set);
	free(confs);
	/* the path as the node names it, not under --proc's root */
	if (found && strlen(root) && !strncmp(set->file, root, strlen(root)))
		memmove(set->file, set->file + strlen(root),
			strlen(set->file + strlen(root)) + 1);
	return found;
}

/* The node's root as --proc names it: "" for /proc, "DIR" for DIR/proc. */
void mw_sysroot_of(const char *procdir, char *buf, size_t len)
{
	const char *slash = strrchr(procdir, '/');

	if (!slash)	/* "proc": the working directory's */
		snprintf(buf, len, ".");
	else
		snprintf(buf, len, "%.*s", (int)(slash - procdir), procdir);
}
