// SPDX-License-Identifier: GPL-2.0
/* Text helpers shared by the listings and explain. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include "mntwatch.h"

/* Like the module's comm sanitiser: keeps table rows whitespace-separated. */
void mw_sanitize(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (src[i] > ' ' && src[i] < 0x7f) ? src[i] : '?';
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
