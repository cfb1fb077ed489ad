/* SPDX-License-Identifier: GPL-2.0 */
/* What explain and fix read: the tables as struct mw_explain_in (cmd_explain.c). */
#ifndef MNTWATCH_EXPLAIN_DATA_H
#define MNTWATCH_EXPLAIN_DATA_H

#include "cmd.h"
#include "data.h"
#include "explain.h"
#include "plan.h"
#include "sysctl_conf.h"

struct explain_data {
	struct data d;
	struct mw_explain_in in;
	char sysroot[MW_SYSCTL_PATH];
};

/* Loads the tables, the loops of namespace @ns (0: the last failure's). */
int mw_explain_load(const struct opts *o, struct explain_data *x, uint64_t ns);
/* The plan for the last failure in namespace @ns over loaded tables; false: none. */
bool mw_fix_plan_of(const char *procdir, struct data *d, uint64_t ns,
		    struct mw_plan *plan);

#endif
