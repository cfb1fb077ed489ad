// SPDX-License-Identifier: GPL-2.0
/*
 * Where to read what: field offsets from the running kernel's BTF (or the
 * offsets= parameter), and the address of fs.mount-max.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <linux/vmalloc.h>
#include "mntwatch.h"

#define MW_MOUNT_MAX_PATH "/proc/sys/fs/mount-max"
/* no private field of these structs lies beyond a page */
#define MW_OFFSET_LIMIT 4096

struct mw_offsets mw_off;
const u32 *mw_mount_max_addr;

/* Parses "name=bytes,name=bytes"; a field it names is marked in @given. */
static int mw_parse_overrides(const char *overrides, bool *given)
{
	char *copy, *cursor, *item, *value;
	int field, err = 0;
	unsigned int off;

	copy = kstrdup(overrides, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cursor = copy;
	while (!err && (item = strsep(&cursor, ",")) != NULL) {
		if (!*item)
			continue;
		value = strchr(item, '=');
		if (value)
			*value++ = '\0';
		for (field = 0; field < MW_NR_FIELDS; field++)
			if (!strcmp(item, mw_fields[field].name))
				break;
		if (field == MW_NR_FIELDS) {
			pr_err("offsets=: unknown field '%s'\n", item);
			err = -EINVAL;
		} else if (!value || kstrtouint(value, 0, &off) ||
			   off >= MW_OFFSET_LIMIT) {
			pr_err("offsets=: %s needs a byte offset below %d\n",
			       item, MW_OFFSET_LIMIT);
			err = -EINVAL;
		} else {
			mw_off.off[field] = off;
			given[field] = true;
		}
	}
	kfree(copy);
	return err;
}

static int mw_resolve_btf(const struct mw_btf *btf, const bool *given,
			  const char *count_symbol)
{
	const struct mw_field_desc *desc;
	int field, err;

	for (field = 0; field < MW_NR_FIELDS; field++) {
		if (given[field])
			continue;
		desc = &mw_fields[field];
		err = mw_btf_resolve(btf, field, &mw_off.off[field],
				     &mw_off.path[field]);
		if (err) {
			pr_err("struct %s has no usable %s%s%s in BTF (%d); pass offsets=%s=BYTES\n",
			       desc->type, desc->paths[0],
			       desc->paths[1] ? " or " : "",
			       desc->paths[1] ? desc->paths[1] : "", err,
			       desc->name);
			return err;
		}
	}
	/* refused once the probe knows whether it found a gcc clone */
	mw_off.count_proto = mw_btf_check_count_mounts(btf, count_symbol);
	mw_off.alloc_proto = mw_btf_check_arg(btf, MW_ALLOC_SYMBOL, 0,
					      "user_namespace");
	mw_off.copy_proto = mw_btf_check_arg(btf, MW_COPY_SYMBOL, 1,
					     "mnt_namespace");
	return 0;
}

/*
 * A plain read: kernel_read_file() would ask the LSMs about an "unknown"
 * read, and IPE warns on every such call.
 */
static ssize_t mw_read_whole(const char *path, void **data)
{
	struct file *file;
	loff_t size, pos = 0;
	ssize_t got = 0;
	void *buf;

	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	size = i_size_read(file_inode(file));
	buf = size > 0 && size <= SZ_64M ? vmalloc(size) : NULL;
	while (buf && pos < size) {
		got = kernel_read(file, buf + pos, size - pos, &pos);
		if (got <= 0)
			break;
	}
	fput(file);
	if (!buf || pos != size) {
		vfree(buf);
		return got < 0 ? got : -EFBIG;
	}
	*data = buf;
	return size;
}

int mw_offsets_init(const char *btf_path, const char *overrides,
		    const char *count_symbol)
{
	bool given[MW_NR_FIELDS] = {};
	struct mw_btf btf;
	void *data = NULL;
	ssize_t len;
	int field, err;

	mw_off.count_proto = -ENOENT;
	mw_off.alloc_proto = -ENOENT;
	mw_off.copy_proto = -ENOENT;
	err = mw_parse_overrides(overrides, given);
	if (err)
		return err;
	for (field = 0; field < MW_NR_FIELDS && given[field]; field++)
		;
	if (field == MW_NR_FIELDS)
		return 0;

	len = mw_read_whole(btf_path, &data);
	if (len < 0) {
		pr_err("cannot read BTF from %s (%zd): needs CONFIG_DEBUG_INFO_BTF=y or offsets= naming every field\n",
		       btf_path, len);
		return len;
	}
	err = mw_btf_init(&btf, data, len);
	if (err)
		pr_err("%s is not BTF (%d)\n", btf_path, err);
	else
		err = mw_resolve_btf(&btf, given, count_symbol);
	vfree(data);
	if (!err)
		mw_off.btf_source = btf_path;
	return err;
}

/*
 * sysctl_mount_max is static. Its address is the data pointer of the
 * ctl_table behind /proc/sys/fs/mount-max, reached from the file's inode;
 * the value read through the file proves the pointer right.
 */
int mw_mount_max_init(void)
{
	static const char name[] = "mount-max";
	char procname[sizeof(name)], text[16];
	struct ctl_table table;
	unsigned long proc_inode, entry;
	struct file *file;
	loff_t pos = 0;
	unsigned int from_file;
	u32 at_addr;
	ssize_t len;
	int err = -ENOENT;

	file = filp_open(MW_MOUNT_MAX_PATH, O_RDONLY, 0);
	if (IS_ERR(file)) {
		pr_err("cannot open %s (%ld): is /proc mounted?\n",
		       MW_MOUNT_MAX_PATH, PTR_ERR(file));
		return PTR_ERR(file);
	}
	proc_inode = (unsigned long)file_inode(file) -
		     mw_off.off[MW_PROC_VFS_INODE];
	if (copy_from_kernel_nofault(&entry,
				     (void *)(proc_inode +
					      mw_off.off[MW_PROC_SYSCTL_ENTRY]),
				     sizeof(entry)) ||
	    copy_from_kernel_nofault(&table, (void *)entry, sizeof(table)) ||
	    copy_from_kernel_nofault(procname, table.procname,
				     sizeof(procname)) ||
	    memcmp(procname, name, sizeof(name)) ||
	    table.maxlen != sizeof(u32))
		goto out;
	len = kernel_read(file, text, sizeof(text) - 1, &pos);
	if (len <= 0)
		goto out;
	text[len] = '\0';
	if (kstrtouint(strim(text), 10, &from_file) ||
	    copy_from_kernel_nofault(&at_addr, table.data, sizeof(at_addr)) ||
	    at_addr != from_file)
		goto out;
	mw_mount_max_addr = table.data;
	err = 0;
out:
	fput(file);
	if (err)
		pr_err("cannot locate fs.mount-max behind %s: proc_inode offsets wrong?\n",
		       MW_MOUNT_MAX_PATH);
	return err;
}

/* What BTF said of a probed function's arguments. */
const char *mw_proto_name(int proto)
{
	return proto ? "unverified" : "verified";
}

void mw_offsets_status(struct seq_file *m)
{
	int field;

	seq_printf(m, "btf %s\n", mw_off.btf_source ? mw_off.btf_source : "-");
	seq_printf(m, "count_mounts_prototype %s\n",
		   mw_proto_name(mw_off.count_proto));
	for (field = 0; field < MW_NR_FIELDS; field++)
		seq_printf(m, "offset_%s %u %s%s%s\n", mw_fields[field].name,
			   mw_off.off[field],
			   mw_off.path[field] ? mw_fields[field].type : "param",
			   mw_off.path[field] ? "." : "",
			   mw_off.path[field] ? mw_off.path[field] : "");
}
