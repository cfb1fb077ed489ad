/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MNTWATCH_H
#define MNTWATCH_H

#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/types.h>
#include "btf.h"
#include "schema.h"
#include "version.h"

#define MW_FREE_SYMBOL "free_mnt_ns"
#define MW_ALLOC_SYMBOL "alloc_mnt_ns"
#define MW_COPY_SYMBOL "copy_mnt_ns"

/* Where the private fields live in this kernel, and who said so. */
struct mw_offsets {
	u32 off[MW_NR_FIELDS];
	const char *path[MW_NR_FIELDS];	/* BTF member path, NULL: param */
	const char *btf_source;		/* NULL when BTF was not read */
	int count_proto;	/* mw_btf_check_count_mounts() of count_symbol */
	int alloc_proto;	/* mw_btf_check_arg() of alloc_mnt_ns() */
	int copy_proto;		/* and of copy_mnt_ns() */
};

extern struct mw_offsets mw_off;

int mw_offsets_init(const char *btf_path, const char *overrides,
		    const char *count_symbol);
int mw_mount_max_init(void);
/* fs.mount-max, at an address checked at load against what /proc reads */
extern const u32 *mw_mount_max_addr;

static inline u32 mw_mount_max(void)
{
	return READ_ONCE(*mw_mount_max_addr);
}

void mw_offsets_status(struct seq_file *m);
const char *mw_proto_name(int proto);

/*
 * kread.c: private fields are read without faulting, and only from where
 * copy_from_kernel_nofault() would read: a wrong offsets= must not oops.
 */
extern unsigned long mw_kernel_start, mw_kernel_room;
/* a namespace's counters lie within this many bytes of its address */
extern unsigned long mw_ns_span;

int mw_kread_init(void);

/*
 * Whether @size bytes at @addr lie in the kernel's half below the vsyscall
 * page: where copy_from_kernel_nofault() reads, less the fixmap above the
 * vsyscall page, which holds nothing mntwatch reads. One compare.
 */
static __always_inline bool mw_kernel_addr(unsigned long addr, size_t size)
{
	return addr - mw_kernel_start <= mw_kernel_room - size;
}

int mw_read_u32(unsigned long base, enum mw_field field, u32 *val);
int mw_read_ulong(unsigned long base, enum mw_field field, unsigned long *val);
int mw_read_u64(unsigned long base, enum mw_field field, u64 *val);

/* What the probes read of a namespace. */
struct mw_ns_state {
	u64 serial;
	u32 ns_id;
	u32 mounts;
	u32 pending;
};

int mw_read_ns(unsigned long ns, struct mw_ns_state *state);

/*
 * Whether a namespace's counters are past anything fs.mount-max (an int,
 * 1..INT_MAX) admits: mounts + pending wrapped, which 5.10's count_mounts()
 * refuses through its overflow checks (old > sum || pending > sum), or a
 * counter above INT_MAX, which a decrement below zero leaves (the ns->mounts
 * underflow ee2e3f50629f fixed) and which 6.1's and later compare against
 * the limit like any other. Its ENOSPC is the kernel's accounting, not a
 * full namespace.
 */
static inline bool mw_counters_wrapped(u32 mounts, u32 pending)
{
	return (u64)mounts + pending > U32_MAX || mounts > INT_MAX ||
	       pending > INT_MAX;
}

u32 mw_caller_ns(void);

/* count_mounts() calls on one namespace, as the probes saw them. */
struct mw_check {
	unsigned long ns;	/* its address, which a table read follows */
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
void mw_table_commit(unsigned long ns, u64 serial, u32 ns_id, u32 mounts,
		     u32 pending, u32 max, u32 checks);
void mw_table_forget(u64 serial);
void mw_table_status(struct seq_file *m);
size_t mw_table_bytes(void);
extern const struct file_operations mw_table_fops;
extern const struct file_operations mw_growth_fops;

/* which limit an event hit */
enum mw_limit {
	MW_LIMIT_MOUNT_MAX,		/* fs.mount-max, per mount namespace */
	MW_LIMIT_MNT_NAMESPACES,	/* user.max_mnt_namespaces */
};

/* A string as the caller gave it, cut after MW_STR_KEEP bytes. */
#define MW_STR_KEEP 255

enum mw_str_state {
	MW_STR_NONE,		/* none given, or unreadable: printed as - */
	MW_STR_WHOLE,
	MW_STR_CUT,		/* longer than MW_STR_KEEP: printed with ... */
};

struct mw_str {
	u8 state;
	/* one byte more than kept tells a cut string from one that fits */
	char text[MW_STR_KEEP + 2];
};

/* caller.c: the system call that failed and where the caller lives. */
struct mw_caller {
	int syscall;		/* native syscall number, -1: none */
	bool has_flags;
	unsigned long flags;
	struct mw_str source;
	struct mw_str target;
	struct mw_str cgroup;
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
	struct mw_caller caller;
};

void mw_event_begin(struct mw_event *ev);

int mw_events_init(unsigned int size);
void mw_events_exit(void);
void mw_events_add(const struct mw_event *event);
void mw_events_status(struct seq_file *m);
size_t mw_events_bytes(void);
extern const struct file_operations mw_events_fops;

/*
 * A scratch event for a handler outside an attach: handlers run with
 * preemption off and never nest on one CPU (a kprobe hit inside a handler is
 * missed), so each CPU's is its own for the handler's duration.
 */
struct mw_event *mw_scratch_event(void);

int mw_probes_init(const char *count_symbol, const char *attach_symbol,
		   const char *free_symbol);
void mw_probes_adopt(struct kretprobe *rp);
void mw_probes_exit(void);
void mw_probes_status(struct seq_file *m);
unsigned long mw_kretprobe_nmissed(const struct kretprobe *rp);

void mw_nsprobes_init(void);
void mw_nsprobes_status(struct seq_file *m);

int mw_debugfs_init(void);
void mw_debugfs_exit(void);

/*
 * print.c: a row of a debugfs table, written a column at a time by the
 * mw_col_<kind>() of each column's kind (schema.h), then once as a whole.
 */
#define MW_FIELD_MAX	32	/* " 18446744073709551615.999999" and less */

struct mw_line {
	struct seq_file *m;
	char *p;		/* where the next field goes */
	int skip;		/* 1: the first field's separator */
	char buf[10 * MW_FIELD_MAX];
};

void mw_line_begin(struct mw_line *line, struct seq_file *m);
void mw_line_end(struct mw_line *line);
void mw_col_id(struct mw_line *line, bool shown, u32 id);
void mw_col_num(struct mw_line *line, bool shown, u64 value);
void mw_col_snum(struct mw_line *line, bool shown, s64 value);
void mw_col_pct(struct mw_line *line, bool shown, u32 permille);
void mw_col_time(struct mw_line *line, bool shown, u64 time_ns);
void mw_col_hex(struct mw_line *line, bool shown, unsigned long value);
void mw_col_comm(struct mw_line *line, bool shown, const char *comm);
void mw_col_word(struct mw_line *line, bool shown, const char *word);
void mw_col_str(struct mw_line *line, bool shown, const struct mw_str *str);

#endif
