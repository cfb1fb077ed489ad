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
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "mntwatch.h"
#include "mntwatch_trace.h"

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

/*
 * What count_entry() read of a call of count_mounts(): kept for its return
 * handler, or for a mismatch when the check was declined. The namespace's
 * serial and number are read only when a row is written.
 */
struct mw_count_call {
	unsigned long ns;
	unsigned long tree;
	u32 mounts;
	u32 pending;
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
	struct mw_touched {
		unsigned long ns;
		u32 passed;
		u32 before;	/* its mounts when the attach first checked it */
	} touched[MW_ATTACH_NS];
	bool failed;
	bool declined;
	u32 max;	/* fs.mount-max at its last check */
	/* the last check count_entry() declined: what a mismatch can tell */
	struct mw_count_call declined_call;
	struct mw_event event;
} attach;

static char count_name[MW_SYMBOL_LEN], attach_name[MW_SYMBOL_LEN];
static bool attach_is_clone;
/* namespace_sem serialises the count and attach handlers: plain counters */
static u64 count_hits, count_returns, count_unread, attach_hits;
static u64 walk_truncated, verdict_mismatch;
static atomic64_t free_hits;
static bool free_probed;
static struct kretprobe *armed[MW_KRETPROBES];
static unsigned int nr_armed;

/*
 * The offsets and bounds a walk uses, read once into registers: each link
 * costs its address check, its load and its compares.
 */
struct mw_walk {
	unsigned long start, room;
	u32 mounts, child, parent;
};

/* Loads the link at @base + @off into @val; false if it cannot be read. */
static __always_inline bool mw_load_link(const struct mw_walk *w,
					 unsigned long base, u32 off,
					 unsigned long *val)
{
	unsigned long addr = base + off;

	if (addr - w->start > w->room)
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
	const struct mw_walk w = {
		.start = mw_kernel_start,
		.room = mw_kernel_room - sizeof(unsigned long),
		.mounts = mw_off.off[MW_MNT_MOUNTS],
		.child = mw_off.off[MW_MNT_CHILD],
		.parent = mw_off.off[MW_MNT_PARENT],
	};
	unsigned long p = root, next, parent;
	u32 count = 0;

	pagefault_disable();
	while (p && count < limit) {
		count++;
		if (!mw_load_link(&w, p, w.mounts, &next))
			goto out;
		if (next != p + w.mounts) {
			p = next - w.child;
			continue;
		}
		/* no children: climb to the first ancestor with a next sibling */
		while (p != root) {
			if (!mw_load_link(&w, p, w.child, &next) ||
			    !mw_load_link(&w, p, w.parent, &parent))
				goto out;
			if (next != parent + w.mounts)
				break;
			p = parent;
		}
		p = p == root ? 0 : next - w.child;
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
static __always_inline bool mw_attach_note(unsigned long ns, u32 mounts,
					   u32 max, bool failed)
{
	struct mw_touched *t = attach.touched, *end = t + attach.nr_ns;

	attach.checks++;
	attach.max = max;
	while (t < end && t->ns != ns)
		t++;
	if (t == end && attach.nr_ns < MW_ATTACH_NS) {
		*t = (struct mw_touched) { .ns = ns, .before = mounts };
		attach.nr_ns++;
		end++;
	}
	if (failed && !attach.failed) {
		attach.failed = true;
		attach.event.checks = attach.checks;
		attach.event.touched = attach.nr_ns;
	}
	if (failed || t == end)
		return false;
	t->passed++;
	return true;
}

/* Bumps a counter that only the serialised handlers write. */
static __always_inline void mw_count(u64 *counter)
{
	WRITE_ONCE(*counter, *counter + 1);
}

/*
 * @call's check, with the namespace's serial and number read now. Returns
 * false when they cannot be read (they are 0 then): a failure is still an
 * event, but there is no row to write it into.
 */
static bool mw_check_init(struct mw_check *check,
			  const struct mw_count_call *call, int ret, u32 checks)
{
	struct mw_ns_state state = {};
	bool readable = !mw_read_ns(call->ns, &state);

	*check = (struct mw_check) {
		.ns = call->ns,
		.serial = readable ? state.serial : 0,
		.ns_id = readable ? state.ns_id : 0,
		.mounts = call->mounts,
		.pending = call->pending,
		.max = call->max,
		.ret = ret,
		.checks = checks,
	};
	return readable;
}

/* A passing check outside any attach seen to begin: rare, out of line. */
static noinline void mw_record_passed(unsigned long ns, u32 mounts,
				      u32 pending, u32 max)
{
	const struct mw_count_call call = {
		.ns = ns, .mounts = mounts, .pending = pending, .max = max,
	};
	struct mw_check check;

	if (mw_check_init(&check, &call, 0, 1))
		mw_table_record(&check);
}

/*
 * Declines the return handler, the costlier half of a kretprobe, when the
 * tree provably fits: count_mounts() runs under namespace_sem, so the counts
 * read here are the ones it compares, and only a write to fs.mount-max in
 * between can change its verdict. The walk stops at the headroom; a tree
 * that may not fit is left to count_return() to see the kernel's verdict.
 *
 * Every mount pays for this, so it reads only what the verdict needs: the
 * namespace's mounts and pending copies and whether the tree has children
 * (most trees are a single mount, a bind or a new mount), three loads in
 * one no-fault section behind two address checks.
 */
static int count_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long ns = regs_get_kernel_argument(regs, 0);
	unsigned long tree = regs_get_kernel_argument(regs, 1);
	unsigned long children_at = tree + mw_off.off[MW_MNT_MOUNTS];
	struct mw_count_call *call;
	unsigned long children = 0;
	u32 mounts, pending, max, size;
	u64 used;

	mw_count(&count_hits);
	if (!mw_kernel_addr(ns, mw_ns_span))
		goto unread;
	pagefault_disable();
	__get_kernel_nofault(&mounts, (void *)(ns + mw_off.off[MW_NS_MOUNTS]),
			     u32, fault);
	__get_kernel_nofault(&pending,
			     (void *)(ns + mw_off.off[MW_NS_PENDING]), u32, fault);
	if (mw_kernel_addr(children_at, sizeof(children)))
		__get_kernel_nofault(&children, (void *)children_at,
				     unsigned long, leaf_fault);
leaf_fault:
	pagefault_enable();

	max = mw_mount_max();
	used = (u64)mounts + pending;
	if (used >= max)
		goto watch;
	if (children == children_at)
		size = 1;
	else if (!mw_tree_size(tree, min_t(u64, max - used, MW_WALK_MAX),
			       &size))
		goto watch;

	if (READ_ONCE(attach.pid) == current->pid) {
		attach.declined = true;
		attach.declined_call = (struct mw_count_call) {
			.ns = ns, .tree = tree, .mounts = mounts,
			.pending = pending, .max = max, .tree_size = size,
		};
		if (mw_attach_note(ns, mounts, max, false))
			return 1;
	}
	mw_record_passed(ns, mounts, pending, max);
	return 1;

watch:
	/* count_return() sees the kernel's verdict on what was read here */
	call = (struct mw_count_call *)ri->data;
	*call = (struct mw_count_call) {
		.ns = ns, .tree = tree, .mounts = mounts, .pending = pending,
		.max = max,
	};
	return 0;
fault:
	pagefault_enable();
unread:
	/* nothing to record of a namespace that cannot be read */
	mw_count(&count_unread);
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
	bool readable;

	mw_count(&count_returns);
	if (ret != -ENOSPC) {
		if ((!in_attach ||
		     !mw_attach_note(call->ns, call->mounts, call->max, false)) &&
		    mw_check_init(&check, call, ret, 1))
			mw_table_record(&check);
		return 0;
	}

	readable = mw_check_init(&check, call, ret, 1);
	/* count_mounts() may bail out before it counts the tree */
	if (!mw_tree_size(call->tree, MW_WALK_MAX, &check.requested))
		mw_count(&walk_truncated);
	if (!in_attach)
		ev = mw_scratch_event();
	else if (!attach.failed)
		ev = &attach.event;
	mw_failure(&check, ev);
	if (readable)
		mw_table_record(&check);
	if (in_attach)
		mw_attach_note(call->ns, call->mounts, call->max, true);
	else
		mw_events_add(ev);
	return 0;
}

/*
 * The attach failed with -ENOSPC after a check was declined as one that
 * fits: count_mounts() stops the attach at its first failure, so the last
 * declined check is the one to blame, as it was read before the call.
 */
static noinline void mw_verdict_mismatch(int result)
{
	const struct mw_count_call *call = &attach.declined_call;
	struct mw_event *ev = &attach.event;
	struct mw_check check;
	bool readable;

	mw_count(&verdict_mismatch);
	/* passed in attach.touched already: the failure alone is added */
	readable = mw_check_init(&check, call, -ENOSPC, 0);
	check.requested = call->tree_size;
	mw_failure(&check, ev);
	if (readable)
		mw_table_record(&check);
	ev->checks = attach.checks;
	ev->touched = attach.nr_ns;
	ev->result = result;
	mw_events_add(ev);
}

static int attach_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	mw_count(&attach_hits);
	/* non-zero skips the return handler of an attach we do not track */
	if (cmpxchg(&attach.pid, 0, current->pid))
		return 1;
	/* the event is only read once failed is set, which fills it */
	attach.checks = 0;
	attach.nr_ns = 0;
	attach.failed = false;
	attach.declined = false;
	return 0;
}

/*
 * A namespace's own single mounts would push its history out; what explains
 * a full namespace is the attach that added a tree, or that came in by
 * propagation from another. Out of line: most attaches grow nothing.
 */
static noinline void mw_attach_grew(unsigned long ns, u64 serial, u32 ns_id,
				    u32 mounts, u32 pending, u32 checks,
				    u32 before)
{
	struct mw_check check = {
		.ns = ns,
		.serial = serial,
		.ns_id = ns_id,
		.mounts = mounts,
		.pending = pending,
		.max = attach.max,
		.checks = checks,
		.grew = true,
		.before = before,
		.caller_ns = mw_caller_ns(),
		.time_ns = ktime_get_real_ns(),
	};

	mw_table_record(&check);
	trace_growth(ns_id, before, mounts, check.caller_ns);
}

/*
 * What an attach left in a namespace it checked: its serial and number to
 * find its row, and its mounts and pending copies now. One no-fault section,
 * into the caller's registers rather than a struct on its stack.
 */
static __always_inline bool mw_read_after(unsigned long ns, u64 *serial,
					  u32 *ns_id, u32 *mounts, u32 *pending)
{
	if (!mw_kernel_addr(ns, mw_ns_span))
		return false;
	pagefault_disable();
	__get_kernel_nofault(serial, (void *)(ns + mw_off.off[MW_NS_SERIAL]),
			     u64, fault);
	__get_kernel_nofault(ns_id, (void *)(ns + mw_off.off[MW_NS_INUM]),
			     u32, fault);
	__get_kernel_nofault(mounts, (void *)(ns + mw_off.off[MW_NS_MOUNTS]),
			     u32, fault);
	__get_kernel_nofault(pending, (void *)(ns + mw_off.off[MW_NS_PENDING]),
			     u32, fault);
	pagefault_enable();
	return true;
fault:
	pagefault_enable();
	return false;
}

/* Whether @ns is not the caller's own: a mount propagated into it. */
static bool mw_from_elsewhere(unsigned long ns)
{
	struct nsproxy *nsproxy = current->nsproxy;

	return nsproxy && ns != (unsigned long)nsproxy->mnt_ns;
}

/* Records what the attach did to each namespace it touched. */
static int attach_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	int result = (int)regs_return_value(regs);
	const struct mw_touched *t, *end;
	u32 ns_id, mounts, pending;
	u64 serial;

	if (READ_ONCE(attach.pid) != current->pid)
		return 0;
	end = attach.touched + attach.nr_ns;
	for (t = attach.touched; t < end; t++) {
		if (!mw_read_after(t->ns, &serial, &ns_id, &mounts, &pending))
			continue;
		if (mounts > t->before &&
		    (mounts - t->before > 1 || mw_from_elsewhere(t->ns)))
			mw_attach_grew(t->ns, serial, ns_id, mounts, pending,
				       t->passed, t->before);
		else
			mw_table_commit(t->ns, serial, ns_id, mounts, pending,
					attach.max, t->passed);
	}
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
	/* nstable.c's lock is never taken in interrupt context */
	if (in_task() && !mw_read_u64(ns, MW_NS_SERIAL, &serial))
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
	/*
	 * Every call of count_entry() ends in one of three ways: declined,
	 * watched to its return, or unread. Hits read last: never fewer than
	 * the others read before them.
	 */
	u64 returns = READ_ONCE(count_returns), unread = READ_ONCE(count_unread);
	u64 hits;

	/* a call bumps hits before returns or unread: read it after them */
	smp_rmb();
	hits = READ_ONCE(count_hits);

	seq_printf(m, "symbol_count_mounts %s\n", count_name);
	seq_printf(m, "symbol_attach %s%s\n", attach_name,
		   attach_is_clone ? " clone" : "");
	seq_printf(m, "count_hits %llu\ncount_nmissed %lu\n", hits,
		   mw_kretprobe_nmissed(&count_probe));
	seq_printf(m, "count_declined %llu\nverdict_mismatch %llu\n",
		   hits - returns - unread, READ_ONCE(verdict_mismatch));
	seq_printf(m, "attach_hits %llu\nattach_nmissed %lu\n",
		   READ_ONCE(attach_hits), mw_kretprobe_nmissed(&attach_probe));
	seq_printf(m, "symbol_free %s\n", free_probed ? free_probe.symbol_name : "-");
	seq_printf(m, "free_hits %lld\nfree_nmissed %lu\n",
		   atomic64_read(&free_hits), free_probe.nmissed);
	seq_printf(m, "walk_truncated %llu\n", READ_ONCE(walk_truncated));
	seq_printf(m, "count_unread %llu\n", unread);
}
