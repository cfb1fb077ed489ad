// SPDX-License-Identifier: GPL-2.0
/* mntwatch check: one Nagios-style line and exit code for monitoring. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "data.h"
#include "explain_data.h"
#include "loops.h"
#include "table.h"
#include "util.h"
#include "who.h"

static const char *const check_words[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/*
 * A live loop fails at about half the limit whatever the use% is now: the
 * one with the largest factor is named in the summary.
 */
static void print_loop(const struct data *d)
{
	const struct ns_mounts *where = NULL;
	const struct mw_loop *top = NULL;
	char who[200];
	int i, k;

	for (i = 0; i < d->nmounts; i++)
		for (k = 0; k < d->mounts[i].found.nloops; k++)
			if (!top || d->mounts[i].found.loops[k].factor > top->factor) {
				top = &d->mounts[i].found.loops[k];
				where = &d->mounts[i];
			}
	if (!top)
		return;
	mw_who_label(where->who, false, who, sizeof(who));
	printf(", %" PRId64 " live propagation loop%s: namespace %" PRIu64 " (%s) peer group %" PRIu64 " at %s propagates into %s beneath it, x%" PRId64 " per mount",
	       d->nloops, d->nloops == 1 ? "" : "s", where->ns, who,
	       top->group, top->outer, top->inner, top->factor);
}

/*
 * The most repeated mountpoint anywhere: what doublings leave behind, also
 * where the loop itself is not visible from here.
 */
static void print_repeat(const struct data *d)
{
	const struct ns_mounts *where = NULL;
	const struct mw_repeat *top = NULL;
	char who[200];
	int i;

	for (i = 0; i < d->nmounts; i++)
		if (d->mounts[i].found.ntop &&
		    (!top || d->mounts[i].found.top[0].count > top->count)) {
			top = &d->mounts[i].found.top[0];
			where = &d->mounts[i];
		}
	if (!top || top->count < MW_REPEAT_WARN)
		return;
	mw_who_label(where->who, false, who, sizeof(who));
	printf(", %s mounted %" PRId64 " times in namespace %" PRIu64 " (%s)",
	       top->mountpoint, top->count, where->ns, who);
}

/*
 * A namespace whose counter is not the mounts in it, or an ENOSPC read off
 * wrapped counters: the kernel's accounting, not a full namespace, and
 * CRITICAL. Returns how many there are; @print names the first.
 */
static int audit_bugs(const struct data *d, bool print)
{
	const struct mw_ns *first = NULL;
	const struct mw_event *wrapped = NULL;
	char word[32];
	int i, bugs = 0;

	for (i = 0; i < d->nns; i++)
		if (mw_audit_is_bug(&d->ns[i].audit) && !bugs++)
			first = &d->ns[i];
	for (i = 0; i < d->nev; i++)
		if (!mw_event_is_nscount(&d->ev[i]) &&
		    mw_audit_wrapped(d->ev[i].mounts, d->ev[i].pending)) {
			bugs++;
			wrapped = &d->ev[i];
		}
	if (!print)
		return bugs;
	if (first)
		printf(", kernel mount accounting bug in namespace %" PRIu64 ": its counter is %" PRId64 " (%" PRId64 " pending), mountinfo shows %" PRId64 " (%s)",
		       first->ns, first->audit.counter, first->audit.pending,
		       first->audit.counted,
		       mw_audit_word(&first->audit, word, sizeof(word)));
	else if (wrapped)
		printf(", kernel mount accounting bug: ENOSPC in namespace %" PRIu64 " with wrapped counters (%" PRId64 " mounts, %" PRId64 " pending)",
		       wrapped->failing_ns, wrapped->mounts, wrapped->pending);
	if (bugs)
		printf(", not a full namespace: known fix " MW_AUDIT_FIX);
	return bugs;
}

/*
 * Of the namespaces that failed recently, for how many mntwatch fix has a
 * proven plan, and how many its plan finds given back already (a failure
 * stays recent after the fix: the node is fixed, not fixable).
 */
static void print_fix(const struct opts *o, struct data *d, int nrecent)
{
	struct mw_plan *plan = malloc(sizeof(*plan));
	int i, known = 0, given_back = 0;

	if (!plan)
		return;
	for (i = 0; i < d->nns; i++) {
		const struct mw_ns *ns = &d->ns[i];

		if (ns->last_fail_us == MW_NONE ||
		    d->now_us - ns->last_fail_us > o->recent_s * 1000000 ||
		    !mw_fix_plan_of(o->procdir, d, ns->ns, plan) || !plan->known)
			continue;
		if (plan->nsteps)
			known++;
		else
			given_back++;
	}
	free(plan);
	printf(", a fix is known for %d of the %d (mntwatch fix)", known,
	       nrecent);
	if (given_back)
		printf(", %d given back since", given_back);
}

static int cmd_check(const struct opts *o)
{
	const struct mw_ns *worst = NULL;
	int nlive = 0, nrecent = 0, level = 0, ret, i;
	int64_t worst_fail = MW_NONE, repeats = 0;
	int bugs;
	char who[200] = "", ago[32];
	struct data d;

	ret = mw_load(o, &d, true, false);
	if (!ret)
		ret = mw_load_loops(o, &d);
	if (ret) {
		printf("MNTWATCH UNKNOWN - cannot read the mount namespace tables (see stderr)\n");
		mw_data_free(&d);
		return MW_EXIT_ERROR;
	}
	for (i = 0; i < d.nns; i++) {
		const struct mw_ns *ns = &d.ns[i];

		/*
		 * A gone namespace's ENOSPC counts too: a restart loop fails
		 * in the new container's namespace, gone as soon as the
		 * start has failed.
		 */
		if (o->recent_s && ns->last_fail_us != MW_NONE &&
		    d.now_us - ns->last_fail_us <= o->recent_s * 1000000) {
			nrecent++;
			if (worst_fail == MW_NONE || ns->last_fail_us > worst_fail)
				worst_fail = ns->last_fail_us;
		}
		if (!strcmp(ns->state, "gone"))
			continue;
		nlive++;
		if (!worst || ns->use_permille > worst->use_permille)
			worst = ns;
	}
	if (!worst || worst->use_permille == MW_NONE) {
		printf("MNTWATCH UNKNOWN - no live mount namespace with a known limit\n");
		mw_data_free(&d);
		return MW_EXIT_ERROR;
	}
	for (i = 0; i < d.nmounts; i++)
		if (d.mounts[i].found.max_repeat > repeats)
			repeats = d.mounts[i].found.max_repeat;
	bugs = audit_bugs(&d, false);
	if (worst->use_permille >= o->crit_pct * 10 || nrecent || bugs)
		level = 2;
	else if (worst->use_permille >= o->warn_pct * 10 || d.nloops ||
		 repeats >= MW_REPEAT_WARN)
		level = 1;
	mw_who_label(mw_who_find(&d.scan, worst->ns), false, who, sizeof(who));
	printf("MNTWATCH %s - fullest namespace %" PRIu64 " (%s) at %" PRId64 ".%" PRId64 "%%: %" PRId64 " mounts",
	       check_words[level], worst->ns, who, worst->use_permille / 10,
	       worst->use_permille % 10, worst->mounts);
	if (worst->pending != MW_NONE && worst->pending)
		printf(" + %" PRId64 " pending", worst->pending);
	printf(" of %" PRId64 "; %d live namespace%s", worst->max, nlive,
	       nlive == 1 ? "" : "s");
	if (nrecent) {
		mw_format_ago(ago, sizeof(ago), worst_fail, d.now_us);
		printf(", %d with ENOSPC in the last %" PRId64 "s (latest %s)",
		       nrecent, o->recent_s, ago);
	}
	print_loop(&d);
	print_repeat(&d);
	audit_bugs(&d, true);
	if (nrecent)
		print_fix(o, &d, nrecent);
	if (!d.module)
		printf(" (module not loaded: no ENOSPC history)");
	printf(" | use_pct=%" PRId64 ".%" PRId64 "%%;%g;%g;0;100 accounting_bugs=%d;;1 namespaces=%d enospc_namespaces=%d loops=%" PRId64 " repeats=%" PRId64 ";%d\n",
	       worst->use_permille / 10, worst->use_permille % 10,
	       o->warn_pct, o->crit_pct, bugs, nlive, nrecent, d.nloops,
	       repeats, MW_REPEAT_WARN);
	mw_data_free(&d);
	return level;
}

#define LIMITS_REFUSED	"--warn, --crit and --recent are options of %s"

static const struct cmd_option check_options[] = {
	{ "warn", OPT_WARN, required_argument, TAKES_LIMITS, LIMITS_REFUSED,
	  "      --warn/--crit PCT  check: WARNING/CRITICAL from this use% (80/90)" },
	{ "crit", OPT_CRIT, required_argument, TAKES_LIMITS, LIMITS_REFUSED, NULL },
	{ "recent", OPT_RECENT, required_argument, TAKES_LIMITS, LIMITS_REFUSED,
	  "      --recent SECS      check: ENOSPC this recent is CRITICAL (3600, 0: off)" },
	{ NULL },
};

static int check_limits(struct opts *o)
{
	if (o->warn_pct > o->crit_pct) {
		mw_warnx("--warn %g is above --crit %g", o->warn_pct, o->crit_pct);
		return -1;
	}
	return 0;
}

const struct cmd check_command = {
	.name = "check",
	.run = cmd_check,
	.help = "  check      monitoring check, exit 0/1/2/3: OK/WARNING/CRITICAL/UNKNOWN",
	.takes = TAKES_LIMITS,
	.options = check_options,
	.check = check_limits,
	.usage_exit = MW_EXIT_ERROR,
	.own_exit = true,
};
