/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting audit (audit.c): a namespace's mount counter, as the kernel
 * holds it (the module's now_mounts), against the mounts really in it (the
 * mountinfo of a process inside it). The kernel's accounting has had bugs:
 * ee2e3f50629f (5.12, and its stable backports; xfstests generic/632) fixed
 * a counter that went below zero, after which a namespace with a handful of
 * mounts refused every new one with ENOSPC, which looks exactly like a full
 * namespace.
 */
#ifndef MNTWATCH_AUDIT_H
#define MNTWATCH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mw_audit_verdict {
	MW_AUDIT_NONE,		/* not audited: no counter, no process inside */
	MW_AUDIT_OK,		/* the counter is the mounts in it */
	MW_AUDIT_CHURN,		/* the counter moved while it was counted */
	MW_AUDIT_DRIFT,		/* stable, and not the mounts in it */
	MW_AUDIT_WRAPPED,	/* past anything fs.mount-max admits */
	MW_AUDIT_LEAK,		/* pending copies left with no attach under way */
};

struct mw_audit {
	enum mw_audit_verdict verdict;
	int64_t counter;	/* the kernel's, first read */
	int64_t counted;	/* the mounts mountinfo shows in it */
	int64_t pending;
};

/* the fix of the known bug, for the texts that report one */
#define MW_AUDIT_FIX "ee2e3f50629f (5.12; stable backports; xfstests generic/632)"

/*
 * The verdict on a counter read twice (and its pending copies) around a
 * count of the namespace's mounts; MW_NONE where a read failed.
 */
void mw_audit_classify(struct mw_audit *a, int64_t counter, int64_t pending,
		       int64_t counted, int64_t counter_again,
		       int64_t pending_again);
/* "ok", "drift:+3", "wrapped", "leak:2", "churn", NULL when not audited */
const char *mw_audit_word(const struct mw_audit *a, char *buf, size_t len);
/* a kernel accounting bug: drift, wrapped or leak */
bool mw_audit_is_bug(const struct mw_audit *a);
/*
 * Whether counters, as an ENOSPC read them, are past anything fs.mount-max
 * admits (the module's mw_counters_wrapped()): its ENOSPC is the
 * accounting's, not a full namespace's.
 */
bool mw_audit_wrapped(int64_t mounts, int64_t pending);

struct mw_ns;
struct mw_procscan;
/*
 * Audits each live namespace of the module's rows that has a counter and a
 * process inside: the rows' counters, the count, then the table read again.
 */
void mw_audit_namespaces(struct mw_ns *ns, int nns,
			 const struct mw_procscan *scan, const char *procdir,
			 const char *debugfs);

#endif
