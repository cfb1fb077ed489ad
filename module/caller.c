// SPDX-License-Identifier: GPL-2.0
/*
 * Who asked, as the failure happens: the system call the caller is in, the
 * source and target it gave mount(2) or move_mount(2), and its cgroup, so that
 * an event still names a container that has exited since. Called only when
 * an event is made, from a kretprobe handler: preemption is off, so nothing
 * here may sleep or fault. The arguments are in the registers the syscall
 * entry saved, the strings are read with page faults disabled, and the
 * cgroup path is built under RCU and kernfs's rename lock, an irq-safe
 * spinlock (5.10, 6.1) or rwlock (6.12, 7.x) that nothing on the mount path
 * holds.
 */
#include <linux/cgroup.h>
#include <linux/compat.h>
#include <linux/kernfs.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include "mntwatch.h"

/*
 * Reads the user string at @addr into @str, as strncpy_from_user_nofault()
 * would, which modules cannot call: strncpy_from_user() with page faults
 * disabled, so a page the caller does not have in memory right now is a
 * fault (-EFAULT: no string), not a sleep. It returns the length, or the
 * whole count when no NUL came within it: at least one byte more than kept.
 */
static void mw_read_user_str(struct mw_str *str, unsigned long addr)
{
	long len;

	str->state = MW_STR_NONE;
	if (!addr)
		return;
	pagefault_disable();
	len = strncpy_from_user(str->text, (const char __user *)addr,
				sizeof(str->text));
	pagefault_enable();
	if (len < 0)
		return;
	str->state = len > MW_STR_KEEP ? MW_STR_CUT : MW_STR_WHOLE;
	str->text[min_t(long, len, MW_STR_KEEP)] = '\0';
}

/*
 * The default hierarchy's path, as the 0:: line of /proc/PID/cgroup shows it
 * to a reader in the initial cgroup namespace. kernfs_path() returns the
 * whole length up to 6.1 and at most what fit from 6.12 on: either way a
 * length past MW_STR_KEEP means the path was cut.
 */
static void mw_read_cgroup(struct mw_str *str)
{
	int len = -ENOENT;

	str->state = MW_STR_NONE;
#ifdef CONFIG_CGROUPS
	rcu_read_lock();
	len = kernfs_path(task_dfl_cgroup(current)->kn, str->text,
			  sizeof(str->text));
	rcu_read_unlock();
#endif
	if (len < 0)
		return;
	str->state = len > MW_STR_KEEP ? MW_STR_CUT : MW_STR_WHOLE;
	str->text[MW_STR_KEEP] = '\0';
}

static void mw_caller_read(struct mw_caller *caller)
{
	unsigned long args[6] = {}, source = 0, target = 0;
	struct pt_regs *regs;

	caller->syscall = -1;
	caller->has_flags = false;
	mw_read_cgroup(&caller->cgroup);
	/* a kernel thread has no user registers, a compat task other numbers */
	if (!(current->flags & PF_KTHREAD) && !in_compat_syscall()) {
		regs = task_pt_regs(current);
		caller->syscall = syscall_get_nr(current, regs);
		syscall_get_arguments(current, regs, args);
	}
	switch (caller->syscall) {
	case __NR_mount:
		source = args[0];
		target = args[1];
		caller->flags = args[3];
		caller->has_flags = true;
		break;
	case __NR_move_mount:
		source = args[1];
		target = args[3];
		caller->flags = args[4];
		caller->has_flags = true;
		break;
	}
	mw_read_user_str(&caller->source, source);
	mw_read_user_str(&caller->target, target);
}

/* Starts @ev for the current task: when, who, from where, by which call. */
void mw_event_begin(struct mw_event *ev)
{
	memset(ev, 0, offsetof(struct mw_event, caller));
	ev->time_ns = ktime_get_real_ns();
	ev->pid = task_tgid_nr(current);
	get_task_comm(ev->comm, current);
	ev->caller_ns = mw_caller_ns();
	mw_caller_read(&ev->caller);
}
