// SPDX-License-Identifier: GPL-2.0
/*
 * A reader that races a module's init, for run_vm.sh, inside the VM:
 *
 *   hold_open FILE STOP
 *
 * tries to open FILE as fast as it can until it succeeds or the file STOP
 * appears. Once FILE is open it waits for STOP, then one more second, and
 * closes it: a module whose init failed after FILE appeared is gone by then,
 * and the close calls into what it left. Prints "opened" or "never opened";
 * exits 0 if it opened FILE, 1 if not.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "vmbin.h"

int main(int argc, char **argv)
{
	int fd = -1;

	if (argc != 3) {
		fprintf(stderr, "usage: hold_open FILE STOP\n");
		return 2;
	}
	while (fd < 0 && access(argv[2], F_OK))
		fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		puts("never opened");
		return 1;
	}
	puts("opened");
	fflush(stdout);
	while (access(argv[2], F_OK))
		usleep(10000);
	sleep(1);
	if (close(fd))
		die("close");
	return 0;
}
