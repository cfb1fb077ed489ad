/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A plan to give the node back: shell commands, each with the reason a
 * person reads before it runs (what it stops or frees, what it costs),
 * least destructive first. The stories make them (stories/), explain and
 * fix print them, fix --apply runs them (fix.c) after checking that what
 * each acts on is still what it was.
 */
#ifndef MNTWATCH_PLAN_H
#define MNTWATCH_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MW_PLAN_NOTES	4
#define MW_PLAN_STEPS	8
#define MW_PLAN_LEN	1024
#define MW_PLAN_PATH	4096

enum mw_fix_kind {
	MW_FIX_SYSCTL,		/* sysctl -w KEY=VALUE */
	MW_FIX_CONF,		/* edits FILE's LINE, which sets KEY at boot */
	MW_FIX_MOUNT,		/* acts on PATH in the mount namespace of PID */
};

/* What a mount step is for, checked after it runs. */
enum mw_fix_expect {
	MW_EXPECT_FEWER,	/* fewer mounts at and under path */
	MW_EXPECT_PRIVATE,	/* no mount at or under path propagates */
};

/* A mount step acts through the shell's own namespace, not a process's. */
#define MW_FIX_SELF	0

struct mw_fix {
	enum mw_fix_kind kind;
	enum mw_fix_expect expect;	/* mount */
	char why[MW_PLAN_LEN];		/* the comment: may hold newlines */
	char cmd[MW_PLAN_LEN];		/* one line of shell */
	char key[64];			/* sysctl, conf: fs.mount-max */
	int64_t value;			/* what it sets; conf: INT64_MIN comments out */
	int64_t from;			/* conf: what the line sets now; INT64_MIN none */
	char file[MW_PLAN_PATH];	/* conf: as the node names it */
	int line;			/* conf: 1-based; 0: a new file */
	int pid;			/* mount: a process in ns, or MW_FIX_SELF */
	uint64_t ns;			/* mount: the namespace it acts in */
	char path[MW_PLAN_PATH];	/* mount: a mountpoint there */
};

struct mw_plan {
	const char *story;		/* the story whose plan this is; NULL */
	uint64_t ns;			/* the namespace that failed */
	bool known;			/* a story here has a plan proven by a test */
	char notes[MW_PLAN_NOTES][MW_PLAN_LEN];	/* prose for explain */
	int nnotes;
	struct mw_fix steps[MW_PLAN_STEPS];
	int nsteps;
	char done[MW_PLAN_LEN];		/* known, no steps: why nothing is left */
};

void mw_plan_note(struct mw_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct mw_fix *mw_plan_step(struct mw_plan *plan, enum mw_fix_kind kind);
struct mw_fix *mw_plan_mount(struct mw_plan *plan, enum mw_fix_expect expect,
			     int pid, uint64_t ns, const char *path);
void mw_fix_why(struct mw_fix *fix, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mw_fix_cmd(struct mw_fix *fix, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mw_shell_quote(char *buf, size_t len, const char *s);

void mw_fix_print_sh(FILE *out, const struct mw_fix *fix, const char *indent);
void mw_plan_print_sh(FILE *out, const struct mw_plan *plan,
		      const char *indent);

#endif
