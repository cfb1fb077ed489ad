// SPDX-License-Identifier: GPL-2.0
/*
 * Every mount namespace on the node, not only those a process lives in: a
 * namespace stays alive while an nsfs file of it is bind-mounted somewhere
 * (unshare --mount=/run/ns/x, ip netns style) or held open by a process.
 * listns() (6.19) lists them all, whatever holds them; before it, the
 * mountinfo of every namespace and every process's open files tell.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "census.h"
#include "loops.h"
#include "util.h"
#include "who.h"

/* uapi of 6.18/6.19, spelled out for older headers; older kernels refuse */
#ifndef __NR_listns
#define __NR_listns	470	/* x86-64; listns() is 6.19+ */
#endif
#ifndef FD_NSFS_ROOT
#define FD_NSFS_ROOT	-10003
#endif
#define MW_FILEID_NSFS	0xf1
#define MW_CLONE_NEWNS	0x00020000

struct mw_ns_id_req {
	uint32_t size, spare;
	uint64_t ns_id;
	uint32_t ns_type, spare2;
	uint64_t user_ns_id;
};

struct mw_nsfs_handle {
	struct file_handle fh;
	uint64_t ns_id;
	uint32_t ns_type, ns_inum;
};

static void add_holder(struct mw_who *who, const char *holder)
{
	size_t used = strlen(who->held_by);

	if (strstr(who->held_by, holder))
		return;
	snprintf(who->held_by + used, sizeof(who->held_by) - used, "%s%s",
		 used ? "," : "", holder);
}

/*
 * nsfs bind mounts in the namespace @pid lives in: "ID PARENT MAJ:MIN
 * mnt:[NS] MOUNTPOINT ... - nsfs ...". Each names its namespace's holder
 * and a path to open it by, through @pid's root. The parse is handed back
 * in *@kept (NULL if unread) so that no later reader opens it again.
 */
static int nsfs_mounts(const char *procdir, int pid, struct mw_procscan *scan,
		       struct mw_mountinfo **kept)
{
	struct mw_mountinfo mi;
	char path[MW_PATH_LEN], *text;
	int i;

	*kept = NULL;
	snprintf(path, sizeof(path), "%s/%d/mountinfo", procdir, pid);
	text = mw_read_file(path, NULL);
	if (!text || mw_mountinfo_parse(&mi, text))
		return 0;	/* gone, or not ours to read */
	for (i = 0; i < mi.n; i++) {
		char mp[MW_PATH_LEN];
		struct mw_who *who;
		uint64_t ns;

		if (sscanf(mi.mounts[i].root, "mnt:[%" SCNu64 "]", &ns) != 1)
			continue;
		who = mw_who_get(scan, ns);
		if (!who) {
			mw_mountinfo_free(&mi);
			return -1;
		}
		add_holder(who, mi.mounts[i].mountpoint);
		if (!who->nsfile[0]) {
			mw_unescape(mp, sizeof(mp), mi.mounts[i].mountpoint);
			/* a path cut short would open something else */
			if (snprintf(who->nsfile, sizeof(who->nsfile),
				     "%s/%d/root%s", procdir, pid, mp) >=
			    (int)sizeof(who->nsfile))
				who->nsfile[0] = '\0';
		}
	}
	*kept = malloc(sizeof(**kept));
	if (!*kept) {
		mw_mountinfo_free(&mi);
		return -1;
	}
	**kept = mi;
	return 0;
}

/*
 * Open nsfs files of mount namespaces: /proc/PID/fd/N -> "mnt:[NS]" when
 * opened through /proc, the bind mount's path when opened through one; the
 * inode on nsfs's device tells then.
 */
static int open_files(const char *procdir, int pid, dev_t nsfs,
		      struct mw_procscan *scan)
{
	char path[MW_PATH_LEN], link[64], holder[32];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%d/fd", procdir, pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		struct mw_who *who;
		uint64_t ns;
		ssize_t n;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%d/fd/%s", procdir, pid,
			 de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "mnt:[%" SCNu64 "]", &ns) != 1) {
			struct stat st;

			if (link[0] != '/' || stat(path, &st) ||
			    st.st_dev != nsfs || !mw_who_find(scan, st.st_ino))
				continue;
			ns = st.st_ino;
		}
		who = mw_who_get(scan, ns);
		if (!who) {
			closedir(dir);
			return -1;
		}
		snprintf(holder, sizeof(holder), "fd-of-%d", pid);
		add_holder(who, holder);
		if (!who->nsfile[0])
			snprintf(who->nsfile, sizeof(who->nsfile), "%s", path);
	}
	closedir(dir);
	return 0;
}

/*
 * What listns() knows beyond the above (a holder in a namespace we could
 * not read, a mount namespace pinned by another): opened by its id through
 * nsfs file handles, named by the inode like every other.
 */
static int listed_namespaces(struct mw_procscan *scan)
{
	struct mw_ns_id_req req = {
		.size = sizeof(req), .ns_type = MW_CLONE_NEWNS,
	};
	uint64_t ids[256];
	long n, i;

	for (;;) {
		n = syscall(__NR_listns, &req, ids, 256, 0);
		if (n <= 0)
			return 0;	/* ENOSYS before 6.19: the scan stands */
		for (i = 0; i < n; i++) {
			struct mw_nsfs_handle h = {
				.fh.handle_bytes = 16,
				.fh.handle_type = MW_FILEID_NSFS,
				.ns_id = ids[i],
			};
			struct mw_who *who;
			struct stat st;
			int fd;

			fd = open_by_handle_at(FD_NSFS_ROOT, &h.fh,
					       O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (fstat(fd, &st) || mw_who_find(scan, st.st_ino)) {
				close(fd);
				continue;
			}
			who = mw_who_get(scan, st.st_ino);
			if (!who) {
				close(fd);
				return -1;
			}
			who->nsfd = fd;
			add_holder(who, "listns");
			snprintf(who->nsfile, sizeof(who->nsfile),
				 "/proc/self/fd/%d", fd);
		}
		if (n < 256)
			return 0;
		req.ns_id = ids[n - 1];
	}
}

/*
 * After mw_proc_scan(): the namespaces no process lives in, with their
 * holders, and (count) their mounts from nsfs or by entering them.
 */
int mw_census(const char *procdir, struct mw_procscan *scan, bool count)
{
	int nproc = scan->nwho, i, p;
	char path[MW_PATH_LEN];
	struct stat st = { 0 };

	for (i = 0; i < nproc; i++) {
		struct mw_mountinfo *kept;

		/* mw_who_get() may move scan->who: store after */
		if (nsfs_mounts(procdir, scan->who[i].pids[0], scan, &kept))
			return -1;
		scan->who[i].mi = kept;
	}
	if (nproc) {
		snprintf(path, sizeof(path), "%s/%d/ns/mnt", procdir,
			 scan->who[0].pids[0]);
		stat(path, &st);
	}
	for (i = 0; i < nproc; i++)
		for (p = 0; p < scan->who[i].npids; p++)
			if (open_files(procdir, scan->who[i].pids[p], st.st_dev,
				       scan))
				return -1;
	if (!strcmp(procdir, "/proc") && listed_namespaces(scan))
		return -1;
	for (i = 0; count && i < scan->nwho; i++) {
		struct mw_who *who = &scan->who[i];

		if (who->mounts != MW_NONE)
			continue;
		who->mounts = mw_who_count(procdir, who);
	}
	return 0;
}
