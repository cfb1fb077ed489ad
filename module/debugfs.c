// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/mntwatch/: read-only files (no write, no ioctl), which
 * debugfs keeps readable under lockdown. Mode 0400 keeps them root's: the
 * inode is debugfs's own, with its own setattr and lockdown checks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/utsname.h>
#include "mntwatch.h"

static struct dentry *mw_dir;

static int mw_status_show(struct seq_file *m, void *unused)
{
	seq_puts(m, "key value\n");
	seq_printf(m, "version %s\nformat %d\nkernel %s\n", MNTWATCH_VERSION,
		   MNTWATCH_FORMAT, init_utsname()->release);
	mw_offsets_status(m);
	mw_probes_status(m);
	mw_nsprobes_status(m);
	mw_table_status(m);
	mw_events_status(m);
	seq_printf(m, "memory_bytes %zu\n", mw_table_bytes() + mw_events_bytes());
	return 0;
}

/* Nothing here takes input: opening for write is refused outright. */
static int mw_status_open(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE)
		return -EPERM;
	return single_open_size(file, mw_status_show, NULL, PAGE_SIZE);
}

static const struct file_operations mw_status_fops = {
	.owner = THIS_MODULE,
	.open = mw_status_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * Called last in the module's init: once a file exists, a reader may hold
 * it open, and an init that failed after that would free the module under
 * it. So only the directory can fail the load; a file that cannot be made
 * is said and left out.
 */
int mw_debugfs_init(void)
{
	static const struct {
		const char *name;
		const struct file_operations *fops;
	} files[] = {
		{ "namespaces", &mw_table_fops },
		{ "events", &mw_events_fops },
		{ "status", &mw_status_fops },
		{ "growth", &mw_growth_fops },
	};
	struct dentry *file;
	unsigned int i;

	mw_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(mw_dir)) {
		pr_err("cannot create debugfs directory (%ld): is CONFIG_DEBUG_FS on and debugfs allowed?\n",
		       PTR_ERR(mw_dir));
		return PTR_ERR(mw_dir);
	}
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		file = debugfs_create_file(files[i].name, 0400, mw_dir, NULL,
					   files[i].fops);
		if (IS_ERR(file))
			pr_warn("cannot create debugfs file %s (%ld)\n",
				files[i].name, PTR_ERR(file));
	}
	return 0;
}

void mw_debugfs_exit(void)
{
	debugfs_remove(mw_dir);
}
