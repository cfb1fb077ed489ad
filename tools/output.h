/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one output layer of every listing: a command describes its columns,
 * each column reads one cell of an opaque row; this layer picks columns
 * (-o), prints the table or the JSON, lists the columns, and writes the
 * one-line messages on stderr.
 */
#ifndef MNTWATCH_OUTPUT_H
#define MNTWATCH_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "util.h"

struct mw_who;

enum cell_kind {
	CELL_NONE,	/* "-" / null */
	CELL_INT,
	CELL_STR,
	CELL_PERMILLE,	/* 810 -> 81.0 */
	CELL_AGO,	/* table: "3m ago"; JSON: epoch seconds */
	CELL_TIME,	/* table: local time; JSON: epoch seconds */
	CELL_PIDS,	/* table: "1,2,3,+5"; JSON: array */
};

struct cell {
	enum cell_kind kind;
	int64_t num;
	const char *str;
	const char *shown;		/* a table's text instead of str; NULL */
	const struct mw_who *who;
	char buf[MW_PATH_LEN];		/* what a column builds its value in */
	char text[MW_PATH_LEN];		/* the value as a table shows it */
};

#define COL_RIGHT	0x1	/* numbers */
#define COL_DEFAULT	0x2	/* shown without -o */
#define COL_ID12	0x4	/* container id: 12 characters in tables */
#define COL_ESCAPED	0x8	/* paths: tables show \ooo escapes, JSON bytes */

struct column {
	const char *name;	/* header and -o name */
	const char *json;	/* JSON member, Prometheus-safe */
	int width;		/* minimum width */
	unsigned int flags;
	const char *help;
	void (*get)(const void *row, struct cell *cell);
};

#define MAX_SELECTED 64

void mw_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mw_json_str(FILE *out, const char *s);
void mw_cell_int(struct cell *c, int64_t v);
void mw_cell_str(struct cell *c, const char *s);
int mw_select_columns(const struct column *cols, const char *list, bool all,
		      const struct column **sel);
void mw_list_columns(FILE *out, const struct column *cols, bool json);
void mw_print_json_array(FILE *out, const struct column **sel, int nsel,
			 const void *rows, size_t row_size, int nrows);
void mw_print_rows(FILE *out, const struct column **sel, int nsel,
		   const void *rows, size_t row_size, int nrows,
		   const char *json_key, const char *source, bool json,
		   bool noheadings, int64_t now);

/* where a stream of rows stands: set json and noheadings, zero the rest */
struct mw_stream {
	bool json, noheadings, started;
	int width[MAX_SELECTED];
};

void mw_print_stream(FILE *out, struct mw_stream *stream,
		     const struct column **sel, int nsel, const void *rows,
		     size_t row_size, int nrows, int64_t now);

#endif
