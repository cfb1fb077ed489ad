// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace table: one row per mount namespace seen by count_mounts(),
 * preallocated so that the probes never allocate. Rows are keyed by the
 * namespace's serial, which the kernel never reuses; the nsfs inode number
 * users know is reused, and a row whose number reappears is marked gone.
 * Anonymous namespaces (detached trees) own no nsfs number: up to 6.17 their
 * number and serial are 0, so they share a row; from 6.18 each has a serial
 * and all show MNT_NS_ANON_INO, which names none of them.
 * copy_mnt_ns() adds the rows of new namespaces with their lineage, and each
 * row keeps the attaches that grew it most.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "mntwatch.h"

/* uapi/linux/nsfs.h, 6.18 */
#define MW_MNT_NS_ANON_INO 0xEFFFFFF7U

struct mw_ns {
	struct hlist_node by_serial;
	unsigned long addr;	/* where its counters are read now */
	struct hlist_node by_id;
	struct list_head lru;	/* the next row to reuse is first */
	u64 serial;
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
	u8 growth_count;	/* entries in its history, oldest first */
	char last_comm[TASK_COMM_LEN];
	u64 born_ns;		/* 0: not seen being made */
	u32 parent;
	u32 born_mounts;
	/* in a reader's copy: the counters as the read found them */
	bool now_known;
	u32 now_mounts;
	u32 now_pending;
};

/*
 * Taken only in task context: by the probes' handlers (mount, unshare and
 * namespace release all run in tasks, and a kprobe handler never nests
 * another on its CPU) and by readers. So interrupts stay on: nothing that
 * interrupts a holder takes it.
 */
static DEFINE_SPINLOCK(table_lock);
static struct mw_ns *rows;
static unsigned int rows_max, rows_used;
static struct hlist_head *serial_buckets, *id_buckets;
/* history slots per row, row by row */
static struct mw_growth *growth;
static unsigned int history;
static unsigned int bucket_bits;
static LIST_HEAD(lru);
static u64 table_evicted;

static size_t mw_table_bytes_for(unsigned int max_rows,
				 unsigned int growth_history)
{
	return (size_t)max_rows * sizeof(*rows) +
	       (size_t)max_rows * growth_history * sizeof(*growth) +
	       2 * (sizeof(*serial_buckets) << ilog2(roundup_pow_of_two(max_rows)));
}

int mw_table_init(unsigned int max_rows, unsigned int growth_history)
{
	bucket_bits = ilog2(roundup_pow_of_two(max_rows));
	rows = kvcalloc(max_rows, sizeof(*rows), GFP_KERNEL);
	growth = kvcalloc((size_t)max_rows * growth_history, sizeof(*growth),
			  GFP_KERNEL);
	serial_buckets = kvcalloc(1U << bucket_bits, sizeof(*serial_buckets),
				  GFP_KERNEL);
	id_buckets = kvcalloc(1U << bucket_bits, sizeof(*id_buckets),
			      GFP_KERNEL);
	if (!rows || !growth || !serial_buckets || !id_buckets) {
		pr_err("cannot allocate %zu bytes for ns_max=%u growth_history=%u\n",
		       mw_table_bytes_for(max_rows, growth_history), max_rows,
		       growth_history);
		mw_table_exit();
		return -ENOMEM;
	}
	rows_max = max_rows;
	history = growth_history;
	return 0;
}

void mw_table_exit(void)
{
	kvfree(rows);
	kvfree(growth);
	kvfree(serial_buckets);
	kvfree(id_buckets);
}

static __always_inline struct mw_ns *mw_lookup(u64 serial)
{
	struct mw_ns *row;

	hlist_for_each_entry(row, &serial_buckets[hash_64(serial, bucket_bits)],
			     by_serial)
		if (row->serial == serial)
			return row;
	return NULL;
}

static bool mw_is_anon(u32 ns_id)
{
	return !ns_id || ns_id == MW_MNT_NS_ANON_INO;
}

/* Only the living are found by nsfs number: a dead one's may be reused. */
static void mw_mark_gone(struct mw_ns *row)
{
	row->gone = true;
	hlist_del_init(&row->by_id);
	list_move(&row->lru, &lru);
}

static void mw_mark_live(struct mw_ns *row)
{
	row->gone = false;
	if (!mw_is_anon(row->ns_id))
		hlist_add_head(&row->by_id,
			       &id_buckets[hash_32(row->ns_id, bucket_bits)]);
}

/*
 * A new namespace takes a free row, or the first in LRU order: the dead, then
 * the one checked least recently. Its nsfs number now names it, not a dead
 * namespace's row. Constant time, as it runs with interrupts off.
 */
static struct mw_ns *mw_insert(u64 serial, u32 ns_id)
{
	struct mw_ns *row;
	struct hlist_node *next;

	hlist_for_each_entry_safe(row, next,
				  &id_buckets[hash_32(ns_id, bucket_bits)], by_id)
		if (row->ns_id == ns_id)
			mw_mark_gone(row);
	if (rows_used < rows_max) {
		row = &rows[rows_used];
		/* readers size their copies by it without the lock */
		WRITE_ONCE(rows_used, rows_used + 1);
	} else {
		row = list_first_entry(&lru, struct mw_ns, lru);
		hlist_del(&row->by_serial);
		hlist_del_init(&row->by_id);
		list_del(&row->lru);
		table_evicted++;
	}
	memset(row, 0, sizeof(*row));
	row->serial = serial;
	row->ns_id = ns_id;
	hlist_add_head(&row->by_serial,
		       &serial_buckets[hash_64(serial, bucket_bits)]);
	mw_mark_live(row);
	list_add_tail(&row->lru, &lru);
	return row;
}

static struct mw_growth *mw_history(struct mw_growth *all,
				    const struct mw_ns *base,
				    const struct mw_ns *row)
{
	return all + (size_t)(row - base) * history;
}

static u32 mw_growth_of(const struct mw_growth *entry)
{
	return entry->after - entry->before;
}

/*
 * A runtime's small binds (hostname, hosts, resolv.conf, an exec's bind)
 * must not push out the attach that doubled a namespace. So a full history
 * drops the entry, the new one included, that added the fewest mounts, the
 * oldest among equals: the largest growths stay, and among as many small
 * ones, the latest. Entries stay in the order they were made.
 */
static void mw_growth_add(struct mw_ns *row, const struct mw_check *check)
{
	struct mw_growth *entries = mw_history(growth, rows, row);
	struct mw_growth entry = {
		.time_s = div_u64(check->time_ns, NSEC_PER_SEC),
		.before = check->before,
		.after = check->mounts,
		.caller_ns = check->caller_ns,
	};
	unsigned int least = 0, i;

	if (row->growth_count == history) {
		for (i = 1; i < history; i++)
			if (mw_growth_of(&entries[i]) < mw_growth_of(&entries[least]))
				least = i;
		if (mw_growth_of(&entry) < mw_growth_of(&entries[least]))
			return;
		memmove(&entries[least], &entries[least + 1],
			(history - least - 1) * sizeof(*entries));
		row->growth_count--;
	}
	entries[row->growth_count++] = entry;
}

/* The row of @serial, made if there is none, as the one used last. */
static __always_inline struct mw_ns *mw_row(u64 serial, u32 ns_id)
{
	struct mw_ns *row = mw_lookup(serial);

	if (!row)
		return mw_insert(serial, ns_id);
	/* only anonymous namespaces share a serial (0): checked, it lives */
	if (row->gone)
		mw_mark_live(row);
	/* a namespace that mounts again is already last: no relinking */
	if (!list_is_last(&row->lru, &lru))
		list_move_tail(&row->lru, &lru);
	return row;
}

static __always_inline void mw_row_update(struct mw_ns *row, unsigned long ns,
					  u32 checks, u32 mounts, u32 pending,
					  u32 max)
{
	row->addr = ns;
	row->checks += checks;
	row->mounts = mounts;
	row->pending = pending;
	row->max = max;
	row->peak = max(row->peak, mounts);
}

/*
 * What an attach that grew nothing did to a namespace it checked: the path
 * of nearly every mount, with no birth, growth or failure to record.
 */
void mw_table_commit(unsigned long ns, u64 serial, u32 ns_id, u32 mounts,
		     u32 pending, u32 max, u32 checks)
{
	struct mw_ns *row;

	spin_lock(&table_lock);
	row = mw_row(serial, ns_id);
	mw_row_update(row, ns, checks, mounts, pending, max);
	spin_unlock(&table_lock);
}

void mw_table_record(const struct mw_check *check)
{
	struct mw_ns *row;

	spin_lock(&table_lock);
	row = mw_row(check->serial, check->ns_id);
	mw_row_update(row, check->ns, check->checks, check->mounts,
		      check->pending, check->max);
	if (check->born) {
		row->born_ns = check->time_ns;
		row->parent = check->parent;
		row->born_mounts = check->mounts;
	}
	if (check->grew)
		mw_growth_add(row, check);
	if (check->ret == -ENOSPC) {
		row->enospc++;
		row->last_fail_ns = check->time_ns;
		row->last_pid = check->pid;
		row->last_requested = check->requested;
		memcpy(row->last_comm, check->comm, sizeof(row->last_comm));
	}
	spin_unlock(&table_lock);
}

/* The kernel freed the namespace: its serial will never be checked again. */
void mw_table_forget(u64 serial)
{
	struct mw_ns *row;

	spin_lock(&table_lock);
	row = mw_lookup(serial);
	if (row)
		mw_mark_gone(row);
	spin_unlock(&table_lock);
}

/*
 * Where a row goes in the output. The key sorts ascending into fullest first,
 * then the living, then the newest: the complement of use_permille (capped,
 * for the key only), live and the serial's low 43 bits (ordering only; no
 * kernel makes 2^43 namespaces). The serial tells whether the row still holds
 * that namespace when it is printed.
 */
struct mw_order {
	u64 key;
	u64 serial;
	u32 row;
};

#define MW_KEY_USE_MAX ((1U << 20) - 1)

static u32 mw_use_permille(const struct mw_ns *row)
{
	u64 used = (u64)row->mounts + row->pending;

	return row->max ? div_u64(used * 1000, row->max) : 0;
}

static u64 mw_order_key(const struct mw_ns *row)
{
	u64 key = (u64)min(mw_use_permille(row), MW_KEY_USE_MAX) << 44 |
		  (u64)!row->gone << 43 | (row->serial & GENMASK_ULL(42, 0));

	return ~key;
}

/*
 * sort() is a heapsort with an indirect call per comparison, two thirds of a
 * read's time at 10,000 rows. This LSD radix sort is linear: a byte of the key
 * per pass, skipping the bytes all keys share. Returns @order or @spare,
 * whichever holds the result.
 */
static struct mw_order *mw_sort(struct mw_order *order, struct mw_order *spare,
				unsigned int count)
{
	unsigned int pos[256], shift, i, sum, n;
	struct mw_order *swap;

	for (shift = 0; shift < 64 && count; shift += 8) {
		memset(pos, 0, sizeof(pos));
		for (i = 0; i < count; i++)
			pos[(u8)(order[i].key >> shift)]++;
		if (pos[(u8)(order[0].key >> shift)] == count)
			continue;
		for (i = 0, sum = 0; i < ARRAY_SIZE(pos); i++) {
			n = pos[i];
			pos[i] = sum;
			sum += n;
		}
		for (i = 0; i < count; i++)
			spare[pos[(u8)(order[i].key >> shift)]++] = order[i];
		swap = order;
		order = spare;
		spare = swap;
	}
	return order;
}

/*
 * A read of namespaces sorts the rows as they were when it began, taking
 * the lock (and keeping interrupts off) for MW_KEY_BATCH rows at a time, then
 * copies and prints one row at a time, as it is then: a reader holds 48
 * bytes a row, whatever it prints, and one read is not one instant. A row
 * that a newer namespace took over meanwhile is left out.
 */
#define MW_KEY_BATCH 256

struct mw_table_iter {
	unsigned int count;
	struct mw_order *sorted;
	struct mw_ns row;	/* the one being shown */
	struct mw_order order[];	/* and as many again for the sort */
};

static void *mw_table_seek(struct mw_table_iter *iter, loff_t pos)
{
	if (!pos)
		return SEQ_START_TOKEN;
	return pos <= iter->count ? &iter->sorted[pos - 1] : NULL;
}

static void *mw_table_start(struct seq_file *m, loff_t *pos)
{
	return mw_table_seek(m->private, *pos);
}

static void *mw_table_next(struct seq_file *m, void *v, loff_t *pos)
{
	return mw_table_seek(m->private, ++*pos);
}

static void mw_table_stop(struct seq_file *m, void *v)
{
}

/* the header lines: " ns mounts ...", written from their second byte */
static const char mw_namespaces_header[] =
#define MW_NAMESPACES_COL(name, kind, member, required, value, shown) " " #name
#include "schema.h"
	;

static const char mw_growth_header[] =
#define MW_GROWTH_COL(name, kind, member, required, value, shown) " " #name
#include "schema.h"
	;

/*
 * The counters of a live row's namespace as they are now, for the
 * accounting audit: those of the last check go stale with every unmount,
 * which no check follows. Under table_lock, which the free hook takes before
 * free_mnt_ns() goes on; the serial read back tells a namespace that went
 * unseen, and its memory another's, from the row's. Anonymous namespaces
 * share a row: none is read.
 */
static void mw_read_now(struct mw_ns *row)
{
	u64 serial;

	row->now_known = !row->gone && row->addr && !mw_is_anon(row->ns_id) &&
			 !mw_read_u64(row->addr, MW_NS_SERIAL, &serial) &&
			 serial == row->serial &&
			 !mw_read_u32(row->addr, MW_NS_MOUNTS, &row->now_mounts) &&
			 !mw_read_u32(row->addr, MW_NS_PENDING, &row->now_pending);
}

static void mw_show_row(struct seq_file *m, const struct mw_ns *row)
{
	struct mw_line line;

	mw_line_begin(&line, m);
#define MW_NAMESPACES_COL(name, kind, member, required, value, shown)	\
	{ mw_col_##kind(&line, shown, value); }
#include "schema.h"
	mw_line_end(&line);
}

static int mw_table_show(struct seq_file *m, void *v)
{
	struct mw_table_iter *iter = m->private;
	const struct mw_order *order = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, mw_namespaces_header + 1);
		seq_putc(m, '\n');
		return 0;
	}
	spin_lock(&table_lock);
	iter->row = rows[order->row];
	mw_read_now(&iter->row);
	spin_unlock(&table_lock);
	if (iter->row.serial == order->serial)
		mw_show_row(m, &iter->row);
	return 0;
}

static const struct seq_operations mw_table_seq_ops = {
	.start = mw_table_start,
	.next = mw_table_next,
	.stop = mw_table_stop,
	.show = mw_table_show,
};

static int mw_table_open(struct inode *inode, struct file *file)
{
	/* rows are only ever added: a copy sized now holds at least as many */
	unsigned int count = READ_ONCE(rows_used), i, end;
	struct mw_table_iter *iter;
	int err;

	if (file->f_mode & FMODE_WRITE)
		return -EPERM;
	/* 48 bytes a row: too much for kmalloc() on a large table */
	iter = kvmalloc(struct_size(iter, order, 2 * (size_t)count),
			GFP_KERNEL);
	if (!iter)
		return -ENOMEM;
	for (i = 0; i < count; i = end) {
		end = min(count, i + MW_KEY_BATCH);
		spin_lock(&table_lock);
		for (; i < end; i++)
			iter->order[i] = (struct mw_order) {
				.key = mw_order_key(&rows[i]),
				.serial = rows[i].serial,
				.row = i,
			};
		spin_unlock(&table_lock);
		cond_resched();
	}
	iter->count = count;
	iter->sorted = mw_sort(iter->order, iter->order + count, count);
	err = seq_open(file, &mw_table_seq_ops);
	if (err) {
		kvfree(iter);
		return err;
	}
	((struct seq_file *)file->private_data)->private = iter;
	return 0;
}

static int mw_table_release(struct inode *inode, struct file *file)
{
	kvfree(((struct seq_file *)file->private_data)->private);
	return seq_release(inode, file);
}

const struct file_operations mw_table_fops = {
	.owner = THIS_MODULE,
	.open = mw_table_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = mw_table_release,
};

/*
 * A read of growth goes through the rows in the order they were made, one
 * row's history copied at a time: no more memory than one history, whatever
 * the table holds.
 */
struct mw_growth_iter {
	unsigned int count;
	u32 ns_id;
	bool gone;
	u8 entries;
	struct mw_growth history[];
};

static void *mw_growth_seek(struct mw_growth_iter *iter, loff_t pos)
{
	if (!pos)
		return SEQ_START_TOKEN;
	return pos <= iter->count ? iter : NULL;
}

static void *mw_growth_start(struct seq_file *m, loff_t *pos)
{
	struct mw_growth_iter *iter = m->private;

	if (!*pos)
		iter->count = READ_ONCE(rows_used);
	return mw_growth_seek(iter, *pos);
}

static void *mw_growth_next(struct seq_file *m, void *v, loff_t *pos)
{
	return mw_growth_seek(m->private, ++*pos);
}

static int mw_growth_show(struct seq_file *m, void *v)
{
	struct mw_growth_iter *iter = m->private;
	const struct mw_ns *row = &rows[m->index - 1];
	const struct mw_growth *entry;
	struct mw_line line;
	unsigned int k;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, mw_growth_header + 1);
		seq_putc(m, '\n');
		return 0;
	}
	spin_lock(&table_lock);
	iter->ns_id = row->ns_id;
	iter->gone = row->gone;
	iter->entries = row->growth_count;
	memcpy(iter->history, mw_history(growth, rows, row),
	       row->growth_count * sizeof(*growth));
	spin_unlock(&table_lock);
	for (k = 0; k < iter->entries; k++) {
		entry = &iter->history[k];
		mw_line_begin(&line, m);
#define MW_GROWTH_COL(name, kind, member, required, value, shown)	\
	{ mw_col_##kind(&line, shown, value); }
#include "schema.h"
		mw_line_end(&line);
	}
	return 0;
}

static const struct seq_operations mw_growth_seq_ops = {
	.start = mw_growth_start,
	.next = mw_growth_next,
	.stop = mw_table_stop,
	.show = mw_growth_show,
};

static int mw_growth_open(struct inode *inode, struct file *file)
{
	struct mw_growth_iter *iter;

	if (file->f_mode & FMODE_WRITE)
		return -EPERM;
	iter = __seq_open_private(file, &mw_growth_seq_ops,
				  struct_size(iter, history, history));
	return iter ? 0 : -ENOMEM;
}

const struct file_operations mw_growth_fops = {
	.owner = THIS_MODULE,
	.open = mw_growth_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

void mw_table_status(struct seq_file *m)
{
	unsigned int used;
	u64 evicted;

	spin_lock(&table_lock);
	used = rows_used;
	evicted = table_evicted;
	spin_unlock(&table_lock);
	seq_printf(m, "table_rows %u\ntable_max %u\ntable_evicted %llu\n",
		   used, rows_max, evicted);
	seq_printf(m, "table_bytes %zu\n", mw_table_bytes());
}

size_t mw_table_bytes(void)
{
	return mw_table_bytes_for(rows_max, history);
}
