/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small reader of raw BTF (the format of /sys/kernel/btf/vmlinux) that
 * finds the private fields mntwatch reads. It is built both into the module
 * and into a host test, so it depends on nothing but the uapi headers.
 */
#ifndef MNTWATCH_BTF_H
#define MNTWATCH_BTF_H

#include <linux/types.h>

struct mw_btf {
	const __u8 *types;
	__u32 types_len;
	const char *strings;
	__u32 strings_len;
};

enum mw_field {
	MW_NS_INUM,		/* nsfs inode number: the id users see */
	MW_NS_SERIAL,		/* never reused, unlike the inode number */
	MW_NS_MOUNTS,
	MW_NS_PENDING,
	MW_MNT_PARENT,
	MW_MNT_MOUNTS,
	MW_MNT_CHILD,
	MW_PROC_VFS_INODE,
	MW_PROC_SYSCTL_ENTRY,
	MW_NS_UCOUNTS,		/* who was charged for the namespace */
	MW_NR_FIELDS
};

struct mw_field_desc {
	const char *name;	/* as given in the offsets= parameter */
	const char *type;	/* the struct holding it */
	const char *paths[3];	/* member paths, newest kernel last */
	__u32 size;		/* expected size in bytes, 0: any */
};

extern const struct mw_field_desc mw_fields[MW_NR_FIELDS];

int mw_btf_init(struct mw_btf *btf, const void *data, __u64 size);
int mw_btf_member(const struct mw_btf *btf, const char *type_name,
		  const char *path, __u32 *offset, __u32 *size);
int mw_btf_resolve(const struct mw_btf *btf, enum mw_field field,
		   __u32 *offset, const char **path);
int mw_btf_check_count_mounts(const struct mw_btf *btf, const char *func);
int mw_btf_check_arg(const struct mw_btf *btf, const char *func, __u32 index,
		     const char *type_name);

#endif
