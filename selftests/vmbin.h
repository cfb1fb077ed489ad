/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the small static programs the VM scripts run. */
#ifndef VMBIN_H
#define VMBIN_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CLOCK_MONOTONIC: under make bench's icount, one ns is one instruction */
static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "program: what: error" on stderr, then exit 1 */
static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(errno));
	exit(1);
}

#endif
