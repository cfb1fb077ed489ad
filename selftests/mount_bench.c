// SPDX-License-Identifier: GPL-2.0
/*
 * Load generator and stopwatch for `make bench`, run inside the VM:
 *
 *   mount_bench bind N     N bind mounts + umounts in a private namespace
 *   mount_bench tmpfs N    the same with fresh tmpfs mounts
 *   mount_bench read FILE  time one whole read of FILE
 *
 * Prints "key value" lines; timings are nanoseconds of CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "vmbin.h"

#define BENCH_DIR "/tmp/mount_bench"

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

static int mount_loop(long count, int use_tmpfs)
{
	long long mount_ns = 0, umount_ns = 0, start;
	long i;

	private_namespace();
	for (i = 0; i < count; i++) {
		start = now_ns();
		if (use_tmpfs ? mount("bench", BENCH_DIR "/dst", "tmpfs", 0, NULL)
			      : mount(BENCH_DIR "/src", BENCH_DIR "/dst", NULL,
				      MS_BIND, NULL))
			die("mount");
		mount_ns += now_ns() - start;
		start = now_ns();
		if (umount2(BENCH_DIR "/dst", 0))
			die("umount");
		umount_ns += now_ns() - start;
	}
	printf("mount_ns_per_op %lld\numount_ns_per_op %lld\n",
	       mount_ns / count, umount_ns / count);
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
	long count = argc == 3 ? strtol(argv[2], NULL, 10) : 0;

	if (argc == 3 && !strcmp(argv[1], "read"))
		return read_once(argv[2]);
	if (argc != 3 || count <= 0) {
		fprintf(stderr, "usage: mount_bench bind|tmpfs N | read FILE\n");
		return 2;
	}
	if (!strcmp(argv[1], "bind"))
		return mount_loop(count, 0);
	if (!strcmp(argv[1], "tmpfs"))
		return mount_loop(count, 1);
	fprintf(stderr, "mount_bench: unknown mode %s\n", argv[1]);
	return 2;
}
