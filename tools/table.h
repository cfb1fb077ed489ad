/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's debugfs files as records: the tables namespaces, events and
 * growth, and the "key value" lines of status (table.c).
 */
#ifndef MNTWATCH_TABLE_H
#define MNTWATCH_TABLE_H

#include "audit.h"
#include "util.h"

#include "../module/schema.h"

/* the only debugfs format we read */
#define MW_FORMAT_STR(n)	#n
#define MW_FORMAT_OF(n)		MW_FORMAT_STR(n)
#define MW_TABLE_FORMAT		MW_FORMAT_OF(MNTWATCH_FORMAT)

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

/*
 * --- the module's rows, one member per column of module/schema.h, of the
 * C type of its kind; a column the module printed as "-", or left out,
 * holds its kind's unknown: MW_NONE, 0 for an id, "" for a string.
 */
#define MW_WORD_LEN	24	/* live, mnt-namespaces, move_mount, ... */

#define MW_CTYPE_id		uint64_t
#define MW_CTYPE_num		int64_t
#define MW_CTYPE_snum		int64_t
#define MW_CTYPE_pct		int64_t		/* 0.1 % */
#define MW_CTYPE_time		int64_t		/* epoch microseconds */
#define MW_CTYPE_hex		int64_t
#define MW_CTYPE_comm		char
#define MW_CTYPE_word		char
#define MW_CTYPE_syscall	char
#define MW_CTYPE_str		char		/* \ooo escapes decoded */
#define MW_CDIM_id
#define MW_CDIM_num
#define MW_CDIM_snum
#define MW_CDIM_pct
#define MW_CDIM_time
#define MW_CDIM_hex
#define MW_CDIM_comm		[MW_COMM_LEN]
#define MW_CDIM_word		[MW_WORD_LEN]
#define MW_CDIM_syscall		[MW_WORD_LEN]
#define MW_CDIM_str		[MW_ARG_LEN]

#define MW_MEMBER(name, kind, member, required, value, shown) \
	MW_CTYPE_##kind member MW_CDIM_##kind;

/* a mount namespace: the module's row, or one counted live */
struct mw_ns {
#define MW_NAMESPACES_COL MW_MEMBER
#include "../module/schema.h"
	const char *source;		/* "module", or "live": counted now */
	struct mw_audit audit;		/* its counter against its mounts */
};

/* a refused mount or namespace */
struct mw_event {
#define MW_EVENTS_COL MW_MEMBER
#include "../module/schema.h"
};

/* An attach that grew a namespace: the module's growth file. */
struct mw_growth {
#define MW_GROWTH_COL MW_MEMBER
#include "../module/schema.h"
};

/* every column of a row at its kind's unknown, as a "-" reads */
void mw_ns_unknown(struct mw_ns *row);

int mw_parse_growth(const struct mw_table *tbl, struct mw_growth **out,
		    char *err, size_t errlen);
bool mw_event_is_nscount(const struct mw_event *ev);

/* The module's table @name ("namespaces", ...) as records in *@out. */
int mw_parse_table(const struct mw_table *tbl, const char *name, void **out,
		   char *err, size_t errlen);
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
