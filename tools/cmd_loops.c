// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch loops: the peer groups that propagate into themselves, in every
 * namespace, and the mountpoints mounted over and over; read live from
 * mountinfo, with or without the module.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "data.h"
#include "loops.h"
#include "output.h"
#include "util.h"
#include "who.h"
#include "whocols.h"

struct loop_view {
	const struct mw_who *who;	/* first: the who-columns read it */
	const struct ns_mounts *nm;
	const struct mw_loop *loop;		/* NULL in a repeat row */
	const struct mw_repeat *repeat;
};

#define LOOP_GET(fn, body)						\
static void fn(const void *row, struct cell *c)				\
{									\
	const struct loop_view *v = row;				\
	body;								\
}

LOOP_GET(lp_ns, mw_cell_int(c, (int64_t)v->nm->ns))
LOOP_GET(lp_group, mw_cell_int(c, (int64_t)v->loop->group))
LOOP_GET(lp_factor, mw_cell_int(c, v->loop->factor))
LOOP_GET(lp_nested, mw_cell_int(c, v->loop->nested))
LOOP_GET(lp_outer, mw_cell_str(c, v->loop->outer))
LOOP_GET(lp_inner, mw_cell_str(c, v->loop->inner))
LOOP_GET(lp_mounts, mw_cell_int(c, v->nm->mi.n))
LOOP_GET(lp_members, mw_cell_int(c, v->loop->members))
LOOP_GET(lp_fed_by, mw_cell_int(c, v->loop->fed_by ? (int64_t)v->loop->fed_by : MW_NONE))
LOOP_GET(rp_count, mw_cell_int(c, v->repeat->count))
LOOP_GET(rp_path, mw_cell_str(c, v->repeat->mountpoint))

const struct column mw_loop_columns[] = {
	{ "NS", "ns", 10, COL_RIGHT | COL_DEFAULT, "mount namespace id", lp_ns },
	{ "GROUP", "group", 5, COL_RIGHT | COL_DEFAULT, "peer group that propagates into itself (shared:N)", lp_group },
	{ "FACTOR", "factor", 6, COL_RIGHT | COL_DEFAULT, "mounts one more mount on the group lands on", lp_factor },
	{ "NESTED", "nested", 6, COL_RIGHT | COL_DEFAULT, "receivers mounted beneath a member", lp_nested },
	{ "MOUNTS", "mounts", 6, COL_RIGHT, "mountinfo lines of the namespace", lp_mounts },
	{ "MOUNTPOINT", "mountpoint", 10, COL_DEFAULT, "member the loop starts from (mountinfo escapes)", lp_outer },
	{ "INSIDE", "inside", 6, COL_DEFAULT, "first receiver mounted beneath it", lp_inner },
	WHO_PIDS,
	WHO_COMM,
	WHO_CONTAINER,
	WHO_POD,
	{ "MEMBERS", "members", 7, COL_RIGHT, "members of the group here (shared:N); 0: all elsewhere", lp_members },
	{ "FED-BY", "fed_by", 10, COL_RIGHT | COL_DEFAULT, "with no member here: a namespace holding one, whose mounts come in", lp_fed_by },
	WHO_NAME,
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct column repeat_columns[] = {
	{ "NS", "ns", 10, COL_RIGHT | COL_DEFAULT, NULL, lp_ns },
	{ "COUNT", "count", 5, COL_RIGHT | COL_DEFAULT, NULL, rp_count },
	{ "REPEATED-MOUNTPOINT", "mountpoint", 10, COL_DEFAULT, NULL, rp_path },
	WHO_PIDS,
	WHO_COMM,
	WHO_CONTAINER,
	WHO_POD,
	WHO_NAME,
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static int cmp_loops(const void *a, const void *b)
{
	const struct loop_view *x = a, *y = b;
	int64_t fx = x->loop ? x->loop->factor : x->repeat->count;
	int64_t fy = y->loop ? y->loop->factor : y->repeat->count;

	if (fx != fy)
		return fx > fy ? -1 : 1;
	return (x->nm->ns > y->nm->ns) - (x->nm->ns < y->nm->ns);
}

static int cmd_loops(const struct opts *o)
{
	const struct column *sel[MAX_SELECTED], *rsel[MAX_SELECTED];
	struct loop_view *loops = NULL, *repeats = NULL;
	int nsel, nrsel, nloops = 0, nrepeats = 0, i, k, ret;
	struct data d;

	nsel = mw_select_columns(mw_loop_columns, o->columns, o->json, sel);
	if (nsel < 0)
		return MW_EXIT_USAGE;
	nrsel = mw_select_columns(repeat_columns, NULL, true, rsel);
	memset(&d, 0, sizeof(d));
	ret = mw_load_loops(o, &d);
	if (ret)
		goto out;
	loops = calloc(d.nloops + 1, sizeof(*loops));
	repeats = calloc(d.nmounts * MW_REPEAT_TOP + 1, sizeof(*repeats));
	if (!loops || !repeats) {
		ret = MW_EXIT_ERROR;
		goto out;
	}
	for (i = 0; i < d.nmounts; i++) {
		const struct ns_mounts *nm = &d.mounts[i];

		for (k = 0; k < nm->found.nloops; k++) {
			loops[nloops].who = nm->who;
			loops[nloops].nm = nm;
			loops[nloops++].loop = &nm->found.loops[k];
		}
		for (k = 0; k < nm->found.ntop; k++) {
			repeats[nrepeats].who = nm->who;
			repeats[nrepeats].nm = nm;
			repeats[nrepeats++].repeat = &nm->found.top[k];
		}
	}
	qsort(loops, nloops, sizeof(*loops), cmp_loops);
	qsort(repeats, nrepeats, sizeof(*repeats), cmp_loops);

	if (o->json) {
		printf("{\"source\": \"mountinfo\", \"loops\": ");
		mw_print_json_array(stdout, sel, nsel, loops, sizeof(*loops), nloops);
		printf(", \"repeated\": ");
		mw_print_json_array(stdout, rsel, nrsel, repeats, sizeof(*repeats),
				    nrepeats);
		printf("}\n");
		goto out;
	}
	if (nloops)
		mw_print_rows(stdout, sel, nsel, loops, sizeof(*loops), nloops,
			      NULL, NULL, false, o->noheadings, d.now_us);
	else if (nrepeats)
		printf("No live propagation loop in %d mount namespace%s.\n",
		       d.nmounts, d.nmounts == 1 ? "" : "s");
	else
		printf("No live propagation loop in %d mount namespace%s; no mountpoint is mounted %d times or more.\n",
		       d.nmounts, d.nmounts == 1 ? "" : "s", MW_REPEAT_MIN);
	if (nrepeats) {
		putchar('\n');
		mw_print_rows(stdout, rsel, nrsel, repeats, sizeof(*repeats),
			      nrepeats, NULL, NULL, false, o->noheadings,
			      d.now_us);
	}
out:
	free(loops);
	free(repeats);
	mw_data_free(&d);
	return ret;
}

const struct cmd loops_command = {
	.name = "loops",
	.run = cmd_loops,
	.help = "  loops      live propagation loops and repeated mountpoints, from mountinfo",
	.takes = TAKES_TABLE,
	.columns = mw_loop_columns,
};
