// SPDX-License-Identifier: GPL-2.0
/*
 * The kretprobes. count_mounts(ns, tree) runs once for the namespace a tree
 * is attached to and once per namespace the attach propagates into, all
 * inside attach_recursive_mnt() and under namespace_sem, so the namespaces
 * and the tree it is given cannot change or go away while a handler runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/nsproxy.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "mntwatch.h"

/* no walk of a tree goes further: a wrong offsets= may make it a cycle */
#define MW_WALK_MAX SZ_1M
/* namespaces one attach tells apart and refreshes when it ends */
#define MW_ATTACH_NS 64
#define MW_SYMBOL_LEN 64
/*
 * Instances of a kretprobe in flight at once. count_mounts() and
 * attach_recursive_mnt() run under namespace_sem, one call at a time, and
 * return before it is released; the default (on 5.10 without preemption, one
 * per CPU) would do, a few more cost nothing.
 */
#define MW_SERIAL_MAXACTIVE 8
/* every kretprobe the module registers, mntwatch's own and nsprobes.c's */
#define MW_KRETPROBES 4

/* gcc clones a function it specialises under these suffixes */
static const char * const mw_clone_suffixes[] = {
	"", ".isra.0", ".constprop.0", ".part.0", ".isra.0.constprop.0",
	".constprop.0.isra.0",
};

/* Per call of count_mounts(); lives only until its return handler. */
struct mw_count_call {
	unsigned long ns;
	unsigned long tree;
	struct mw_ns_state state;
	u32 max;
	u32 tree_size;	/* walked by the entry handler, if it fit */
};

/*
 * The attach in flight. namespace_sem makes attaches one at a time; the pid
 * still guards against a count_mounts() outside any attach we saw begin.
 * Passing checks are tallied per namespace and recorded once, at the end.
 */
static struct {
	pid_t pid;
	u32 checks;
	unsigned int nr_ns;
	struct {
		unsigned long ns;
		u32 passed;
		u32 before;	/* its mounts when the attach first checked it */
	} touched[MW_ATTACH_NS];
	bool failed;
	struct mw_event event;
	/* the last check count_entry() declined: what a mismatch can tell */
	u32 declined;
	struct mw_count_call declined_call;
} attach;

static char count_name[MW_SYMBOL_LEN], attach_name[MW_SYMBOL_LEN];
static bool attach_is_clone;
static atomic64_t count_hits, count_declined, count_unread, attach_hits;
static atomic64_t free_hits, walk_truncated, verdict_mismatch;
static bool free_probed;
static struct kretprobe *armed[MW_KRETPROBES];
static unsigned int nr_armed;

/* Loads a link of the tree into @val; false if it cannot be read. */
static __always_inline bool mw_load_link(unsigned long base,
					 enum mw_field field,
					 unsigned long *val)
{
	unsigned long addr = base + mw_off.off[field];

	if (!mw_kernel_addr(addr, sizeof(*val)))
		return false;
	__get_kernel_nofault(val, (void *)addr, unsigned long, fault);
	return true;
fault:
	return false;
}

/*
 * Counts the tree rooted at @root into @size, in the order next_mnt() takes,
 * up to @limit mounts. Returns false when it stopped short of the whole
 * tree: at @limit, or on a read that faulted.
 */
static bool mw_tree_size(unsigned long root, u32 limit, u32 *size)
{
	unsigned long p = root, next, parent;
	u32 count = 0;

	pagefault_disable();
	while (p && count < limit) {
		count++;
		if (!mw_load_link(p, MW_MNT_MOUNTS, &next))
			goto out;
		if (next != p + mw_off.off[MW_MNT_MOUNTS]) {
			p = next - mw_off.off[MW_MNT_CHILD];
			continue;
		}
		/* no children: climb to the first ancestor with a next sibling */
		while (p != root) {
			if (!mw_load_link(p, MW_MNT_CHILD, &next) ||
			    !mw_load_link(p, MW_MNT_PARENT, &parent))
				goto out;
			if (next != parent + mw_off.off[MW_MNT_MOUNTS])
				break;
			p = parent;
		}
		p = p == root ? 0 : next - mw_off.off[MW_MNT_CHILD];
	}
out:
	pagefault_enable();
	*size = count;
	return !p;
}

/*
 * Counts a check of @ns in the attach in flight; a failed one completes the
 * attach's event, which the caller filled in attach.event. Returns true when
 * attach_return() will record this passing check.
 */
static bool mw_attach_note(unsigned long ns, u32 mounts, bool failed)
{
	unsigned int i;

	attach.checks++;
	for (i = 0; i < attach.nr_ns && attach.touched[i].ns != ns; i++)
		;
	if (i == attach.nr_ns && i < MW_ATTACH_NS) {
		attach.touched[i].ns = ns;
		attach.touched[i].passed = 0;
		attach.touched[i].before = mounts;
		attach.nr_ns++;
	}
	if (failed && !attach.failed) {
		attach.failed = true;
		attach.event.checks = attach.checks;
		attach.event.touched = attach.nr_ns;
	}
	if (failed || i == MW_ATTACH_NS)
		return false;
	attach.touched[i].passed++;
	return true;
}

static void mw_check_init(struct mw_check *check,
			  const struct mw_ns_state *state, u32 max, int ret,
			  u32 checks)
{
	*check = (struct mw_check) {
		.serial = state->serial,
		.ns_id = state->ns_id,
		.mounts = state->mounts,
		.pending = state->pending,
		.max = max,
		.ret = ret,
		.checks = checks,
	};
}

/*
 * A passing check the attach in flight does not tally. Out of line: its
 * mw_check would be zeroed on every count_entry()'s stack otherwise.
 */
static noinline void mw_record_passed(const struct mw_count_call *call)
{
	struct mw_check check;

	mw_check_init(&check, &call->state, call->max, 0, 1);
	mw_table_record(&check);
}

/*
 * Most trees are a single mount (a bind, a new mount): one load of the
 * tree count_mounts() was given, a valid pointer, says so without a walk.
 */
static __always_inline bool mw_tree_is_leaf(unsigned long tree)
{
	unsigned long children = 0;

	if (!mw_load_link(tree, MW_MNT_MOUNTS, &children))
		return false;
	return children == tree + mw_off.off[MW_MNT_MOUNTS];
}

/*
 * Declines the return handler, the costlier half of a kretprobe, when the
 * tree provably fits: count_mounts() runs under namespace_sem, so the counts
 * read here are the ones it compares, and only a write to fs.mount-max in
 * between can change its verdict. The walk stops at the headroom; a tree
 * that may not fit is left to count_return() to see the kernel's verdict.
 */
static int count_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct mw_count_call *call = (struct mw_count_call *)ri->data;
	bool leaf;
	u64 used;

	atomic64_inc(&count_hits);
	call->ns = regs_get_kernel_argument(regs, 0);
	call->tree = regs_get_kernel_argument(regs, 1);
	/* nothing to record of a namespace that cannot be read */
	if (mw_read_ns(call->ns, &call->state)) {
		atomic64_inc(&count_unread);
		return 1;
	}
	call->max = mw_mount_max();
	used = (u64)call->state.mounts + call->state.pending;
	if (used >= call->max)
		return 0;
	pagefault_disable();
	leaf = mw_tree_is_leaf(call->tree);
	pagefault_enable();
	if (leaf)
		call->tree_size = 1;
	else if (!mw_tree_size(call->tree,
			       min_t(u64, call->max - used, MW_WALK_MAX),
			       &call->tree_size))
		return 0;

	atomic64_inc(&count_declined);
	if (READ_ONCE(attach.pid) == current->pid) {
		attach.declined++;
		attach.declined_call = *call;
		if (mw_attach_note(call->ns, call->state.mounts, false))
			return 1;
	}
	mw_record_passed(call);
	return 1;
}

/*
 * Stamps @check's failure on the current task and, unless @ev is NULL (the
 * attach has its event already), describes it in @ev with the caller's
 * system call, its strings and its cgroup.
 */
static void mw_failure(struct mw_check *check, struct mw_event *ev)
{
	if (!ev) {
		check->time_ns = ktime_get_real_ns();
		check->pid = task_tgid_nr(current);
		get_task_comm(check->comm, current);
		return;
	}
	mw_event_begin(ev);
	check->time_ns = ev->time_ns;
	check->pid = ev->pid;
	memcpy(check->comm, ev->comm, sizeof(check->comm));
	ev->failing_ns = check->ns_id;
	ev->mounts = check->mounts;
	ev->pending = check->pending;
	ev->max = check->max;
	ev->requested = check->requested;
}

/* Only the checks count_entry() could not prove to fit get here. */
static int count_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct mw_count_call *call = (struct mw_count_call *)ri->data;
	bool in_attach = READ_ONCE(attach.pid) == current->pid;
	int ret = (int)regs_return_value(regs);
	struct mw_event *ev = NULL;
	struct mw_check check;

	mw_check_init(&check, &call->state, call->max, ret, 1);
	if (ret != -ENOSPC) {
		if (!in_attach ||
		    !mw_attach_note(call->ns, call->state.mounts, false))
			mw_table_record(&check);
		return 0;
	}

	/* count_mounts() may bail out before it counts the tree */
	if (!mw_tree_size(call->tree, MW_WALK_MAX, &check.requested))
		atomic64_inc(&walk_truncated);
	if (!in_attach)
		ev = mw_scratch_event();
	else if (!attach.failed)
		ev = &attach.event;
	mw_failure(&check, ev);
	mw_table_record(&check);
	if (in_attach)
		mw_attach_note(call->ns, call->state.mounts, true);
	else
		mw_events_add(ev);
	return 0;
}

/*
 * The attach failed with -ENOSPC after a check was declined as one that
 * fits: count_mounts() stops the attach at its first failure, so the last
 * declined check is the one to blame, as it was read before the call.
 */
static void mw_verdict_mismatch(int result)
{
	const struct mw_count_call *call = &attach.declined_call;
	struct mw_event *ev = &attach.event;
	struct mw_check check;

	atomic64_inc(&verdict_mismatch);
	/* passed in attach.touched already: the failure alone is added */
	mw_check_init(&check, &call->state, call->max, -ENOSPC, 0);
	check.requested = call->tree_size;
	mw_failure(&check, ev);
	mw_table_record(&check);
	ev->checks = attach.checks;
	ev->touched = attach.nr_ns;
	ev->result = result;
	mw_events_add(ev);
}

static int attach_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic64_inc(&attach_hits);
	/* non-zero skips the return handler of an attach we do not track */
	if (cmpxchg(&attach.pid, 0, current->pid))
		return 1;
	/* the event is only read once failed is set, which fills it */
	attach.checks = 0;
	attach.nr_ns = 0;
	attach.failed = false;
	attach.declined = 0;
	return 0;
}

/*
 * The row of the namespace the attach touched as @i, as committed now. A
 * namespace's own single mounts would push the history out; what explains a
 * full namespace is the attach that added a tree, or that came in by
 * propagation from another.
 */
static __always_inline void mw_attach_commit(unsigned int i,
					     const struct mw_ns_state *state,
					     unsigned long caller, u32 max)
{
	u32 before = attach.touched[i].before;
	struct mw_check check = {
		.serial = state->serial,
		.ns_id = state->ns_id,
		.mounts = state->mounts,
		.pending = state->pending,
		.max = max,
		.checks = attach.touched[i].passed,
		.before = before,
		.grew = state->mounts > before &&
			(state->mounts - before > 1 ||
			 attach.touched[i].ns != caller),
	};

	if (check.grew) {
		check.caller_ns = mw_caller_ns();
		check.time_ns = ktime_get_real_ns();
	}
	mw_table_record(&check);
}

/* Records what the attach did to each namespace it touched. */
static int attach_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	int result = (int)regs_return_value(regs);
	struct mw_ns_state state;
	struct nsproxy *nsproxy;
	unsigned long caller;
	unsigned int i;
	u32 max;

	if (READ_ONCE(attach.pid) != current->pid)
		return 0;
	max = mw_mount_max();
	nsproxy = current->nsproxy;
	caller = nsproxy ? (unsigned long)nsproxy->mnt_ns : 0;
	for (i = 0; i < attach.nr_ns; i++)
		if (!mw_read_ns(attach.touched[i].ns, &state))
			mw_attach_commit(i, &state, caller, max);
	if (attach.failed) {
		attach.event.result = result;
		mw_events_add(&attach.event);
	} else if (result == -ENOSPC && attach.declined) {
		mw_verdict_mismatch(result);
	}
	/* pairs with the next attach_entry()'s cmpxchg(): our writes are done */
	smp_store_release(&attach.pid, 0);
	return 0;
}

static int free_entry(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned long ns = regs_get_kernel_argument(regs, 0);
	u64 serial;

	atomic64_inc(&free_hits);
	if (!mw_read_u64(ns, MW_NS_SERIAL, &serial))
		mw_table_forget(serial);
	return 0;
}

static struct kprobe free_probe = {
	.pre_handler = free_entry,
};

static struct kretprobe count_probe = {
	.entry_handler = count_entry,
	.handler = count_return,
	.data_size = sizeof(struct mw_count_call),
	.maxactive = MW_SERIAL_MAXACTIVE,
};

static struct kretprobe attach_probe = {
	.entry_handler = attach_entry,
	.handler = attach_return,
	.maxactive = MW_SERIAL_MAXACTIVE,
};

/*
 * Registers @rp, disarmed, on @base or on its first gcc clone this kernel
 * has: the caller arms it once it has checked what was found.
 */
static int mw_register(struct kretprobe *rp, const char *base, char *name)
{
	unsigned int i;
	int err = -ENOENT;

	for (i = 0; i < ARRAY_SIZE(mw_clone_suffixes) && err == -ENOENT; i++) {
		snprintf(name, MW_SYMBOL_LEN, "%s%s", base,
			 mw_clone_suffixes[i]);
		memset(&rp->kp, 0, sizeof(rp->kp));
		rp->kp.symbol_name = name;
		rp->kp.flags = KPROBE_FLAG_DISABLED;
		err = register_kretprobe(rp);
	}
	if (err)
		pr_err("cannot probe %s (%d)%s\n", base, err,
		       err == -ENOENT ? ": no such symbol, nor a gcc clone of it" : "");
	return err;
}

/* Takes a registered kretprobe into the set mw_probes_exit() removes. */
void mw_probes_adopt(struct kretprobe *rp)
{
	if (!WARN_ON(nr_armed == ARRAY_SIZE(armed)))
		armed[nr_armed++] = rp;
}

/* Checks what count_symbol resolved to before its handlers may run. */
static int mw_count_verify(const char *count_symbol)
{
	if (strcmp(count_name, count_symbol)) {
		pr_err("%s is only a gcc clone here (%s): its arguments cannot be trusted\n",
		       count_symbol, count_name);
		return -EOPNOTSUPP;
	}
	if (mw_off.count_proto == -EINVAL) {
		pr_err("%s() in BTF is not int (struct mnt_namespace *, struct mount *)\n",
		       count_symbol);
		return -EINVAL;
	}
	return 0;
}

int mw_probes_init(const char *count_symbol, const char *attach_symbol,
		   const char *free_symbol)
{
	int err;

	if (strlen(count_symbol) >= MW_SYMBOL_LEN / 2 ||
	    strlen(attach_symbol) >= MW_SYMBOL_LEN / 2) {
		pr_err("symbol names are limited to %d bytes\n",
		       MW_SYMBOL_LEN / 2 - 1);
		return -EINVAL;
	}
	/*
	 * Without it a dead namespace is only noticed when its id is reused,
	 * so a kernel lacking the default symbol still gets the rest.
	 */
	free_probe.symbol_name = free_symbol;
	err = *free_symbol ? register_kprobe(&free_probe) : -ENOENT;
	free_probed = !err;
	if (err && *free_symbol && strcmp(free_symbol, MW_FREE_SYMBOL)) {
		pr_err("cannot probe %s (%d)\n", free_symbol, err);
		return err;
	}

	err = mw_register(&attach_probe, attach_symbol, attach_name);
	if (err)
		goto out_free;
	mw_probes_adopt(&attach_probe);
	/* a clone may drop or reorder arguments; only its return is used */
	attach_is_clone = strcmp(attach_name, attach_symbol) != 0;

	err = mw_register(&count_probe, count_symbol, count_name);
	if (err)
		goto out_free;
	mw_probes_adopt(&count_probe);
	err = mw_count_verify(count_symbol);
	if (err)
		goto out_free;
	err = enable_kretprobe(&attach_probe);
	if (!err)
		err = enable_kretprobe(&count_probe);
	if (!err)
		return 0;
	pr_err("cannot arm the probes (%d)\n", err);
out_free:
	mw_probes_exit();
	return err;
}

/* One grace period for all kretprobes, one for the kprobe. */
void mw_probes_exit(void)
{
	if (nr_armed)
		unregister_kretprobes(armed, nr_armed);
	nr_armed = 0;
	if (free_probed)
		unregister_kprobe(&free_probe);
	free_probed = false;
}

/* Calls refused for want of a free instance, and kprobe hits re-entered. */
unsigned long mw_kretprobe_nmissed(const struct kretprobe *rp)
{
	return rp->nmissed + rp->kp.nmissed;
}

void mw_probes_status(struct seq_file *m)
{
	seq_printf(m, "symbol_count_mounts %s\n", count_name);
	seq_printf(m, "symbol_attach %s%s\n", attach_name,
		   attach_is_clone ? " clone" : "");
	seq_printf(m, "count_hits %lld\ncount_nmissed %lu\n",
		   atomic64_read(&count_hits),
		   mw_kretprobe_nmissed(&count_probe));
	seq_printf(m, "count_declined %lld\nverdict_mismatch %lld\n",
		   atomic64_read(&count_declined),
		   atomic64_read(&verdict_mismatch));
	seq_printf(m, "attach_hits %lld\nattach_nmissed %lu\n",
		   atomic64_read(&attach_hits),
		   mw_kretprobe_nmissed(&attach_probe));
	seq_printf(m, "symbol_free %s\n", free_probed ? free_probe.symbol_name : "-");
	seq_printf(m, "free_hits %lld\nfree_nmissed %lu\n",
		   atomic64_read(&free_hits), free_probe.nmissed);
	seq_printf(m, "walk_truncated %lld\n", atomic64_read(&walk_truncated));
	seq_printf(m, "count_unread %lld\n", atomic64_read(&count_unread));
}
