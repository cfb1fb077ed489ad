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
#include <limits.h>
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

/* Each setting of @key in @path, appended to @sets; how many there are now. */
static int scan_file(const char *path, const char *key,
		     struct mw_sysctl_set *sets, int n, int max)
{
	char line[1024];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return n;
	while (fgets(line, sizeof(line), f) && n < max) {
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
		snprintf(sets[n].file, sizeof(sets[n].file), "%s", path);
		snprintf(sets[n].value, sizeof(sets[n].value), "%s", v);
		sets[n++].line = lineno;
	}
	fclose(f);
	return n;
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

/*
 * @path as the node names it: symbolic links resolved (sed -i would replace
 * a link with a file), @root taken off. False if it lies outside @root.
 */
static bool node_path(const char *root, char *path, size_t len)
{
	char real[PATH_MAX], real_root[PATH_MAX];
	size_t n;

	if (!realpath(path, real) || !realpath(*root ? root : "/", real_root))
		return false;
	n = strcmp(real_root, "/") ? strlen(real_root) : 0;
	if (strncmp(real, real_root, n) || (real[n] != '/' && real[n]))
		return false;
	snprintf(path, len, "%s", real + n);
	return true;
}

/* The same file through two names (99-sysctl.conf -> ../sysctl.conf) once. */
static int drop_repeats(struct mw_sysctl_set *sets, int n)
{
	int i, j, kept = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < kept; j++)
			if (!strcmp(sets[j].file, sets[i].file) &&
			    sets[j].line == sets[i].line)
				break;
		if (j == kept)
			sets[kept++] = sets[i];
	}
	return kept;
}

int mw_sysctl_settings(const char *root, const char *key,
		       struct mw_sysctl_set *sets, int max)
{
	struct conf *confs = calloc(MAX_CONF, sizeof(*confs));
	char path[MW_SYSCTL_PATH];
	int i, n = 0, nconf, kept = 0;

	if (!confs)
		return 0;
	nconf = list_confs(root, confs);
	for (i = 0; i < nconf; i++) {
		snprintf(path, sizeof(path), "%s%s/%s", root,
			 dirs[confs[i].dir], confs[i].name);
		n = scan_file(path, key, sets, n, max);
	}
	snprintf(path, sizeof(path), "%s/etc/sysctl.conf", root);
	n = scan_file(path, key, sets, n, max);
	free(confs);
	for (i = 0; i < n; i++)
		if (node_path(root, sets[i].file, sizeof(sets[i].file)))
			sets[kept++] = sets[i];
	return drop_repeats(sets, kept);
}

bool mw_sysctl_setting(const char *root, const char *key,
		       struct mw_sysctl_set *set)
{
	struct mw_sysctl_set sets[MW_SYSCTL_SETS];
	int n = mw_sysctl_settings(root, key, sets, MW_SYSCTL_SETS);

	if (n)
		*set = sets[n - 1];
	return n > 0;
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
