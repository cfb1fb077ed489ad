// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring: the last events_max ENOSPC failures. The oldest is
 * overwritten, so an ENOSPC storm costs a fixed amount of memory. Each event
 * has a sequence number, so a reader that follows the ring knows what it has
 * already seen and what was overwritten before it looked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/unistd.h>
#include "mntwatch.h"
#include "mntwatch_trace.h"

static DEFINE_SPINLOCK(events_lock);
static struct mw_event *ring;
static unsigned int ring_size, ring_next;
static u64 events_total;
static struct mw_event __percpu *scratch;

int mw_events_init(unsigned int size)
{
	ring = kvcalloc(size, sizeof(*ring), GFP_KERNEL);
	scratch = alloc_percpu(struct mw_event);
	if (!ring || !scratch) {
		pr_err("cannot allocate %zu bytes for events_max=%u\n",
		       (size_t)size * sizeof(*ring), size);
		mw_events_exit();
		return -ENOMEM;
	}
	ring_size = size;
	return 0;
}

void mw_events_exit(void)
{
	free_percpu(scratch);
	kvfree(ring);
}

struct mw_event *mw_scratch_event(void)
{
	return this_cpu_ptr(scratch);
}

void mw_events_add(const struct mw_event *event)
{
	unsigned long flags;
	u64 seq;

	spin_lock_irqsave(&events_lock, flags);
	seq = ++events_total;
	ring[ring_next] = *event;
	ring[ring_next].seq = seq;
	ring_next = (ring_next + 1) % ring_size;
	spin_unlock_irqrestore(&events_lock, flags);
	/* with its seq, so a trace line names its line in the events file */
	if (event->limit == MW_LIMIT_MOUNT_MAX)
		trace_enospc(event, seq);
}

/* The system calls a mount or a new mount namespace comes from, by name. */
static const char *mw_syscall_name(int nr)
{
	switch (nr) {
	case __NR_mount:
		return "mount";
	case __NR_move_mount:
		return "move_mount";
	case __NR_open_tree:
		return "open_tree";
	case __NR_fsmount:
		return "fsmount";
	case __NR_unshare:
		return "unshare";
	case __NR_clone:
		return "clone";
	case __NR_clone3:
		return "clone3";
	case __NR_setns:
		return "setns";
	}
	return NULL;
}

/* A system call by its name, else its number: the kind "syscall". */
static void mw_col_syscall(struct mw_line *line, bool shown, int nr)
{
	const char *name = mw_syscall_name(nr);

	if (name)
		mw_col_word(line, shown, name);
	else
		mw_col_num(line, shown, nr);
}

static const char mw_events_header[] =
#define MW_EVENTS_COL(name, kind, member, required, value, shown) " " #name
#include "schema.h"
	;

static void mw_show_event(struct seq_file *m, const struct mw_event *ev)
{
	bool nscount = ev->limit == MW_LIMIT_MNT_NAMESPACES;
	struct mw_line line;

	mw_line_begin(&line, m);
#define MW_EVENTS_COL(name, kind, member, required, value, shown)	\
	{ mw_col_##kind(&line, shown, value); }
#include "schema.h"
	mw_line_end(&line);
}

/*
 * A read streams the events that were in the ring when it began, one copied
 * at a time under the lock: its memory and the time interrupts are off do not
 * grow with events_max. An event overwritten meanwhile is left out; its seq
 * is missing from the output.
 */
struct mw_events_iter {
	u64 first, last;	/* the seq range the read shows */
	struct mw_event event;	/* the one being shown */
};

static void *mw_events_seek(struct mw_events_iter *iter, loff_t pos)
{
	if (!pos)
		return SEQ_START_TOKEN;
	return iter->first + pos - 1 <= iter->last ? iter : NULL;
}

static void *mw_events_start(struct seq_file *m, loff_t *pos)
{
	struct mw_events_iter *iter = m->private;
	unsigned long flags;

	if (!*pos) {
		spin_lock_irqsave(&events_lock, flags);
		iter->last = events_total;
		spin_unlock_irqrestore(&events_lock, flags);
		iter->first = iter->last > ring_size ?
			      iter->last - ring_size + 1 : 1;
	}
	return mw_events_seek(iter, *pos);
}

static void *mw_events_next(struct seq_file *m, void *v, loff_t *pos)
{
	return mw_events_seek(m->private, ++*pos);
}

static void mw_events_stop(struct seq_file *m, void *v)
{
}

static int mw_events_show(struct seq_file *m, void *v)
{
	struct mw_events_iter *iter = m->private;
	u64 seq = iter->first + m->index - 1;
	const struct mw_event *slot;
	unsigned long flags;
	u32 index;
	bool kept;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, mw_events_header + 1);
		seq_putc(m, '\n');
		return 0;
	}
	div_u64_rem(seq - 1, ring_size, &index);
	slot = &ring[index];
	spin_lock_irqsave(&events_lock, flags);
	kept = slot->seq == seq;
	if (kept)
		iter->event = *slot;
	spin_unlock_irqrestore(&events_lock, flags);
	if (kept)
		mw_show_event(m, &iter->event);
	return 0;
}

static const struct seq_operations mw_events_seq_ops = {
	.start = mw_events_start,
	.next = mw_events_next,
	.stop = mw_events_stop,
	.show = mw_events_show,
};

static int mw_events_open(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE)
		return -EPERM;
	return seq_open_private(file, &mw_events_seq_ops,
				sizeof(struct mw_events_iter));
}

const struct file_operations mw_events_fops = {
	.owner = THIS_MODULE,
	.open = mw_events_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

void mw_events_status(struct seq_file *m)
{
	unsigned long flags;
	u64 total;

	spin_lock_irqsave(&events_lock, flags);
	total = events_total;
	spin_unlock_irqrestore(&events_lock, flags);
	seq_printf(m, "events_max %u\nevents_total %llu\nevents_overwritten %llu\nevents_bytes %zu\n",
		   ring_size, total, total > ring_size ? total - ring_size : 0,
		   mw_events_bytes());
}

/* the ring and each CPU's scratch event */
size_t mw_events_bytes(void)
{
	return (ring_size + num_possible_cpus()) * sizeof(*ring);
}
