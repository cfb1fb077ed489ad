/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fix --apply's checks around each step of a plan: before it, that what it
 * acts on is still what the plan was made from; after it, that it helped.
 */
#ifndef MNTWATCH_FIX_H
#define MNTWATCH_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include "plan.h"

/* Whether @fix still applies; if not, why in @err. */
bool mw_fix_check(const struct mw_fix *fix, const char *procdir,
		  const char *sysroot, char *err, size_t errlen);
/* What a step changes, measured: a mount step's namespace's mounts. */
int64_t mw_fix_measure(const struct mw_fix *fix, const char *procdir);
/* Whether @fix did what it is for, given mw_fix_measure() before it. */
bool mw_fix_helped(const struct mw_fix *fix, const char *procdir,
		   const char *sysroot, int64_t before, char *err,
		   size_t errlen);

#endif
