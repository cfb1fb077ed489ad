// SPDX-License-Identifier: GPL-2.0
/*
 * runc's silent fallback: runc init binds its own binary (/proc/self/exe)
 * and copies it instead when that mount fails, so no command reports the
 * ENOSPC. The events still say the namespace receiving it was full.
 */
#include "../pattern.h"
#include "../story.h"
#include "../util.h"

static bool match(const struct mw_case *c)
{
	return c->nfallback > 0;
}

static void print(FILE *out, const struct mw_case *c)
{
	const struct mw_explain_in *in = c->in;
	const struct mw_event *last = NULL;
	char target[4 * MW_ARG_LEN];
	int i;

	for (i = 0; i < in->nev; i++)
		if (mw_event_fallback(&in->ev[i]))
			last = &in->ev[i];
	mw_escape(target, sizeof(target), last->target);
	fprintf(out, "\nSilent fallbacks: %d of the %d events %s runc init binding its own binary\n"
		"  (/proc/self/exe onto %s, comm %s): runc copies the binary instead when that\n"
		"  mount fails, so no command failed. They say that the namespace receiving that directory,\n  ",
		c->nfallback, in->nev, c->nfallback == 1 ? "was" : "were",
		target, last->comm);
	mw_print_ns_at(out, in, last->failing_ns, last->time_us);
	fprintf(out, ", was full then.\n");
}

const struct mw_story mw_story_runc_fallback = {
	.name = "runc-fallback",
	.slot = MW_SLOT_PATTERN,
	.match = match,
	.print = print,
};
