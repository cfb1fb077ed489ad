// SPDX-License-Identifier: GPL-2.0
/*
 * Load generator and stopwatch for `make bench`, run inside the VM:
 *
 *   mount_bench bind N     N bind mounts + umounts in a private namespace,
 *                          in BLOCKS blocks
 *   mount_bench tmpfs N    the same with fresh tmpfs mounts
 *   mount_bench rbind N    N recursive binds of a tree of RBIND_TREE mounts,
 *                          each detached again: the limit check walks them
 *   mount_bench MODE N SWITCH
 *                          N with the kprobes armed and N with them disarmed
 *                          (SWITCH: /sys/kernel/debug/kprobes/enabled), in
 *                          alternating blocks: the same module with and
 *                          without its probes, moments apart, so the drift
 *                          of a VM's mount cost cancels out
 *   mount_bench read FILE  time one whole read of FILE
 *
 * Prints "key value" lines; timings are nanoseconds of CLOCK_MONOTONIC:
 * the mean of each side's operations (*_ns_per_op) and their median
 * (*_ns_median). Under make bench's icount an operation's common path is
 * the same count of instructions every time, and the median is that path:
 * it leaves out the rare call that also refilled a slab or ran RCU
 * callbacks, which the mean keeps and which drifts by more than a probe's
 * work.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "vmbin.h"

#define BENCH_DIR "/tmp/mount_bench"
#define RBIND_TREE 16

enum bench_mode { BENCH_BIND, BENCH_TMPFS, BENCH_RBIND };

static void private_namespace(void)
{
	if (unshare(CLONE_NEWNS))
		die("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / private");
	mkdir(BENCH_DIR, 0755);
	mkdir(BENCH_DIR "/src", 0755);
	mkdir(BENCH_DIR "/dst", 0755);
}

/* The source of the recursive binds: a tmpfs with its children. */
static void rbind_tree(void)
{
	char path[64];
	int i;

	if (mount("tree", BENCH_DIR "/src", "tmpfs", 0, NULL))
		die("mount tree");
	for (i = 1; i < RBIND_TREE; i++) {
		snprintf(path, sizeof(path), BENCH_DIR "/src/%d", i);
		if (mkdir(path, 0755) || mount("leaf", path, "tmpfs", 0, NULL))
			die("mount leaf");
	}
}

static int bench_mount(enum bench_mode mode)
{
	switch (mode) {
	case BENCH_TMPFS:
		return mount("bench", BENCH_DIR "/dst", "tmpfs", 0, NULL);
	case BENCH_RBIND:
		return mount(BENCH_DIR "/src", BENCH_DIR "/dst", NULL,
			     MS_BIND | MS_REC, NULL);
	default:
		return mount(BENCH_DIR "/src", BENCH_DIR "/dst", NULL, MS_BIND,
			     NULL);
	}
}

/* One side's operations: their times, one by one. */
struct bench_side {
	long long *mount_ns, *umount_ns;
	long done;
};

/* Times @count mounts + umounts into @side. */
static void mount_block(long count, enum bench_mode mode,
			struct bench_side *side)
{
	long long start;
	long i;

	for (i = 0; i < count; i++, side->done++) {
		start = now_ns();
		if (bench_mount(mode))
			die("mount");
		side->mount_ns[side->done] = now_ns() - start;
		start = now_ns();
		if (umount2(BENCH_DIR "/dst",
			    mode == BENCH_RBIND ? MNT_DETACH : 0))
			die("umount");
		side->umount_ns[side->done] = now_ns() - start;
	}
}

static int cmp_ns(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Prints "NAME_ns_per_op MEAN" and "NAME_ns_median MEDIAN", with SUFFIX. */
static void report(const char *name, long long *ns, long count,
		   const char *suffix)
{
	long long sum = 0;
	long i;

	for (i = 0; i < count; i++)
		sum += ns[i];
	qsort(ns, count, sizeof(*ns), cmp_ns);
	printf("%s_ns_per_op%s %lld\n%s_ns_median%s %lld\n", name, suffix,
	       sum / count, name, suffix,
	       count % 2 ? ns[count / 2] : (ns[count / 2 - 1] + ns[count / 2]) / 2);
}

static void arm_probes(const char *kprobe_switch, int on)
{
	int fd = open(kprobe_switch, O_WRONLY);

	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1)
		die(kprobe_switch);
	close(fd);
}

#define BLOCKS 20

/*
 * Between blocks: a grace period and an idle moment let the work the last
 * block deferred (RCU callbacks freeing mounts) finish outside the timed
 * calls, whatever the side, rather than landing in some blocks only.
 */
static void settle(void)
{
	const struct timespec pause = { .tv_nsec = 1000000 };

	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		die("membarrier");
	nanosleep(&pause, NULL);
}

static int mount_loop(long count, enum bench_mode mode,
		      const char *kprobe_switch)
{
	long block = count / BLOCKS > 0 ? count / BLOCKS : 1, done;
	long room = (count + block - 1) / block * block;
	struct bench_side side[2];
	int on;

	for (on = 0; on < 2; on++) {
		side[on].mount_ns = calloc(room, sizeof(long long));
		side[on].umount_ns = calloc(room, sizeof(long long));
		side[on].done = 0;
		if (!side[on].mount_ns || !side[on].umount_ns)
			die("calloc");
	}
	private_namespace();
	if (mode == BENCH_RBIND)
		rbind_tree();
	for (done = 0; done < count; done += block)
		for (on = 1; on >= (kprobe_switch ? 0 : 1); on--) {
			if (kprobe_switch)
				arm_probes(kprobe_switch, on);
			settle();
			mount_block(block, mode, &side[on]);
		}
	report("mount", side[1].mount_ns, side[1].done, "");
	report("umount", side[1].umount_ns, side[1].done, "");
	if (!kprobe_switch)
		return 0;
	arm_probes(kprobe_switch, 1);
	report("mount", side[0].mount_ns, side[0].done, "_disarmed");
	report("umount", side[0].umount_ns, side[0].done, "_disarmed");
	return 0;
}

static int read_once(const char *path)
{
	long long start = now_ns(), total = 0;
	char buf[65536];
	ssize_t got;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		total += got;
	if (got < 0)
		die("read");
	close(fd);
	printf("read_ns %lld\nread_bytes %lld\n", now_ns() - start, total);
	return 0;
}

int main(int argc, char **argv)
{
	long count = argc >= 3 ? strtol(argv[2], NULL, 10) : 0;
	const char *kprobe_switch = argc == 4 ? argv[3] : NULL;

	if (argc == 3 && !strcmp(argv[1], "read"))
		return read_once(argv[2]);
	if (argc < 3 || argc > 4 || count <= 0) {
		fprintf(stderr, "usage: mount_bench bind|tmpfs|rbind N [SWITCH] | read FILE\n");
		return 2;
	}
	if (!strcmp(argv[1], "bind"))
		return mount_loop(count, BENCH_BIND, kprobe_switch);
	if (!strcmp(argv[1], "tmpfs"))
		return mount_loop(count, BENCH_TMPFS, kprobe_switch);
	if (!strcmp(argv[1], "rbind"))
		return mount_loop(count, BENCH_RBIND, kprobe_switch);
	fprintf(stderr, "mount_bench: unknown mode %s\n", argv[1]);
	return 2;
}
