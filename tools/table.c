// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for /sys/kernel/debug/mntwatch/{namespaces,events,growth,status}:
 * the tables' columns, their kinds and the record members they go to are
 * module/schema.h's lists.
 *
 * Columns are looked up by the name in the header line, never by position:
 * the module only ever appends columns, so an older mntwatch keeps working on
 * a newer module and a missing optional column reads as unknown.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"
#include "util.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Split at runs of blanks, in place; returns the field count. */
static int split_fields(char *line, char ***out)
{
	int n = 0, cap = 16;
	char **fields = malloc(cap * sizeof(*fields));
	char *p = line;

	if (!fields)
		return -1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == cap) {
			char **bigger = realloc(fields, 2 * cap * sizeof(*fields));

			if (!bigger) {
				free(fields);
				return -1;
			}
			fields = bigger;
			cap *= 2;
		}
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	*out = fields;
	return n;
}

void mw_table_free(struct mw_table *tbl)
{
	int r;

	for (r = 0; r < tbl->nrows; r++)
		free(tbl->rows[r]);
	free(tbl->rows);
	free(tbl->cols);
	free(tbl->text);
	memset(tbl, 0, sizeof(*tbl));
}

/*
 * Takes ownership of text. A row whose field count differs from the
 * header's is an error: a table we do not understand is not shown at all.
 */
int mw_table_parse(struct mw_table *tbl, char *text, char *err, size_t errlen)
{
	char *line, *next;
	int lineno = 1, cap = 64;

	memset(tbl, 0, sizeof(*tbl));
	tbl->text = text;
	next = strchr(text, '\n');
	if (next)
		*next++ = '\0';
	tbl->ncols = split_fields(text, &tbl->cols);
	if (tbl->ncols <= 0) {
		set_err(err, errlen, "empty or missing header line");
		goto fail;
	}
	tbl->rows = malloc(cap * sizeof(*tbl->rows));
	if (!tbl->rows)
		goto oom;
	for (line = next; line && *line; line = next) {
		char **fields;
		int n;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = split_fields(line, &fields);
		if (n < 0)
			goto oom;
		if (n == 0) {
			free(fields);
			continue;
		}
		if (n != tbl->ncols) {
			free(fields);
			set_err(err, errlen, "line %d has %d fields, header has %d",
				lineno, n, tbl->ncols);
			goto fail;
		}
		if (tbl->nrows == cap) {
			char ***bigger = realloc(tbl->rows,
						 2 * cap * sizeof(*tbl->rows));

			if (!bigger) {
				free(fields);
				goto oom;
			}
			tbl->rows = bigger;
			cap *= 2;
		}
		tbl->rows[tbl->nrows++] = fields;
	}
	return 0;
oom:
	set_err(err, errlen, "out of memory");
fail:
	mw_table_free(tbl);
	return -1;
}

int mw_table_col(const struct mw_table *tbl, const char *name)
{
	int c;

	for (c = 0; c < tbl->ncols; c++)
		if (!strcmp(tbl->cols[c], name))
			return c;
	return -1;
}

/* "1795740181.590020" -> microseconds; MW_NONE for "-" or garbage. */
int64_t mw_parse_time_us(const char *s)
{
	uint64_t sec = 0, usec = 0;
	int digits = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return MW_NONE;
	while (isdigit((unsigned char)*p))
		sec = sec * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) && digits < 6) {
			usec = usec * 10 + (*p++ - '0');
			digits++;
		}
		while (isdigit((unsigned char)*p))
			p++;
		for (; digits < 6; digits++)
			usec *= 10;
	}
	if (*p)
		return MW_NONE;
	return (int64_t)(sec * 1000000 + usec);
}

/* What a column holds, and so how its text is parsed into a record. */
enum col_kind {
	COL_INT,	/* int64_t, "-" is MW_NONE */
	COL_ID,		/* uint64_t namespace id */
	COL_TIME,	/* int64_t epoch microseconds, "-" is MW_NONE */
	COL_PERMILLE,	/* int64_t, "81.0" -> 810, "-" is MW_NONE */
	COL_STR,	/* char[size], "-" is "" */
	COL_ESC,	/* char[size], mountinfo's \ooo escapes decoded */
	COL_HEX,	/* int64_t, "0x5000", "-" is MW_NONE */
};

/* A column of a table and where its value goes in a record. */
struct col_spec {
	const char *name;
	bool required;		/* missing column or "-" is a format error */
	enum col_kind kind;
	size_t offset, size;
};

#define MW_MAX_COLUMNS	64	/* of a record; a table may have more */

/* A column of module/schema.h as a col_spec of the record MW_REC. */
#define MW_PARSE_id		COL_ID
#define MW_PARSE_num		COL_INT
#define MW_PARSE_snum		COL_INT
#define MW_PARSE_pct		COL_PERMILLE
#define MW_PARSE_time		COL_TIME
#define MW_PARSE_hex		COL_HEX
#define MW_PARSE_comm		COL_STR
#define MW_PARSE_word		COL_STR
#define MW_PARSE_syscall	COL_STR
#define MW_PARSE_str		COL_ESC
#define MW_SPEC(name, kind, member, required, value, shown) \
	{ #name, required, MW_PARSE_##kind, offsetof(MW_REC, member), \
	  sizeof(((MW_REC *)0)->member) },

/* Where each column of @spec is in @tbl's header, in @idx; -1: absent. */
static int find_cols(const struct mw_table *tbl, const struct col_spec *spec,
		     int *idx, const char *what, char *err, size_t errlen)
{
	for (; spec->name; spec++, idx++) {
		*idx = mw_table_col(tbl, spec->name);
		if (*idx < 0 && spec->required) {
			set_err(err, errlen, "%s: no column '%s' in header",
				what, spec->name);
			return -1;
		}
	}
	return 0;
}

/* "81.0" -> 810 */
static int64_t parse_permille(const char *s)
{
	int64_t us = mw_parse_time_us(s);	/* same shape: int.frac */

	return us == MW_NONE ? MW_NONE : us / 100000;
}

/* "0x5000" -> 0x5000, "-" -> MW_NONE; *ok false on anything else. */
static int64_t parse_hex(const char *s, bool *ok)
{
	char *end;
	unsigned long long v;

	*ok = true;
	if (!strcmp(s, "-"))
		return MW_NONE;
	if (strncmp(s, "0x", 2) || !isxdigit((unsigned char)s[2])) {
		*ok = false;
		return MW_NONE;
	}
	errno = 0;
	v = strtoull(s + 2, &end, 16);
	if (errno || *end || v > INT64_MAX)
		*ok = false;
	return (int64_t)v;
}

/* One field into its place in @rec; false when the text is not a value. */
static bool parse_field(const struct col_spec *spec, const char *text,
			char *rec)
{
	int64_t *num = (int64_t *)(rec + spec->offset);
	bool ok = true;

	switch (spec->kind) {
	case COL_INT:
		*num = mw_parse_opt_int(text, &ok);
		break;
	case COL_ID:
		/* a namespace count event names no mount namespace */
		if (!strcmp(text, "-")) {
			*(uint64_t *)(rec + spec->offset) = 0;
			return !spec->required;
		}
		return !mw_parse_u64(text, (uint64_t *)(rec + spec->offset));
	case COL_TIME:
		*num = mw_parse_time_us(text);
		ok = *num != MW_NONE || !strcmp(text, "-");
		break;
	case COL_PERMILLE:
		*num = parse_permille(text);
		ok = *num != MW_NONE || !strcmp(text, "-");
		break;
	case COL_STR:
		snprintf(rec + spec->offset, spec->size, "%s",
			 strcmp(text, "-") ? text : "");
		return true;
	case COL_ESC:
		/* a string that is "-" itself comes as \055 */
		mw_unescape(rec + spec->offset, spec->size,
			    strcmp(text, "-") ? text : "");
		return true;
	case COL_HEX:
		*num = parse_hex(text, &ok);
		break;
	}
	return ok && !(spec->required && *num == MW_NONE);
}

/*
 * Every row of @tbl as a record of @size bytes, laid out as @spec says;
 * returns the array (one spare zeroed record at its end) or NULL with @err.
 */
static void *parse_rows(const struct mw_table *tbl,
			const struct col_spec *spec, size_t size,
			const char *what, char *err, size_t errlen)
{
	int idx[MW_MAX_COLUMNS], r, c;
	char *rows, *rec;
	const char *text;

	if (find_cols(tbl, spec, idx, what, err, errlen))
		return NULL;
	rows = calloc(tbl->nrows + 1, size);
	if (!rows) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	for (r = 0; r < tbl->nrows; r++) {
		rec = rows + r * size;
		for (c = 0; spec[c].name; c++) {
			text = idx[c] < 0 ? "-" : tbl->rows[r][idx[c]];
			if (!parse_field(&spec[c], text, rec)) {
				set_err(err, errlen, "%s line %d: bad %s '%s'",
					what, r + 2, spec[c].name, text);
				free(rows);
				return NULL;
			}
		}
	}
	return rows;
}

#define MW_REC struct mw_ns
static const struct col_spec ns_columns[] = {
#define MW_NAMESPACES_COL MW_SPEC
#include "../module/schema.h"
	{ NULL },
};
#undef MW_REC

#define MW_REC struct mw_event
static const struct col_spec ev_columns[] = {
#define MW_EVENTS_COL MW_SPEC
#include "../module/schema.h"
	{ NULL },
};
#undef MW_REC

#define MW_REC struct mw_growth
static const struct col_spec growth_columns[] = {
#define MW_GROWTH_COL MW_SPEC
#include "../module/schema.h"
	{ NULL },
};
#undef MW_REC

#define MW_FITS(spec) \
	_Static_assert(sizeof(spec) / sizeof(spec[0]) <= MW_MAX_COLUMNS + 1, \
		       #spec " has more columns than parse_rows() takes")
MW_FITS(ns_columns);
MW_FITS(ev_columns);
MW_FITS(growth_columns);

void mw_ns_unknown(struct mw_ns *row)
{
	const struct col_spec *col;

	memset(row, 0, sizeof(*row));
	for (col = ns_columns; col->name; col++)
		parse_field(col, "-", (char *)row);
}

/* an older format without use_pct: derive it */
static void namespaces_parsed(struct mw_ns *rows, int n)
{
	struct mw_ns *ns;

	for (ns = rows; ns < rows + n; ns++) {
		ns->source = "module";
		if (ns->use_permille == MW_NONE && ns->max > 0)
			ns->use_permille = (ns->mounts +
				(ns->pending == MW_NONE ? 0 : ns->pending)) *
				1000 / ns->max;
	}
}

static const struct {
	const char *name;
	const struct col_spec *columns;
	size_t size;
} module_tables[] = {
	{ "namespaces", ns_columns, sizeof(struct mw_ns) },
	{ "events", ev_columns, sizeof(struct mw_event) },
	{ "growth", growth_columns, sizeof(struct mw_growth) },
};

int mw_parse_table(const struct mw_table *tbl, const char *name, void **out,
		   char *err, size_t errlen)
{
	size_t t;
	void *rows;

	for (t = 0; t < sizeof(module_tables) / sizeof(module_tables[0]); t++)
		if (!strcmp(module_tables[t].name, name))
			break;
	if (t == sizeof(module_tables) / sizeof(module_tables[0])) {
		set_err(err, errlen, "%s: no such table", name);
		return -1;
	}
	rows = parse_rows(tbl, module_tables[t].columns, module_tables[t].size,
			  name, err, errlen);
	if (!rows)
		return -1;
	if (module_tables[t].columns == ns_columns)
		namespaces_parsed(rows, tbl->nrows);
	*out = rows;
	return tbl->nrows;
}

/* the same, typed */
#define MW_PARSE_TYPED(fn, type, name)					\
int fn(const struct mw_table *tbl, type **out, char *err, size_t errlen)	\
{									\
	void *rows;							\
	int n = mw_parse_table(tbl, name, &rows, err, errlen);		\
									\
	if (n >= 0)							\
		*out = rows;						\
	return n;							\
}

MW_PARSE_TYPED(mw_parse_namespaces, struct mw_ns, "namespaces")
MW_PARSE_TYPED(mw_parse_events, struct mw_event, "events")
MW_PARSE_TYPED(mw_parse_growth, struct mw_growth, "growth")

/* An event of user.max_mnt_namespaces rather than of fs.mount-max. */
bool mw_event_is_nscount(const struct mw_event *ev)
{
	return !strcmp(ev->limit, "mnt-namespaces");
}

int mw_status_parse(struct mw_status *st, char *text, char *err, size_t errlen)
{
	char *line, *next;
	int cap = 64;

	memset(st, 0, sizeof(*st));
	st->text = text;
	next = strchr(text, '\n');
	if (next)
		*next++ = '\0';
	if (strncmp(text, "key value", 9)) {
		set_err(err, errlen, "status: header is not 'key value'");
		goto fail;
	}
	st->keys = malloc(cap * sizeof(char *));
	st->values = malloc(cap * sizeof(char *));
	if (!st->keys || !st->values)
		goto oom;
	for (line = next; line && *line; line = next) {
		char *sp;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sp = strchr(line, ' ');
		if (st->n == cap) {
			char **k = realloc(st->keys, 2 * cap * sizeof(char *));
			char **v;

			if (!k)
				goto oom;
			st->keys = k;
			v = realloc(st->values, 2 * cap * sizeof(char *));
			if (!v)
				goto oom;
			st->values = v;
			cap *= 2;
		}
		if (sp)
			*sp++ = '\0';
		st->keys[st->n] = line;
		st->values[st->n++] = sp ? sp : line + strlen(line);
	}
	return 0;
oom:
	set_err(err, errlen, "out of memory");
fail:
	mw_status_free(st);
	return -1;
}

const char *mw_status_get(const struct mw_status *st, const char *key)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->keys[i], key))
			return st->values[i];
	return NULL;
}

int64_t mw_status_num(const struct mw_status *st, const char *key)
{
	const char *v = mw_status_get(st, key);
	bool ok;
	int64_t n;

	if (!v)
		return MW_NONE;
	n = mw_parse_opt_int(v, &ok);
	return ok ? n : MW_NONE;
}

void mw_status_free(struct mw_status *st)
{
	free(st->keys);
	free(st->values);
	free(st->text);
	memset(st, 0, sizeof(*st));
}
