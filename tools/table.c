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
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mntwatch.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Whole file as a NUL-terminated string; debugfs files report size 0. */
char *mw_read_file(const char *path, size_t *len)
{
	size_t used = 0, cap = 4096;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (!buf || fd < 0)
		goto fail;
	for (;;) {
		if (cap - used < 2) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				goto fail;
			buf = bigger;
			cap *= 2;
		}
		got = read(fd, buf + used, cap - used - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		used += got;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
fail:
	{
		int saved = errno;

		if (fd >= 0)
			close(fd);
		free(buf);
		errno = saved ? saved : ENOMEM;
	}
	return NULL;
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

int mw_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

/* "-" is MW_NONE with *ok true; garbage sets *ok false. */
int64_t mw_parse_opt_int(const char *s, bool *ok)
{
	char *end;
	long long v;

	*ok = true;
	if (!strcmp(s, "-"))
		return MW_NONE;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		*ok = false;
	return v;
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

/* Per-table column lookup: required columns missing is a format error. */
struct col_spec {
	const char *name;
	bool required;
	int idx;
};

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

static const char *field(char **row, const struct col_spec *spec)
{
	return spec->idx < 0 ? "-" : row[spec->idx];
}

/* Integer column: "-" allowed unless required; bad text is an error. */
static int get_int(char **row, const struct col_spec *spec, int64_t *out,
		   int line, char *err, size_t errlen)
{
	bool ok;

	*out = mw_parse_opt_int(field(row, spec), &ok);
	if (!ok || (spec->required && *out == MW_NONE)) {
		set_err(err, errlen, "row %d: bad %s '%s'", line, spec->name,
			field(row, spec));
		return -1;
	}
	return 0;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", strcmp(src, "-") ? src : "");
}

/* "81.0" -> 810 */
static int64_t parse_permille(const char *s)
{
	int64_t us = mw_parse_time_us(s);	/* same shape: int.frac */

	return us == MW_NONE ? MW_NONE : us / 100000;
}

enum { NS_NS, NS_MOUNTS, NS_PENDING, NS_MAX, NS_USE, NS_PEAK, NS_CHECKS,
	NS_ENOSPC, NS_LAST_FAIL, NS_LAST_PID, NS_LAST_COMM, NS_LAST_REQ,
	NS_STATE };

int mw_parse_namespaces(const struct mw_table *tbl, struct mw_ns **out,
			char *err, size_t errlen)
{
	struct col_spec spec[] = {
		[NS_NS] = { "ns", true, -1 },
		[NS_MOUNTS] = { "mounts", true, -1 },
		[NS_PENDING] = { "pending", false, -1 },
		[NS_MAX] = { "max", true, -1 },
		[NS_USE] = { "use_pct", false, -1 },
		[NS_PEAK] = { "peak", false, -1 },
		[NS_CHECKS] = { "checks", false, -1 },
		[NS_ENOSPC] = { "enospc", false, -1 },
		[NS_LAST_FAIL] = { "last_fail", false, -1 },
		[NS_LAST_PID] = { "last_pid", false, -1 },
		[NS_LAST_COMM] = { "last_comm", false, -1 },
		[NS_LAST_REQ] = { "last_requested", false, -1 },
		[NS_STATE] = { "state", false, -1 },
		{ NULL, false, -1 },
	};
	struct mw_ns *rows;
	int r;

	if (find_cols(tbl, spec, "namespaces", err, errlen))
		return -1;
	rows = calloc(tbl->nrows + 1, sizeof(*rows));
	if (!rows) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (r = 0; r < tbl->nrows; r++) {
		char **f = tbl->rows[r];
		struct mw_ns *ns = &rows[r];
		int line = r + 2;

		if (mw_parse_u64(f[spec[NS_NS].idx], &ns->ns)) {
			set_err(err, errlen, "namespaces line %d: bad ns '%s'",
				line, f[spec[NS_NS].idx]);
			goto fail;
		}
		if (get_int(f, &spec[NS_MOUNTS], &ns->mounts, line, err, errlen) ||
		    get_int(f, &spec[NS_PENDING], &ns->pending, line, err, errlen) ||
		    get_int(f, &spec[NS_MAX], &ns->max, line, err, errlen) ||
		    get_int(f, &spec[NS_PEAK], &ns->peak, line, err, errlen) ||
		    get_int(f, &spec[NS_CHECKS], &ns->checks, line, err, errlen) ||
		    get_int(f, &spec[NS_ENOSPC], &ns->enospc, line, err, errlen) ||
		    get_int(f, &spec[NS_LAST_PID], &ns->last_pid, line, err, errlen) ||
		    get_int(f, &spec[NS_LAST_REQ], &ns->last_requested, line, err, errlen))
			goto fail;
		ns->use_permille = parse_permille(field(f, &spec[NS_USE]));
		if (ns->use_permille == MW_NONE && ns->max > 0)
			ns->use_permille = (ns->mounts +
				(ns->pending == MW_NONE ? 0 : ns->pending)) *
				1000 / ns->max;
		ns->last_fail_us = mw_parse_time_us(field(f, &spec[NS_LAST_FAIL]));
		copy_str(ns->last_comm, sizeof(ns->last_comm),
			 field(f, &spec[NS_LAST_COMM]));
		copy_str(ns->state, sizeof(ns->state), field(f, &spec[NS_STATE]));
	}
	*out = rows;
	return tbl->nrows;
fail:
	free(rows);
	return -1;
}

enum { EV_TIME, EV_PID, EV_COMM, EV_CALLER, EV_FAILING, EV_MOUNTS,
	EV_PENDING, EV_MAX, EV_REQUESTED, EV_RESULT, EV_TOUCHED, EV_CHECKS };

int mw_parse_events(const struct mw_table *tbl, struct mw_event **out,
		    char *err, size_t errlen)
{
	struct col_spec spec[] = {
		[EV_TIME] = { "time", true, -1 },
		[EV_PID] = { "pid", true, -1 },
		[EV_COMM] = { "comm", false, -1 },
		[EV_CALLER] = { "caller_ns", true, -1 },
		[EV_FAILING] = { "failing_ns", true, -1 },
		[EV_MOUNTS] = { "mounts", true, -1 },
		[EV_PENDING] = { "pending", true, -1 },
		[EV_MAX] = { "max", true, -1 },
		[EV_REQUESTED] = { "requested", true, -1 },
		[EV_RESULT] = { "result", false, -1 },
		[EV_TOUCHED] = { "touched", false, -1 },
		[EV_CHECKS] = { "checks", false, -1 },
		{ NULL, false, -1 },
	};
	struct mw_event *rows;
	int r;

	if (find_cols(tbl, spec, "events", err, errlen))
		return -1;
	rows = calloc(tbl->nrows + 1, sizeof(*rows));
	if (!rows) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (r = 0; r < tbl->nrows; r++) {
		char **f = tbl->rows[r];
		struct mw_event *ev = &rows[r];
		int line = r + 2;

		ev->time_us = mw_parse_time_us(f[spec[EV_TIME].idx]);
		if (ev->time_us == MW_NONE ||
		    mw_parse_u64(f[spec[EV_CALLER].idx], &ev->caller_ns) ||
		    mw_parse_u64(f[spec[EV_FAILING].idx], &ev->failing_ns)) {
			set_err(err, errlen, "events line %d: bad time or namespace id",
				line);
			goto fail;
		}
		if (get_int(f, &spec[EV_PID], &ev->pid, line, err, errlen) ||
		    get_int(f, &spec[EV_MOUNTS], &ev->mounts, line, err, errlen) ||
		    get_int(f, &spec[EV_PENDING], &ev->pending, line, err, errlen) ||
		    get_int(f, &spec[EV_MAX], &ev->max, line, err, errlen) ||
		    get_int(f, &spec[EV_REQUESTED], &ev->requested, line, err, errlen) ||
		    get_int(f, &spec[EV_RESULT], &ev->result, line, err, errlen) ||
		    get_int(f, &spec[EV_TOUCHED], &ev->touched, line, err, errlen) ||
		    get_int(f, &spec[EV_CHECKS], &ev->checks, line, err, errlen))
			goto fail;
		copy_str(ev->comm, sizeof(ev->comm), field(f, &spec[EV_COMM]));
	}
	*out = rows;
	return tbl->nrows;
fail:
	free(rows);
	return -1;
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
