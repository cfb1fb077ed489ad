// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring: the last events_max ENOSPC failures. The oldest is
 * overwritten, so an ENOSPC storm costs a fixed amount of memory. Each event
 * has a sequence number, so a reader that follows the ring knows what it has
 * already seen and what was overwritten before it looked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "mntwatch.h"

static DEFINE_SPINLOCK(events_lock);
static struct mw_event *ring;
static unsigned int ring_size, ring_next;
static u64 events_total;

int mw_events_init(unsigned int size)
{
	ring = kvcalloc(size, sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return -ENOMEM;
	ring_size = size;
	return 0;
}

void mw_events_exit(void)
{
	kvfree(ring);
}

void mw_events_add(const struct mw_event *event)
{
	unsigned long flags;

	spin_lock_irqsave(&events_lock, flags);
	ring[ring_next] = *event;
	ring[ring_next].seq = ++events_total;
	ring_next = (ring_next + 1) % ring_size;
	spin_unlock_irqrestore(&events_lock, flags);
}

size_t mw_events_size(void)
{
	return (ring_size + 1) * MW_ROW_BYTES;
}

static void mw_show_event(struct seq_file *m, const struct mw_event *ev)
{
	mw_print_time(m, ev->time_ns);
	seq_printf(m, " %d ", ev->pid);
	mw_print_comm(m, ev->comm);
	if (ev->limit == MW_LIMIT_MNT_NAMESPACES) {
		/* no mount namespace was checked: none had been made yet */
		seq_printf(m, " %u - - - %u - %d - - mnt-namespaces %u ",
			   ev->caller_ns, ev->max, ev->result, ev->userns);
		if (ev->ns_count >= 0)
			seq_printf(m, "%ld %llu\n", ev->ns_count, ev->seq);
		else
			seq_printf(m, "- %llu\n", ev->seq);
		return;
	}
	seq_printf(m, " %u %u %u %u %u %u ", ev->caller_ns, ev->failing_ns,
		   ev->mounts, ev->pending, ev->max, ev->requested);
	if (ev->checks)
		seq_printf(m, "%d %u %u", ev->result, ev->touched, ev->checks);
	else
		seq_puts(m, "- - -");
	seq_printf(m, " mount-max - - %llu\n", ev->seq);
}

int mw_events_show(struct seq_file *m, void *unused)
{
	struct mw_event *copy;
	unsigned int i, count, first;
	unsigned long flags;

	copy = kvmalloc_array(ring_size, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irqsave(&events_lock, flags);
	memcpy(copy, ring, ring_size * sizeof(*copy));
	count = min_t(u64, events_total, ring_size);
	first = count < ring_size ? 0 : ring_next;
	spin_unlock_irqrestore(&events_lock, flags);

	seq_puts(m, "time pid comm caller_ns failing_ns mounts pending max requested result touched checks limit userns ns_count seq\n");
	for (i = 0; i < count; i++)
		mw_show_event(m, &copy[(first + i) % ring_size]);
	kvfree(copy);
	return 0;
}

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

size_t mw_events_bytes(void)
{
	return ring_size * sizeof(*ring);
}
