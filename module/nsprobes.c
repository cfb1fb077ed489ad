// SPDX-License-Identifier: GPL-2.0
/*
 * Where mount namespaces come from. alloc_mnt_ns() charges every new mount
 * namespace to user.max_mnt_namespaces and fails with ENOSPC, the same
 * errno as fs.mount-max, when a user namespace is full; copy_mnt_ns() makes
 * the namespace of unshare(CLONE_NEWNS) and clone() as a copy of the
 * caller's, whose mounts it is born with. Both are optional: a kernel that
 * inlined them still gets the mount-max probes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/nsproxy.h>
#include <linux/ptrace.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include "compat.h"
#include "mntwatch.h"

/* user namespaces nest at most 32 deep; the walk up stops there */
#define MW_USERNS_DEPTH 33
/*
 * Namespace creations in flight at once that the probes see. Neither
 * function runs under a lock, and copy_mnt_ns() sleeps in namespace_lock()
 * and copy_tree() holding its instance: a container start storm has as many
 * in flight as tasks unsharing, and one more than this is lost (nmissed).
 */
#define MW_NS_MAXACTIVE 1024

static atomic64_t alloc_hits, alloc_enospc, copy_hits;
static bool alloc_probed, copy_probed;

/* Whether @ucounts is the one of (@user_ns, the caller's euid). */
static bool mw_ucounts_of(struct ucounts *ucounts,
			  struct user_namespace *user_ns)
{
	struct user_namespace *ns;
	kuid_t uid;

	return ucounts && !get_kernel_nofault(ns, &ucounts->ns) &&
	       !get_kernel_nofault(uid, &ucounts->uid) && ns == user_ns &&
	       uid_eq(uid, current_euid());
}

/*
 * The ucounts inc_ucount() charges in @user_ns: the one of the user
 * namespace and the caller's euid. The kernel's hash of them is private, but
 * there is one ucounts per pair, so any live reference to it will do. The
 * caller's cred holds the one of its real uid, the same pair unless a
 * setuid program made euid differ or the namespace is made for a new user
 * namespace. Its own mount namespace holds the one it was charged to when
 * made, which the initial namespace never was from 6.18 on (it is static).
 */
static struct ucounts *mw_charged_ucounts(struct user_namespace *user_ns)
{
	struct ucounts *cred_ucounts = MW_CRED_UCOUNTS(current_cred());
	struct nsproxy *nsproxy = current->nsproxy;
	unsigned long charged;

	if (mw_ucounts_of(cred_ucounts, user_ns))
		return cred_ucounts;
	if (!nsproxy ||
	    mw_read_ulong((unsigned long)nsproxy->mnt_ns, MW_NS_UCOUNTS,
			  &charged) ||
	    !mw_ucounts_of((struct ucounts *)charged, user_ns))
		return NULL;
	return (struct ucounts *)charged;
}

/*
 * inc_ucount() charges the caller's ucounts in @user_ns, then those of each
 * ancestor's owner, and fails at the first that is at its limit; it has
 * undone its increments by now, so that level reads count >= limit.
 */
static void mw_find_full_level(struct user_namespace *user_ns,
			       struct mw_event *ev)
{
	struct ucounts *level = mw_charged_ucounts(user_ns);
	struct user_namespace *ns = user_ns;
	long count, max;
	int depth;

	ev->userns = user_ns->ns.inum;
	ev->max = READ_ONCE(user_ns->ucount_max[UCOUNT_MNT_NAMESPACES]);
	ev->ns_count = -1;
	for (depth = 0; ns && depth < MW_USERNS_DEPTH; depth++) {
		max = READ_ONCE(ns->ucount_max[UCOUNT_MNT_NAMESPACES]);
		if (level) {
			count = READ_ONCE(level->ucount[UCOUNT_MNT_NAMESPACES].counter);
			if (count >= max) {
				ev->userns = ns->ns.inum;
				ev->max = max;
				ev->ns_count = count;
				return;
			}
		}
		level = ns->ucounts;
		ns = ns->parent;
	}
}

static int alloc_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	*(unsigned long *)ri->data = regs_get_kernel_argument(regs, 0);
	return 0;
}

static int alloc_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct user_namespace *user_ns = *(struct user_namespace **)ri->data;
	struct mw_event *ev;

	atomic64_inc(&alloc_hits);
	if (regs_return_value(regs) != (unsigned long)ERR_PTR(-ENOSPC))
		return 0;
	atomic64_inc(&alloc_enospc);
	ev = mw_scratch_event();
	mw_event_begin(ev);
	ev->result = -ENOSPC;
	ev->limit = MW_LIMIT_MNT_NAMESPACES;
	mw_find_full_level(user_ns, ev);
	mw_events_add(ev);
	return 0;
}

static int copy_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	*(unsigned long *)ri->data = regs_get_kernel_argument(regs, 1);
	return 0;
}

/*
 * The copy is not installed in any task yet, so nothing else changes it; its
 * parent is pinned by the caller's nsproxy.
 */
static int copy_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long parent = *(unsigned long *)ri->data;
	unsigned long ns = regs_return_value(regs);
	struct mw_ns_state state;
	struct mw_check check;
	u32 parent_id;

	atomic64_inc(&copy_hits);
	/* without CLONE_NEWNS the caller's own namespace comes back */
	if (IS_ERR_VALUE(ns) || ns == parent || mw_read_ns(ns, &state) ||
	    mw_read_u32(parent, MW_NS_INUM, &parent_id))
		return 0;
	check = (struct mw_check) {
		.ns = ns,
		.serial = state.serial,
		.ns_id = state.ns_id,
		.mounts = state.mounts,
		.pending = state.pending,
		.max = mw_mount_max(),
		.time_ns = ktime_get_real_ns(),
		.born = true,
		.parent = parent_id,
	};
	mw_table_record(&check);
	return 0;
}

static struct kretprobe alloc_probe = {
	.kp.symbol_name = MW_ALLOC_SYMBOL,
	.entry_handler = alloc_entry,
	.handler = alloc_return,
	.data_size = sizeof(unsigned long),
	.maxactive = MW_NS_MAXACTIVE,
};

static struct kretprobe copy_probe = {
	.kp.symbol_name = MW_COPY_SYMBOL,
	.entry_handler = copy_entry,
	.handler = copy_return,
	.data_size = sizeof(unsigned long),
	.maxactive = MW_NS_MAXACTIVE,
};

/*
 * Probes @rp only where BTF says its argument is where the handler reads
 * it: alloc_return() follows that pointer. Without BTF (offsets= naming
 * every field) or without the function in it, it is left alone.
 */
static bool mw_nsprobe(struct kretprobe *rp, int proto)
{
	int err = proto ? proto : register_kretprobe(rp);

	if (err) {
		pr_warn("not probing %s (%d)%s\n", rp->kp.symbol_name, err,
			err == -EINVAL ? ": BTF gives it other arguments" :
			proto ? ": BTF does not say what its arguments are" : "");
		return false;
	}
	mw_probes_adopt(rp);
	return true;
}

void mw_nsprobes_init(void)
{
	alloc_probed = mw_nsprobe(&alloc_probe, mw_off.alloc_proto);
	copy_probed = mw_nsprobe(&copy_probe, mw_off.copy_proto);
}

void mw_nsprobes_status(struct seq_file *m)
{
	seq_printf(m, "symbol_alloc_ns %s\nalloc_ns_prototype %s\n",
		   alloc_probed ? MW_ALLOC_SYMBOL : "-",
		   mw_proto_name(mw_off.alloc_proto));
	seq_printf(m, "alloc_ns_hits %lld\nalloc_ns_enospc %lld\nalloc_ns_nmissed %lu\n",
		   atomic64_read(&alloc_hits), atomic64_read(&alloc_enospc),
		   mw_kretprobe_nmissed(&alloc_probe));
	seq_printf(m, "symbol_copy_ns %s\ncopy_ns_prototype %s\n",
		   copy_probed ? MW_COPY_SYMBOL : "-",
		   mw_proto_name(mw_off.copy_proto));
	seq_printf(m, "copy_ns_hits %lld\ncopy_ns_nmissed %lu\n",
		   atomic64_read(&copy_hits), mw_kretprobe_nmissed(&copy_probe));
}
