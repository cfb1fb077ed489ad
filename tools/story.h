/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stories of mntwatch explain: what happened, told from the module's
 * tables. The evidence is read once into a struct mw_case; each story
 * (tools/stories/<name>.c) says whether it fits, prints its part of the
 * explanation and gives its plan to fix it. A new story is one file and
 * one line in tools/stories/list.c.
 */
#ifndef MNTWATCH_STORY_H
#define MNTWATCH_STORY_H

#include "explain.h"
#include "plan.h"

/* Attaches that multiply a namespace at least this much are steps of a loop. */
#define MW_STEP_FACTOR		1.5
/* fs/namespace.c: sysctl_mount_max's initial value */
#define MW_DEFAULT_MOUNT_MAX	100000
/* more mounts than this in one namespace are no ordinary host or container */
#define MW_NORMAL_MOUNTS	1000

/* What the growth history of one namespace says. */
struct mw_steps {
	const struct mw_growth *g[64];
	int n;
	int steps;		/* attaches that multiplied it, MW_STEP_FACTOR+ */
	double step_lo, step_hi;	/* growth from one such step to the next */
	double step;		/* the last of them: what the next step brings */
	int foreign, gone;	/* attaches from other namespaces; gone now */
	const struct mw_growth *last_step;	/* the last that multiplied it */
	uint64_t caller;	/* their caller's namespace, if only one */
	bool one_caller;
};

struct mw_story;
#define MW_STORIES_MAX	16

/* The evidence every story reads, computed once from struct mw_explain_in. */
struct mw_case {
	const struct mw_explain_in *in;
	const struct mw_event *ev;	/* the failure a user saw */
	int nfallback;			/* runc's fallbacks among the events */
	int nfailing;			/* namespaces that failed */
	int64_t need;			/* mounted + pending + requested */
	int64_t fit;			/* mounted + requested */
	bool pending_decides;		/* fit alone is within the limit */
	bool self_loop;			/* every check hit the failing namespace */
	bool tail;			/* the small binds after a step failed */
	bool lineage;			/* born with its parent's mounts */
	double factor;			/* what one more step multiplies by */
	const struct mw_ns *grown;	/* whose growth tells the story */
	struct mw_steps gr;		/* that growth */
	const struct mw_loop *fed_loop;	/* the failing ns's, fed by the caller */
	const struct mw_loop *live_loop;	/* the failing ns's biggest now */
	const struct mw_container *target;	/* whose files the target is in */
	const struct mw_ns *now;	/* the failing namespace's row now */
	const struct mw_who *holder;	/* who lives in it now */
	int64_t prior_max;		/* fs.mount-max before it was lowered */
	const struct mw_story *matched[MW_STORIES_MAX];
	int nmatched;
};

/* Where in explain's text a story's part goes. */
enum mw_slot {
	MW_SLOT_WHOLE,		/* it is the whole explanation */
	MW_SLOT_LIMIT,		/* after the sum that broke the limit */
	MW_SLOT_GROWTH,		/* in the growth history, on its callers */
	MW_SLOT_PATTERN,	/* after the growth: what happened */
};

struct mw_story {
	const char *name;
	enum mw_slot slot;
	bool names_caller;	/* the caller's namespace is part of the story */
	bool owns_limit;	/* its plan says what to do with fs.mount-max */
	bool (*match)(const struct mw_case *c);
	void (*print)(FILE *out, const struct mw_case *c);	/* NULL: none */
	/* adds its plan; true if it is one a test has run, NULL: none */
	bool (*plan)(const struct mw_case *c, struct mw_plan *plan);
};

extern const struct mw_story *const mw_stories[];

bool mw_case_read(struct mw_case *c, const struct mw_explain_in *in,
		  uint64_t ns);
bool mw_case_has(const struct mw_case *c, const struct mw_story *story);
void mw_case_plan(const struct mw_case *c, struct mw_plan *plan);
void mw_explain_plan(FILE *out, const struct mw_case *c);

/* explain.c's phrases, shared with the stories */
bool mw_is_gone(const struct mw_ns *row);
const struct mw_ns *mw_row_now(const struct mw_explain_in *in, uint64_t id);
void mw_print_pids(FILE *out, const struct mw_who *who);
void mw_print_ns_at(FILE *out, const struct mw_explain_in *in, uint64_t id,
		    int64_t when_us);
void mw_print_ns(FILE *out, const struct mw_explain_in *in, uint64_t id);
bool mw_same_factor(double a, double b);

extern const struct mw_story mw_story_accounting, mw_story_nscount, mw_story_docker_cp,
	mw_story_restart_loop, mw_story_loop_in_place, mw_story_lowered_limit,
	mw_story_big_namespace, mw_story_foreign, mw_story_runc_fallback;

#endif
