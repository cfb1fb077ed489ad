// SPDX-License-Identifier: GPL-2.0
/*
 * A namespace's mountinfo read from inside it, for the namespaces no process
 * lives in (census.c) and those whose processes' /proc cannot show it
 * (who.c, data.c): a leaf that both can call.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nsenter.h"

/*
 * The mountinfo of the namespace behind @nsfile, read by a child that
 * enters it: a pipe carries the text back. NULL where setns is refused.
 */
char *mw_ns_mountinfo(const char *nsfile)
{
	size_t used = 0, cap = 65536;
	char *text = malloc(cap);
	int pipefd[2], status;
	pid_t child;
	ssize_t got;

	if (!text || pipe2(pipefd, O_CLOEXEC)) {
		free(text);
		return NULL;
	}
	child = fork();
	if (child == 0) {
		int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		int ns = open(nsfile, O_RDONLY | O_CLOEXEC);
		int mi, ok = 1;
		char buf[65536];

		close(pipefd[0]);
		if (proc < 0 || ns < 0 || setns(ns, CLONE_NEWNS))
			_exit(1);
		/* our /proc, still open: "self" is this child, now in @ns */
		mi = openat(proc, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
		if (mi < 0)
			_exit(1);
		while ((got = read(mi, buf, sizeof(buf))) > 0)
			ok &= write(pipefd[1], buf, got) == got;
		_exit(got == 0 && ok ? 0 : 1);
	}
	close(pipefd[1]);
	if (child < 0) {
		close(pipefd[0]);
		free(text);
		return NULL;
	}
	for (;;) {
		if (cap - used < 2) {
			char *bigger = realloc(text, cap * 2);

			if (!bigger)
				break;
			text = bigger;
			cap *= 2;
		}
		got = read(pipefd[0], text + used, cap - used - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		used += got;
	}
	close(pipefd[0]);
	if (cap - used < 2)
		kill(child, SIGKILL);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		free(text);
		return NULL;
	}
	text[used] = '\0';
	return text;
}
