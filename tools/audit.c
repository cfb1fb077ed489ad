// SPDX-License-Identifier: GPL-2.0
/* The accounting audit's verdicts (audit.h). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "table.h"
#include "util.h"
#include "who.h"

/*
 * fs.mount-max is an int of 1..INT_MAX: a counter above it went below zero,
 * and mounts + pending past UINT32_MAX is what 5.10's count_mounts()
 * refuses through its own overflow checks (old > sum || pending > sum).
 */
bool mw_audit_wrapped(int64_t mounts, int64_t pending)
{
	if (mounts == MW_NONE || pending == MW_NONE)
		return false;
	return mounts > INT_MAX || pending > INT_MAX ||
	       mounts + pending > UINT32_MAX;
}

/*
 * Counter, count, counter again: a namespace that mounted or unmounted in
 * between is churning, not drifting, and is left for the next look.
 * Pending copies are reserved and dropped within one attach, under
 * namespace_sem: found in both reads, they were left behind.
 */
void mw_audit_classify(struct mw_audit *a, int64_t counter, int64_t pending,
		       int64_t counted, int64_t counter_again,
		       int64_t pending_again)
{
	*a = (struct mw_audit) {
		.verdict = MW_AUDIT_NONE, .counter = counter,
		.counted = counted, .pending = pending,
	};
	if (counter == MW_NONE || pending == MW_NONE)
		return;
	if (mw_audit_wrapped(counter, pending))
		a->verdict = MW_AUDIT_WRAPPED;
	else if (counter_again != counter || pending_again != pending)
		a->verdict = MW_AUDIT_CHURN;
	else if (counted == MW_NONE)
		a->verdict = MW_AUDIT_NONE;
	else if (counter != counted)
		a->verdict = MW_AUDIT_DRIFT;
	else if (pending)
		a->verdict = MW_AUDIT_LEAK;
	else
		a->verdict = MW_AUDIT_OK;
}

bool mw_audit_is_bug(const struct mw_audit *a)
{
	return a->verdict == MW_AUDIT_DRIFT || a->verdict == MW_AUDIT_WRAPPED ||
	       a->verdict == MW_AUDIT_LEAK;
}

const char *mw_audit_word(const struct mw_audit *a, char *buf, size_t len)
{
	switch (a->verdict) {
	case MW_AUDIT_OK:
		return "ok";
	case MW_AUDIT_CHURN:
		return "churn";
	case MW_AUDIT_WRAPPED:
		return "wrapped";
	case MW_AUDIT_DRIFT:
		snprintf(buf, len, "drift:%+" PRId64, a->counter - a->counted);
		return buf;
	case MW_AUDIT_LEAK:
		snprintf(buf, len, "leak:%" PRId64, a->pending);
		return buf;
	case MW_AUDIT_NONE:
		break;
	}
	return NULL;
}

/*
 * The mounts of a namespace mountinfo does not list that fs.mount-max
 * counts: from 7.0 every namespace's root is a nullfs below the rootfs,
 * which no line names even as a parent (mw_count_mountinfo() finds the
 * rootfs, an unlisted parent).
 */
static int64_t unnamed_root(const char *procdir)
{
	char path[4096], *release;
	int64_t n = 0;

	snprintf(path, sizeof(path), "%s/sys/kernel/osrelease", procdir);
	release = mw_read_file(path, NULL);
	if (release && atoi(release) >= 7)
		n = 1;
	free(release);
	return n;
}

/*
 * The mounts in it, from its processes' mountinfo: a chrooted process sees
 * fewer, never more, so a count below the counter is tried on the next few
 * and the most is taken.
 */
static int64_t count_inside(const char *procdir, const struct mw_who *who,
			    int64_t counter, int64_t root)
{
	int64_t best = MW_NONE, n;
	char path[4096];
	int p;

	for (p = 0; p < who->npids && p < 3 && best != counter; p++) {
		snprintf(path, sizeof(path), "%s/%d/mountinfo", procdir,
			 who->pids[p]);
		n = mw_count_mountinfo(path);
		if (n != MW_NONE && n + root > best)
			best = n + root;
	}
	return best;
}

/* The namespaces table read again: each live row's counters, by its id. */
static int reread(const char *debugfs, struct mw_table *tbl, struct mw_ns **rows)
{
	char path[4096], err[160], *text;

	snprintf(path, sizeof(path), "%s/namespaces", debugfs);
	text = mw_read_file(path, NULL);
	if (!text || mw_table_parse(tbl, text, err, sizeof(err)))
		return -1;
	return mw_parse_namespaces(tbl, rows, err, sizeof(err));
}

static const struct mw_ns *live_row(const struct mw_ns *rows, int n, uint64_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (rows[i].ns == id && !strcmp(rows[i].state, "live"))
			return &rows[i];
	return NULL;
}

/*
 * A counter that moved and came back while mountinfo was read (a mount and
 * its unmount) passes the two reads around one count: a bug is what
 * MW_AUDIT_TRIES audits in a row find alike, anything else is churn.
 */
#define MW_AUDIT_TRIES 3

static bool same_finding(const struct mw_audit *a, const struct mw_audit *b)
{
	return a->verdict == b->verdict &&
	       a->counter - a->counted == b->counter - b->counted &&
	       a->pending == b->pending;
}

void mw_audit_namespaces(struct mw_ns *ns, int nns,
			 const struct mw_procscan *scan, const char *procdir,
			 const char *debugfs)
{
	struct mw_table tbl[2] = { { 0 }, { 0 } };
	int64_t root = unnamed_root(procdir), *counted;
	struct mw_ns *again[2] = { NULL, NULL };
	const struct mw_ns *before, *after;
	const struct mw_who *who;
	int nagain[2] = { 0, 0 }, try, i, cur = 0;
	struct mw_audit next;

	counted = calloc(nns + 1, sizeof(*counted));
	if (!counted)
		return;
	for (try = 0; try < MW_AUDIT_TRIES; try++) {
		int prev = cur;

		cur = try % 2;
		mw_table_free(&tbl[cur]);
		free(again[cur]);
		again[cur] = NULL;
		for (i = 0; i < nns; i++) {
			if (try && !mw_audit_is_bug(&ns[i].audit))
				continue;
			before = try ? live_row(again[prev], nagain[prev], ns[i].ns) : &ns[i];
			who = mw_who_find(scan, ns[i].ns);
			counted[i] = MW_NONE;
			if (before && before->now_mounts != MW_NONE && who &&
			    who->npids && !strcmp(ns[i].state, "live"))
				counted[i] = count_inside(procdir, who,
							  before->now_mounts, root);
		}
		nagain[cur] = reread(debugfs, &tbl[cur], &again[cur]);
		for (i = 0; i < nns; i++) {
			if (try && !mw_audit_is_bug(&ns[i].audit))
				continue;
			before = try ? live_row(again[prev], nagain[prev], ns[i].ns) : &ns[i];
			after = nagain[cur] > 0 ? live_row(again[cur], nagain[cur], ns[i].ns) : NULL;
			if (!before || counted[i] == MW_NONE) {
				ns[i].audit.verdict = try ? MW_AUDIT_CHURN : MW_AUDIT_NONE;
				continue;
			}
			mw_audit_classify(&next, before->now_mounts,
					  before->now_pending, counted[i],
					  after ? after->now_mounts : MW_NONE,
					  after ? after->now_pending : MW_NONE);
			if (try && !same_finding(&ns[i].audit, &next))
				next.verdict = MW_AUDIT_CHURN;
			ns[i].audit = next;
		}
	}
	for (i = 0; i < 2; i++) {
		free(again[i]);
		mw_table_free(&tbl[i]);
	}
	free(counted);
}
