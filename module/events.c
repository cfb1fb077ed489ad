// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring: the last events_max ENOSPC failures. The oldest is
 * overwritten, so an ENOSPC storm costs a fixed amount of memory.
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
	ring_next = (ring_next + 1) % ring_size;
	events_total++;
	spin_unlock_irqrestore(&events_lock, flags);
}

size_t mw_events_size(void)
{
	return (ring_size + 1) * MW_ROW_BYTES;
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

	seq_puts(m, "time pid comm caller_ns failing_ns mounts pending max requested result touched checks\n");
	for (i = 0; i < count; i++) {
		const struct mw_event *ev = &copy[(first + i) % ring_size];

		mw_print_time(m, ev->time_ns);
		seq_printf(m, " %d ", ev->pid);
		mw_print_comm(m, ev->comm);
		seq_printf(m, " %u %u %u %u %u %u ", ev->caller_ns,
			   ev->failing_ns, ev->mounts, ev->pending, ev->max,
			   ev->requested);
		if (ev->checks)
			seq_printf(m, "%d %u %u\n", ev->result, ev->touched,
				   ev->checks);
		else
			seq_puts(m, "- - -\n");
	}
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
