// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace table: one row per mount namespace seen by count_mounts(),
 * preallocated so that the probes never allocate. Rows are keyed by the
 * namespace's serial, which the kernel never reuses; the nsfs inode number
 * users know is reused, and a row whose number reappears is marked gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "mntwatch.h"

struct mw_ns {
	struct hlist_node node;
	u64 serial;
	u64 last_seen;		/* table clock at the last check: LRU order */
	u64 checks;
	u64 enospc;
	u64 last_fail_ns;
	u32 ns_id;
	u32 mounts;
	u32 pending;
	u32 max;
	u32 peak;
	u32 last_requested;
	pid_t last_pid;
	bool gone;
	char last_comm[TASK_COMM_LEN];
};

static DEFINE_SPINLOCK(table_lock);
static struct mw_ns *rows;
static unsigned int rows_max, rows_used;
static struct hlist_head *buckets;
static unsigned int bucket_bits;
static u64 table_clock, table_evicted;

int mw_table_init(unsigned int max_rows)
{
	bucket_bits = ilog2(roundup_pow_of_two(max_rows));
	rows = kvcalloc(max_rows, sizeof(*rows), GFP_KERNEL);
	buckets = kvcalloc(1U << bucket_bits, sizeof(*buckets), GFP_KERNEL);
	if (!rows || !buckets) {
		kvfree(rows);
		kvfree(buckets);
		return -ENOMEM;
	}
	rows_max = max_rows;
	return 0;
}

void mw_table_exit(void)
{
	kvfree(rows);
	kvfree(buckets);
}

static struct mw_ns *mw_lookup(u64 serial)
{
	struct mw_ns *row;

	hlist_for_each_entry(row, &buckets[hash_64(serial, bucket_bits)], node)
		if (row->serial == serial)
			return row;
	return NULL;
}

/* A new namespace takes a free row, or the one checked least recently. */
static struct mw_ns *mw_insert(u64 serial, u32 ns_id)
{
	struct mw_ns *row, *victim = NULL;
	unsigned int i;

	for (i = 0; i < rows_used; i++) {
		row = &rows[i];
		if (row->ns_id == ns_id)
			row->gone = true;
		/* the dead go first, then the least recently checked */
		if (!victim || row->gone > victim->gone ||
		    (row->gone == victim->gone &&
		     row->last_seen < victim->last_seen))
			victim = row;
	}
	if (rows_used < rows_max) {
		victim = &rows[rows_used++];
	} else {
		hlist_del(&victim->node);
		table_evicted++;
	}
	memset(victim, 0, sizeof(*victim));
	victim->serial = serial;
	victim->ns_id = ns_id;
	hlist_add_head(&victim->node,
		       &buckets[hash_64(serial, bucket_bits)]);
	return victim;
}

void mw_table_record(const struct mw_check *check)
{
	struct mw_ns *row;
	unsigned long flags;

	spin_lock_irqsave(&table_lock, flags);
	row = mw_lookup(check->serial);
	if (!row)
		row = mw_insert(check->serial, check->ns_id);
	/* only anonymous namespaces share a serial (0): being checked, it lives */
	row->gone = false;
	row->last_seen = ++table_clock;
	row->checks++;
	row->mounts = check->mounts;
	row->pending = check->pending;
	row->max = check->max;
	row->peak = max(row->peak, check->mounts);
	if (check->ret == -ENOSPC) {
		row->enospc++;
		row->last_fail_ns = check->time_ns;
		row->last_pid = check->pid;
		row->last_requested = check->requested;
		memcpy(row->last_comm, check->comm, sizeof(row->last_comm));
	}
	spin_unlock_irqrestore(&table_lock, flags);
}

/* The kernel freed the namespace: its serial will never be checked again. */
void mw_table_forget(u64 serial)
{
	struct mw_ns *row;
	unsigned long flags;

	spin_lock_irqsave(&table_lock, flags);
	row = mw_lookup(serial);
	if (row)
		row->gone = true;
	spin_unlock_irqrestore(&table_lock, flags);
}

/* After an attach, its namespaces hold the committed count. */
void mw_table_refresh(u64 serial, u32 mounts, u32 pending)
{
	struct mw_ns *row;
	unsigned long flags;

	spin_lock_irqsave(&table_lock, flags);
	row = mw_lookup(serial);
	if (row) {
		row->mounts = mounts;
		row->pending = pending;
		row->peak = max(row->peak, mounts);
	}
	spin_unlock_irqrestore(&table_lock, flags);
}

static u32 mw_use_permille(const struct mw_ns *row)
{
	u64 used = (u64)row->mounts + row->pending;

	return row->max ? div_u64(used * 1000, row->max) : 0;
}

/* Fullest first; among equals the living, then the newest namespace. */
static int mw_cmp_rows(const void *a, const void *b)
{
	const struct mw_ns *row_a = a, *row_b = b;
	u32 use_a = mw_use_permille(row_a), use_b = mw_use_permille(row_b);

	if (use_a != use_b)
		return use_a < use_b ? 1 : -1;
	if (row_a->gone != row_b->gone)
		return row_a->gone ? 1 : -1;
	if (row_a->serial != row_b->serial)
		return row_a->serial < row_b->serial ? 1 : -1;
	return 0;
}

size_t mw_table_size(void)
{
	return (READ_ONCE(rows_used) + 1) * MW_ROW_BYTES;
}

int mw_table_show(struct seq_file *m, void *unused)
{
	struct mw_ns *copy;
	unsigned long flags;
	unsigned int i, count;
	u32 use;

	/* rows are only ever added: a copy sized now holds at least as many */
	count = READ_ONCE(rows_used);
	copy = kvmalloc_array(max(count, 1U), sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irqsave(&table_lock, flags);
	memcpy(copy, rows, count * sizeof(*copy));
	spin_unlock_irqrestore(&table_lock, flags);
	sort(copy, count, sizeof(*copy), mw_cmp_rows, NULL);

	seq_puts(m, "ns mounts pending max use_pct peak checks enospc last_fail last_pid last_comm last_requested state\n");
	for (i = 0; i < count; i++) {
		const struct mw_ns *row = &copy[i];

		use = mw_use_permille(row);
		seq_printf(m, "%u %u %u %u %u.%u %u %llu %llu ", row->ns_id,
			   row->mounts, row->pending, row->max, use / 10,
			   use % 10, row->peak, row->checks, row->enospc);
		if (row->enospc) {
			mw_print_time(m, row->last_fail_ns);
			seq_printf(m, " %d ", row->last_pid);
			mw_print_comm(m, row->last_comm);
			seq_printf(m, " %u", row->last_requested);
		} else {
			seq_puts(m, "- - - -");
		}
		seq_printf(m, " %s\n", row->gone ? "gone" : "live");
	}
	kvfree(copy);
	return 0;
}

void mw_table_status(struct seq_file *m)
{
	unsigned long flags;
	unsigned int used;
	u64 evicted;

	spin_lock_irqsave(&table_lock, flags);
	used = rows_used;
	evicted = table_evicted;
	spin_unlock_irqrestore(&table_lock, flags);
	seq_printf(m, "table_rows %u\ntable_max %u\ntable_evicted %llu\n",
		   used, rows_max, evicted);
	seq_printf(m, "table_bytes %zu\n", mw_table_bytes());
}

size_t mw_table_bytes(void)
{
	return rows_max * sizeof(*rows) + (sizeof(*buckets) << bucket_bits);
}
