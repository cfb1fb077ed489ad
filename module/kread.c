// SPDX-License-Identifier: GPL-2.0
/*
 * Reads of the kernel's private structures at offsets from BTF or offsets=.
 * A wrong offset must give wrong numbers, never an oops: every load goes
 * through the exception tables (__get_kernel_nofault()), and only from the
 * kernel's own half of the address space, since a load from a user address
 * oopses even in a no-fault section when SMAP is on, as does one from the
 * vsyscall page (which copy_from_kernel_nofault_allowed() refuses as well).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/nsproxy.h>
#include <linux/uaccess.h>
#ifdef CONFIG_X86_64
#include <asm/vsyscall.h>
#endif
#include "mntwatch.h"

unsigned long mw_kernel_start __read_mostly = ULONG_MAX;
unsigned long mw_kernel_room __read_mostly;
unsigned long mw_ns_span __read_mostly;

int mw_kread_init(void)
{
	static const enum mw_field ns_fields[] = {
		MW_NS_SERIAL, MW_NS_INUM, MW_NS_MOUNTS, MW_NS_PENDING,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ns_fields); i++)
		mw_ns_span = max_t(unsigned long, mw_ns_span,
				   mw_off.off[ns_fields[i]] + sizeof(u64));
#ifdef CONFIG_X86_64
	mw_kernel_start = -(1UL << (boot_cpu_data.x86_virt_bits - 1));
	mw_kernel_room = VSYSCALL_ADDR - mw_kernel_start;
	return 0;
#else
	pr_err("the kernel's address layout is known here only on x86-64\n");
	return -EOPNOTSUPP;
#endif
}

static int mw_read_field(unsigned long base, enum mw_field field, void *val,
			 size_t size)
{
	unsigned long addr = base + mw_off.off[field];

	if (!mw_kernel_addr(addr, size))
		return -EFAULT;
	return copy_from_kernel_nofault(val, (void *)addr, size);
}

int mw_read_u32(unsigned long base, enum mw_field field, u32 *val)
{
	return mw_read_field(base, field, val, sizeof(*val));
}

int mw_read_ulong(unsigned long base, enum mw_field field, unsigned long *val)
{
	return mw_read_field(base, field, val, sizeof(*val));
}

int mw_read_u64(unsigned long base, enum mw_field field, u64 *val)
{
	return mw_read_field(base, field, val, sizeof(*val));
}

/*
 * A namespace's four counters in one no-fault section, behind one address
 * check for all of them.
 */
int mw_read_ns(unsigned long ns, struct mw_ns_state *state)
{
	int err = -EFAULT;

	if (!mw_kernel_addr(ns, mw_ns_span))
		return err;
	pagefault_disable();
	__get_kernel_nofault(&state->serial,
			     (void *)(ns + mw_off.off[MW_NS_SERIAL]), u64, out);
	__get_kernel_nofault(&state->ns_id,
			     (void *)(ns + mw_off.off[MW_NS_INUM]), u32, out);
	__get_kernel_nofault(&state->mounts,
			     (void *)(ns + mw_off.off[MW_NS_MOUNTS]), u32, out);
	__get_kernel_nofault(&state->pending,
			     (void *)(ns + mw_off.off[MW_NS_PENDING]), u32, out);
	err = 0;
out:
	pagefault_enable();
	return err;
}

/* The number of the caller's own mount namespace, 0 for none. */
u32 mw_caller_ns(void)
{
	struct nsproxy *nsproxy = current->nsproxy;
	u32 ns_id = 0;

	if (nsproxy)
		mw_read_u32((unsigned long)nsproxy->mnt_ns, MW_NS_INUM, &ns_id);
	return ns_id;
}
