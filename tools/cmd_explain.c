// SPDX-License-Identifier: GPL-2.0
/* mntwatch explain: the diagnosis of explain.c over the loaded tables. */
#include <stdlib.h>
#include <string.h>
#include "explain_data.h"
#include "pattern.h"
#include "story.h"
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

static bool mounts_of(const void *ctx, uint64_t ns,
		      const struct mw_mountinfo **mi, const struct mw_loops **loops)
{
	const struct data *d = ctx;
	const struct ns_mounts *m = mw_mounts_find(d, ns);

	/* an id the module saw die may name an unrelated namespace today */
	if (!m || !mw_who_now(&d->scan, d->ns, d->nns, ns))
		return false;
	*mi = &m->mi;
	*loops = &m->found;
	return true;
}

/* @in over the loaded @d, with the loops of namespace @ns (0: the last failure's). */
static void fill_in(const char *procdir, struct data *d,
		    struct mw_explain_in *in, char *sysroot, size_t len,
		    uint64_t ns)
{
	const struct ns_mounts *failing;

	memset(in, 0, sizeof(*in));
	in->ns = d->ns;
	in->nns = d->nns;
	in->ev = d->ev;
	in->nev = d->nev;
	in->events_total = mw_status_num(&d->status, "events_total");
	in->events_overwritten = mw_status_num(&d->status, "events_overwritten");
	if (in->events_total == MW_NONE)
		in->events_total = d->nev;
	in->scan = &d->scan;
	in->now_us = d->now_us;
	if (!ns && d->nev)
		ns = failing_ns(d);
	/* an id the module saw die may name an unrelated namespace today */
	failing = ns && mw_who_now(&d->scan, d->ns, d->nns, ns) ?
		mw_mounts_find(d, ns) : NULL;
	in->loops_now = failing ? &failing->found : NULL;
	in->growth = d->growth;
	in->ngrowth = d->ngrowth;
	in->rt = &d->rt;
	mw_sysroot_of(procdir, sysroot, len);
	in->sysroot = sysroot;
	in->procdir = procdir;
	in->mounts_of = mounts_of;
	in->mounts_ctx = d;
}

int mw_explain_load(const struct opts *o, struct explain_data *x, uint64_t ns)
{
	int ret = mw_load(o, &x->d, true, true);

	if (!ret)
		ret = mw_load_loops(o, &x->d);
	if (ret) {
		mw_data_free(&x->d);
		return ret;
	}
	fill_in(o->procdir, &x->d, &x->in, x->sysroot, sizeof(x->sysroot), ns);
	return 0;
}

bool mw_fix_plan_of(const char *procdir, struct data *d, uint64_t ns,
		    struct mw_plan *plan)
{
	struct mw_explain_in in;
	char sysroot[MW_SYSCTL_PATH];
	struct mw_case c;

	fill_in(procdir, d, &in, sysroot, sizeof(sysroot), ns);
	if (!mw_case_read(&c, &in, ns))
		return false;
	mw_case_plan(&c, plan);
	return true;
}

static int cmd_explain(const struct opts *o)
{
	struct explain_data *x = calloc(1, sizeof(*x));
	int ret;

	if (!x)
		return MW_EXIT_ERROR;
	ret = mw_explain_load(o, x, 0);
	if (!ret) {
		mw_explain(stdout, &x->in);
		mw_data_free(&x->d);
	}
	free(x);
	return ret;
}

const struct cmd explain_command = {
	.name = "explain",
	.run = cmd_explain,
	.help = "  explain    plain-language diagnosis of the last ENOSPC",
	.takes = 0,
};
