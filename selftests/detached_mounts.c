// SPDX-License-Identifier: GPL-2.0
/*
 * xfstests generic/632's pattern, for kselftests_vm.sh inside the VM:
 * detached trees attached onto a shared mount and unmounted again, the path
 * whose accounting ee2e3f50629f (5.12, and its stable backports) fixed: the
 * namespace's mount counter went below zero, and every mount after failed
 * with ENOSPC.
 *
 *   detached_mounts ROUNDS DIR STOP
 *
 * In a mount namespace of its own: a tmpfs on DIR/shared made shared, with a
 * peer bind of it on DIR/peer, so every attach propagates once; a tree of
 * two tmpfs mounts on DIR/src. Each round makes a detached tree, a clone of
 * DIR/src by open_tree(OPEN_TREE_CLONE | AT_RECURSIVE) or a new tmpfs by
 * fsmount() in turn, attaches it on DIR/shared/t by move_mount() and
 * unmounts it (MNT_DETACH). Any failure (an ENOSPC among them) exits 1.
 * Then it prints "ready MOUNTS", the lines of its mountinfo, and holds the
 * namespace until the file STOP appears, for the caller to compare with the
 * kernel's counter.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vmbin.h"

static char path[3][4096];

static void at(int which, const char *dir, const char *name)
{
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
}

static void tmpfs(const char *where)
{
	if (mkdir(where, 0755) && errno != EEXIST)
		die(where);
	if (mount("detached", where, "tmpfs", 0, NULL))
		die(where);
}

/* a new tmpfs, detached: fsopen(), FSCONFIG_CMD_CREATE, fsmount() */
static int new_tmpfs(void)
{
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0)
		die("fsopen");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		die("fsconfig");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die("fsmount");
	close(fs);
	return mnt;
}

static long mountinfo_lines(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	long lines = 0;
	int c;

	if (!f)
		die("/proc/self/mountinfo");
	while ((c = getc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	return lines;
}

int main(int argc, char **argv)
{
	char target[4200], sub[4200];
	long rounds, i;
	int tree;

	if (argc != 4 || (rounds = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: detached_mounts ROUNDS DIR STOP\n");
		return 2;
	}
	if (unshare(CLONE_NEWNS))
		die("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private /");
	tmpfs(argv[2]);
	at(0, argv[2], "shared");
	at(1, argv[2], "peer");
	at(2, argv[2], "src");
	tmpfs(path[0]);
	if (mount(NULL, path[0], NULL, MS_SHARED, NULL))
		die("make shared");
	snprintf(target, sizeof(target), "%s/t", path[0]);
	if (mkdir(target, 0755) || mkdir(path[1], 0755))
		die("mkdir");
	if (mount(path[0], path[1], NULL, MS_BIND, NULL))
		die("peer bind");
	tmpfs(path[2]);
	snprintf(sub, sizeof(sub), "%s/sub", path[2]);
	tmpfs(sub);

	for (i = 0; i < rounds; i++) {
		if (i % 2)
			tree = new_tmpfs();
		else
			tree = open_tree(AT_FDCWD, path[2],
					 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0)
			die("open_tree");
		if (move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH))
			die("move_mount");
		if (umount2(target, MNT_DETACH))
			die("umount");
		close(tree);
	}
	printf("ready %ld\n", mountinfo_lines());
	fflush(stdout);
	while (access(argv[3], F_OK))
		usleep(10000);
	return 0;
}
