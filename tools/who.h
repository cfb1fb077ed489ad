/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who lives in a mount namespace: its processes, their comm and cgroup, the
 * container their runtime names, its mounts counted live (who.c).
 */
#ifndef MNTWATCH_WHO_H
#define MNTWATCH_WHO_H

#include <stdbool.h>
#include <stdint.h>
#include "cgroup.h"
#include "runtime.h"
#include "table.h"

struct mw_mountinfo;

struct mw_who {
	uint64_t ns;
	int *pids;			/* ascending */
	int npids, pids_cap;
	char comm[MW_COMM_LEN];		/* of the lowest pid */
	struct mw_cgroup_info cg;	/* of the lowest pid in a container */
	struct mw_container ctr;	/* named by its runtime, if known */
	bool host;			/* the namespace of pid 1 */
	int64_t mounts;			/* counted live, MW_NONE if unread */
	char held_by[MW_HELD_LEN];	/* nsfs bind mounts, "fd-of-PID", comma-joined */
	char nsfile[MW_PATH_LEN];	/* an nsfs file of it we can open; "" */
	int nsfd;			/* from listns(), open until freed; -1 */
	/* pids[0]'s mountinfo as the census parsed it, kept so that no
	 * later reader opens it again (mw_who_take_mountinfo); NULL */
	struct mw_mountinfo *mi;
};

struct mw_procscan {
	struct mw_who *who;
	int nwho;
	int unreadable;			/* processes we could not look into */
	int64_t mount_max;		/* /proc/sys/fs/mount-max */
};

int mw_proc_scan(const char *procdir, bool count_mounts,
		 struct mw_procscan *scan);
struct mw_who *mw_who_get(struct mw_procscan *scan, uint64_t ns);
int64_t mw_count_mountinfo_text(const char *text);
int64_t mw_count_mounts(const struct mw_mountinfo *mi);
int64_t mw_count_nsfile(const char *nsfile);
int64_t mw_who_count(const char *procdir, const struct mw_who *who);

void mw_proc_free(struct mw_procscan *scan);
bool mw_who_take_mountinfo(struct mw_who *who, struct mw_mountinfo *mi);
const struct mw_who *mw_who_find(const struct mw_procscan *scan, uint64_t ns);
const struct mw_ns *mw_row_at(const struct mw_ns *rows, int nrows,
			      uint64_t id, int64_t when_us);
const struct mw_who *mw_who_at(const struct mw_procscan *scan,
			       const struct mw_ns *rows, int nrows,
			       uint64_t id, int64_t when_us);
const struct mw_who *mw_who_now(const struct mw_procscan *scan,
				const struct mw_ns *rows, int nrows,
				uint64_t id);
int64_t mw_count_mountinfo(const char *path);
void mw_who_label(const struct mw_who *who, bool brief, char *buf,
		  size_t len);
const char *mw_who_container_id(const struct mw_who *who);
const char *mw_who_runtime(const struct mw_who *who);
void mw_pod_label(const struct mw_container *c, char *buf, size_t len);
void mw_container_label(const struct mw_container *c, bool brief, char *buf,
			size_t len);

#endif
