// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's accounting, not a full namespace: the failure read counters
 * past anything fs.mount-max admits (a counter decremented below zero,
 * which count_mounts() refuses like a full namespace, 5.10 through its own
 * overflow checks), or the namespace's counter now disagrees with the
 * mounts its mountinfo shows (the audit: drift, wrapped, or copies left
 * pending). ee2e3f50629f (5.12, and its stable backports; xfstests
 * generic/632) fixed the known one. Nothing a user unmounts or raises
 * fixes it, so no other story is told beside it and no plan is given.
 */
#include <inttypes.h>
#include "../audit.h"
#include "../story.h"
#include "../util.h"

static bool match(const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;

	return !mw_event_is_nscount(ev) &&
	       (mw_audit_wrapped(ev->mounts, ev->pending) ||
		(c->now && mw_audit_is_bug(&c->now->audit)));
}

static void print(FILE *out, const struct mw_case *c)
{
	const struct mw_event *ev = c->ev;
	const struct mw_audit *now = c->now ? &c->now->audit : NULL;
	char when[64], ago[32], comm[MW_COMM_LEN], word[32];

	mw_format_time(when, sizeof(when), ev->time_us);
	mw_format_ago(ago, sizeof(ago), ev->time_us, c->in->now_us);
	mw_sanitize(comm, sizeof(comm), ev->comm);
	fprintf(out, "Last failure, %s (%s):\n  %s (pid %" PRId64 ") got ENOSPC in ",
		when, ago, comm, ev->pid);
	mw_print_ns_at(out, c->in, ev->failing_ns, ev->time_us);
	fprintf(out, ",\n  but the kernel's mount accounting is wrong: the namespace is not full.\n\n");
	fprintf(out, "Accounting: its counters read %" PRId64 " mounts and %" PRId64 " pending at the failure (fs.mount-max %" PRId64 ")",
		ev->mounts, ev->pending, ev->max);
	if (mw_audit_wrapped(ev->mounts, ev->pending))
		fprintf(out, ":\n  past anything fs.mount-max admits (at most %d): a counter that went below zero wraps\n  to near 4294967296, and count_mounts() refuses every mount as if the namespace were full",
			INT32_MAX);
	fprintf(out, ".\n");
	if (now && now->verdict != MW_AUDIT_NONE)
		fprintf(out, "  Now its counter is %" PRId64 " (%" PRId64 " pending) and its mountinfo shows %" PRId64 " mounts: %s.\n",
			now->counter, now->pending, now->counted,
			mw_audit_word(now, word, sizeof(word)));
	fprintf(out, "  This is a kernel bug. The known one, a namespace's counter going below zero when detached\n"
		"  trees were attached onto a shared mount, was fixed by " MW_AUDIT_FIX ".\n"
		"\nWhat to do:\n"
		"  - Run a kernel with that fix; report any other drift to the kernel's mount maintainers with\n"
		"    the figures above. Unmounting and raising fs.mount-max do not help: the counter, not the\n"
		"    namespace, is wrong, and it stays wrong as long as the namespace lives.\n");
	mw_explain_plan(out, c);
}

const struct mw_story mw_story_accounting = {
	.name = "accounting",
	.slot = MW_SLOT_WHOLE,
	.match = match,
	.print = print,
};
