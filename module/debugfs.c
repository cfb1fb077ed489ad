// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/mntwatch/: read-only files (no write, no ioctl), which
 * debugfs keeps readable under lockdown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/utsname.h>
#include "compat.h"
#include "mntwatch.h"

static struct dentry *mw_dir;

void mw_print_time(struct seq_file *m, u64 time_ns)
{
	u32 rem_ns;
	u64 sec = div_u64_rem(time_ns, NSEC_PER_SEC, &rem_ns);

	seq_printf(m, "%llu.%06u", sec, (u32)(rem_ns / NSEC_PER_USEC));
}

/* A comm is whatever a task chose; keep rows whitespace-separated. */
void mw_print_comm(struct seq_file *m, const char *comm)
{
	char safe[TASK_COMM_LEN];
	int i;

	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		safe[i] = isgraph(comm[i]) ? comm[i] : '?';
	safe[i] = '\0';
	seq_puts(m, i ? safe : "?");
}

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

/*
 * Opening for write is refused outright: nothing here takes input. The
 * buffer is sized for the whole table up front: seq_file would otherwise
 * run the show function again, sort included, each time it doubles.
 */
#define MW_READ_ONLY_FILE(name)						\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	if (file->f_mode & FMODE_WRITE)					\
		return -EPERM;						\
	return single_open_size(file, name##_show, NULL,		\
				name##_size());				\
}									\
static const struct file_operations name##_fops = {			\
	.owner = THIS_MODULE,						\
	.open = name##_open,						\
	.read = seq_read,						\
	.llseek = seq_lseek,						\
	.release = single_release,					\
}

static size_t mw_status_size(void)
{
	return PAGE_SIZE;
}

MW_READ_ONLY_FILE(mw_table);
MW_READ_ONLY_FILE(mw_events);
MW_READ_ONLY_FILE(mw_status);
MW_READ_ONLY_FILE(mw_growth);

/* A chmod would let a non-root user read what the kernel is doing. */
MW_SETATTR_DEFINE(mw_setattr)
{
	return -EPERM;
}

static const struct inode_operations mw_file_iops = {
	.setattr = mw_setattr,
};

static void mw_create_file(const char *name,
			   const struct file_operations *fops)
{
	struct dentry *file = debugfs_create_file(name, 0400, mw_dir, NULL,
						  fops);

	if (!IS_ERR(file))
		d_inode(file)->i_op = &mw_file_iops;
}

int mw_debugfs_init(void)
{
	mw_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(mw_dir)) {
		pr_err("cannot create debugfs directory (%ld): is CONFIG_DEBUG_FS on and debugfs allowed?\n",
		       PTR_ERR(mw_dir));
		return PTR_ERR(mw_dir);
	}
	mw_create_file("namespaces", &mw_table_fops);
	mw_create_file("events", &mw_events_fops);
	mw_create_file("status", &mw_status_fops);
	mw_create_file("growth", &mw_growth_fops);
	return 0;
}

void mw_debugfs_exit(void)
{
	debugfs_remove(mw_dir);
}
