/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A runtime's files, read through its daemon's /proc root, and the small
 * formats its location is configured in (rootfs.c).
 */
#ifndef MNTWATCH_ROOTFS_H
#define MNTWATCH_ROOTFS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include "json.h"
#include "container.h"

int mw_open_in(const char *root, const char *path, int flags);
char *mw_read_in(const char *root, const char *path, size_t *len);
const char *mw_daemon_db(struct mw_daemon *d, const char *path, size_t *len);
DIR *mw_opendir_in(const char *root, const char *path);
int mw_json_in(const char *root, const char *path, char **text,
	       struct mw_json *doc);
void mw_copy(char *dst, size_t len, const char *src);
bool mw_cmdline_opt(const char *cmdline, size_t len, const char *name,
		    const char *alias, char *val, size_t vlen);
bool mw_toml_string(const char *text, const char *section, const char *key,
		    char *val, size_t vlen);
char *mw_daemon_cmdline(const struct mw_runtimes *rt,
			const struct mw_daemon *d, size_t *len);
bool mw_path_component(const char *s);
bool mw_entry_under(const char *path, const char *dir, char *entry,
		    size_t len);

#endif
