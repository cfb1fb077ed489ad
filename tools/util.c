// SPDX-License-Identifier: GPL-2.0
/* Text, file and number helpers that every layer shares. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

/* Like the module's comm sanitiser: keeps table rows whitespace-separated. */
void mw_sanitize(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (src[i] > ' ' && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/* mountinfo's octal escapes (\040) back into bytes. */
void mw_unescape(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	while (*src && i + 1 < len) {
		if (src[0] == '\\' && src[1] >= '0' && src[1] <= '3' &&
		    src[2] >= '0' && src[2] <= '7' &&
		    src[3] >= '0' && src[3] <= '7') {
			dst[i++] = (src[1] - '0') << 6 | (src[2] - '0') << 3 |
				   (src[3] - '0');
			src += 4;
		} else {
			dst[i++] = *src++;
		}
	}
	dst[i] = '\0';
}

/*
 * The other way, for table cells: a byte that is a blank, a backslash or
 * not printable ASCII as \ooo, so that a cell stays one field and tells
 * what the bytes were. A cell that would not fit ends in "...".
 */
void mw_escape(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; *src; src++) {
		unsigned char c = *src;
		bool plain = c > ' ' && c < 0x7f && c != '\\';

		if (i + (plain ? 1 : 4) + 1 > len) {
			if (len >= 4)
				strcpy(dst + (i + 4 > len ? len - 4 : i), "...");
			return;
		}
		if (plain)
			dst[i++] = c;
		else
			i += snprintf(dst + i, len - i, "\\%03o", c);
	}
	dst[i] = '\0';
}

void mw_format_ago(char *buf, size_t len, int64_t then_us, int64_t now_us)
{
	int64_t s = (now_us - then_us) / 1000000;

	if (s < 0)
		snprintf(buf, len, "in %" PRId64 "s", -s);
	else if (s < 60)
		snprintf(buf, len, "%" PRId64 "s ago", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m ago", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h ago", s / 3600);
	else
		snprintf(buf, len, "%" PRId64 "d ago", s / 86400);
}

void mw_format_time(char *buf, size_t len, int64_t time_us)
{
	time_t sec = time_us / 1000000;
	struct tm tm;

	if (!localtime_r(&sec, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%" PRId64, (int64_t)sec);
}

/*
 * What is left of @fd as a NUL-terminated string, at most @max bytes
 * (EFBIG beyond); files in procfs and debugfs report size 0.
 */
char *mw_read_fd(int fd, size_t max, size_t *len)
{
	size_t used = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t got;

	if (!buf)
		return NULL;
	for (;;) {
		if (cap - used < 2) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				goto fail;
			buf = bigger;
			cap *= 2;
		}
		got = read(fd, buf + used, cap - used - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		used += got;
		if (used > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
fail:
	{
		int saved = errno;

		free(buf);
		errno = saved ? saved : ENOMEM;
	}
	return NULL;
}

/* Whole file as a NUL-terminated string. */
char *mw_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text;
	int saved;

	if (fd < 0)
		return NULL;
	text = mw_read_fd(fd, SIZE_MAX, len);
	saved = errno;
	close(fd);
	errno = saved;
	return text;
}

int mw_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

/* "-" is MW_NONE with *ok true; garbage sets *ok false. */
int64_t mw_parse_opt_int(const char *s, bool *ok)
{
	char *end;
	long long v;

	*ok = true;
	if (!strcmp(s, "-"))
		return MW_NONE;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		*ok = false;
	return v;
}
