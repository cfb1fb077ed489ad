// SPDX-License-Identifier: GPL-2.0
/* mntwatch watch: the ns table, redrawn until interrupted. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include "cmd.h"
#include "data.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Draw each frame off-screen, then in one write: no flicker. */
static int cmd_watch(const struct opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char when[64];
	int ret = 0;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		char *frame = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&frame, &len);
		struct timespec ts;

		if (!mem)
			return MW_EXIT_ERROR;
		mw_format_time(when, sizeof(when), mw_now_us());
		fprintf(mem, "\033[H\033[2Jmntwatch ns, every %gs: %s\n\n",
			o->interval, when);
		fflush(mem);
		ret = cmd_ns(o, mem);
		fclose(mem);
		if (ret == MW_EXIT_USAGE) {
			free(frame);
			return ret;
		}
		fwrite(frame, 1, len, stdout);
		fflush(stdout);
		free(frame);
		ts.tv_sec = (time_t)o->interval;
		ts.tv_nsec = (long)((o->interval - ts.tv_sec) * 1e9);
		while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return MW_EXIT_OK;
}

const struct cmd watch_command = {
	.name = "watch",
	.run = cmd_watch,
	.help = "  watch      the namespace table, refreshed until interrupted",
	.takes = TAKES_COLUMNS | TAKES_NOHEAD | TAKES_LIST | TAKES_ALL | TAKES_INTERVAL,
	.columns = mw_ns_columns,
	.own_exit = true,
};
