/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The columns of the debugfs tables, one line a column, in the order the
 * module prints them. The module's printers (nstable.c, events.c), the
 * parser of mntwatch(8) (tools/table.c) and the kselftest's header check
 * all read these lines, so a column added here is printed, parsed into the
 * tool's record and checked. Readers find a column by the name in the
 * header line: a new column is only ever appended to its table.
 *
 * To read a table's columns, define its macro, then include this file,
 * which undefines it again (as <asm/unistd.h> is read with __SYSCALL):
 *
 *   MW_NAMESPACES_COL(name, kind, member, required, value, shown)
 *   MW_EVENTS_COL(...), MW_GROWTH_COL(...) the same
 *
 *   name      the header's word
 *   kind      how the field is written and read, and what "-" reads as:
 *               id      a namespace id                    unknown: 0
 *               num     an unsigned number                unknown: MW_NONE
 *               snum    a signed number                   unknown: MW_NONE
 *               pct     a permille, written "81.0"        unknown: MW_NONE
 *               time    "seconds.microseconds"            unknown: MW_NONE
 *               hex     "0x5000"                          unknown: MW_NONE
 *               comm    a task's comm, '?' for odd bytes  unknown: ""
 *               word    one of the module's fixed words   unknown: ""
 *               syscall a system call's name, or number   unknown: ""
 *               str     bytes, with mountinfo's \ooo      unknown: ""
 *   member    where mntwatch(8) keeps it (tools/table.h)
 *   required  1: a table without it, or a row with "-" in it, is malformed
 *   value     what the module prints, from the row it shows
 *   shown     whether the module knows the value; it prints "-" otherwise
 */
#ifndef MNTWATCH_FORMAT
/* status's "format": readers refuse the tables of another one */
#define MNTWATCH_FORMAT 1
#endif

/* namespaces, one row per mount namespace; nstable.c, row: its struct mw_ns */
#ifdef MW_NAMESPACES_COL
MW_NAMESPACES_COL(ns, id, ns, 1, row->ns_id, 1)
MW_NAMESPACES_COL(mounts, num, mounts, 1, row->mounts, 1)
MW_NAMESPACES_COL(pending, num, pending, 0, row->pending, 1)
MW_NAMESPACES_COL(max, num, max, 1, row->max, 1)
MW_NAMESPACES_COL(use_pct, pct, use_permille, 0, mw_use_permille(row), 1)
MW_NAMESPACES_COL(peak, num, peak, 0, row->peak, 1)
MW_NAMESPACES_COL(checks, num, checks, 0, row->checks, 1)
MW_NAMESPACES_COL(enospc, num, enospc, 0, row->enospc, 1)
MW_NAMESPACES_COL(last_fail, time, last_fail_us, 0, row->last_fail_ns, row->enospc)
MW_NAMESPACES_COL(last_pid, snum, last_pid, 0, row->last_pid, row->enospc)
MW_NAMESPACES_COL(last_comm, comm, last_comm, 0, row->last_comm, row->enospc)
MW_NAMESPACES_COL(last_requested, num, last_requested, 0, row->last_requested, row->enospc)
MW_NAMESPACES_COL(state, word, state, 0, row->gone ? "gone" : "live", 1)
MW_NAMESPACES_COL(parent, id, parent, 0, row->parent, row->born_ns)
MW_NAMESPACES_COL(born_mounts, num, born_mounts, 0, row->born_mounts, row->born_ns)
MW_NAMESPACES_COL(born, time, born_us, 0, row->born_ns, row->born_ns)
MW_NAMESPACES_COL(now_mounts, num, now_mounts, 0, row->now_mounts, row->now_known)
MW_NAMESPACES_COL(now_pending, num, now_pending, 0, row->now_pending, row->now_known)
#undef MW_NAMESPACES_COL
#endif

/*
 * events, one row per refused mount or namespace; events.c, ev: its struct
 * mw_event. An event of user.max_mnt_namespaces (nscount) was refused
 * before any mount namespace was checked.
 */
#ifdef MW_EVENTS_COL
MW_EVENTS_COL(time, time, time_us, 1, ev->time_ns, 1)
MW_EVENTS_COL(pid, snum, pid, 1, ev->pid, 1)
MW_EVENTS_COL(comm, comm, comm, 0, ev->comm, 1)
MW_EVENTS_COL(caller_ns, id, caller_ns, 1, ev->caller_ns, 1)
MW_EVENTS_COL(failing_ns, id, failing_ns, 0, ev->failing_ns, !nscount)
MW_EVENTS_COL(mounts, num, mounts, 0, ev->mounts, !nscount)
MW_EVENTS_COL(pending, num, pending, 0, ev->pending, !nscount)
MW_EVENTS_COL(max, num, max, 1, ev->max, 1)
MW_EVENTS_COL(requested, num, requested, 0, ev->requested, !nscount)
MW_EVENTS_COL(result, snum, result, 0, ev->result, nscount || ev->checks)
MW_EVENTS_COL(touched, num, touched, 0, ev->touched, !nscount && ev->checks)
MW_EVENTS_COL(checks, num, checks, 0, ev->checks, !nscount && ev->checks)
MW_EVENTS_COL(limit, word, limit, 0, nscount ? "mnt-namespaces" : "mount-max", 1)
MW_EVENTS_COL(userns, num, userns, 0, ev->userns, nscount)
MW_EVENTS_COL(ns_count, snum, ns_count, 0, ev->ns_count, nscount && ev->ns_count >= 0)
MW_EVENTS_COL(seq, num, seq, 0, ev->seq, 1)
MW_EVENTS_COL(syscall, syscall, syscall, 0, ev->caller.syscall, ev->caller.syscall >= 0)
MW_EVENTS_COL(flags, hex, flags, 0, ev->caller.flags, ev->caller.has_flags)
MW_EVENTS_COL(source, str, source, 0, &ev->caller.source, 1)
MW_EVENTS_COL(target, str, target, 0, &ev->caller.target, 1)
MW_EVENTS_COL(cgroup, str, cgroup, 0, &ev->caller.cgroup, 1)
#undef MW_EVENTS_COL
#endif

/*
 * growth, the attaches that grew a namespace most, oldest first; nstable.c,
 * iter: the namespace's id and state, entry: its struct mw_growth
 */
#ifdef MW_GROWTH_COL
MW_GROWTH_COL(ns, id, ns, 1, iter->ns_id, 1)
MW_GROWTH_COL(time, num, time_s, 1, entry->time_s, 1)
MW_GROWTH_COL(mounts_before, num, before, 1, entry->before, 1)
MW_GROWTH_COL(mounts_after, num, after, 1, entry->after, 1)
MW_GROWTH_COL(caller_ns, id, caller_ns, 1, entry->caller_ns, 1)
MW_GROWTH_COL(state, word, state, 0, iter->gone ? "gone" : "live", 1)
#undef MW_GROWTH_COL
#endif
