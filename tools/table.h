/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's debugfs files as records: the tables namespaces, events and
 * growth, and the "key value" lines of status (table.c).
 */
#ifndef MNTWATCH_TABLE_H
#define MNTWATCH_TABLE_H

#include "util.h"

#define MW_TABLE_FORMAT		"1"	/* the only debugfs format we read */

/* --- a whitespace-separated table with a header line naming its columns */
struct mw_table {
	char *text;		/* the file, split in place */
	char **cols;		/* header names */
	int ncols;
	char ***rows;		/* rows[r][c] */
	int nrows;
};

int mw_table_parse(struct mw_table *tbl, char *text, char *err, size_t errlen);
void mw_table_free(struct mw_table *tbl);
int mw_table_col(const struct mw_table *tbl, const char *name);

/* --- the module's rows, fields the module left out are MW_NONE */
struct mw_ns {
	uint64_t ns;
	int64_t mounts, pending, max;
	int64_t use_permille;		/* (mounts + pending) / max, 0.1 % */
	int64_t peak, checks, enospc;
	int64_t last_fail_us;		/* epoch microseconds */
	int64_t last_pid, last_requested;
	char last_comm[MW_COMM_LEN];	/* "" when unknown */
	char state[8];			/* live, gone */
	const char *source;		/* "module", or "live": counted now */
	uint64_t parent;		/* copied from, 0: unknown */
	int64_t born_mounts, born_us;
};

struct mw_event {
	int64_t time_us;
	int64_t pid;
	char comm[MW_COMM_LEN];
	uint64_t caller_ns, failing_ns;
	int64_t mounts, pending, max, requested;
	int64_t result, touched, checks;
	char limit[16];			/* mount-max, mnt-namespaces */
	int64_t userns, ns_count, seq;
	/* the failing call, decoded from the module's escapes; "" unknown */
	char syscall[24];		/* mount, move_mount, ..., or a number */
	int64_t flags;			/* mount's or move_mount's, MW_NONE */
	char source[MW_ARG_LEN], target[MW_ARG_LEN];
	char cgroup[MW_ARG_LEN];	/* the caller's cgroup v2 path then */
};

/* An attach that grew a namespace: the module's growth file. */
struct mw_growth {
	uint64_t ns;
	int64_t time_s, before, after;
	uint64_t caller_ns;
	char state[8];
};

int mw_parse_growth(const struct mw_table *tbl, struct mw_growth **out,
		    char *err, size_t errlen);
bool mw_event_is_nscount(const struct mw_event *ev);

int mw_parse_namespaces(const struct mw_table *tbl, struct mw_ns **out,
			char *err, size_t errlen);
int mw_parse_events(const struct mw_table *tbl, struct mw_event **out,
		    char *err, size_t errlen);
int64_t mw_parse_time_us(const char *s);
/* status: "key value" lines; value is the rest of the line */
struct mw_status {
	char *text;
	char **keys, **values;
	int n;
};

int mw_status_parse(struct mw_status *st, char *text, char *err, size_t errlen);
const char *mw_status_get(const struct mw_status *st, const char *key);
int64_t mw_status_num(const struct mw_status *st, const char *key);
void mw_status_free(struct mw_status *st);

#endif
