// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace churn for selftests/churn.sh, run inside the VM:
 *
 *   ns_churn COUNT [WORKERS]
 *
 * creates and destroys COUNT mount namespaces: WORKERS processes (default 2)
 * each fork children one after the other; a child does unshare(CLONE_NEWNS),
 * mounts one tmpfs on /mnt and exits, which frees its namespace. Prints
 * "namespaces N" and "ns_per_namespace T" (CLOCK_MONOTONIC nanoseconds of wall
 * time per namespace); exits 1 if any child failed.
 *
 *   ns_churn COUNT unshare
 *
 * the quick way to many namespaces: one process calls unshare(CLONE_NEWNS)
 * COUNT times, each new namespace freeing the one before, with no mount.
 *
 *   ns_churn COUNT fail
 *
 * the quick way to many ENOSPC events: COUNT tmpfs mounts on /mnt in a new
 * namespace, each of which must fail with ENOSPC (the caller lowered
 * fs.mount-max).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "vmbin.h"

/* One worker: COUNT namespaces in a row; returns how many failed. */
static long churn(long count)
{
	long i, failed = 0;
	int status;
	pid_t pid;

	for (i = 0; i < count; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			if (unshare(CLONE_NEWNS))
				_exit(2);
			if (mount("churn", "/mnt", "tmpfs", 0, NULL))
				_exit(3);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			if (!failed)
				fprintf(stderr, "ns_churn: child failed (status 0x%x)\n", status);
			failed++;
		}
	}
	return failed;
}

/* COUNT namespaces made by this process in a row, each replacing the last. */
static void unshare_only(long count)
{
	long long start = now_ns();
	long i;

	for (i = 0; i < count; i++)
		if (unshare(CLONE_NEWNS))
			die("unshare");
	printf("namespaces %ld\nns_per_namespace %lld\n", count,
	       (now_ns() - start) / count);
}

/* COUNT mounts refused with ENOSPC. */
static void fail_only(long count)
{
	long i;

	if (unshare(CLONE_NEWNS))
		die("unshare");
	for (i = 0; i < count; i++) {
		errno = 0;
		if (!mount("fail", "/mnt", "tmpfs", 0, NULL) || errno != ENOSPC)
			die("a mount that should fail with ENOSPC");
	}
	printf("failed_mounts %ld\n", count);
}

int main(int argc, char **argv)
{
	long count, workers = 2, w, share, failed = 0;
	long long start;
	int status;
	pid_t pid;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: ns_churn COUNT [WORKERS|unshare|fail]\n");
		return 2;
	}
	count = strtol(argv[1], NULL, 10);
	if (argc == 3 && !strcmp(argv[2], "unshare") && count > 0) {
		unshare_only(count);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[2], "fail") && count > 0) {
		fail_only(count);
		return 0;
	}
	if (argc == 3)
		workers = strtol(argv[2], NULL, 10);
	if (count < 1 || workers < 1 || workers > 64) {
		fprintf(stderr, "ns_churn: bad COUNT or WORKERS\n");
		return 2;
	}
	start = now_ns();
	for (w = 0; w < workers; w++) {
		share = count / workers + (w < count % workers);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(churn(share) ? 1 : 0);
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	if (errno != ECHILD)
		die("wait");
	printf("namespaces %ld\nns_per_namespace %lld\n", count,
	       (now_ns() - start) / count);
	return failed ? 1 : 0;
}
