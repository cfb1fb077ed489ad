// SPDX-License-Identifier: GPL-2.0
/* The output layer: columns, table and JSON for every listing; messages. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include "output.h"
#include "util.h"
#include "who.h"

static const char *prog = "mntwatch";

void mw_warnx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* JSON strings: bytes outside printable ASCII become \u00XX, always valid. */
void mw_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void mw_cell_int(struct cell *c, int64_t v)
{
	c->kind = v == MW_NONE ? CELL_NONE : CELL_INT;
	c->num = v;
}

void mw_cell_str(struct cell *c, const char *s)
{
	c->kind = s && *s ? CELL_STR : CELL_NONE;
	c->str = s;
}

/* Table text of a cell, "-" for none. */
static const char *cell_text(const struct column *col, struct cell *c,
			     int64_t now)
{
	int i, n, shown;

	switch (c->kind) {
	case CELL_NONE:
		return "-";
	case CELL_INT:
		snprintf(c->text, sizeof(c->text), "%" PRId64, c->num);
		return c->text;
	case CELL_PERMILLE:
		snprintf(c->text, sizeof(c->text), "%" PRId64 ".%" PRId64,
			 c->num / 10, c->num % 10);
		return c->text;
	case CELL_AGO:
		mw_format_ago(c->text, sizeof(c->text), c->num, now);
		return c->text;
	case CELL_TIME:
		mw_format_time(c->text, sizeof(c->text), c->num);
		return c->text;
	case CELL_PIDS:
		shown = c->who->npids < 3 ? c->who->npids : 3;
		for (i = 0, n = 0; i < shown; i++)
			n += snprintf(c->text + n, sizeof(c->text) - n, "%s%d",
				      i ? "," : "", c->who->pids[i]);
		if (c->who->npids > shown)
			snprintf(c->text + n, sizeof(c->text) - n, ",+%d",
				 c->who->npids - shown);
		return c->text;
	case CELL_STR:
		/* whole: rows that differ late in a long path must differ */
		if (col->flags & COL_ESCAPED)
			mw_escape(c->text, sizeof(c->text), c->str);
		else
			mw_sanitize(c->text, (col->flags & COL_ID12) ? 13 :
				    sizeof(c->text), c->shown ? c->shown : c->str);
		return c->text;
	}
	return "-";
}

/* Its buffers are large: only what a column may leave unset is cleared. */
static void cell_reset(struct cell *c)
{
	c->kind = CELL_NONE;
	c->num = 0;
	c->str = NULL;
	c->shown = NULL;
	c->who = NULL;
	c->buf[0] = '\0';
}

static void cell_json(FILE *out, struct cell *c)
{
	int i;

	switch (c->kind) {
	case CELL_NONE:
		fputs("null", out);
		break;
	case CELL_INT:
		fprintf(out, "%" PRId64, c->num);
		break;
	case CELL_PERMILLE:
		fprintf(out, "%" PRId64 ".%" PRId64, c->num / 10, c->num % 10);
		break;
	case CELL_AGO:
	case CELL_TIME:
		fprintf(out, "%" PRId64 ".%06" PRId64, c->num / 1000000,
			c->num % 1000000);
		break;
	case CELL_PIDS:
		fputc('[', out);
		for (i = 0; i < c->who->npids; i++)
			fprintf(out, "%s%d", i ? "," : "", c->who->pids[i]);
		fputc(']', out);
		break;
	case CELL_STR:
		if (c->str && *c->str)
			mw_json_str(out, c->str);
		else
			fputs("null", out);	/* a table's text only */
		break;
	}
}

/*
 * "-o LIST": names, case-insensitive, comma-separated; "+LIST" appends to
 * the defaults, as findmnt does. JSON without -o gets every column.
 */
int mw_select_columns(const struct column *cols, const char *list,
		      bool all, const struct column **sel)
{
	char buf[1024], *name, *save;
	int n = 0, i;

	if (!list || *list == '+') {
		for (i = 0; cols[i].name; i++)
			if (all || (cols[i].flags & COL_DEFAULT))
				sel[n++] = &cols[i];
		if (!list)
			return n;
		list++;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (name = strtok_r(buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (i = 0; cols[i].name; i++)
			if (!strcasecmp(cols[i].name, name) ||
			    !strcasecmp(cols[i].json, name))
				break;
		if (!cols[i].name) {
			mw_warnx("unknown column '%s' (--list-columns lists them)", name);
			return -1;
		}
		if (n == MAX_SELECTED) {
			mw_warnx("too many columns");
			return -1;
		}
		sel[n++] = &cols[i];
	}
	if (!n) {
		mw_warnx("no columns given to -o");
		return -1;
	}
	return n;
}

void mw_list_columns(FILE *out, const struct column *cols, bool json)
{
	int i, name_w = 0, json_w = 0;

	for (i = 0; cols[i].name; i++) {
		if ((int)strlen(cols[i].name) > name_w)
			name_w = strlen(cols[i].name);
		if ((int)strlen(cols[i].json) > json_w)
			json_w = strlen(cols[i].json);
	}
	if (json)
		fputs("{\"columns\": [", out);
	for (i = 0; cols[i].name; i++) {
		if (json) {
			fprintf(out, "%s\n  {\"name\": ", i ? "," : "");
			mw_json_str(out, cols[i].name);
			fputs(", \"json\": ", out);
			mw_json_str(out, cols[i].json);
			fprintf(out, ", \"default\": %s, \"help\": ",
				cols[i].flags & COL_DEFAULT ? "true" : "false");
			mw_json_str(out, cols[i].help);
			fputc('}', out);
		} else {
			fprintf(out, "%-*s %-*s %c %s\n", name_w, cols[i].name,
				json_w, cols[i].json,
				cols[i].flags & COL_DEFAULT ? '*' : ' ',
				cols[i].help);
		}
	}
	if (json)
		fputs("\n]}\n", out);
}

/* One row as a JSON object, one member per selected column. */
static void print_json_object(FILE *out, const struct column **sel, int nsel,
			      const void *row)
{
	struct cell cell;
	int c;

	fputc('{', out);
	for (c = 0; c < nsel; c++) {
		cell_reset(&cell);
		sel[c]->get(row, &cell);
		fprintf(out, "%s\"%s\": ", c ? ", " : "", sel[c]->json);
		cell_json(out, &cell);
	}
	fputc('}', out);
}

/* The rows as a JSON array of objects. */
void mw_print_json_array(FILE *out, const struct column **sel, int nsel,
			 const void *rows, size_t row_size, int nrows)
{
	int r;

	fputc('[', out);
	for (r = 0; r < nrows; r++) {
		fputs(r ? ",\n  " : "\n  ", out);
		print_json_object(out, sel, nsel, (const char *)rows + r * row_size);
	}
	fputs(nrows ? "\n]" : "]", out);
}

/*
 * Table rows, the header first when asked: @width holds each column's width
 * so far and grows to fit the widest cell; the last column is not padded.
 */
static void print_table(FILE *out, const struct column **sel, int nsel,
			const void *rows, size_t row_size, int nrows,
			bool header, int64_t now, int *width)
{
	struct cell cell;
	int r, c;

	for (c = 0; c < nsel; c++) {
		if (header && (int)strlen(sel[c]->name) > width[c])
			width[c] = strlen(sel[c]->name);
		for (r = 0; r < nrows; r++) {
			int len;

			cell_reset(&cell);
			sel[c]->get((const char *)rows + r * row_size, &cell);
			len = strlen(cell_text(sel[c], &cell, now));
			if (len > width[c])
				width[c] = len;
		}
	}
	for (r = header ? -1 : 0; r < nrows; r++) {
		for (c = 0; c < nsel; c++) {
			const char *text = sel[c]->name;
			bool last = c == nsel - 1;

			if (r >= 0) {
				cell_reset(&cell);
				sel[c]->get((const char *)rows + r * row_size, &cell);
				text = cell_text(sel[c], &cell, now);
			}
			if (sel[c]->flags & COL_RIGHT)
				fprintf(out, "%*s", width[c], text);
			else
				fprintf(out, "%-*s", last ? 0 : width[c], text);
			fputs(last ? "\n" : " ", out);
		}
	}
}

static void min_widths(const struct column **sel, int nsel, int *width)
{
	int c;

	for (c = 0; c < nsel; c++)
		width[c] = sel[c]->width;
}

/*
 * One listing: rows are opaque to this code, each column knows how to read
 * its row. Widths fit the widest cell.
 */
void mw_print_rows(FILE *out, const struct column **sel, int nsel,
		   const void *rows, size_t row_size, int nrows,
		   const char *json_key, const char *source, bool json,
		   bool noheadings, int64_t now)
{
	int width[MAX_SELECTED];

	if (json) {
		fprintf(out, "{\"source\": \"%s\", \"%s\": ", source, json_key);
		mw_print_json_array(out, sel, nsel, rows, row_size, nrows);
		fputs("}\n", out);
		return;
	}
	min_widths(sel, nsel, width);
	print_table(out, sel, nsel, rows, row_size, nrows, !noheadings, now,
		    width);
}

/*
 * Rows that keep coming (events --follow): JSON Lines, one object a row, so
 * a reader needs no closing bracket; or table rows under one header, whose
 * columns only ever widen.
 */
void mw_print_stream(FILE *out, struct mw_stream *stream,
		     const struct column **sel, int nsel, const void *rows,
		     size_t row_size, int nrows, int64_t now)
{
	bool header = false;
	int r;

	if (stream->json) {
		for (r = 0; r < nrows; r++) {
			print_json_object(out, sel, nsel,
					  (const char *)rows + r * row_size);
			fputc('\n', out);
		}
		return;
	}
	if (!stream->started) {
		min_widths(sel, nsel, stream->width);
		header = !stream->noheadings;
		stream->started = true;
	}
	print_table(out, sel, nsel, rows, row_size, nrows, header, now,
		    stream->width);
}
