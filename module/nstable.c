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
 * row keeps the last few attaches that grew it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "mntwatch.h"

/* uapi/linux/nsfs.h, 6.18 */
#define MW_MNT_NS_ANON_INO 0xEFFFFFF7U

struct mw_ns {
	struct hlist_node by_serial;
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
	u8 growth_next;		/* the history slot to write next */
	u8 growth_count;
	char last_comm[TASK_COMM_LEN];
	u64 born_ns;		/* 0: not seen being made */
	u32 parent;
	u32 born_mounts;
};

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

static struct mw_ns *mw_lookup(u64 serial)
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
		row = &rows[rows_used++];
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

/* The oldest entry is overwritten: the latest attaches explain the most. */
static void mw_growth_add(struct mw_ns *row, const struct mw_check *check)
{
	struct mw_growth *slot = mw_history(growth, rows, row) + row->growth_next;

	*slot = (struct mw_growth) {
		.time_s = div_u64(check->time_ns, NSEC_PER_SEC),
		.before = check->before,
		.after = check->mounts,
		.caller_ns = check->caller_ns,
	};
	row->growth_next = (row->growth_next + 1) % history;
	if (row->growth_count < history)
		row->growth_count++;
}

void mw_table_record(const struct mw_check *check)
{
	struct mw_ns *row;
	unsigned long flags;

	spin_lock_irqsave(&table_lock, flags);
	row = mw_lookup(check->serial);
	if (!row) {
		row = mw_insert(check->serial, check->ns_id);
	} else {
		/* only anonymous namespaces share a serial (0): checked, it lives */
		if (row->gone)
			mw_mark_live(row);
		/* a namespace that mounts again is already last: no relinking */
		if (!list_is_last(&row->lru, &lru))
			list_move_tail(&row->lru, &lru);
	}
	row->checks += check->checks;
	row->mounts = check->mounts;
	row->pending = check->pending;
	row->max = check->max;
	row->peak = max(row->peak, check->mounts);
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
		mw_mark_gone(row);
	spin_unlock_irqrestore(&table_lock, flags);
}

/*
 * Where a row goes in the output. The key sorts ascending into fullest first,
 * then the living, then the newest: the complement of use_permille (capped,
 * for the key only), live and the serial's low 43 bits (ordering only; no
 * kernel makes 2^43 namespaces).
 */
struct mw_order {
	u64 key;
	u32 row;
	u32 use_permille;
};

#define MW_KEY_USE_MAX ((1U << 20) - 1)

static u64 mw_order_key(u32 use_permille, bool gone, u64 serial)
{
	u64 key = (u64)min(use_permille, MW_KEY_USE_MAX) << 44 |
		  (u64)!gone << 43 | (serial & GENMASK_ULL(42, 0));

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

size_t mw_table_size(void)
{
	return (READ_ONCE(rows_used) + 1) * MW_ROW_BYTES;
}

/*
 * Copies the rows a few hundred at a time, so that a reader never holds the
 * lock (and interrupts off) for long. Each row is copied whole; a full table
 * may reuse a row mid-read, so one read is not one instant.
 */
#define MW_COPY_BATCH 256

static void mw_table_copy(struct mw_ns *copy, struct mw_growth *history_copy,
			  unsigned int count)
{
	unsigned long flags;
	unsigned int i, n;

	for (i = 0; i < count; i += n) {
		n = min(count - i, MW_COPY_BATCH);
		spin_lock_irqsave(&table_lock, flags);
		memcpy(copy + i, rows + i, n * sizeof(*copy));
		if (history_copy)
			memcpy(mw_history(history_copy, copy, copy + i),
			       mw_history(growth, rows, rows + i),
			       (size_t)n * history * sizeof(*growth));
		spin_unlock_irqrestore(&table_lock, flags);
		cond_resched();
	}
}

/*
 * Appends " value". A row is built in a buffer and written once: a
 * seq_put_decimal_ull() per field cost 1,300 instructions a row. A 64-bit
 * division yields two digits, the small ones are cheap.
 */
static char *mw_put_dec(char *p, char sep, u64 value)
{
	char digits[20], *d = digits + sizeof(digits);
	unsigned int pair;

	while (value >= 100) {
		pair = value % 100;
		value /= 100;
		*--d = '0' + pair % 10;
		*--d = '0' + pair / 10;
	}
	if (value >= 10)
		*--d = '0' + value % 10;
	*--d = '0' + (value >= 10 ? value / 10 : value);
	*p++ = sep;
	while (d < digits + sizeof(digits))
		*p++ = *d++;
	return p;
}

/* Appends " seconds.microseconds", as mw_print_time() prints it. */
static char *mw_put_time(char *p, u64 time_ns)
{
	u32 rem_ns, usec;
	int i;

	p = mw_put_dec(p, ' ', div_u64_rem(time_ns, NSEC_PER_SEC, &rem_ns));
	*p++ = '.';
	usec = rem_ns / NSEC_PER_USEC;
	for (i = 5; i >= 0; i--, usec /= 10)
		p[i] = '0' + usec % 10;
	return p + 6;
}

static void mw_show_row(struct seq_file *m, const struct mw_ns *row,
			u32 use_permille)
{
	static const char no_failure[] = " - - - -";
	static const char no_birth[] = " - - -";
	char line[12 * 21 + sizeof(no_failure) + 16], *p = line;
	const char *start = line + 1;	/* the first field has no separator */

	p = mw_put_dec(p, ' ', row->ns_id);
	p = mw_put_dec(p, ' ', row->mounts);
	p = mw_put_dec(p, ' ', row->pending);
	p = mw_put_dec(p, ' ', row->max);
	p = mw_put_dec(p, ' ', use_permille / 10);
	p = mw_put_dec(p, '.', use_permille % 10);
	p = mw_put_dec(p, ' ', row->peak);
	p = mw_put_dec(p, ' ', row->checks);
	p = mw_put_dec(p, ' ', row->enospc);
	if (row->enospc) {
		/* the rare failure columns are printed in between */
		seq_write(m, start, p - start);
		seq_putc(m, ' ');
		mw_print_time(m, row->last_fail_ns);
		seq_printf(m, " %d ", row->last_pid);
		mw_print_comm(m, row->last_comm);
		seq_printf(m, " %u", row->last_requested);
		p = line;
		start = line;
	} else {
		memcpy(p, no_failure, sizeof(no_failure) - 1);
		p += sizeof(no_failure) - 1;
	}
	memcpy(p, row->gone ? " gone" : " live", 5);
	p += 5;
	if (row->born_ns) {
		p = mw_put_dec(p, ' ', row->parent);
		p = mw_put_dec(p, ' ', row->born_mounts);
		p = mw_put_time(p, row->born_ns);
	} else {
		memcpy(p, no_birth, sizeof(no_birth) - 1);
		p += sizeof(no_birth) - 1;
	}
	*p++ = '\n';
	seq_write(m, start, p - start);
}

int mw_table_show(struct seq_file *m, void *unused)
{
	struct mw_order *order, *sorted;
	struct mw_ns *copy;
	unsigned int i, count;
	u32 use_permille;
	u64 used;
	int err = -ENOMEM;

	/* rows are only ever added: a copy sized now holds at least as many */
	count = READ_ONCE(rows_used);
	copy = kvmalloc_array(max(count, 1U), sizeof(*copy), GFP_KERNEL);
	/* the sort's two arrays */
	order = kvmalloc_array(max(count, 1U), 2 * sizeof(*order), GFP_KERNEL);
	if (!copy || !order)
		goto out;
	mw_table_copy(copy, NULL, count);
	for (i = 0; i < count; i++) {
		used = (u64)copy[i].mounts + copy[i].pending;
		use_permille = copy[i].max ? div_u64(used * 1000, copy[i].max) : 0;
		order[i] = (struct mw_order) {
			.key = mw_order_key(use_permille, copy[i].gone,
					    copy[i].serial),
			.row = i,
			.use_permille = use_permille,
		};
	}
	sorted = mw_sort(order, order + count, count);

	seq_puts(m, "ns mounts pending max use_pct peak checks enospc last_fail last_pid last_comm last_requested state parent born_mounts born\n");
	for (i = 0; i < count; i++)
		mw_show_row(m, &copy[sorted[i].row], sorted[i].use_permille);
	err = 0;
out:
	kvfree(order);
	kvfree(copy);
	return err;
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
	return rows_max * sizeof(*rows) +
	       (size_t)rows_max * history * sizeof(*growth) +
	       2 * (sizeof(*serial_buckets) << bucket_bits);
}

size_t mw_growth_size(void)
{
	return ((size_t)READ_ONCE(rows_used) * history + 1) * MW_ROW_BYTES;
}

/* Each namespace's attaches, oldest first, in the order rows were made. */
int mw_growth_show(struct seq_file *m, void *unused)
{
	unsigned int count = READ_ONCE(rows_used), i, k;
	const struct mw_growth *entry;
	struct mw_growth *history_copy;
	const struct mw_ns *row;
	struct mw_ns *copy;
	int err = -ENOMEM;

	copy = kvmalloc_array(max(count, 1U), sizeof(*copy), GFP_KERNEL);
	history_copy = kvmalloc_array((size_t)max(count, 1U) * history,
				      sizeof(*history_copy), GFP_KERNEL);
	if (!copy || !history_copy)
		goto out;
	mw_table_copy(copy, history_copy, count);

	seq_puts(m, "ns time mounts_before mounts_after caller_ns state\n");
	for (i = 0; i < count; i++) {
		row = &copy[i];
		for (k = 0; k < row->growth_count; k++) {
			entry = mw_history(history_copy, copy, row) +
				(row->growth_next + history - row->growth_count + k) %
				history;
			seq_printf(m, "%u %u %u %u %u %s\n", row->ns_id,
				   entry->time_s, entry->before, entry->after,
				   entry->caller_ns, row->gone ? "gone" : "live");
		}
	}
	err = 0;
out:
	kvfree(history_copy);
	kvfree(copy);
	return err;
}
