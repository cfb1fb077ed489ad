/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mntwatch's tracepoints, for ftrace, trace-cmd, perf and bpftrace: each
 * fs.mount-max ENOSPC as the events file has it, and each attach that grew a
 * namespace as the growth file has it. Read several times by the trace
 * machinery (TRACE_HEADER_MULTI_READ); trace.c creates them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mntwatch

#if !defined(MNTWATCH_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MNTWATCH_TRACE_H

#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "mntwatch.h"

/* plain numbers, so the format file perf and trace-cmd parse has them */
#define MW_WHY_LIMIT 0
#define MW_WHY_OVERFLOW 1

TRACE_EVENT(enospc,
	    TP_PROTO(const struct mw_event *ev, u64 seq),
	    TP_ARGS(ev, seq),
	    TP_STRUCT__entry(__field(u64, seq)
			     __field(u32, caller_ns)
			     __field(u32, failing_ns)
			     __field(u32, mounts)
			     __field(u32, pending)
			     __field(u32, max)
			     __field(u32, requested)
			     __field(pid_t, pid)
			     __array(char, comm, TASK_COMM_LEN)
			     __field(int, why)),
	    TP_fast_assign(__entry->seq = seq;
			   __entry->caller_ns = ev->caller_ns;
			   __entry->failing_ns = ev->failing_ns;
			   __entry->mounts = ev->mounts;
			   __entry->pending = ev->pending;
			   __entry->max = ev->max;
			   __entry->requested = ev->requested;
			   __entry->pid = ev->pid;
			   memcpy(__entry->comm, ev->comm, TASK_COMM_LEN);
			   __entry->why = mw_counters_wrapped(ev->mounts, ev->pending) ?
					  MW_WHY_OVERFLOW : MW_WHY_LIMIT;),
	    TP_printk("seq=%llu caller_ns=%u failing_ns=%u mounts=%u pending=%u max=%u requested=%u pid=%d comm=%s why=%s",
		      __entry->seq, __entry->caller_ns, __entry->failing_ns,
		      __entry->mounts, __entry->pending, __entry->max,
		      __entry->requested, __entry->pid, __entry->comm,
		      __print_symbolic(__entry->why,
				       { MW_WHY_LIMIT, "limit" },
				       { MW_WHY_OVERFLOW, "overflow" }))
);

TRACE_EVENT(growth,
	    TP_PROTO(u32 ns, u32 before, u32 after, u32 caller_ns),
	    TP_ARGS(ns, before, after, caller_ns),
	    TP_STRUCT__entry(__field(u32, ns)
			     __field(u32, before)
			     __field(u32, after)
			     __field(u32, caller_ns)),
	    TP_fast_assign(__entry->ns = ns;
			   __entry->before = before;
			   __entry->after = after;
			   __entry->caller_ns = caller_ns;),
	    TP_printk("ns=%u before=%u after=%u caller_ns=%u", __entry->ns,
		      __entry->before, __entry->after, __entry->caller_ns)
);

#endif

/* out of tree: Kbuild puts module/ on trace.c's include path */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mntwatch_trace
#include <trace/define_trace.h>
