/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MNTWATCH_H
#define MNTWATCH_H

#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include "btf.h"
#include "version.h"

#define MNTWATCH_FORMAT 1
#define MW_FREE_SYMBOL "free_mnt_ns"
#define MW_ALLOC_SYMBOL "alloc_mnt_ns"
#define MW_COPY_SYMBOL "copy_mnt_ns"

/* Where the private fields live in this kernel, and who said so. */
struct mw_offsets {
	u32 off[MW_NR_FIELDS];
	const char *path[MW_NR_FIELDS];	/* BTF member path, NULL: param */
	const char *btf_source;		/* NULL when BTF was not read */
	const char *count_proto;	/* what BTF says of count_mounts() */
	int alloc_proto;		/* mw_btf_check_arg() of alloc_mnt_ns() */
	int copy_proto;			/* and of copy_mnt_ns() */
};

extern struct mw_offsets mw_off;

int mw_offsets_init(const char *btf_path, const char *overrides);
int mw_mount_max_init(void);
/* fs.mount-max, at an address checked at load against what /proc reads */
extern const u32 *mw_mount_max_addr;

static inline u32 mw_mount_max(void)
{
	return READ_ONCE(*mw_mount_max_addr);
}

void mw_offsets_status(struct seq_file *m);

/* Private fields are read without faulting: a wrong offset= must not oops. */
static inline int mw_read_u32(unsigned long base, enum mw_field field,
			      u32 *val)
{
	return copy_from_kernel_nofault(val, (void *)(base + mw_off.off[field]),
					sizeof(*val));
}

static inline int mw_read_ulong(unsigned long base, enum mw_field field,
				unsigned long *val)
{
	return copy_from_kernel_nofault(val, (void *)(base + mw_off.off[field]),
					sizeof(*val));
}

static inline int mw_read_u64(unsigned long base, enum mw_field field,
			      u64 *val)
{
	return copy_from_kernel_nofault(val, (void *)(base + mw_off.off[field]),
					sizeof(*val));
}

/* What the probes read of a namespace. */
struct mw_ns_state {
	u64 serial;
	u32 ns_id;
	u32 mounts;
	u32 pending;
};

int mw_read_ns(unsigned long ns, struct mw_ns_state *state);

/* count_mounts() calls on one namespace, as the probes saw them. */
struct mw_check {
	u64 serial;
	u64 time_ns;
	u32 ns_id;
	u32 mounts;
	u32 pending;
	u32 max;
	u32 requested;
	u32 checks;		/* count_mounts() calls this record stands for */
	int ret;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	/* copy_mnt_ns() made this namespace as a copy of parent */
	bool born;
	u32 parent;
	/* an attach took it from before to mounts, called from caller_ns */
	bool grew;
	u32 before;
	u32 caller_ns;
};

/* One attach that grew a namespace, kept in its row's history. */
struct mw_growth {
	u32 time_s;		/* wall clock, seconds: the order of restarts */
	u32 before;
	u32 after;
	u32 caller_ns;
};

int mw_table_init(unsigned int max_rows, unsigned int history);
void mw_table_exit(void);
void mw_table_record(const struct mw_check *check);
void mw_table_forget(u64 serial);
int mw_table_show(struct seq_file *m, void *unused);
size_t mw_table_size(void);
void mw_table_status(struct seq_file *m);
size_t mw_table_bytes(void);
int mw_growth_show(struct seq_file *m, void *unused);
size_t mw_growth_size(void);

/* which limit an event hit */
enum mw_limit {
	MW_LIMIT_MOUNT_MAX,		/* fs.mount-max, per mount namespace */
	MW_LIMIT_MNT_NAMESPACES,	/* user.max_mnt_namespaces */
};

struct mw_event {
	u64 time_ns;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	u32 caller_ns;
	u32 failing_ns;
	u32 mounts;
	u32 pending;
	u32 max;
	u32 requested;
	u32 checks;		/* 0: the check ran outside an attach */
	u32 touched;
	int result;
	enum mw_limit limit;
	u32 userns;		/* the user namespace whose limit was hit */
	long ns_count;		/* its namespace count then, -1: unknown */
	u64 seq;		/* 1 for the first event since load */
};

int mw_events_init(unsigned int size);
void mw_events_exit(void);
void mw_events_add(const struct mw_event *event);
int mw_events_show(struct seq_file *m, void *unused);
size_t mw_events_size(void);
void mw_events_status(struct seq_file *m);
size_t mw_events_bytes(void);

int mw_probes_init(const char *count_symbol, const char *attach_symbol,
		   const char *free_symbol);
void mw_probes_exit(void);
void mw_probes_status(struct seq_file *m);
u32 mw_caller_ns(void);

void mw_nsprobes_init(void);
void mw_nsprobes_exit(void);
void mw_nsprobes_status(struct seq_file *m);

int mw_debugfs_init(void);
void mw_debugfs_exit(void);

void mw_print_time(struct seq_file *m, u64 time_ns);
void mw_print_comm(struct seq_file *m, const char *comm);

/* room for one printed row of the widest table, with every field at its widest */
#define MW_ROW_BYTES 224

#endif
