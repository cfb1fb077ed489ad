// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch kselftests: run as root, with mntwatch.ko loaded and debugfs
 * mounted, inside a throw-away VM (the tests change fs.mount-max, which is
 * global; every test restores it in its teardown).
 *
 * Every test runs in its own mount namespace (unshare(CLONE_NEWNS) in the
 * fixture setup; the harness forks one process per test) and reads the
 * tables in /sys/kernel/debug/mntwatch/ by column NAME, as module/README.md
 * specifies them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/* the 6.1 harness has an unused handler argument: keep -Wextra -Werror */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define MW_DIR		"/sys/kernel/debug/mntwatch"
#define MW_NAMESPACES	MW_DIR "/namespaces"
#define MW_EVENTS	MW_DIR "/events"
#define MW_STATUS	MW_DIR "/status"
#define MW_GROWTH	MW_DIR "/growth"
#define MOUNT_MAX	"/proc/sys/fs/mount-max"
#define MAX_COLS	64
#define NO_VALUE	LLONG_MIN	/* field missing, "-" or not a number */

/* the columns the module prints, first to last: module/schema.h */
#define SCHEMA_NAME(name, kind, member, required, value, shown) #name,
static const char *const ns_columns[] = {
#define MW_NAMESPACES_COL SCHEMA_NAME
#include "../module/schema.h"
};

static const char *const ev_columns[] = {
#define MW_EVENTS_COL SCHEMA_NAME
#include "../module/schema.h"
};

static const char *const growth_columns[] = {
#define MW_GROWTH_COL SCHEMA_NAME
#include "../module/schema.h"
};

#define STR(x)		#x
#define FORMAT_OF(x)	STR(x)

/* ------------------------------------------------------------------ */
/* small helpers                                                       */
/* ------------------------------------------------------------------ */

/*
 * Whole file in one buffer (NUL terminated), read @chunk bytes per read(2)
 * (0: as much as fits); NULL and errno on error.
 */
static char *read_file_chunked(const char *path, size_t *lenp, size_t chunk)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = realloc(buf, 2 * cap + 1);

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, chunk ? chunk : cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
fail:
	{
		int e = errno;

		free(buf);
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
}

static char *read_file(const char *path, size_t *lenp)
{
	return read_file_chunked(path, lenp, 0);
}

/* A table: the header line split into column names, then rows of fields. */
struct table {
	const char *path;
	char *text;
	int ncols;
	char *col[MAX_COLS];
	int nrows;
	int *nfields;		/* per row */
	char *(*row)[MAX_COLS];	/* row[r][c] */
	int bad_rows;		/* rows whose field count != ncols */
};

static void table_free(struct table *t)
{
	free(t->text);
	free(t->nfields);
	free(t->row);
	memset(t, 0, sizeof(*t));
}

static int split_fields(char *line, char **out)
{
	int n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n < MAX_COLS)
			out[n] = tok;
		n++;
	}
	return n;
}

static int table_load(struct table *t, const char *path)
{
	char *line, *save = NULL;
	int lines = 0, n;

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->text = read_file(path, NULL);
	if (!t->text)
		return -1;
	for (char *p = t->text; *p; p++)
		if (*p == '\n')
			lines++;
	t->nfields = calloc(lines + 1, sizeof(*t->nfields));
	t->row = calloc(lines + 1, sizeof(*t->row));
	if (!t->nfields || !t->row)
		return -1;
	line = strtok_r(t->text, "\n", &save);
	if (!line)
		return -1;
	t->ncols = split_fields(line, t->col);
	if (t->ncols > MAX_COLS)
		return -1;
	while ((line = strtok_r(NULL, "\n", &save))) {
		n = split_fields(line, t->row[t->nrows]);
		if (n != t->ncols)
			t->bad_rows++;
		t->nfields[t->nrows++] = n;
	}
	return 0;
}

static int table_col(const struct table *t, const char *name)
{
	for (int c = 0; c < t->ncols; c++)
		if (!strcmp(t->col[c], name))
			return c;
	return -1;
}

static const char *table_str(const struct table *t, int r, const char *name)
{
	int c = table_col(t, name);

	if (c < 0 || r < 0 || r >= t->nrows || c >= t->nfields[r])
		return NULL;
	return t->row[r][c];
}

/* Integer field; NO_VALUE when missing, "-" or not a plain integer. */
static long long table_ll(const struct table *t, int r, const char *name)
{
	const char *s = table_str(t, r, name);
	char *end;
	long long v;

	if (!s || !strcmp(s, "-"))
		return NO_VALUE;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return NO_VALUE;
	return v;
}

/* Row of namespace @ns; a `live` row wins over `gone` rows of the same id. */
static int table_find_ns(const struct table *t, unsigned long long ns)
{
	int found = -1;

	for (int r = 0; r < t->nrows; r++) {
		if (table_ll(t, r, "ns") != (long long)ns)
			continue;
		found = r;
		if (table_str(t, r, "state") &&
		    !strcmp(table_str(t, r, "state"), "live"))
			return r;
	}
	return found;
}

/* `key value...` line of the status file; value copied to @val. */
static int status_get(const char *key, char *val, size_t size)
{
	char *text = read_file(MW_STATUS, NULL), *line, *save = NULL;
	size_t klen = strlen(key);
	int ret = -1;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) || (line[klen] != ' ' &&
						  line[klen] != '\t'))
			continue;
		line += klen;
		while (*line == ' ' || *line == '\t')
			line++;
		snprintf(val, size, "%s", line);
		ret = 0;
		break;
	}
	free(text);
	return ret;
}

static long long status_ll(const char *key)
{
	char val[256], *end;
	long long v;

	if (status_get(key, val, sizeof(val)))
		return NO_VALUE;
	v = strtoll(val, &end, 10);
	if (end == val || (*end && *end != ' '))
		return NO_VALUE;
	return v;
}

static unsigned long long my_mnt_ns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/mnt", &st))
		return 0;
	return st.st_ino;
}

/* The running kernel is at least major.minor. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname uts;
	int kmajor, kminor;

	if (uname(&uts) || sscanf(uts.release, "%d.%d", &kmajor, &kminor) != 2)
		return false;
	return kmajor > major || (kmajor == major && kminor >= minor);
}

/*
 * From 7.0 every namespace's tree hangs from an immutable nullfs mount
 * (fs/nullfs.c; copy_mnt_ns() copies it too). It is counted, but it is the
 * parent of the rootfs, which itself is never listed, so no mountinfo line
 * names its id.
 */
static long nullfs_mounts(void)
{
	return kernel_at_least(7, 0);
}

/*
 * Mounts of our namespace as the kernel counts them (ns->mounts), from
 * mountinfo text: one line per mount visible from our root, plus the
 * ancestors we cannot see (e.g. the initramfs rootfs under a switch_root):
 * each parent id that is not listed (and is not the line's own id, as for
 * the namespace root) is one hidden mount, and so is the nullfs of 7.0+.
 * run_vm.sh checks this count against the kernel's own ENOSPC verdict.
 */
static long mountinfo_ns_mounts(const char *text, long *linesp)
{
	long lines = 0, hidden = 0, n = 0;
	long *id = NULL, *parent = NULL;
	const char *p;

	for (p = text; *p; p++)
		if (*p == '\n')
			lines++;
	id = calloc(lines + 1, sizeof(long));
	parent = calloc(lines + 1, sizeof(long));
	if (!id || !parent) {
		free(id);
		free(parent);
		return -1;
	}
	for (p = text; *p && n < lines; n++) {
		if (sscanf(p, "%ld %ld", &id[n], &parent[n]) != 2)
			return -1;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	for (long i = 0; i < n; i++) {
		bool listed = parent[i] == id[i];

		for (long j = 0; j < n && !listed; j++)
			listed = id[j] == parent[i];
		/* count each missing parent once */
		for (long j = 0; j < i && !listed; j++)
			listed = parent[j] == parent[i];
		if (!listed)
			hidden++;
	}
	free(id);
	free(parent);
	if (linesp)
		*linesp = lines;
	return lines + hidden + nullfs_mounts();
}

static long ns_mounts_now(void)
{
	char *text = read_file("/proc/self/mountinfo", NULL);
	long n;

	if (!text)
		return -1;
	n = mountinfo_ns_mounts(text, NULL);
	free(text);
	return n;
}

/* Same, from an already open /proc/PID/mountinfo (works after umount /proc). */
static long ns_mounts_fd(int fd)
{
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	if (n < 0)
		return -1;
	buf[len] = '\0';
	return mountinfo_ns_mounts(buf, NULL);
}

static long get_mount_max(void)
{
	char *s = read_file(MOUNT_MAX, NULL);
	long v;

	if (!s)
		return -1;
	v = strtol(s, NULL, 10);
	free(s);
	return v;
}

static int set_mount_max(long max)
{
	char buf[32];
	int fd = open(MOUNT_MAX, O_WRONLY | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%ld\n", max);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == len ? 0 : -1;
}

static double now_wall(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* `1764201234.567890`: digits, a dot, exactly six digits. */
static bool time_ok(const char *s, double lo, double hi)
{
	const char *dot;
	double v;

	if (!s)
		return false;
	dot = strchr(s, '.');
	if (!dot || dot == s || strlen(dot + 1) != 6)
		return false;
	for (const char *p = s; *p; p++)
		if (p != dot && !isdigit((unsigned char)*p))
			return false;
	v = strtod(s, NULL);
	return v >= lo - 2 && v <= hi + 2;
}

static int mount_tmpfs(const char *where)
{
	return mount("mntwatch", where, "tmpfs", 0, "size=64k");
}

/*
 * The caller's cgroup v2 path, from the 0:: line of /proc/self/cgroup, as
 * the module's events print it (none of the VM's paths need escaping). The
 * kernel lists that line only once cgroup2 has been mounted; until then
 * every task is in its root, "/".
 */
static int own_cgroup(char *path, size_t size)
{
	char *text = read_file("/proc/self/cgroup", NULL), *line, *save = NULL;

	if (!text)
		return -1;
	snprintf(path, size, "/");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "0::", 3))
			snprintf(path, size, "%s", line + 3);
	free(text);
	return 0;
}

/*
 * @s as the module writes strings: /proc/PID/mountinfo's escapes (\ooo for
 * the backslash and every byte but printable non-space ASCII), the first
 * @keep bytes of a longer string followed by "...", and the two strings that
 * need a word of their own, "" as \000 and "-" as \055.
 */
static void escaped(const char *s, size_t keep, char *out)
{
	size_t len = strlen(s);

	if (!len || !strcmp(s, "-")) {
		sprintf(out, "\\%03o", (unsigned char)*s);
		return;
	}
	for (size_t i = 0; i < len && i < keep; i++) {
		unsigned char c = s[i];

		if (c > ' ' && c < 0x7f && c != '\\')
			*out++ = c;
		else
			out += sprintf(out, "\\%03o", c);
	}
	strcpy(out, len > keep ? "..." : "");
}

/* Read all pipe data from a helper child: a fixed struct. */
static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += n;
	}
	return 0;
}

/* Assertion helpers on named fields. */
#define ASSERT_FIELD(t, r, name, expected) do {				\
	long long __v = table_ll((t), (r), (name));			\
	ASSERT_EQ((long long)(expected), __v)				\
		TH_LOG("%s: column '%s' expected %lld, got %s",		\
		       (t)->path, (name),	\
		       (long long)(expected),				\
		       table_str((t), (r), (name)) ?: "(missing)");	\
} while (0)

#define ASSERT_FIELD_STR(t, r, name, expected) do {			\
	const char *__s = table_str((t), (r), (name));			\
	ASSERT_NE(NULL, __s) TH_LOG("column '%s' missing", (name));	\
	ASSERT_STREQ((expected), __s)					\
		TH_LOG("column '%s'", (name));				\
} while (0)

/* ------------------------------------------------------------------ */
/* fixture                                                             */
/* ------------------------------------------------------------------ */

FIXTURE(mntwatch) {
	char dir[64];		/* private tmpfs "base" of this test */
	unsigned long long ns;	/* our mount namespace id */
	long saved_max;
	char comm[17];
	double t0;
};

FIXTURE_SETUP(mntwatch)
{
	struct stat st;

	self->saved_max = -1;
	ASSERT_EQ(0, stat(MW_DIR, &st))
		TH_LOG("%s missing: is mntwatch.ko loaded and debugfs mounted?",
		       MW_DIR);
	self->saved_max = get_mount_max();
	ASSERT_GT(self->saved_max, 0);
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	if (mkdir("/tmp", 0755) && errno != EEXIST)
		ASSERT_EQ(0, errno);
	strcpy(self->dir, "/tmp/mntwatch.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount("mntwatch-base", self->dir, "tmpfs", 0, NULL));
	self->ns = my_mnt_ns();
	ASSERT_NE(0ULL, self->ns);
	ASSERT_EQ(0, prctl(PR_GET_NAME, self->comm, 0, 0, 0));
	self->t0 = now_wall();
}

FIXTURE_TEARDOWN(mntwatch)
{
	if (self->saved_max > 0 && get_mount_max() != self->saved_max)
		EXPECT_EQ(0, set_mount_max(self->saved_max));
	if (self->dir[0]) {
		umount2(self->dir, MNT_DETACH);
		rmdir(self->dir);
	}
}

/* path helper */
static void subpath(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
	mkdir(out, 0755);
}

/* Mount tmpfs on @where until mount(2) fails; returns successes, errno kept. */
static int fill_until_fail(const char *where, int limit)
{
	int ok = 0;

	while (ok < limit && mount_tmpfs(where) == 0)
		ok++;
	if (ok == limit)
		errno = 0;
	return ok;
}

/*
 * seed: mount-max = current + 3, mount tmpfs until ENOSPC: exactly three
 * succeed, and both tables describe the failure exactly.
 */
TEST_F(mntwatch, seed_enospc_exact)
{
	struct table ns = {0}, ev = {0};
	char fill[128], cgroup[4096];
	long before, max;
	int ok, r, e;

	subpath(fill, sizeof(fill), self->dir, "fill");
	before = ns_mounts_now();
	ASSERT_GT(before, 0);
	max = before + 3;
	ASSERT_EQ(0, set_mount_max(max));

	ok = fill_until_fail(fill, 100);
	e = errno;
	ASSERT_EQ(ENOSPC, e) TH_LOG("mount failed with %s", strerror(e));
	ASSERT_EQ(3, ok);
	ASSERT_EQ(max, ns_mounts_now());

	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0) TH_LOG("no namespaces row for ns %llu", self->ns);
	ASSERT_FIELD(&ns, r, "mounts", max);
	ASSERT_FIELD(&ns, r, "mounts", ns_mounts_now());
	ASSERT_FIELD(&ns, r, "pending", 0);
	ASSERT_FIELD(&ns, r, "max", max);
	ASSERT_FIELD_STR(&ns, r, "use_pct", "100.0");
	ASSERT_FIELD(&ns, r, "peak", max);
	/* base tmpfs (setup) + 3 successes + 1 failure */
	ASSERT_FIELD(&ns, r, "checks", 1 + ok + 1);
	ASSERT_FIELD(&ns, r, "enospc", 1);
	ASSERT_TRUE(time_ok(table_str(&ns, r, "last_fail"), self->t0,
			    now_wall()))
		TH_LOG("last_fail '%s'", table_str(&ns, r, "last_fail"));
	ASSERT_FIELD(&ns, r, "last_pid", getpid());
	ASSERT_FIELD_STR(&ns, r, "last_comm", self->comm);
	ASSERT_FIELD(&ns, r, "last_requested", 1);
	ASSERT_FIELD_STR(&ns, r, "state", "live");

	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	ASSERT_GE(ev.nrows, 1);
	r = ev.nrows - 1;
	ASSERT_TRUE(time_ok(table_str(&ev, r, "time"), self->t0, now_wall()))
		TH_LOG("time '%s'", table_str(&ev, r, "time"));
	ASSERT_FIELD(&ev, r, "pid", getpid());
	ASSERT_FIELD_STR(&ev, r, "comm", self->comm);
	ASSERT_FIELD(&ev, r, "caller_ns", self->ns);
	ASSERT_FIELD(&ev, r, "failing_ns", self->ns);
	ASSERT_FIELD(&ev, r, "mounts", max);
	ASSERT_FIELD(&ev, r, "pending", 0);
	ASSERT_FIELD(&ev, r, "max", max);
	ASSERT_FIELD(&ev, r, "requested", 1);
	ASSERT_FIELD(&ev, r, "result", -ENOSPC);
	ASSERT_FIELD(&ev, r, "touched", 1);
	/* the failing mount(2) itself: mount_tmpfs()'s arguments */
	ASSERT_FIELD_STR(&ev, r, "syscall", "mount");
	ASSERT_FIELD_STR(&ev, r, "flags", "0x0");
	ASSERT_FIELD_STR(&ev, r, "source", "mntwatch");
	ASSERT_FIELD_STR(&ev, r, "target", fill);
	ASSERT_EQ(0, own_cgroup(cgroup, sizeof(cgroup)));
	ASSERT_FIELD_STR(&ev, r, "cgroup", cgroup);
	table_free(&ns);
	table_free(&ev);
}

/*
 * The classic fs.mount-max=10: a child reduces its own namespace to the
 * root (pivot_root into a fresh tmpfs when the root allows it, else lazy
 * umounts of everything but "/"), then mounts until ENOSPC.  The parent
 * reads the tables while the child (and its namespace) is still alive.
 */
struct max10_report {
	unsigned long long ns;
	long start;		/* ns mounts after the reduction */
	long end;		/* ns mounts after ENOSPC */
	int ok;			/* successful mounts */
	int err;		/* errno of the failing mount */
	int stage;		/* 0: fine, else the step that failed */
	int pivoted;
	int root_mounts;	/* mounts made to reduce: each one a check */
};

static int reduce_namespace(const char *dir, int *pivoted, int *root_mounts)
{
	char newroot[128], old[160];
	char *text, *line, *save = NULL;
	char *points[4096];
	int n = 0, left, progress;

	*pivoted = 0;
	snprintf(newroot, sizeof(newroot), "%s/newroot", dir);
	snprintf(old, sizeof(old), "%s/old", newroot);
	if (mkdir(newroot, 0755) == 0 &&
	    mount("mntwatch-root", newroot, "tmpfs", 0, NULL) == 0 &&
	    ++*root_mounts && mkdir(old, 0755) == 0 &&
	    syscall(SYS_pivot_root, newroot, old) == 0) {
		if (chdir("/") || umount2("/old", MNT_DETACH))
			return -1;
		*pivoted = 1;
		return 0;
	}
	/* pivot_root refused (rootfs): lazily umount all but "/" */
	umount2(newroot, MNT_DETACH);
	do {
		text = read_file("/proc/self/mountinfo", NULL);
		if (!text)
			return 0;	/* /proc itself is gone: done */
		n = 0;
		for (line = strtok_r(text, "\n", &save); line && n < 4096;
		     line = strtok_r(NULL, "\n", &save)) {
			char mp[4096];

			if (sscanf(line, "%*d %*d %*s %*s %4095s", mp) == 1 &&
			    strcmp(mp, "/"))
				points[n++] = strdup(mp);
		}
		free(text);
		progress = 0;
		left = n;
		/* children come after parents in mountinfo: go backwards */
		for (int i = n - 1; i >= 0; i--) {
			if (strcmp(points[i], "/proc") &&
			    umount2(points[i], MNT_DETACH) == 0) {
				progress++;
				left--;
			}
		}
		for (int i = 0; i < n; i++)
			free(points[i]);
	} while (progress && left > 1);
	/* /proc last: we still needed it to list the mounts */
	umount2("/proc", MNT_DETACH);
	return 0;
}

TEST_F(mntwatch, mount_max_10)
{
	struct max10_report rep = {0};
	struct table ns = {0}, ev = {0};
	int to_parent[2], to_child[2], status, r;
	pid_t pid;
	char c = 0;

	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, set_mount_max(10));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int mi;

		close(to_parent[0]);
		close(to_child[1]);
		rep.stage = 1;
		if (unshare(CLONE_NEWNS))
			goto report;
		rep.ns = my_mnt_ns();
		rep.stage = 2;
		if (reduce_namespace(self->dir, &rep.pivoted,
				     &rep.root_mounts))
			goto report;
		/*
		 * mountinfo lists what is reachable from the root it was
		 * opened under: open it in the reduced tree, on a new proc.
		 */
		rep.stage = 3;
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL))
			goto report;
		mi = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
		if (mi < 0)
			goto report;
		rep.start = ns_mounts_fd(mi);
		rep.stage = 4;
		if (mkdir("/mntwatch-fill", 0755) && errno != EEXIST)
			goto report;
		rep.ok = fill_until_fail("/mntwatch-fill", 100);
		rep.err = errno;
		rep.end = ns_mounts_fd(mi);
		rep.stage = 0;
report:
		if (rep.stage)
			rep.err = errno;
		if (write(to_parent[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(1);
		/* keep the namespace alive until the parent has looked */
		if (read(to_child[0], &c, 1) < 0)
			_exit(1);
		rmdir("/mntwatch-fill");
		_exit(0);
	}
	close(to_parent[1]);
	close(to_child[0]);
	ASSERT_EQ(0, read_full(to_parent[0], &rep, sizeof(rep)));
	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	EXPECT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	TH_LOG("child: pivot_root %s, %ld mounts after reduction, %d mounted",
	       rep.pivoted ? "used" : "refused (lazy umounts)", rep.start,
	       rep.ok);
	ASSERT_EQ(0, rep.stage) TH_LOG("child failed at stage %d: %s",
				       rep.stage, strerror(rep.err));
	ASSERT_EQ(ENOSPC, rep.err) TH_LOG("%s", strerror(rep.err));
	ASSERT_LT(rep.start, 10);
	ASSERT_EQ(10, rep.start + rep.ok);
	ASSERT_EQ(10, rep.end);

	r = table_find_ns(&ns, rep.ns);
	ASSERT_GE(r, 0) TH_LOG("no namespaces row for ns %llu", rep.ns);
	ASSERT_FIELD(&ns, r, "mounts", 10);
	ASSERT_FIELD(&ns, r, "pending", 0);
	ASSERT_FIELD(&ns, r, "max", 10);
	ASSERT_FIELD_STR(&ns, r, "use_pct", "100.0");
	ASSERT_FIELD(&ns, r, "enospc", 1);
	/* the reducing tmpfs, the new proc, the mounts that fit, the failure */
	ASSERT_FIELD(&ns, r, "checks", rep.root_mounts + 1 + rep.ok + 1);
	ASSERT_FIELD(&ns, r, "last_pid", pid);
	ASSERT_FIELD_STR(&ns, r, "last_comm", self->comm);
	ASSERT_FIELD(&ns, r, "last_requested", 1);
	ASSERT_FIELD_STR(&ns, r, "state", "live");

	ASSERT_GE(ev.nrows, 1);
	r = ev.nrows - 1;
	ASSERT_FIELD(&ev, r, "pid", pid);
	ASSERT_FIELD(&ev, r, "caller_ns", rep.ns);
	ASSERT_FIELD(&ev, r, "failing_ns", rep.ns);
	ASSERT_FIELD(&ev, r, "mounts", 10);
	ASSERT_FIELD(&ev, r, "pending", 0);
	ASSERT_FIELD(&ev, r, "max", 10);
	ASSERT_FIELD(&ev, r, "requested", 1);
	ASSERT_FIELD(&ev, r, "result", -ENOSPC);
	ASSERT_FIELD(&ev, r, "touched", 1);
	table_free(&ns);
	table_free(&ev);
}

/*
 * Deterministic propagation: a shared tmpfs A with a peer B in the same
 * namespace; rbind a private tree of 3 mounts under A.  The first check
 * (A) reserves 3, the copy into B asks 3 more with 3 pending: with
 * max = mounts + 5 the second check fails with exact numbers.
 */
TEST_F(mntwatch, propagation_peer_exact)
{
	struct table ev = {0}, ns = {0};
	char a[128], b[128], src[128], sx[160], sy[160], at[160];
	long m, max;
	int r;

	subpath(a, sizeof(a), self->dir, "a");
	subpath(b, sizeof(b), self->dir, "b");
	subpath(src, sizeof(src), self->dir, "src");
	ASSERT_EQ(0, mount_tmpfs(a));
	ASSERT_EQ(0, mount(NULL, a, NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount(a, b, NULL, MS_BIND, NULL));	/* peer of a */
	subpath(at, sizeof(at), a, "t");
	ASSERT_EQ(0, mount_tmpfs(src));
	ASSERT_EQ(0, mount(NULL, src, NULL, MS_PRIVATE, NULL));
	subpath(sx, sizeof(sx), src, "x");
	subpath(sy, sizeof(sy), src, "y");
	ASSERT_EQ(0, mount_tmpfs(sx));
	ASSERT_EQ(0, mount_tmpfs(sy));

	m = ns_mounts_now();
	max = m + 5;
	ASSERT_EQ(0, set_mount_max(max));
	ASSERT_EQ(-1, mount(src, at, NULL, MS_BIND | MS_REC, NULL));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(m, ns_mounts_now());

	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	ASSERT_GE(ev.nrows, 1);
	r = ev.nrows - 1;
	ASSERT_FIELD(&ev, r, "pid", getpid());
	ASSERT_FIELD(&ev, r, "caller_ns", self->ns);
	ASSERT_FIELD(&ev, r, "failing_ns", self->ns);
	ASSERT_FIELD(&ev, r, "mounts", m);
	ASSERT_FIELD(&ev, r, "pending", 3);
	ASSERT_FIELD(&ev, r, "max", max);
	ASSERT_FIELD(&ev, r, "requested", 3);
	ASSERT_FIELD(&ev, r, "result", -ENOSPC);
	ASSERT_FIELD(&ev, r, "touched", 1);

	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0);
	ASSERT_FIELD(&ns, r, "mounts", m);
	ASSERT_FIELD(&ns, r, "enospc", 1);
	ASSERT_FIELD(&ns, r, "last_requested", 3);
	ASSERT_FIELD(&ns, r, "max", max);
	table_free(&ev);
	table_free(&ns);
}

/*
 * Propagation loop: a shared tmpfs d repeatedly rbind-mounted into d/sub.
 * A calibration child (own namespace, no limit, built before d exists so
 * it shares nothing with us) records how many mounts each step adds.  We
 * then set max = (mounts after step k) - 1 for the first step k that takes
 * us >= 50 mounts past the start: step k must fail on its LAST check, i.e.
 * a propagation copy, with mounts + pending + requested == max + 1.
 */
#define LOOP_STEPS 12

static int loop_layout(const char *dir, char *d, size_t dsize, char *sub,
		       size_t subsize)
{
	snprintf(d, dsize, "%s/d", dir);
	snprintf(sub, subsize, "%s/d/sub", dir);
	if (mkdir(d, 0755) && errno != EEXIST)
		return -1;
	if (mount_tmpfs(d) || mount(NULL, d, NULL, MS_SHARED, NULL))
		return -1;
	return mkdir(sub, 0755);
}

TEST_F(mntwatch, propagation_loop)
{
	long delta[LOOP_STEPS + 1] = {0};
	struct table ev = {0}, ns = {0};
	char d[128], sub[160];
	int pfd[2], status, k, steps, step, r, e;
	long base, max, before = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		long cb, c;

		close(pfd[0]);
		if (unshare(CLONE_NEWNS) ||
		    loop_layout(self->dir, d, sizeof(d), sub, sizeof(sub)))
			_exit(1);
		cb = ns_mounts_now();
		for (k = 1; k <= LOOP_STEPS; k++) {
			if (mount(d, sub, NULL, MS_BIND | MS_REC, NULL))
				_exit(2);
			c = ns_mounts_now();
			delta[k] = c - cb;
			if (delta[k] > 2000)
				break;
		}
		if (write(pfd[1], delta, sizeof(delta)) != sizeof(delta))
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(0, read_full(pfd[0], delta, sizeof(delta)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);

	for (k = 1; k <= LOOP_STEPS; k++) {
		TH_LOG("calibration: after step %d: +%ld mounts", k, delta[k]);
		if (delta[k] >= 50)
			break;
	}
	ASSERT_LE(k, LOOP_STEPS) TH_LOG("the loop does not grow");
	steps = k;
	ASSERT_GE(delta[steps] - delta[steps - 1], 4)
		TH_LOG("step %d adds too few mounts to propagate", steps);

	ASSERT_EQ(0, loop_layout(self->dir, d, sizeof(d), sub, sizeof(sub)));
	base = ns_mounts_now();
	max = base + delta[steps] - 1;
	ASSERT_EQ(0, set_mount_max(max));
	for (step = 1; step <= LOOP_STEPS; step++) {
		before = ns_mounts_now();
		if (mount(d, sub, NULL, MS_BIND | MS_REC, NULL))
			break;
		ASSERT_EQ(base + delta[step], ns_mounts_now());
	}
	e = errno;
	ASSERT_EQ(steps, step) TH_LOG("failed at step %d, expected %d", step,
				      steps);
	ASSERT_EQ(ENOSPC, e);
	ASSERT_EQ(base + delta[steps - 1], before);
	ASSERT_EQ(before, ns_mounts_now());

	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	ASSERT_GE(ev.nrows, 1);
	r = ev.nrows - 1;
	TH_LOG("event: mounts %s pending %s requested %s max %s",
	       table_str(&ev, r, "mounts"), table_str(&ev, r, "pending"),
	       table_str(&ev, r, "requested"), table_str(&ev, r, "max"));
	ASSERT_FIELD(&ev, r, "pid", getpid());
	ASSERT_FIELD(&ev, r, "caller_ns", self->ns);
	ASSERT_FIELD(&ev, r, "failing_ns", self->ns);
	ASSERT_FIELD(&ev, r, "mounts", before);
	ASSERT_FIELD(&ev, r, "max", max);
	ASSERT_FIELD(&ev, r, "result", -ENOSPC);
	ASSERT_FIELD(&ev, r, "touched", 1);
	ASSERT_GT(table_ll(&ev, r, "pending"), 0);
	ASSERT_GT(table_ll(&ev, r, "requested"), 1);
	ASSERT_EQ(max + 1, table_ll(&ev, r, "mounts") +
		  table_ll(&ev, r, "pending") + table_ll(&ev, r, "requested"));

	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0);
	ASSERT_FIELD(&ns, r, "mounts", ns_mounts_now());
	ASSERT_FIELD(&ns, r, "enospc", 1);
	ASSERT_FIELD(&ns, r, "last_requested", table_ll(&ev, ev.nrows - 1,
							 "requested"));
	ASSERT_FIELD(&ns, r, "peak", base + delta[steps - 1]);
	table_free(&ev);
	table_free(&ns);
}

/*
 * Foreign failure: our mount under a shared tmpfs propagates into the
 * peer in a child's namespace, which the child has filled to the limit.
 */
TEST_F(mntwatch, foreign_failure)
{
	struct table ev = {0}, ns = {0};
	char s[128], fill[128], x[160];
	int to_parent[2], to_child[2], status, r, e, ret;
	struct { unsigned long long ns; int ok; int err; } rep = {0};
	long m, max;
	pid_t pid;
	char c = 0;

	subpath(s, sizeof(s), self->dir, "s");
	subpath(fill, sizeof(fill), self->dir, "fill");
	ASSERT_EQ(0, mount_tmpfs(s));
	ASSERT_EQ(0, mount(NULL, s, NULL, MS_SHARED, NULL));
	subpath(x, sizeof(x), s, "x");
	m = ns_mounts_now();
	max = m + 3;
	ASSERT_EQ(0, set_mount_max(max));

	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		rep.err = -1;
		if (unshare(CLONE_NEWNS) == 0) {
			rep.ns = my_mnt_ns();
			rep.ok = fill_until_fail(fill, 100);
			rep.err = errno;
		}
		if (write(to_parent[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(1);
		if (read(to_child[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(to_parent[1]);
	close(to_child[0]);
	ASSERT_EQ(0, read_full(to_parent[0], &rep, sizeof(rep)));
	ret = mount_tmpfs(x);
	e = errno;
	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	EXPECT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	ASSERT_EQ(ENOSPC, rep.err) TH_LOG("child: %s", strerror(rep.err));
	ASSERT_EQ(3, rep.ok);
	ASSERT_NE(self->ns, rep.ns);
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(ENOSPC, e);
	ASSERT_EQ(m, ns_mounts_now());

	ASSERT_GE(ev.nrows, 2);
	r = ev.nrows - 1;
	ASSERT_FIELD(&ev, r, "pid", getpid());
	ASSERT_FIELD_STR(&ev, r, "comm", self->comm);
	ASSERT_FIELD(&ev, r, "caller_ns", self->ns);
	ASSERT_FIELD(&ev, r, "failing_ns", rep.ns);
	ASSERT_FIELD(&ev, r, "mounts", max);
	ASSERT_FIELD(&ev, r, "pending", 0);
	ASSERT_FIELD(&ev, r, "max", max);
	ASSERT_FIELD(&ev, r, "requested", 1);
	ASSERT_FIELD(&ev, r, "result", -ENOSPC);
	ASSERT_FIELD(&ev, r, "touched", 2);
	/* the one before: the child's own failure */
	r = ev.nrows - 2;
	ASSERT_FIELD(&ev, r, "pid", pid);
	ASSERT_FIELD(&ev, r, "caller_ns", rep.ns);
	ASSERT_FIELD(&ev, r, "failing_ns", rep.ns);
	ASSERT_FIELD(&ev, r, "mounts", max);
	ASSERT_FIELD(&ev, r, "touched", 1);

	r = table_find_ns(&ns, rep.ns);
	ASSERT_GE(r, 0) TH_LOG("no row for the child's ns %llu", rep.ns);
	ASSERT_FIELD(&ns, r, "mounts", max);
	ASSERT_FIELD(&ns, r, "enospc", 2);
	ASSERT_FIELD(&ns, r, "last_pid", getpid());
	ASSERT_FIELD(&ns, r, "last_requested", 1);
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0);
	ASSERT_FIELD(&ns, r, "enospc", 0);
	ASSERT_FIELD(&ns, r, "mounts", m);
	ASSERT_FIELD(&ns, r, "last_fail", NO_VALUE);	/* "-" */
	ASSERT_FIELD_STR(&ns, r, "last_fail", "-");
	ASSERT_FIELD_STR(&ns, r, "last_pid", "-");
	table_free(&ev);
	table_free(&ns);
}

/* Accounting on success: mounts follows mountinfo, peak keeps the top. */
TEST_F(mntwatch, accounting_success)
{
	struct table ns = {0};
	char p[8][160];
	long checks0, checks1, top;
	int r, i;

	for (i = 0; i < 8; i++) {
		char name[8];

		snprintf(name, sizeof(name), "m%d", i);
		subpath(p[i], sizeof(p[i]), self->dir, name);
	}
	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0) TH_LOG("the setup mount was not seen");
	ASSERT_FIELD(&ns, r, "mounts", ns_mounts_now());
	checks0 = table_ll(&ns, r, "checks");
	ASSERT_EQ(1, checks0);
	table_free(&ns);

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, mount_tmpfs(p[i]));
	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0);
	top = ns_mounts_now();
	ASSERT_FIELD(&ns, r, "mounts", top);
	ASSERT_FIELD(&ns, r, "pending", 0);
	ASSERT_FIELD(&ns, r, "peak", top);
	ASSERT_FIELD(&ns, r, "checks", checks0 + 5);
	ASSERT_FIELD(&ns, r, "enospc", 0);
	ASSERT_FIELD_STR(&ns, r, "last_fail", "-");
	ASSERT_FIELD_STR(&ns, r, "last_pid", "-");
	ASSERT_FIELD_STR(&ns, r, "last_comm", "-");
	ASSERT_FIELD_STR(&ns, r, "last_requested", "-");
	checks1 = table_ll(&ns, r, "checks");
	table_free(&ns);

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, umount2(p[i], 0));
	ASSERT_EQ(0, mount_tmpfs(p[5]));
	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0);
	ASSERT_EQ(top - 2, ns_mounts_now());
	ASSERT_FIELD(&ns, r, "mounts", top - 2);
	ASSERT_FIELD(&ns, r, "peak", top);
	ASSERT_FIELD(&ns, r, "checks", checks1 + 1);
	ASSERT_FIELD(&ns, r, "pending", 0);
	table_free(&ns);
}

/* A changed fs.mount-max shows in the next event, up and down. */
TEST_F(mntwatch, mount_max_change)
{
	struct table ev = {0};
	char fill[128];
	long m;
	int r;

	subpath(fill, sizeof(fill), self->dir, "fill");
	m = ns_mounts_now();
	ASSERT_EQ(0, set_mount_max(m + 1));
	ASSERT_EQ(1, fill_until_fail(fill, 10));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	r = ev.nrows - 1;
	ASSERT_FIELD(&ev, r, "max", m + 1);
	ASSERT_FIELD(&ev, r, "mounts", m + 1);
	table_free(&ev);

	/* raise: one more fits, then the new limit is reported */
	ASSERT_EQ(0, set_mount_max(m + 2));
	ASSERT_EQ(1, fill_until_fail(fill, 10));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	r = ev.nrows - 1;
	ASSERT_FIELD(&ev, r, "pid", getpid());
	ASSERT_FIELD(&ev, r, "max", m + 2);
	ASSERT_FIELD(&ev, r, "mounts", m + 2);
	table_free(&ev);

	/* lower below the current count */
	ASSERT_EQ(0, set_mount_max(m - 1));
	ASSERT_EQ(0, fill_until_fail(fill, 10));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	r = ev.nrows - 1;
	ASSERT_FIELD(&ev, r, "max", m - 1);
	ASSERT_FIELD(&ev, r, "mounts", m + 2);
	ASSERT_FIELD(&ev, r, "requested", 1);
	table_free(&ev);
}

/* ------------------------------------------------------------------ */
/* output hygiene                                                      */
/* ------------------------------------------------------------------ */

/* A token that looks like a kernel address: 0xffff..., or >= 16 hex digits. */
static const char *pointer_like(const char *text)
{
	const char *p = text;

	while (*p) {
		int run = 0;

		if (!strncasecmp(p, "0xffff", 6) || !strncasecmp(p, "ffff8", 5) ||
		    !strncasecmp(p, "ffffffff", 8))
			return p;
		while (isxdigit((unsigned char)p[run]))
			run++;
		if (run >= 16)
			return p;
		p += run ? run : 1;
	}
	return NULL;
}

static const char *const files[] = {
	MW_NAMESPACES, MW_EVENTS, MW_STATUS, MW_GROWTH,
};

TEST_F(mntwatch, output_hygiene)
{
	char fill[128];
	long m;

	/* make sure both tables have rows */
	subpath(fill, sizeof(fill), self->dir, "fill");
	m = ns_mounts_now();
	ASSERT_EQ(0, set_mount_max(m + 1));
	ASSERT_EQ(1, fill_until_fail(fill, 10));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, set_mount_max(self->saved_max));

	for (unsigned int i = 0; i < ARRAY_SIZE(files); i++) {
		const char *f = files[i];
		size_t big_len = 0, small_len = 0;
		char *big, *small;
		const char *ptr;
		struct stat st;
		int fd;

		ASSERT_EQ(0, stat(f, &st)) TH_LOG("%s", f);
		ASSERT_TRUE(S_ISREG(st.st_mode)) TH_LOG("%s", f);
		ASSERT_EQ(0400U, st.st_mode & 07777)
			TH_LOG("%s mode %o", f, st.st_mode & 07777);
		ASSERT_EQ(0U, st.st_uid) TH_LOG("%s", f);

		big = read_file(f, &big_len);
		ASSERT_NE(NULL, big) TH_LOG("%s: %s", f, strerror(errno));
		small = read_file_chunked(f, &small_len, 1);
		ASSERT_NE(NULL, small) TH_LOG("%s", f);
		ASSERT_EQ(big_len, small_len) TH_LOG("%s", f);
		ASSERT_EQ(0, memcmp(big, small, big_len))
			TH_LOG("%s differs when read byte by byte", f);
		ASSERT_GT(big_len, 0UL);
		ASSERT_EQ('\n', big[big_len - 1]) TH_LOG("%s", f);
		ASSERT_EQ(strlen(big), big_len) TH_LOG("%s: NUL byte", f);
		for (size_t j = 0; j < big_len; j++) {
			bool printable = big[j] == '\n' ||
					 (big[j] >= 0x20 && big[j] < 0x7f);

			ASSERT_TRUE(printable)
				TH_LOG("%s: byte 0x%02x at %zu", f,
				       (unsigned char)big[j], j);
		}
		ptr = pointer_like(big);
		ASSERT_EQ(NULL, ptr)
			TH_LOG("%s: pointer-like text: %.40s", f, ptr);

		errno = 0;
		fd = open(f, O_WRONLY);
		if (fd >= 0) {
			ssize_t n = write(fd, "1\n", 2);

			TH_LOG("%s: open(O_WRONLY) succeeded as root, write() "
			       "returned %zd (%s)", f, n, strerror(errno));
			close(fd);
		}
		ASSERT_EQ(-1, fd) TH_LOG("%s: open(O_WRONLY) must fail", f);
		ASSERT_TRUE(errno == EACCES || errno == EPERM)
			TH_LOG("%s: %s", f, strerror(errno));
		fd = open(f, O_RDWR);
		if (fd >= 0)
			close(fd);
		ASSERT_EQ(-1, fd) TH_LOG("%s: open(O_RDWR) must fail", f);
		ASSERT_TRUE(errno == EACCES || errno == EPERM)
			TH_LOG("%s: %s", f, strerror(errno));
		fd = open(f, O_RDONLY);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(-1, write(fd, "1\n", 2));
		/*
		 * No ioctl either (debugfs under lockdown requires it): a
		 * command the VFS does not answer itself reaches the file.
		 */
		ASSERT_EQ(-1, ioctl(fd, _IO('m', 0x42)));
		ASSERT_EQ(ENOTTY, errno) TH_LOG("%s: ioctl: %s", f, strerror(errno));
		close(fd);
		free(big);
		free(small);
	}

	/* root-only: a non-root process cannot read any file */
	{
		pid_t pid = fork();
		int status;

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(10);
			for (unsigned int i = 0; i < ARRAY_SIZE(files); i++) {
				int fd = open(files[i], O_RDONLY);

				if (fd >= 0)
					_exit(20 + i);
				if (errno != EACCES && errno != EPERM)
					_exit(30 + i);
			}
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status))
			TH_LOG("20+i: nobody could open file i, 30+i: wrong errno");
	}
}

/*
 * Leaves room for one more mount in @dir/fill: it fits, and the next two are
 * refused with ENOSPC.
 */
static void fill_one_refuse_two(struct __test_metadata *_metadata,
				const char *dir)
{
	char fill[128];

	subpath(fill, sizeof(fill), dir, "fill");
	ASSERT_EQ(0, set_mount_max(ns_mounts_now() + 1));
	ASSERT_EQ(1, fill_until_fail(fill, 10));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, fill_until_fail(fill, 10));
	ASSERT_EQ(ENOSPC, errno);
}

/*
 * A check that provably fits skips its return handler, one that fails does
 * not: the last mount that fits (headroom 1, a tree of 1) is declined, the
 * two refused after it are seen returning -ENOSPC and make events.
 */
TEST_F(mntwatch, fitting_checks_declined)
{
	long long hits0, declined0, total0;

	hits0 = status_ll("count_hits");
	declined0 = status_ll("count_declined");
	total0 = status_ll("events_total");
	ASSERT_NE(NO_VALUE, declined0);
	fill_one_refuse_two(_metadata, self->dir);
	ASSERT_EQ(hits0 + 3, status_ll("count_hits"));
	ASSERT_EQ(declined0 + 1, status_ll("count_declined"));
	ASSERT_EQ(total0 + 2, status_ll("events_total"));
	ASSERT_EQ(0, status_ll("verdict_mismatch"));
}

/* Headers, row shapes and the status counters agree with each other. */
TEST_F(mntwatch, tables_consistent)
{
	struct table ns = {0}, ev = {0};
	long long total0, total1, emax, rows;
	char val[256];

	total0 = status_ll("events_total");
	ASSERT_NE(NO_VALUE, total0);
	fill_one_refuse_two(_metadata, self->dir);
	total1 = status_ll("events_total");
	ASSERT_EQ(total0 + 2, total1);

	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	ASSERT_GE(ns.ncols, (int)ARRAY_SIZE(ns_columns));
	ASSERT_GE(ev.ncols, (int)ARRAY_SIZE(ev_columns));
	for (unsigned int i = 0; i < ARRAY_SIZE(ns_columns); i++) {
		ASSERT_STREQ(ns_columns[i], ns.col[i]) TH_LOG("column %u", i);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(ev_columns); i++) {
		ASSERT_STREQ(ev_columns[i], ev.col[i]) TH_LOG("column %u", i);
	}
	ASSERT_EQ(0, ns.bad_rows);
	ASSERT_EQ(0, ev.bad_rows);

	/* namespaces sorted by use_pct, fullest first */
	for (int r = 1; r < ns.nrows; r++)
		ASSERT_GE(strtod(table_str(&ns, r - 1, "use_pct"), NULL),
			  strtod(table_str(&ns, r, "use_pct"), NULL));
	/* events oldest first, numbered without a gap up to events_total */
	for (int r = 1; r < ev.nrows; r++) {
		ASSERT_LE(strtod(table_str(&ev, r - 1, "time"), NULL),
			  strtod(table_str(&ev, r, "time"), NULL));
		ASSERT_EQ(table_ll(&ev, r - 1, "seq") + 1,
			  table_ll(&ev, r, "seq"));
	}
	ASSERT_EQ(total1, table_ll(&ev, ev.nrows - 1, "seq"));
	ASSERT_FIELD_STR(&ev, ev.nrows - 1, "limit", "mount-max");

	ASSERT_EQ(0, status_get("format", val, sizeof(val)));
	ASSERT_STREQ(FORMAT_OF(MNTWATCH_FORMAT), val);
	emax = status_ll("events_max");
	ASSERT_GT(emax, 0);
	ASSERT_EQ(total1 < emax ? total1 : emax, ev.nrows);
	ASSERT_EQ(total1 > emax ? total1 - emax : 0,
		  status_ll("events_overwritten"));
	rows = status_ll("table_rows");
	ASSERT_EQ(ns.nrows, rows);
	ASSERT_GE(status_ll("table_max"), rows);
	ASSERT_EQ(0, status_ll("count_nmissed"));
	ASSERT_EQ(0, status_ll("attach_nmissed"));
	ASSERT_EQ(0, status_ll("verdict_mismatch"));
	ASSERT_GT(status_ll("count_hits"), 0);
	ASSERT_GT(status_ll("attach_hits"), 0);
	ASSERT_GT(status_ll("memory_bytes"), 0);
	ASSERT_EQ(0, status_get("symbol_count_mounts", val, sizeof(val)));
	ASSERT_EQ(0, status_get("symbol_attach", val, sizeof(val)));
	ASSERT_EQ(0, status_get("version", val, sizeof(val)));
	ASSERT_EQ(0, status_get("kernel", val, sizeof(val)));
	ASSERT_EQ(0, status_get("btf", val, sizeof(val)));
	table_free(&ns);
	table_free(&ev);
}

/*
 * Detached trees (open_tree(OPEN_TREE_CLONE)) live in anonymous namespaces.
 * Mounting onto one is checked against the limit from 6.15 on; older
 * kernels refuse it. Up to 6.17 anonymous namespaces share number 0 and one
 * row; from 6.18 each has its own serial and they all show MNT_NS_ANON_INO,
 * so two held at once must both be live rows: neither may mark the other
 * gone, as a reused nsfs number would.
 */
#define MNT_NS_ANON_INO 0xEFFFFFF7ULL

TEST_F(mntwatch, anonymous_namespaces)
{
	unsigned long long anon_id = kernel_at_least(6, 18) ? MNT_NS_ANON_INO : 0;
	int tree[2], fs, mnt, ret, i, r, live = 0, gone = 0;
	struct table ns = {0};
	char src[128];

	subpath(src, sizeof(src), self->dir, "anon");
	ASSERT_EQ(0, mount_tmpfs(src));
	for (i = 0; i < 2; i++) {
		tree[i] = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		ASSERT_GE(tree[i], 0) TH_LOG("open_tree: %s", strerror(errno));
		fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
		ASSERT_GE(fs, 0);
		ASSERT_EQ(0, fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
		ASSERT_GE(mnt, 0);
		ret = move_mount(mnt, "", tree[i], "",
				 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
		if (ret) {
			ASSERT_EQ(EINVAL, errno);
			ASSERT_FALSE(kernel_at_least(6, 15))
				TH_LOG("mounting onto a detached tree refused");
			TH_LOG("this kernel refuses mounts onto detached trees");
			return;
		}
		close(mnt);
		close(fs);
	}

	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	for (r = 0; r < ns.nrows; r++) {
		if (table_ll(&ns, r, "ns") != (long long)anon_id)
			continue;
		if (!strcmp(table_str(&ns, r, "state"), "live"))
			live++;
		else
			gone++;
	}
	table_free(&ns);
	ASSERT_EQ(0, gone) TH_LOG("an anonymous namespace held open is gone");
	ASSERT_EQ(anon_id ? 2 : 1, live);
	close(tree[0]);
	close(tree[1]);
}

/*
 * Lineage: a namespace made by unshare(CLONE_NEWNS) or by a container
 * runtime's clone(CLONE_NEWNS) gets a row at once, naming the namespace it
 * was copied from and the mounts it was born with.
 */
static int lineage_child(void *arg)
{
	int *fds = arg;
	char c;

	close(fds[1]);
	/* holds the namespace until the parent has read the tables */
	return read(fds[0], &c, 1) == 0 ? 0 : 1;
}

static void lineage(struct __test_metadata *_metadata,
		    FIXTURE_DATA(mntwatch) *self, bool use_clone)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct table ns = {0};
	char path[64], fill[128];
	unsigned long long child_ns;
	struct stat st;
	int fds[2], status, r;
	long born;
	pid_t pid;

	/* a count that differs from the parent's parent */
	subpath(fill, sizeof(fill), self->dir, "lineage");
	ASSERT_EQ(0, mount_tmpfs(fill));
	ASSERT_EQ(0, mount_tmpfs(fill));
	born = ns_mounts_now();
	ASSERT_GT(born, 0);
	ASSERT_EQ(0, pipe(fds));
	if (use_clone) {
		pid = clone(lineage_child, stack + sizeof(stack),
			    CLONE_NEWNS | SIGCHLD, fds);
	} else {
		pid = fork();
		if (!pid) {
			if (unshare(CLONE_NEWNS))
				_exit(2);
			_exit(lineage_child(fds));
		}
	}
	ASSERT_GT(pid, 0);
	close(fds[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	/* unshare() may not have run yet: wait for the namespace to change */
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(0, stat(path, &st));
		if (st.st_ino != self->ns)
			break;
		usleep(10000);
	}
	child_ns = st.st_ino;
	ASSERT_NE(self->ns, child_ns);

	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, child_ns);
	ASSERT_LE(0, r) TH_LOG("no row for the new namespace %llu", child_ns);
	ASSERT_FIELD(&ns, r, "parent", self->ns);
	ASSERT_FIELD(&ns, r, "born_mounts", born);
	ASSERT_FIELD(&ns, r, "mounts", born);
	ASSERT_FIELD(&ns, r, "checks", 0);
	ASSERT_TRUE(time_ok(table_str(&ns, r, "born"), self->t0, now_wall()));
	table_free(&ns);

	close(fds[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(mntwatch, lineage_unshare)
{
	lineage(_metadata, self, false);
}

TEST_F(mntwatch, lineage_clone)
{
	lineage(_metadata, self, true);
}

/*
 * user.max_mnt_namespaces: with the limit at the count of namespaces root
 * holds plus three, three unshares succeed and the fourth fails with
 * ENOSPC; the event says which limit, the user namespace, count and limit.
 */
#define MAX_MNT_NS "/proc/sys/user/max_mnt_namespaces"

static long read_long(const char *path)
{
	char *text = read_file(path, NULL);
	long v = text ? strtol(text, NULL, 10) : -1;

	free(text);
	return v;
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%ld\n", v);
	ok = write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf);
	close(fd);
	return ok ? 0 : -1;
}

/* a child that unshares and holds its namespace until killed */
static int hold_namespace(pid_t *pid)
{
	int done[2], err = 0;

	if (pipe(done))
		return EIO;
	*pid = fork();
	if (*pid < 0)
		return errno;
	if (!*pid) {
		close(done[0]);
		err = unshare(CLONE_NEWNS) ? errno : 0;
		if (write(done[1], &err, sizeof(err)) != sizeof(err))
			_exit(3);
		for (;;)
			pause();
	}
	close(done[1]);
	if (read_full(done[0], &err, sizeof(err)))
		err = EIO;
	close(done[0]);
	return err;
}

static void release_namespace(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* one unshare that must not be held: 0 or its errno */
static int try_namespace(void)
{
	pid_t pid;
	int err = hold_namespace(&pid);

	release_namespace(pid);
	return err;
}

TEST_F(mntwatch, mnt_namespaces_enospc_exact)
{
	struct table ev = {0};
	long saved, count, total0, enospc0;
	int held, r, err = 0;
	char userns[32], cgroup[4096];
	struct stat st;
	pid_t pids[4];

	saved = read_long(MAX_MNT_NS);
	ASSERT_GT(saved, 0);
	/* the count root holds now: the kernel lets count + 1 exist, not count */
	for (count = 1; count < 1000; count++) {
		ASSERT_EQ(0, write_long(MAX_MNT_NS, count + 1));
		err = try_namespace();
		if (!err)
			break;
		ASSERT_EQ(ENOSPC, err);
	}
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, write_long(MAX_MNT_NS, count));
	ASSERT_EQ(ENOSPC, try_namespace())
		TH_LOG("%ld namespaces exist, yet one more fit", count);

	total0 = status_ll("events_total");
	enospc0 = status_ll("alloc_ns_enospc");
	ASSERT_EQ(0, write_long(MAX_MNT_NS, count + 3));
	for (held = 0; held < 4; held++) {
		err = hold_namespace(&pids[held]);
		if (err)
			break;
	}
	if (held < 4)
		release_namespace(pids[held]);
	EXPECT_EQ(3, held);
	EXPECT_EQ(ENOSPC, err);
	/* a limit lowered below the count: the count is still the true one */
	EXPECT_EQ(0, write_long(MAX_MNT_NS, count + 1));
	EXPECT_EQ(ENOSPC, try_namespace());
	for (int i = 0; i < held && i < 3; i++)
		release_namespace(pids[i]);
	ASSERT_EQ(0, write_long(MAX_MNT_NS, saved));
	ASSERT_EQ(3, held);
	ASSERT_EQ(total0 + 2, status_ll("events_total"));

	ASSERT_EQ(0, stat("/proc/self/ns/user", &st));
	snprintf(userns, sizeof(userns), "%llu", (unsigned long long)st.st_ino);
	ASSERT_EQ(0, table_load(&ev, MW_EVENTS));
	ASSERT_LE(2, ev.nrows);
	r = ev.nrows - 2;
	ASSERT_FIELD_STR(&ev, r, "limit", "mnt-namespaces");
	ASSERT_FIELD_STR(&ev, r, "userns", userns);
	ASSERT_FIELD(&ev, r, "ns_count", count + 3);
	ASSERT_FIELD(&ev, r, "max", count + 3);
	ASSERT_FIELD(&ev, r, "result", -ENOSPC);
	ASSERT_FIELD(&ev, r, "caller_ns", self->ns);
	ASSERT_FIELD_STR(&ev, r, "failing_ns", "-");
	ASSERT_FIELD_STR(&ev, r, "mounts", "-");
	ASSERT_FIELD(&ev, r, "pid", pids[3]);
	ASSERT_FIELD(&ev, r, "seq", total0 + 1);
	ASSERT_FIELD_STR(&ev, r, "syscall", "unshare");
	ASSERT_FIELD_STR(&ev, r, "flags", "-");
	ASSERT_FIELD_STR(&ev, r, "source", "-");
	ASSERT_FIELD_STR(&ev, r, "target", "-");
	ASSERT_EQ(0, own_cgroup(cgroup, sizeof(cgroup)));
	ASSERT_FIELD_STR(&ev, r, "cgroup", cgroup);
	r++;
	ASSERT_FIELD_STR(&ev, r, "limit", "mnt-namespaces");
	ASSERT_FIELD(&ev, r, "ns_count", count + 3);
	ASSERT_FIELD(&ev, r, "max", count + 1);
	ASSERT_EQ(0, status_ll("alloc_ns_nmissed"));
	ASSERT_EQ(enospc0 + 2, status_ll("alloc_ns_enospc"));
	table_free(&ev);
}

/* The last row of the events table, loaded into @ev. */
static int last_event(struct table *ev)
{
	if (table_load(ev, MW_EVENTS) || ev->nrows < 1)
		return -1;
	return ev->nrows - 1;
}

/*
 * A command name is whatever a task chose: bytes above 0x7e (Latin-1, which
 * the kernel's isgraph() takes for graphic), DEL and the space are all shown
 * as '?', in events and in namespaces.
 */
TEST_F(mntwatch, comm_above_ascii)
{
	static const char name[] = { 'm', 'w', 0xe9, 0xff, ' ', 'x', 0x7f, 0 };
	struct table ev = {0}, ns = {0};
	char fill[128];
	int r;

	subpath(fill, sizeof(fill), self->dir, "fill");
	ASSERT_EQ(0, prctl(PR_SET_NAME, name, 0, 0, 0));
	ASSERT_EQ(0, set_mount_max(ns_mounts_now()));
	ASSERT_EQ(0, fill_until_fail(fill, 10));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, prctl(PR_SET_NAME, self->comm, 0, 0, 0));
	r = last_event(&ev);
	ASSERT_GE(r, 0);
	ASSERT_FIELD(&ev, r, "pid", getpid());
	ASSERT_FIELD_STR(&ev, r, "comm", "mw???x?");
	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	r = table_find_ns(&ns, self->ns);
	ASSERT_GE(r, 0);
	ASSERT_FIELD_STR(&ns, r, "last_comm", "mw???x?");
	table_free(&ev);
	table_free(&ns);
}

/*
 * A shared tmpfs @a with a peer @b, a tmpfs @src under a private parent, and
 * the namespace at fs.mount-max: moving @src under @a adds no mount to the
 * namespace (a move is not counted), but its copy into @b is one too many.
 */
static void move_setup(struct __test_metadata *_metadata, const char *dir,
		       char *src, char *target, size_t size, long *max)
{
	char a[128], b[128];

	subpath(a, sizeof(a), dir, "a");
	subpath(b, sizeof(b), dir, "b");
	snprintf(src, size, "%s/src", dir);
	snprintf(target, size, "%s/x", a);
	ASSERT_EQ(0, mkdir(src, 0755));
	ASSERT_EQ(0, mount_tmpfs(a));
	ASSERT_EQ(0, mount(NULL, a, NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount(a, b, NULL, MS_BIND, NULL));
	ASSERT_EQ(0, mkdir(target, 0755));
	ASSERT_EQ(0, mount_tmpfs(src));
	*max = ns_mounts_now();
	ASSERT_EQ(0, set_mount_max(*max));
}

/* The event of a move refused by the copy into the peer. */
static void assert_move_event(struct __test_metadata *_metadata,
			      FIXTURE_DATA(mntwatch) *self, long max,
			      const char *syscall, const char *flags,
			      const char *src, const char *target)
{
	struct table ev = {0};
	int r = last_event(&ev);

	ASSERT_GE(r, 0);
	ASSERT_FIELD(&ev, r, "pid", getpid());
	ASSERT_FIELD(&ev, r, "caller_ns", self->ns);
	ASSERT_FIELD(&ev, r, "failing_ns", self->ns);
	ASSERT_FIELD(&ev, r, "mounts", max);
	ASSERT_FIELD(&ev, r, "pending", 0);
	ASSERT_FIELD(&ev, r, "max", max);
	ASSERT_FIELD(&ev, r, "requested", 1);
	ASSERT_FIELD(&ev, r, "result", -ENOSPC);
	ASSERT_FIELD(&ev, r, "touched", 1);
	/* the moved tree itself is not checked: the copy is the only check */
	ASSERT_FIELD(&ev, r, "checks", 1);
	ASSERT_FIELD_STR(&ev, r, "syscall", syscall);
	ASSERT_FIELD_STR(&ev, r, "flags", flags);
	ASSERT_FIELD_STR(&ev, r, "source", src);
	ASSERT_FIELD_STR(&ev, r, "target", target);
	table_free(&ev);
}

TEST_F(mntwatch, move_onto_shared_at_limit)
{
	char src[160], target[160];
	long max;

	move_setup(_metadata, self->dir, src, target, sizeof(src), &max);
	ASSERT_EQ(-1, mount(src, target, NULL, MS_MOVE, NULL));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(max, ns_mounts_now());
	assert_move_event(_metadata, self, max, "mount", "0x2000", src, target);
}

/* move_mount(2) (5.2+): the syscall, its flags and both paths. */
TEST_F(mntwatch, move_mount_onto_shared_at_limit)
{
	char src[160], target[160];
	long max;

	move_setup(_metadata, self->dir, src, target, sizeof(src), &max);
	ASSERT_EQ(-1, move_mount(AT_FDCWD, src, AT_FDCWD, target, 0));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(max, ns_mounts_now());
	assert_move_event(_metadata, self, max, "move_mount", "0x0", src,
			  target);
}

/*
 * The strings of a failing mount(2) as the caller gave them, escaped: a
 * space, a tab, a backslash and bytes above 0x7e in source and target, a
 * NULL source, a source that is "-", and a target longer than the 255 bytes
 * the module keeps.
 */
TEST_F(mntwatch, mount_strings_escaped)
{
	static const char odd_source[] = "src with\tspace\\\xe9";
	char odd[160], deep[320], longer[512], want[2048];
	struct table ev = {0};
	int r;

	snprintf(odd, sizeof(odd), "%s/t x\xe9\x7f", self->dir);
	ASSERT_EQ(0, mkdir(odd, 0755));
	snprintf(deep, sizeof(deep), "%s/%0200d", self->dir, 0);
	ASSERT_EQ(0, mkdir(deep, 0755));
	snprintf(longer, sizeof(longer), "%s/%0100d", deep, 1);
	ASSERT_EQ(0, mkdir(longer, 0755));
	ASSERT_GT(strlen(longer), 255UL);
	ASSERT_EQ(0, set_mount_max(ns_mounts_now()));

	ASSERT_EQ(-1, mount(odd_source, odd, "tmpfs", MS_NOSUID | MS_NODEV,
			    NULL));
	ASSERT_EQ(ENOSPC, errno);
	r = last_event(&ev);
	ASSERT_GE(r, 0);
	ASSERT_FIELD_STR(&ev, r, "syscall", "mount");
	ASSERT_FIELD_STR(&ev, r, "flags", "0x6");
	escaped(odd_source, 255, want);
	ASSERT_STREQ("src\\040with\\011space\\134\\351", want);
	ASSERT_FIELD_STR(&ev, r, "source", want);
	escaped(odd, 255, want);
	ASSERT_FIELD_STR(&ev, r, "target", want);
	ASSERT_EQ(0, ev.bad_rows);
	table_free(&ev);

	ASSERT_EQ(-1, mount(NULL, longer, "tmpfs", 0, NULL));
	ASSERT_EQ(ENOSPC, errno);
	r = last_event(&ev);
	ASSERT_GE(r, 0);
	ASSERT_FIELD_STR(&ev, r, "source", "-");
	escaped(longer, 255, want);
	ASSERT_EQ(0, strcmp(want + strlen(want) - 3, "..."));
	ASSERT_FIELD_STR(&ev, r, "target", want);
	table_free(&ev);

	ASSERT_EQ(-1, mount("-", odd, "tmpfs", 0, NULL));
	ASSERT_EQ(ENOSPC, errno);
	r = last_event(&ev);
	ASSERT_GE(r, 0);
	ASSERT_FIELD_STR(&ev, r, "source", "\\055");
	table_free(&ev);
}

/*
 * The cgroup column is the caller's cgroup v2 path as its 0:: line of
 * /proc/self/cgroup shows it: a child moves itself into a cgroup of its own
 * and fails a mount there.
 */
TEST_F(mntwatch, cgroup_of_caller)
{
	char cgroups[] = "/sys/fs/cgroup", dir[128], procs[160];
	struct { int err; char path[4096]; } rep = {0};
	struct table ev = {0};
	char fill[128];
	int pfd[2], status, r;
	pid_t pid;

	/* cgroup2 in this test's own mount namespace, if not already there */
	if (mount("cgroup2", cgroups, "cgroup2", 0, NULL))
		ASSERT_EQ(EBUSY, errno) TH_LOG("mount cgroup2: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "%s/mntwatch-test.%d", cgroups, getpid());
	ASSERT_EQ(0, mkdir(dir, 0755)) TH_LOG("%s: %s", dir, strerror(errno));
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	subpath(fill, sizeof(fill), self->dir, "fill");
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		rep.err = write_long(procs, getpid()) ? errno : 0;
		if (!rep.err && own_cgroup(rep.path, sizeof(rep.path)))
			rep.err = ENOENT;
		if (!rep.err && !set_mount_max(ns_mounts_now()) &&
		    !fill_until_fail(fill, 10))
			rep.err = errno == ENOSPC ? 0 : errno;
		_exit(write(pfd[1], &rep, sizeof(rep)) != sizeof(rep));
	}
	close(pfd[1]);
	ASSERT_EQ(0, read_full(pfd[0], &rep, sizeof(rep)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	rmdir(dir);
	ASSERT_EQ(0, rep.err) TH_LOG("child: %s", strerror(rep.err));
	ASSERT_EQ(0, strcmp(rep.path, dir + strlen(cgroups)))
		TH_LOG("the child's 0:: line says %s", rep.path);
	r = last_event(&ev);
	ASSERT_GE(r, 0);
	ASSERT_FIELD(&ev, r, "pid", pid);
	ASSERT_FIELD_STR(&ev, r, "cgroup", rep.path);
	table_free(&ev);
}

/*
 * growth keeps the attaches that grew a namespace most: a recursive bind
 * that adds a 4-mount tree, then one more single mount than the history
 * holds, each made in another namespace and propagated in. The 4-mount
 * growth stays, oldest first, with the latest single ones after it.
 */
TEST_F(mntwatch, growth_keeps_largest)
{
	char shared[128], tree[128], sub[160], path[192], c;
	int history, to_child[2], to_parent[2], status, r, i, k;
	long before, after;
	struct table growth = {0};
	bool found = false;
	pid_t pid;

	history = read_long("/sys/module/mntwatch/parameters/growth_history");
	ASSERT_GT(history, 1);
	subpath(shared, sizeof(shared), self->dir, "shared");
	subpath(tree, sizeof(tree), self->dir, "tree");
	ASSERT_EQ(0, mount_tmpfs(shared));
	ASSERT_EQ(0, mount(NULL, shared, NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount_tmpfs(tree));
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%d", tree, i);
		ASSERT_EQ(0, mkdir(path, 0755));
		ASSERT_EQ(0, mount_tmpfs(path));
	}
	subpath(sub, sizeof(sub), shared, "sub");
	before = ns_mounts_now();
	ASSERT_EQ(0, mount(tree, sub, NULL, MS_BIND | MS_REC, NULL));
	ASSERT_EQ(before + 4, ns_mounts_now());
	for (i = 0; i <= history; i++) {
		snprintf(path, sizeof(path), "%s/single%d", shared, i);
		ASSERT_EQ(0, mkdir(path, 0755));
	}

	/* a namespace of its own, whose shared copy is a peer of ours */
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (unshare(CLONE_NEWNS))
			_exit(1);
		for (i = 0; i <= history; i++) {
			if (read(to_child[0], &c, 1) != 1)
				_exit(2);
			snprintf(path, sizeof(path), "%s/single%d", shared, i);
			c = mount_tmpfs(path) ? 'e' : 'k';
			if (write(to_parent[1], &c, 1) != 1)
				_exit(3);
		}
		_exit(0);
	}
	for (i = 0; i <= history; i++) {
		after = ns_mounts_now();
		ASSERT_EQ(1, write(to_child[1], &c, 1));
		ASSERT_EQ(1, read(to_parent[0], &c, 1));
		ASSERT_EQ('k', c);
		ASSERT_EQ(after + 1, ns_mounts_now());
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);

	ASSERT_EQ(0, table_load(&growth, MW_GROWTH));
	ASSERT_GE(growth.ncols, (int)ARRAY_SIZE(growth_columns));
	for (i = 0; i < (int)ARRAY_SIZE(growth_columns); i++) {
		ASSERT_STREQ(growth_columns[i], growth.col[i]) TH_LOG("column %d", i);
	}
	ASSERT_EQ(0, growth.bad_rows);
	for (r = 0, k = 0; r < growth.nrows; r++) {
		if (table_ll(&growth, r, "ns") != (long long)self->ns ||
		    strcmp(table_str(&growth, r, "state"), "live"))
			continue;
		TH_LOG("growth %s -> %s from %s",
		       table_str(&growth, r, "mounts_before"),
		       table_str(&growth, r, "mounts_after"),
		       table_str(&growth, r, "caller_ns"));
		if (!k++) {
			/* the oldest kept is the recursive bind */
			found = table_ll(&growth, r, "mounts_after") -
				table_ll(&growth, r, "mounts_before") == 4;
			ASSERT_FIELD(&growth, r, "caller_ns", self->ns);
		} else {
			ASSERT_EQ(1, table_ll(&growth, r, "mounts_after") -
				     table_ll(&growth, r, "mounts_before"));
			ASSERT_NE((long long)self->ns,
				  table_ll(&growth, r, "caller_ns"));
		}
		after = table_ll(&growth, r, "mounts_after");
	}
	ASSERT_TRUE(found) TH_LOG("the 4-mount growth was pushed out");
	ASSERT_EQ(history, k);
	/* the newest entry is the last single mount */
	ASSERT_EQ(ns_mounts_now(), after);
	table_free(&growth);
}

/*
 * Lineage under a container start storm: STORM_TASKS tasks (MW_STORM_TASKS
 * in the environment, up to that many) unshare at once from a namespace whose
 * copy takes a while (each waits in copy_mnt_ns() for namespace_sem, holding
 * its kretprobe instance), then mount. No probe may miss a call, of either
 * kind, and every new namespace has its row with this one as its parent.
 */
#define STORM_TASKS 256
#define STORM_MOUNTS 100

TEST_F(mntwatch, lineage_storm)
{
	static const char *const missed[] = {
		"count_nmissed", "attach_nmissed", "alloc_ns_nmissed",
		"copy_ns_nmissed", "free_nmissed",
	};
	int go[2], report[2], hold[2], status, i, r, lost = 0;
	unsigned long long ids[STORM_TASKS];
	struct table ns = {0};
	pid_t pids[STORM_TASKS];
	char fill[128], c = 0, *env = getenv("MW_STORM_TASKS");
	int tasks = env ? atoi(env) : STORM_TASKS;

	ASSERT_TRUE(tasks > 0 && tasks <= STORM_TASKS);
	subpath(fill, sizeof(fill), self->dir, "storm");
	for (i = 0; i < STORM_MOUNTS; i++)
		ASSERT_EQ(0, mount_tmpfs(fill));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(hold));
	for (i = 0; i < tasks; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i])
			continue;
		close(go[1]);
		close(hold[1]);
		ids[0] = 0;
		if (read(go[0], &c, 1) == 1 && !unshare(CLONE_NEWNS) &&
		    !mount_tmpfs(fill))
			ids[0] = my_mnt_ns();
		if (write(report[1], ids, sizeof(ids[0])) != sizeof(ids[0]))
			_exit(1);
		/* the namespace lives until the parent has read the table */
		_exit(read(hold[0], &c, 1) < 0);
	}
	close(go[0]);
	close(hold[0]);
	for (i = 0; i < tasks; i++)
		ASSERT_EQ(1, write(go[1], &c, 1));
	for (i = 0; i < tasks; i++)
		ASSERT_EQ(0, read_full(report[0], &ids[i], sizeof(ids[i])));
	ASSERT_EQ(0, table_load(&ns, MW_NAMESPACES));
	close(hold[1]);
	for (i = 0; i < tasks; i++)
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
	for (i = 0; i < tasks; i++) {
		ASSERT_NE(0ULL, ids[i]) TH_LOG("task %d could not unshare and mount", i);
		r = table_find_ns(&ns, ids[i]);
		if (r < 0 || table_ll(&ns, r, "parent") != (long long)self->ns)
			lost++;
	}
	table_free(&ns);
	for (i = 0; i < (int)ARRAY_SIZE(missed); i++) {
		const char *key = missed[i];

		EXPECT_EQ(0, status_ll(key)) TH_LOG("%s", key);
	}
	ASSERT_EQ(0, lost) TH_LOG("%d of %d namespaces have no lineage row",
				  lost, tasks);
}

TEST_HARNESS_MAIN
