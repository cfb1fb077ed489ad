// SPDX-License-Identifier: GPL-2.0
/*
 * Who lives in a mount namespace: /proc/PID/ns/mnt names the namespace,
 * /proc/PID/cgroup the container, pod and systemd unit around the process.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup.h"
#include "loops.h"
#include "nsenter.h"
#include "runtime.h"
#include "table.h"
#include "util.h"
#include "who.h"

/*
 * nsfs can count a namespace's mounts itself since 6.12; the request is
 * part of the stable uapi, so it is spelled out here for older headers and
 * simply fails with ENOTTY on older kernels.
 */
#include <linux/ioctl.h>
#ifndef NS_MNT_GET_INFO
struct mnt_ns_info {
	uint32_t size;
	uint32_t nr_mounts;
	uint64_t mnt_ns_id;
};
#define NS_MNT_GET_INFO _IOR(0xb7, 10, struct mnt_ns_info)
#endif

/* The namespace id of a /proc/PID/ns/mnt: "mnt:[ID]", else its inode. */
static int read_ns_id(const char *path, uint64_t *ns)
{
	char link[64];
	struct stat st;
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	if (n > 0) {
		link[n] = '\0';
		if (sscanf(link, "mnt:[%" SCNu64 "]", ns) == 1)
			return 0;
	}
	if (n < 0 && errno != EINVAL)
		return -1;
	if (stat(path, &st))
		return -1;
	*ns = st.st_ino;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Mounts of a namespace as fs.mount-max counts them, from its mountinfo:
 * one per line, plus each ancestor that lines name as their parent but the
 * file does not list, since it lies above the reader's root (the initramfs
 * rootfs under a switch_root).
 */
int64_t mw_count_mountinfo(const char *path)
{
	char *text = mw_read_file(path, NULL);
	int64_t n;

	if (!text)
		return MW_NONE;
	n = mw_count_mountinfo_text(text);
	free(text);
	return n;
}

/* Parents that are no line's id: each counted once; sorts both arrays. */
static int64_t hidden_ancestors(uint64_t *ids, uint64_t *parents, int64_t n)
{
	int64_t hidden = 0, i;

	qsort(ids, n, sizeof(*ids), cmp_u64);
	qsort(parents, n, sizeof(*parents), cmp_u64);
	for (i = 0; i < n; i++)
		if ((i == 0 || parents[i] != parents[i - 1]) &&
		    !bsearch(&parents[i], ids, n, sizeof(*ids), cmp_u64))
			hidden++;
	return hidden;
}

int64_t mw_count_mountinfo_text(const char *text)
{
	uint64_t *ids = NULL, *parents = NULL;
	int64_t lines = 0, n = 0, hidden;
	const char *p;

	for (p = text; *p; p++)
		lines += *p == '\n';
	ids = calloc(lines + 1, sizeof(*ids));
	parents = calloc(lines + 1, sizeof(*parents));
	for (p = text; ids && parents && *p && n < lines; n++) {
		if (sscanf(p, "%" SCNu64 " %" SCNu64, &ids[n], &parents[n]) != 2)
			break;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	if (!ids || !parents || n != lines) {
		free(ids);
		free(parents);
		return MW_NONE;
	}
	hidden = hidden_ancestors(ids, parents, n);
	free(ids);
	free(parents);
	return lines + hidden;
}

/* The same count from a mountinfo already parsed. */
int64_t mw_count_mounts(const struct mw_mountinfo *mi)
{
	uint64_t *ids = calloc(mi->n + 1, sizeof(*ids));
	uint64_t *parents = calloc(mi->n + 1, sizeof(*parents));
	int64_t n = MW_NONE;
	int i;

	for (i = 0; ids && parents && i < mi->n; i++) {
		ids[i] = mi->mounts[i].id;
		parents[i] = mi->mounts[i].parent;
	}
	if (ids && parents)
		n = mi->n + hidden_ancestors(ids, parents, mi->n);
	free(ids);
	free(parents);
	return n;
}

/*
 * Mounts of the namespace pid lives in, as fs.mount-max is checked against
 * them (nr_mounts). nsfs reports them since 6.12, less the namespace's root
 * mount (nsfs.c subtracts it; from 7.0 that root is the nullfs below
 * rootfs); before, mountinfo and its unlisted ancestors.
 */
static int64_t count_nsfs(const char *procdir, int pid)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%d/ns/mnt", procdir, pid);
	return mw_count_nsfile(path);
}

static int64_t count_mounts(const char *procdir, int pid)
{
	char path[4096];
	int64_t n;

	n = count_nsfs(procdir, pid);
	if (n != MW_NONE)
		return n;
	snprintf(path, sizeof(path), "%s/%d/mountinfo", procdir, pid);
	return mw_count_mountinfo(path);
}

/*
 * A namespace's mounts now: through one of its processes, else through an
 * nsfs file that holds it (nsfs's count, else entering it).
 */
int64_t mw_who_count(const char *procdir, const struct mw_who *who)
{
	int64_t n = MW_NONE;
	char *text;
	int p;

	/* nsfs first, then the mountinfo the census kept: no second read */
	for (p = 0; p < who->npids && n == MW_NONE; p++)
		n = who->mi ? count_nsfs(procdir, who->pids[p]) :
			      count_mounts(procdir, who->pids[p]);
	if (n == MW_NONE && who->mi)
		n = mw_count_mounts(who->mi);
	if (n != MW_NONE || !who->nsfile[0])
		return n;
	n = mw_count_nsfile(who->nsfile);
	if (n != MW_NONE)
		return n;
	text = mw_ns_mountinfo(who->nsfile);
	if (text)
		n = mw_count_mountinfo_text(text);
	free(text);
	return n;
}

/* nr_mounts through nsfs (6.12+), MW_NONE where the kernel cannot tell. */
int64_t mw_count_nsfile(const char *nsfile)
{
	struct mnt_ns_info info = { .size = sizeof(info) };
	int fd = open(nsfile, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return MW_NONE;
	ret = ioctl(fd, NS_MNT_GET_INFO, &info);
	close(fd);
	return ret ? MW_NONE : (int64_t)info.nr_mounts + 1;
}

struct mw_who *mw_who_get(struct mw_procscan *scan, uint64_t ns)
{
	struct mw_who *who;
	int i;

	for (i = 0; i < scan->nwho; i++)
		if (scan->who[i].ns == ns)
			return &scan->who[i];
	who = realloc(scan->who, (scan->nwho + 1) * sizeof(*who));
	if (!who)
		return NULL;
	scan->who = who;
	who = &scan->who[scan->nwho++];
	memset(who, 0, sizeof(*who));
	who->ns = ns;
	who->mounts = MW_NONE;
	who->nsfd = -1;
	return who;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void read_comm(const char *procdir, int pid, char *comm, size_t len)
{
	char path[4096], *text;

	snprintf(path, sizeof(path), "%s/%d/comm", procdir, pid);
	text = mw_read_file(path, NULL);
	if (!text) {
		comm[0] = '\0';
		return;
	}
	text[strcspn(text, "\n")] = '\0';
	snprintf(comm, len, "%s", text);
	free(text);
}

static void read_cgroup(const char *procdir, int pid,
			struct mw_cgroup_info *info)
{
	char path[4096], *text;

	snprintf(path, sizeof(path), "%s/%d/cgroup", procdir, pid);
	text = mw_read_file(path, NULL);
	mw_cgroup_parse(text ? text : "", info);
	free(text);
}

/*
 * Every process, grouped by mount namespace. Processes that exit while we
 * look are skipped; those we may not look into are counted as unreadable
 * so the caller can say the picture is incomplete.
 */
/* fs.mount-max as /proc shows it; MW_NONE where it cannot be read */
static int64_t read_mount_max(const char *procdir)
{
	char path[4096], *text;
	int64_t v;
	bool ok;

	snprintf(path, sizeof(path), "%s/sys/fs/mount-max", procdir);
	text = mw_read_file(path, NULL);
	if (!text)
		return MW_NONE;
	text[strcspn(text, "\n")] = '\0';
	v = mw_parse_opt_int(text, &ok);
	free(text);
	return ok ? v : MW_NONE;
}

static int add_pid(struct mw_who *who, int pid)
{
	if (who->npids == who->pids_cap) {
		int cap = who->pids_cap ? 2 * who->pids_cap : 8;
		int *pids = realloc(who->pids, cap * sizeof(int));

		if (!pids)
			return -1;
		who->pids = pids;
		who->pids_cap = cap;
	}
	who->pids[who->npids++] = pid;
	return 0;
}

/* Each process of @procdir under its namespace; *@init_ns: pid 1's, 0. */
static int scan_pids(const char *procdir, struct mw_procscan *scan,
		     uint64_t *init_ns)
{
	char path[4096];
	struct dirent *de;
	struct mw_who *who;
	DIR *dir;
	uint64_t ns;
	char *end;
	long pid;

	dir = opendir(procdir);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || !isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%ld/ns/mnt", procdir, pid);
		if (read_ns_id(path, &ns)) {
			/* kernel threads have no ns link target either */
			if (errno == EACCES || errno == EPERM)
				scan->unreadable++;
			continue;
		}
		who = mw_who_get(scan, ns);
		if (!who || add_pid(who, pid)) {
			closedir(dir);
			errno = ENOMEM;
			return -1;
		}
		if (pid == 1)
			*init_ns = ns;
	}
	closedir(dir);
	return 0;
}

/* Its comm, cgroup and, when @count, its mounts, from its processes. */
static void describe_who(const char *procdir, struct mw_who *who, bool count)
{
	int p;

	qsort(who->pids, who->npids, sizeof(int), cmp_int);
	read_comm(procdir, who->pids[0], who->comm, sizeof(who->comm));
	/* the lowest pid inside a container names it */
	for (p = 0; p < who->npids && !who->host; p++) {
		read_cgroup(procdir, who->pids[p], &who->cg);
		if (who->cg.container[0])
			break;
	}
	if (!who->cg.container[0])
		read_cgroup(procdir, who->pids[0], &who->cg);
	if (count)
		for (p = 0; p < who->npids && who->mounts == MW_NONE; p++)
			who->mounts = count_mounts(procdir, who->pids[p]);
}

int mw_proc_scan(const char *procdir, bool count, struct mw_procscan *scan)
{
	uint64_t init_ns = 0;
	int i;

	memset(scan, 0, sizeof(*scan));
	scan->mount_max = read_mount_max(procdir);
	if (scan_pids(procdir, scan, &init_ns))
		return -1;
	for (i = 0; i < scan->nwho; i++) {
		scan->who[i].host = init_ns && scan->who[i].ns == init_ns;
		describe_who(procdir, &scan->who[i], count);
	}
	return 0;
}

void mw_proc_free(struct mw_procscan *scan)
{
	int i;

	for (i = 0; i < scan->nwho; i++) {
		free(scan->who[i].pids);
		if (scan->who[i].nsfd >= 0)
			close(scan->who[i].nsfd);
		if (scan->who[i].mi)
			mw_mountinfo_free(scan->who[i].mi);
		free(scan->who[i].mi);
	}
	free(scan->who);
	memset(scan, 0, sizeof(*scan));
}

/* Moves the mountinfo the census kept into @mi; false if it kept none. */
bool mw_who_take_mountinfo(struct mw_who *who, struct mw_mountinfo *mi)
{
	if (!who->mi)
		return false;
	*mi = *who->mi;
	free(who->mi);
	who->mi = NULL;
	return true;
}

const struct mw_who *mw_who_find(const struct mw_procscan *scan, uint64_t ns)
{
	int i;

	if (!scan)
		return NULL;
	for (i = 0; i < scan->nwho; i++)
		if (scan->who[i].ns == ns)
			return &scan->who[i];
	return NULL;
}

/*
 * The module's row of namespace @id as it was at @when_us (MW_NONE: now).
 * nsfs reuses inode numbers, so one id may have a gone row (a namespace
 * that lived for a moment, runc's or a helper's) beside the live row of
 * the namespace that has the number now: the live one is meant unless it
 * was born after @when_us. NULL when the module has no row of @id.
 */
const struct mw_ns *mw_row_at(const struct mw_ns *rows, int nrows,
			      uint64_t id, int64_t when_us)
{
	const struct mw_ns *live = NULL, *gone = NULL;
	int i;

	for (i = 0; i < nrows; i++) {
		const struct mw_ns *r = &rows[i];

		if (r->ns != id || (when_us != MW_NONE && r->born_us != MW_NONE &&
				    r->born_us > when_us))
			continue;
		if (strcmp(r->state, "gone"))
			live = r;
		else if (!gone || (r->born_us != MW_NONE &&
				   (gone->born_us == MW_NONE ||
				    r->born_us > gone->born_us)))
			gone = r;	/* the newest of the dead */
	}
	return live ? live : gone;
}

/*
 * Who lives in namespace @id, as it was at @when_us (MW_NONE: now), as far
 * as the module's rows allow: an id whose namespace of then has died since
 * names nobody, whoever has the number today.
 */
const struct mw_who *mw_who_at(const struct mw_procscan *scan,
			       const struct mw_ns *rows, int nrows,
			       uint64_t id, int64_t when_us)
{
	const struct mw_ns *row = mw_row_at(rows, nrows, id, when_us);
	int i;

	if (row)
		return strcmp(row->state, "gone") ? mw_who_find(scan, id) : NULL;
	/* rows of @id, all born after @when_us: then it was another one */
	for (i = 0; i < nrows; i++)
		if (rows[i].ns == id)
			return NULL;
	return mw_who_find(scan, id);
}

const struct mw_who *mw_who_now(const struct mw_procscan *scan,
				const struct mw_ns *rows, int nrows,
				uint64_t id)
{
	return mw_who_at(scan, rows, nrows, id, MW_NONE);
}

/* Its pod as Kubernetes names it, namespace/name; a podman pod by name; "". */
void mw_pod_label(const struct mw_container *c, char *buf, size_t len)
{
	if (!c->pod_name[0])
		snprintf(buf, len, "%s", "");
	else if (c->pod_namespace[0])
		snprintf(buf, len, "%s/%s", c->pod_namespace, c->pod_name);
	else
		snprintf(buf, len, "%s", c->pod_name);
}

/*
 * A container in a few words. brief: one token for a table cell,
 * "docker:my-mount-max", or "docker:3f5c8e0a9b1d" where the runtime keeps
 * no name; otherwise prose, "docker container my-mount-max (3f5c8e0a9b1d,
 * image busybox)", with the pod by namespace/name, else by its uid.
 */
void mw_container_label(const struct mw_container *c, bool brief, char *buf,
			size_t len)
{
	const char *runtime = c->runtime[0] ? c->runtime : "container";
	char name[MW_NAME_LEN], image[MW_NAME_LEN], pod[2 * MW_NAME_LEN];
	char id[16], raw[2 * MW_NAME_LEN], attempt[40] = "";

	/* names are the pod spec's strings: no ESC, CR or newline gets out */
	mw_sanitize(name, sizeof(name), c->name);
	mw_sanitize(image, sizeof(image), c->image);
	/* an id as the runtime shows it: docker's first 12 digits */
	snprintf(raw, sizeof(raw), "%.12s", c->id);
	mw_sanitize(id, sizeof(id), raw);
	mw_pod_label(c, raw, sizeof(raw));
	mw_sanitize(pod, sizeof(pod), raw[0] ? raw : c->pod_uid);
	if (c->has_attempt)
		snprintf(attempt, sizeof(attempt), ", restart attempt %lld",
			 (long long)c->attempt);
	if (brief)
		snprintf(buf, len, "%s:%s", runtime, name[0] ? name : id);
	else if (!name[0])
		snprintf(buf, len, "%s %s%s%s%s", runtime, id, pod[0] ? " pod " : "",
			 pod, attempt);
	else
		snprintf(buf, len, "%s container %s (%s%s%s%s%s%s)", runtime, name,
			 id, image[0] ? ", image " : "", image,
			 pod[0] ? ", pod " : "", pod, attempt);
}

/* The container's id and runtime: its runtime's, else its cgroup's; "". */
const char *mw_who_container_id(const struct mw_who *who)
{
	return who->ctr.id[0] ? who->ctr.id : who->cg.container;
}

const char *mw_who_runtime(const struct mw_who *who)
{
	return who->ctr.runtime[0] ? who->ctr.runtime : who->cg.runtime;
}

/*
 * A few words naming a namespace's inhabitants. brief: one token without
 * blanks for table cells ("docker:my-mount-max", "nginx.service",
 * "sleep[140]", "host"); otherwise prose with the pod.
 */
void mw_who_label(const struct mw_who *who, bool brief, char *buf, size_t len)
{
	struct mw_container c;
	char comm[MW_COMM_LEN];

	if (!who) {
		snprintf(buf, len, brief ? "" : "no process");
		return;
	}
	mw_sanitize(comm, sizeof(comm), who->comm);
	c = who->ctr;
	if (!c.id[0]) {
		snprintf(c.id, sizeof(c.id), "%s", who->cg.container);
		snprintf(c.runtime, sizeof(c.runtime), "%s", who->cg.runtime);
	}
	snprintf(c.pod_uid, sizeof(c.pod_uid), "%s", who->cg.pod);
	if (who->host)
		snprintf(buf, len, "host");
	else if (c.id[0])
		mw_container_label(&c, brief, buf, len);
	else if (who->cg.unit[0])
		snprintf(buf, len, "%s", who->cg.unit);
	else if (who->npids)
		snprintf(buf, len, "%s[%d]", comm, who->pids[0]);
	else
		snprintf(buf, len, "%s", who->held_by[0] ? who->held_by :
			 brief ? "" : "no process");
}
