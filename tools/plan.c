// SPDX-License-Identifier: GPL-2.0
/* A plan's steps, as a person reads them and as data (plan.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "plan.h"

void mw_plan_note(struct mw_plan *plan, const char *fmt, ...)
{
	va_list ap;

	if (plan->nnotes >= MW_PLAN_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(plan->notes[plan->nnotes++], MW_PLAN_LEN, fmt, ap);
	va_end(ap);
}

/* A new step, zeroed; NULL when the plan is full (it never is). */
struct mw_fix *mw_plan_step(struct mw_plan *plan, enum mw_fix_kind kind)
{
	struct mw_fix *fix;

	if (plan->nsteps >= MW_PLAN_STEPS)
		return NULL;
	fix = &plan->steps[plan->nsteps++];
	memset(fix, 0, sizeof(*fix));
	fix->kind = kind;
	return fix;
}

/* A new step acting on @path in namespace @ns through @pid. */
struct mw_fix *mw_plan_mount(struct mw_plan *plan, enum mw_fix_expect expect,
			     int pid, uint64_t ns, const char *path)
{
	struct mw_fix *fix = mw_plan_step(plan, MW_FIX_MOUNT);

	if (!fix)
		return NULL;
	fix->expect = expect;
	fix->pid = pid;
	fix->ns = ns;
	snprintf(fix->path, sizeof(fix->path), "%s", path);
	return fix;
}

void mw_fix_why(struct mw_fix *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fix->why, sizeof(fix->why), fmt, ap);
	va_end(ap);
}

void mw_fix_cmd(struct mw_fix *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fix->cmd, sizeof(fix->cmd), fmt, ap);
	va_end(ap);
}

/* @s as one shell word: as it is when it needs no quoting, else '...'. */
void mw_shell_quote(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789/._-+=:,@%") == strlen(s)) {
		snprintf(buf, len, "%s", s);
		return;
	}
	if (len < 3) {
		buf[0] = '\0';
		return;
	}
	buf[o++] = '\'';
	for (; *s && o + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

/* A step: its reason as # lines, then its command; @indent before each. */
void mw_fix_print_sh(FILE *out, const struct mw_fix *fix, const char *indent)
{
	const char *line = fix->why;

	while (*line) {
		size_t n = strcspn(line, "\n");

		fprintf(out, "%s# %.*s\n", indent, (int)n, line);
		line += n + (line[n] == '\n');
	}
	fprintf(out, "%s%s\n", indent, fix->cmd);
}

void mw_plan_print_sh(FILE *out, const struct mw_plan *plan,
		      const char *indent)
{
	int i;

	for (i = 0; i < plan->nsteps; i++)
		mw_fix_print_sh(out, &plan->steps[i], indent);
}
