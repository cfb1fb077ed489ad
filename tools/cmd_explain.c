// SPDX-License-Identifier: GPL-2.0
/* mntwatch explain: the diagnosis of explain.c over the loaded tables. */
#include <string.h>
#include "cmd.h"
#include "data.h"
#include "explain.h"
#include "pattern.h"
#include "sysctl_conf.h"
#include "table.h"
#include "util.h"
#include "who.h"

/* The namespace of the failure explain tells: a runtime's fallbacks aside. */
static uint64_t failing_ns(const struct data *d)
{
	int i;

	for (i = d->nev - 1; i >= 0; i--)
		if (!mw_event_fallback(&d->ev[i]))
			return d->ev[i].failing_ns;
	return d->ev[d->nev - 1].failing_ns;
}

int cmd_explain(const struct opts *o)
{
	struct mw_explain_in in;
	char sysroot[MW_SYSCTL_PATH];
	struct data d;
	const struct ns_mounts *failing;
	int ret = mw_load(o, &d, true, true);

	if (!ret)
		ret = mw_load_loops(o, &d);
	if (ret) {
		mw_data_free(&d);
		return ret;
	}
	memset(&in, 0, sizeof(in));
	in.ns = d.ns;
	in.nns = d.nns;
	in.ev = d.ev;
	in.nev = d.nev;
	in.events_total = mw_status_num(&d.status, "events_total");
	in.events_overwritten = mw_status_num(&d.status, "events_overwritten");
	if (in.events_total == MW_NONE)
		in.events_total = d.nev;
	in.scan = &d.scan;
	in.now_us = d.now_us;
	/* an id the module saw die may name an unrelated namespace today */
	failing = d.nev && mw_who_now(&d.scan, d.ns, d.nns, failing_ns(&d)) ?
		mw_mounts_find(&d, failing_ns(&d)) : NULL;
	in.loops_now = failing ? &failing->found : NULL;
	in.growth = d.growth;
	in.ngrowth = d.ngrowth;
	in.rt = &d.rt;
	mw_sysroot_of(o->procdir, sysroot, sizeof(sysroot));
	in.sysroot = sysroot;
	mw_explain(stdout, &in);
	mw_data_free(&d);
	return MW_EXIT_OK;
}
