// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch fix [NS]: the commands that give the node back after the last
 * ENOSPC (or the last in namespace NS), as the story that fits it plans
 * them (stories/): each after the # lines that say what it stops or frees
 * and what it costs, so that `mntwatch fix | sh -e` is what a person runs.
 * --apply runs them one at a time, checking each before and after it.
 * Exit 0: a plan printed or applied; 1: nothing to run (no failure, done,
 * or no plan a test has proven); 2: an error, a refusal, a step that
 * failed or did not help.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "explain_data.h"
#include "fix.h"
#include "output.h"
#include "story.h"

enum { FIX_PLAN = 0, FIX_NOTHING = 1, FIX_ERROR = 2 };

static const char *const kind_names[] = {
	[MW_FIX_SYSCTL] = "sysctl", [MW_FIX_CONF] = "conf",
	[MW_FIX_MOUNT] = "mount",
};

static void print_step_json(FILE *out, const struct mw_fix *fix)
{
	fprintf(out, "{\"kind\":\"%s\",\"why\":", kind_names[fix->kind]);
	mw_json_str(out, fix->why);
	fprintf(out, ",\"command\":");
	mw_json_str(out, fix->cmd);
	if (fix->kind == MW_FIX_MOUNT) {
		fprintf(out, ",\"pid\":%d,\"ns\":%" PRIu64 ",\"path\":",
			fix->pid, fix->ns);
		mw_json_str(out, fix->path);
	} else {
		fprintf(out, ",\"key\":");
		mw_json_str(out, fix->key);
		if (fix->value == MW_NONE)
			fprintf(out, ",\"value\":null");
		else
			fprintf(out, ",\"value\":%" PRId64, fix->value);
	}
	if (fix->kind == MW_FIX_CONF) {
		fprintf(out, ",\"file\":");
		mw_json_str(out, fix->file);
		fprintf(out, ",\"line\":%d", fix->line);
	}
	fputc('}', out);
}

static void print_json(FILE *out, const struct mw_plan *plan)
{
	int i;

	fprintf(out, "{\"namespace\":%" PRIu64 ",\"story\":", plan->ns);
	if (plan->story)
		mw_json_str(out, plan->story);
	else
		fprintf(out, "null");
	fprintf(out, ",\"known\":%s,\"done\":", plan->known ? "true" : "false");
	if (plan->known && !plan->nsteps)
		mw_json_str(out, plan->done);
	else
		fprintf(out, "null");
	fprintf(out, ",\"notes\":[");
	for (i = 0; i < plan->nnotes; i++) {
		fprintf(out, "%s", i ? "," : "");
		mw_json_str(out, plan->notes[i]);
	}
	fprintf(out, "],\"steps\":[");
	for (i = 0; i < plan->nsteps; i++) {
		fprintf(out, "%s", i ? "," : "");
		print_step_json(out, &plan->steps[i]);
	}
	fprintf(out, "]}\n");
}

/* The plan as shell: a header saying what it is for, then the steps. */
static int print_sh(FILE *out, const struct mw_case *c,
		    const struct mw_plan *plan)
{
	fprintf(out, "# mntwatch fix: %s, after %s (pid %" PRId64 ") failed in ",
		plan->story ? plan->story : "no story", c->ev->comm, c->ev->pid);
	mw_print_ns_at(out, c->in, c->ev->failing_ns, c->ev->time_us);
	fputc('\n', out);
	if (!plan->known) {
		fprintf(out, "# no command that gives namespace %" PRIu64 " back in place has been proven by a\n"
			"# test yet, so none is printed: see mntwatch explain\n", plan->ns);
		return FIX_NOTHING;
	}
	if (!plan->nsteps) {
		fprintf(out, "# nothing left to do: %s\n", plan->done);
		return FIX_NOTHING;
	}
	mw_plan_print_sh(out, plan, "");
	return FIX_PLAN;
}

/* Runs @cmd with /bin/sh; its exit status, or -1. */
static int run_sh(const char *cmd)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Re-reads the tables: the plan as it stands after a step. */
static int reload(const struct opts *o, struct explain_data *x, uint64_t ns,
		  struct mw_case *c, struct mw_plan *plan)
{
	mw_data_free(&x->d);
	if (mw_explain_load(o, x, ns))
		return -1;	/* it freed what it read */
	if (!mw_case_read(c, &x->in, ns))
		return -1;
	mw_case_plan(c, plan);
	return 0;
}

/* Every step still applies to the node as it is; else say which not. */
static bool check_all(const struct mw_plan *plan, const char *procdir,
		      const char *sysroot, int from)
{
	char err[MW_PLAN_LEN];
	int i;

	for (i = from; i < plan->nsteps; i++)
		if (!mw_fix_check(&plan->steps[i], procdir, sysroot, err,
				  sizeof(err))) {
			mw_warnx("fix --apply: refusing step %d of %d: %s; %s",
				 i + 1, plan->nsteps, err,
				 i == from ? "stopped" : "nothing run");
			return false;
		}
	return true;
}

/*
 * Runs each step after checking it, re-reads the tables after it, and
 * stops at the first that fails or does not do what it is for.
 */
static int apply(const struct opts *o, struct explain_data *x, uint64_t ns,
		 struct mw_case *c, const struct mw_plan *plan)
{
	const char *procdir = o->procdir, *sysroot = x->sysroot;
	struct mw_plan now;
	char err[MW_PLAN_LEN];
	int64_t before;
	int i, rc;

	if (!check_all(plan, procdir, sysroot, 0))
		return FIX_ERROR;
	for (i = 0; i < plan->nsteps; i++) {
		const struct mw_fix *fix = &plan->steps[i];

		if (i && !check_all(plan, procdir, sysroot, i))
			return FIX_ERROR;
		before = mw_fix_measure(fix, procdir);
		printf("# step %d of %d:\n", i + 1, plan->nsteps);
		mw_fix_print_sh(stdout, fix, "");
		rc = run_sh(fix->cmd);
		if (rc) {
			mw_warnx("fix --apply: step %d of %d failed (exit %d): %s; stopped",
				 i + 1, plan->nsteps, rc, fix->cmd);
			return FIX_ERROR;
		}
		if (reload(o, x, ns, c, &now)) {
			mw_warnx("fix --apply: cannot re-read the tables after step %d; stopped",
				 i + 1);
			return FIX_ERROR;
		}
		if (!mw_fix_helped(fix, procdir, sysroot, before, err,
				   sizeof(err))) {
			mw_warnx("fix --apply: step %d of %d did not help: %s; stopped",
				 i + 1, plan->nsteps, err);
			return FIX_ERROR;
		}
	}
	printf("# done%s%s\n", now.nsteps ? "; still to do: mntwatch fix" :
	       ": ", now.nsteps ? "" : now.done);
	return FIX_PLAN;
}

static int cmd_fix(const struct opts *o)
{
	struct explain_data *x = calloc(1, sizeof(*x));
	struct mw_plan *plan = calloc(1, sizeof(*plan));
	struct mw_case c;
	int ret = FIX_ERROR;

	if (!x || !plan)
		goto out;
	/* its commands act on this node, whatever --proc reads */
	if (o->apply && strcmp(o->procdir, "/proc")) {
		mw_warnx("fix --apply acts on this node: it reads /proc, not %s",
			 o->procdir);
		goto out;
	}
	if (mw_explain_load(o, x, o->fix_ns))
		goto out;	/* it said why */
	if (!mw_case_read(&c, &x->in, o->fix_ns)) {
		if (o->fix_ns)
			printf("# nothing to fix: no ENOSPC recorded in namespace %" PRIu64 "\n",
			       o->fix_ns);
		else
			printf("# nothing to fix: no ENOSPC recorded since mntwatch.ko was loaded\n");
		ret = FIX_NOTHING;
	} else {
		mw_case_plan(&c, plan);
		if (o->json)
			print_json(stdout, plan);
		ret = o->json ? (plan->nsteps ? FIX_PLAN : FIX_NOTHING) :
			print_sh(stdout, &c, plan);
		if (o->apply && ret == FIX_PLAN)
			ret = apply(o, x, o->fix_ns, &c, plan);
	}
	mw_data_free(&x->d);
out:
	free(x);
	free(plan);
	return ret;
}

static const struct cmd_option fix_options[] = {
	{ "apply", OPT_APPLY, no_argument, TAKES_APPLY,
	  "--apply is an option of %s, without --json", NULL },
	{ NULL },
};

static int check_fix(struct opts *o)
{
	if (o->apply && o->json) {
		mw_warnx("--apply is an option of 'fix', without --json");
		return -1;
	}
	return 0;
}

const struct cmd fix_command = {
	.name = "fix",
	.run = cmd_fix,
	.help = "  fix        commands that give the node back (fix NS; -J; --apply runs them)",
	.takes = TAKES_JSON | TAKES_APPLY | TAKES_NS,
	.options = fix_options,
	.check = check_fix,
};
