// SPDX-License-Identifier: GPL-2.0
/*
 * How fields are written in the debugfs tables: whitespace-separated, one
 * row a line, so nothing a task chose may carry a space, a newline or a byte
 * a terminal would act on.
 */
#include <linux/math64.h>
#include <linux/time64.h>
#include "mntwatch.h"

/*
 * Printable ASCII but the space. The kernel's isgraph() also takes Latin-1
 * 0xa1..0xff, which a UTF-8 terminal would read as parts of characters.
 */
static bool mw_is_graph(unsigned char c)
{
	return c > ' ' && c < 0x7f;
}

/* A comm is whatever a task chose: anything but mw_is_graph() becomes ?. */
static char *mw_put_comm(char *p, const char *comm)
{
	int i;

	*p++ = ' ';
	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		*p++ = mw_is_graph(comm[i]) ? comm[i] : '?';
	if (!i)
		*p++ = '?';
	return p;
}

/*
 * A path or source as /proc/PID/mountinfo writes one: every byte that is not
 * mw_is_graph(), and the backslash, as \ooo, so that the field is one token
 * and the bytes come back exactly. Three fields need a word of their own: no
 * string (-), the string "-" itself (\055) and the empty string (\000, which
 * unescapes to an empty C string). A cut string ends with "...".
 */
static void mw_print_str(struct seq_file *m, const struct mw_str *str)
{
	const unsigned char *s = (const unsigned char *)str->text;
	char octal[4] = { '\\' };

	if (str->state == MW_STR_NONE) {
		seq_putc(m, '-');
		return;
	}
	if (!*s || (s[0] == '-' && !s[1])) {
		seq_printf(m, "\\%03o", *s);
		return;
	}
	for (; *s; s++) {
		if (mw_is_graph(*s) && *s != '\\') {
			seq_putc(m, *s);
			continue;
		}
		octal[1] = '0' + (*s >> 6);
		octal[2] = '0' + ((*s >> 3) & 7);
		octal[3] = '0' + (*s & 7);
		seq_write(m, octal, sizeof(octal));
	}
	if (str->state == MW_STR_CUT)
		seq_puts(m, "...");
}

/*
 * Appends " value". A row is built in a buffer and written once: a
 * seq_put_decimal_ull() per field cost 1,300 instructions a row. A 64-bit
 * division yields two digits, the small ones are cheap.
 */
static char *mw_put_dec(char *p, char sep, u64 value)
{
	char digits[20], *d = digits + sizeof(digits);
	unsigned int pair;

	while (value >= 100) {
		pair = value % 100;
		value /= 100;
		*--d = '0' + pair % 10;
		*--d = '0' + pair / 10;
	}
	if (value >= 10)
		*--d = '0' + value % 10;
	*--d = '0' + (value >= 10 ? value / 10 : value);
	*p++ = sep;
	while (d < digits + sizeof(digits))
		*p++ = *d++;
	return p;
}

/* Appends " seconds.microseconds". */
static char *mw_put_time(char *p, u64 time_ns)
{
	u32 rem_ns, usec;
	int i;

	p = mw_put_dec(p, ' ', div_u64_rem(time_ns, NSEC_PER_SEC, &rem_ns));
	*p++ = '.';
	usec = rem_ns / NSEC_PER_USEC;
	for (i = 5; i >= 0; i--, usec /= 10)
		p[i] = '0' + usec % 10;
	return p + 6;
}

/*
 * The columns of a row, as schema.h lists them: each writer appends its
 * field with the separator before it, or "-" when the value is not @shown.
 * The first field's separator is skipped when the line is written.
 */
void mw_line_begin(struct mw_line *line, struct seq_file *m)
{
	line->m = m;
	line->p = line->buf;
	line->skip = 1;
}

static void mw_line_flush(struct mw_line *line)
{
	seq_write(line->m, line->buf + line->skip,
		  line->p - line->buf - line->skip);
	line->p = line->buf;
	line->skip = 0;
}

/* Room for one field but a string: flushes a nearly full line first. */
static char *mw_line_room(struct mw_line *line)
{
	if (line->p + MW_FIELD_MAX > line->buf + sizeof(line->buf))
		mw_line_flush(line);
	return line->p;
}

void mw_line_end(struct mw_line *line)
{
	*mw_line_room(line) = '\n';
	line->p++;
	mw_line_flush(line);
}

static void mw_col_none(struct mw_line *line)
{
	char *p = mw_line_room(line);

	p[0] = ' ';
	p[1] = '-';
	line->p = p + 2;
}

void mw_col_num(struct mw_line *line, bool shown, u64 value)
{
	if (shown)
		line->p = mw_put_dec(mw_line_room(line), ' ', value);
	else
		mw_col_none(line);
}

void mw_col_id(struct mw_line *line, bool shown, u32 id)
{
	mw_col_num(line, shown, id);
}

/* the minus sign takes the place of mw_put_dec()'s separator */
void mw_col_snum(struct mw_line *line, bool shown, s64 value)
{
	char *p;

	if (!shown) {
		mw_col_none(line);
		return;
	}
	p = mw_line_room(line);
	if (value < 0) {
		*p = ' ';
		line->p = mw_put_dec(p + 1, '-', -(u64)value);
	} else {
		line->p = mw_put_dec(p, ' ', value);
	}
}

void mw_col_pct(struct mw_line *line, bool shown, u32 permille)
{
	char *p;

	if (shown) {
		p = mw_put_dec(mw_line_room(line), ' ', permille / 10);
		line->p = mw_put_dec(p, '.', permille % 10);
	} else {
		mw_col_none(line);
	}
}

void mw_col_time(struct mw_line *line, bool shown, u64 time_ns)
{
	if (shown)
		line->p = mw_put_time(mw_line_room(line), time_ns);
	else
		mw_col_none(line);
}

void mw_col_hex(struct mw_line *line, bool shown, unsigned long value)
{
	if (shown)
		line->p += scnprintf(mw_line_room(line), MW_FIELD_MAX,
				     " 0x%lx", value);
	else
		mw_col_none(line);
}

void mw_col_comm(struct mw_line *line, bool shown, const char *comm)
{
	if (shown)
		line->p = mw_put_comm(mw_line_room(line), comm);
	else
		mw_col_none(line);
}

/* one of the module's own words, which fit a field */
void mw_col_word(struct mw_line *line, bool shown, const char *word)
{
	if (shown)
		line->p += scnprintf(mw_line_room(line), MW_FIELD_MAX, " %s",
				     word);
	else
		mw_col_none(line);
}

/* A string is as long as it is: the line so far goes out before it. */
void mw_col_str(struct mw_line *line, bool shown, const struct mw_str *str)
{
	if (!shown) {
		mw_col_none(line);
		return;
	}
	*mw_line_room(line) = ' ';
	line->p++;
	mw_line_flush(line);
	mw_print_str(line->m, str);
}
