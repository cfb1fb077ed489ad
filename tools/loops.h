/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A namespace's mountinfo and the propagation loops in it (loops.c).
 */
#ifndef MNTWATCH_LOOPS_H
#define MNTWATCH_LOOPS_H

#include <stdint.h>

struct mw_mount {
	uint64_t id, parent;
	const char *dev;		/* major:minor */
	const char *root, *mountpoint;	/* with mountinfo's octal escapes */
	uint64_t shared, master;	/* peer group ids, 0 for none */
};

struct mw_mountinfo {
	char *text;
	struct mw_mount *mounts;
	int n;
};

int mw_mountinfo_parse(struct mw_mountinfo *mi, char *text);
void mw_mountinfo_free(struct mw_mountinfo *mi);

/* A peer group that propagates into itself. */
struct mw_loop {
	uint64_t group;		/* the peer group id (shared:N) */
	const char *outer;	/* mountpoint of the member it starts from */
	const char *inner;	/* first receiver mounted beneath it */
	int64_t nested;		/* receivers mounted beneath a member */
	int64_t factor;		/* mounts here that one more mount on it lands on */
	int64_t members;	/* shared:N here; 0: all in another namespace */
	uint64_t fed_by;	/* then: a namespace holding a member; 0 */
};

struct mw_repeat {
	const char *mountpoint;
	int64_t count;
};

#define MW_REPEAT_MIN	4	/* two doublings; a host mounts a path twice at most */
#define MW_REPEAT_WARN	16	/* four doublings: check warns */
#define MW_REPEAT_TOP	3

struct mw_loops {
	struct mw_loop *loops;
	int nloops;
	struct mw_repeat top[MW_REPEAT_TOP];	/* mounted MW_REPEAT_MIN+ times */
	int ntop;
	int64_t max_repeat;	/* most mounts on one mountpoint */
};

int mw_loops_find(const struct mw_mountinfo *mi, struct mw_loops *lp);
void mw_loops_free(struct mw_loops *lp);

#endif
