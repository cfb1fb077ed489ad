/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plans that change a limit (fs.mount-max, user.max_mnt_namespaces): now,
 * with sysctl -w, and at boot, in the sysctl.d file that sets it.
 */
#ifndef MNTWATCH_LIMIT_PLAN_H
#define MNTWATCH_LIMIT_PLAN_H

#include "explain.h"
#include "plan.h"

/* A limit with room to grow: half again @need, in thousands, at least 2 x @now. */
int64_t mw_headroom(int64_t need, int64_t now);
/* The value of sysctl @key under @procdir/sys now; MW_NONE if unreadable. */
int64_t mw_sysctl_now(const char *procdir, const char *key);
/* sysctl -w KEY=VALUE, unless it is VALUE or more now; whether one was added. */
bool mw_plan_sysctl(struct mw_plan *plan, const struct mw_explain_in *in,
		    const char *key, int64_t value, const char *why);
/* Comment out every line read at boot that sets @key below @value. */
void mw_plan_boot_restore(struct mw_plan *plan, const struct mw_explain_in *in,
			  const char *key, int64_t value);
/* Make @key @value at boot: in the line that sets it, else in a file of ours. */
void mw_plan_boot_set(struct mw_plan *plan, const struct mw_explain_in *in,
		      const char *key, int64_t value, int64_t boot_default);

#define MW_OUR_SYSCTL_FILE	"/etc/sysctl.d/90-mntwatch.conf"

#endif
