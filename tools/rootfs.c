// SPDX-License-Identifier: GPL-2.0
/*
 * A runtime's files, read through /proc/PID/root of its daemon (or of pid
 * 1), which works on the host and from a hostPID pod alike, and with
 * RESOLVE_IN_ROOT where the kernel has it (5.6), so that an absolute
 * symlink inside that root resolves there and not in ours; and the small
 * formats its location is configured in (command lines, TOML).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "rootfs.h"
#include "util.h"

#ifndef SYS_openat2
#define SYS_openat2	437
#endif
#define MW_RESOLVE_NO_MAGICLINKS	0x02
#define MW_RESOLVE_IN_ROOT		0x10

struct mw_open_how {
	uint64_t flags, mode, resolve;
};

/* state files are small: a container's config is a few KiB */
#define STATE_FILE_MAX	(16 << 20)

/* @path (absolute) inside @root, resolved as if @root were "/". */
int mw_open_in(const char *root, const char *path, int flags)
{
	struct mw_open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = MW_RESOLVE_IN_ROOT | MW_RESOLVE_NO_MAGICLINKS,
	};
	int dirfd, fd, saved;

	dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));
	/* before 5.6: absolute symlinks in the root then point into ours */
	if (fd < 0 && (errno == ENOSYS || errno == E2BIG || errno == EPERM))
		fd = openat(dirfd, *path ? path : ".", flags | O_CLOEXEC);
	saved = errno;
	close(dirfd);
	errno = saved;
	return fd;
}

/*
 * The daemon's state database @path (libpod's bolt_state.db, containerd's
 * meta.db), read at its first use in this run and kept for every container
 * asked after; NULL if none, unreadable or over the bound.
 */
const char *mw_daemon_db(struct mw_daemon *d, const char *path, size_t *len)
{
	if (!d->db_read) {
		d->db = mw_read_in(d->root, path, &d->db_len);
		d->db_read = true;
	}
	*len = d->db_len;
	return d->db;
}

char *mw_read_in(const char *root, const char *path, size_t *len)
{
	int fd = mw_open_in(root, path, O_RDONLY);
	char *text;

	if (fd < 0)
		return NULL;
	text = mw_read_fd(fd, STATE_FILE_MAX, len);
	close(fd);
	return text;
}

/* A directory inside @root, to readdir(); NULL. */
DIR *mw_opendir_in(const char *root, const char *path)
{
	int fd = mw_open_in(root, path, O_RDONLY | O_DIRECTORY);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);

	if (!dir && fd >= 0)
		close(fd);
	return dir;
}

/* A JSON file inside @root: 0, or -1 when missing or not JSON. */
int mw_json_in(const char *root, const char *path, char **text,
	       struct mw_json *doc)
{
	char err[160];
	size_t len;

	*text = mw_read_in(root, path, &len);
	if (!*text)
		return -1;
	if (mw_json_parse(doc, *text, len, err, sizeof(err))) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* @src into @dst, cut to fit */
void mw_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* NUL-separated /proc/PID/cmdline: the value of --name=V or --name V. */
bool mw_cmdline_opt(const char *cmdline, size_t len, const char *name,
		    const char *alias, char *val, size_t vlen)
{
	const char *arg = cmdline, *end = cmdline + len;
	size_t nlen = strlen(name);

	for (; arg < end; arg += strlen(arg) + 1) {
		const char *next = arg + strlen(arg) + 1;

		if (!strncmp(arg, name, nlen) && arg[nlen] == '=') {
			mw_copy(val, vlen, arg + nlen + 1);
			return true;
		}
		if ((!strcmp(arg, name) || (alias && !strcmp(arg, alias))) &&
		    next < end) {
			mw_copy(val, vlen, next);
			return true;
		}
	}
	return false;
}

/* "[section]" at @p: its name into @here. */
static void toml_section(const char *p, char *here, size_t len)
{
	const char *q = strchr(p, ']');

	if (q && (size_t)(q - p - 1) < len) {
		memcpy(here, p + 1, q - p - 1);
		here[q - p - 1] = '\0';
	}
}

/* key = "value" in a TOML file, in @section ("" before any header). */
bool mw_toml_string(const char *text, const char *section, const char *key,
		    char *val, size_t vlen)
{
	const char *line, *next;
	size_t klen = strlen(key);
	char here[64] = "";

	for (line = text; line && *line; line = next) {
		const char *p = line, *q;

		next = strchr(line, '\n');
		next = next ? next + 1 : NULL;
		p += strspn(p, " \t");
		if (*p == '[') {
			toml_section(p, here, sizeof(here));
			continue;
		}
		if (strcmp(here, section) || strncmp(p, key, klen))
			continue;
		p += klen;
		p += strspn(p, " \t");
		if (*p++ != '=')
			continue;
		p += strspn(p, " \t");
		if (*p != '"' || !(q = strchr(p + 1, '"')) ||
		    (next && q > next) || (size_t)(q - p - 1) >= vlen)
			continue;
		memcpy(val, p + 1, q - p - 1);
		val[q - p - 1] = '\0';
		return true;
	}
	return false;
}

/* The daemon's /proc/PID/cmdline; NULL when it runs no daemon. */
char *mw_daemon_cmdline(const struct mw_runtimes *rt,
			const struct mw_daemon *d, size_t *len)
{
	char path[MW_PATH_LEN];

	if (!d->pid)
		return NULL;
	snprintf(path, sizeof(path), "%s/%d/cmdline", rt->procdir, d->pid);
	return mw_read_file(path, len);
}

/* A safe path component: no "/", not "." or "..", not empty. */
bool mw_path_component(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") &&
	       strlen(s) < MW_ID_LEN;
}

/* "<dir>/<entry>/..." -> entry, if @path lies under @dir. */
bool mw_entry_under(const char *path, const char *dir, char *entry,
		    size_t len)
{
	size_t dlen = strlen(dir), elen;
	const char *end;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (strncmp(path, dir, dlen) || path[dlen] != '/')
		return false;
	path += dlen + 1;
	end = strchrnul(path, '/');
	elen = end - path;
	if (!elen || elen >= len)
		return false;
	memcpy(entry, path, elen);
	entry[elen] = '\0';
	return true;
}
