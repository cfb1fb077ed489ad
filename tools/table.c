// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for /sys/kernel/debug/mntwatch/{namespaces,events,status}.
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
	int idx;		/* in the header; -1: absent */
};

#define COL(rec, col, member, req, kind) \
	{ col, req, kind, offsetof(rec, member), sizeof(((rec *)0)->member), -1 }

static int find_cols(const struct mw_table *tbl, struct col_spec *spec,
		     const char *what, char *err, size_t errlen)
{
	for (; spec->name; spec++) {
		spec->idx = mw_table_col(tbl, spec->name);
		if (spec->idx < 0 && spec->required) {
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
static void *parse_rows(const struct mw_table *tbl, struct col_spec *spec,
			size_t size, const char *what, char *err, size_t errlen)
{
	const struct col_spec *col;
	char *rows, *rec;
	const char *text;
	int r;

	if (find_cols(tbl, spec, what, err, errlen))
		return NULL;
	rows = calloc(tbl->nrows + 1, size);
	if (!rows) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	for (r = 0; r < tbl->nrows; r++) {
		rec = rows + r * size;
		for (col = spec; col->name; col++) {
			text = col->idx < 0 ? "-" : tbl->rows[r][col->idx];
			if (!parse_field(col, text, rec)) {
				set_err(err, errlen, "%s line %d: bad %s '%s'",
					what, r + 2, col->name, text);
				free(rows);
				return NULL;
			}
		}
	}
	return rows;
}

int mw_parse_namespaces(const struct mw_table *tbl, struct mw_ns **out,
			char *err, size_t errlen)
{
	struct col_spec spec[] = {
		COL(struct mw_ns, "ns", ns, true, COL_ID),
		COL(struct mw_ns, "mounts", mounts, true, COL_INT),
		COL(struct mw_ns, "pending", pending, false, COL_INT),
		COL(struct mw_ns, "max", max, true, COL_INT),
		COL(struct mw_ns, "use_pct", use_permille, false, COL_PERMILLE),
		COL(struct mw_ns, "peak", peak, false, COL_INT),
		COL(struct mw_ns, "checks", checks, false, COL_INT),
		COL(struct mw_ns, "enospc", enospc, false, COL_INT),
		COL(struct mw_ns, "last_fail", last_fail_us, false, COL_TIME),
		COL(struct mw_ns, "last_pid", last_pid, false, COL_INT),
		COL(struct mw_ns, "last_comm", last_comm, false, COL_STR),
		COL(struct mw_ns, "last_requested", last_requested, false, COL_INT),
		COL(struct mw_ns, "state", state, false, COL_STR),
		COL(struct mw_ns, "parent", parent, false, COL_ID),
		COL(struct mw_ns, "born_mounts", born_mounts, false, COL_INT),
		COL(struct mw_ns, "born", born_us, false, COL_TIME),
		{ NULL },
	};
	struct mw_ns *rows, *ns;

	rows = parse_rows(tbl, spec, sizeof(*rows), "namespaces", err, errlen);
	if (!rows)
		return -1;
	/* an older format without use_pct: derive it */
	for (ns = rows; ns < rows + tbl->nrows; ns++) {
		ns->source = "module";
		if (ns->use_permille == MW_NONE && ns->max > 0)
			ns->use_permille = (ns->mounts +
				(ns->pending == MW_NONE ? 0 : ns->pending)) *
				1000 / ns->max;
	}
	*out = rows;
	return tbl->nrows;
}

int mw_parse_events(const struct mw_table *tbl, struct mw_event **out,
		    char *err, size_t errlen)
{
	struct col_spec spec[] = {
		COL(struct mw_event, "time", time_us, true, COL_TIME),
		COL(struct mw_event, "pid", pid, true, COL_INT),
		COL(struct mw_event, "comm", comm, false, COL_STR),
		COL(struct mw_event, "caller_ns", caller_ns, true, COL_ID),
		COL(struct mw_event, "failing_ns", failing_ns, false, COL_ID),
		COL(struct mw_event, "mounts", mounts, false, COL_INT),
		COL(struct mw_event, "pending", pending, false, COL_INT),
		COL(struct mw_event, "max", max, true, COL_INT),
		COL(struct mw_event, "requested", requested, false, COL_INT),
		COL(struct mw_event, "result", result, false, COL_INT),
		COL(struct mw_event, "touched", touched, false, COL_INT),
		COL(struct mw_event, "checks", checks, false, COL_INT),
		COL(struct mw_event, "limit", limit, false, COL_STR),
		COL(struct mw_event, "userns", userns, false, COL_INT),
		COL(struct mw_event, "ns_count", ns_count, false, COL_INT),
		COL(struct mw_event, "seq", seq, false, COL_INT),
		COL(struct mw_event, "syscall", syscall, false, COL_STR),
		COL(struct mw_event, "flags", flags, false, COL_HEX),
		COL(struct mw_event, "source", source, false, COL_ESC),
		COL(struct mw_event, "target", target, false, COL_ESC),
		COL(struct mw_event, "cgroup", cgroup, false, COL_ESC),
		{ NULL },
	};
	struct mw_event *rows;

	rows = parse_rows(tbl, spec, sizeof(*rows), "events", err, errlen);
	if (!rows)
		return -1;
	*out = rows;
	return tbl->nrows;
}

int mw_parse_growth(const struct mw_table *tbl, struct mw_growth **out,
		    char *err, size_t errlen)
{
	struct col_spec spec[] = {
		COL(struct mw_growth, "ns", ns, true, COL_ID),
		COL(struct mw_growth, "time", time_s, true, COL_INT),
		COL(struct mw_growth, "mounts_before", before, true, COL_INT),
		COL(struct mw_growth, "mounts_after", after, true, COL_INT),
		COL(struct mw_growth, "caller_ns", caller_ns, true, COL_ID),
		COL(struct mw_growth, "state", state, false, COL_STR),
		{ NULL },
	};
	struct mw_growth *rows;

	rows = parse_rows(tbl, spec, sizeof(*rows), "growth", err, errlen);
	if (!rows)
		return -1;
	*out = rows;
	return tbl->nrows;
}

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
