/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every layer of mntwatch(8) shares: exit codes, buffer sizes, the
 * "unknown" value, text helpers, reading files and numbers (util.c).
 */
#ifndef MNTWATCH_UTIL_H
#define MNTWATCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../module/version.h"

#define MW_VERSION		MNTWATCH_VERSION

/* A field the module printed as "-", or that this source cannot know. */
#define MW_NONE			INT64_MIN

/* Exit codes: check(8)-style for "check", the same meaning elsewhere. */
enum {
	MW_EXIT_OK	= 0,
	MW_EXIT_WARN	= 1,
	MW_EXIT_USAGE	= 2,	/* also CRITICAL for "check" */
	MW_EXIT_ERROR	= 3,	/* UNKNOWN: cannot read what we need */
};

#define MW_COMM_LEN	32	/* TASK_COMM_LEN is 16; leave room */
#define MW_ID_LEN	72	/* container ids are 64 hex digits */
#define MW_UID_LEN	40	/* pod uids are 36 characters */
#define MW_UNIT_LEN	128
#define MW_HELD_LEN	160
#define MW_PATH_LEN	4096
#define MW_NAME_LEN	256	/* a container, image or pod name */
#define MW_CGPATH_LEN	1024
#define MW_ARG_LEN	320	/* the module keeps 255 bytes of a string, "..." */

/* --- text (util.c) */
void mw_sanitize(char *dst, size_t len, const char *src);
void mw_unescape(char *dst, size_t len, const char *src);
void mw_escape(char *dst, size_t len, const char *src);
void mw_format_ago(char *buf, size_t len, int64_t then_us, int64_t now_us);
void mw_format_time(char *buf, size_t len, int64_t time_us);

/* --- files and numbers */
char *mw_read_file(const char *path, size_t *len);
char *mw_read_fd(int fd, size_t max, size_t *len);
int mw_parse_u64(const char *s, uint64_t *out);
int64_t mw_parse_opt_int(const char *s, bool *ok);

#endif
