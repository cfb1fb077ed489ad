// SPDX-License-Identifier: GPL-2.0
/*
 * How fields are written in the debugfs tables: whitespace-separated, one
 * row a line, so nothing a task chose may carry a space, a newline or a byte
 * a terminal would act on.
 */
#include <linux/math64.h>
#include <linux/time64.h>
#include "mntwatch.h"

void mw_print_time(struct seq_file *m, u64 time_ns)
{
	u32 rem_ns;
	u64 sec = div_u64_rem(time_ns, NSEC_PER_SEC, &rem_ns);

	seq_printf(m, "%llu.%06u", sec, (u32)(rem_ns / NSEC_PER_USEC));
}

/*
 * Printable ASCII but the space. The kernel's isgraph() also takes Latin-1
 * 0xa1..0xff, which a UTF-8 terminal would read as parts of characters.
 */
static bool mw_is_graph(unsigned char c)
{
	return c > ' ' && c < 0x7f;
}

/* A comm is whatever a task chose: anything but mw_is_graph() becomes ?. */
void mw_print_comm(struct seq_file *m, const char *comm)
{
	char safe[TASK_COMM_LEN];
	int i;

	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		safe[i] = mw_is_graph(comm[i]) ? comm[i] : '?';
	safe[i] = '\0';
	seq_puts(m, i ? safe : "?");
}

/*
 * A path or source as /proc/PID/mountinfo writes one: every byte that is not
 * mw_is_graph(), and the backslash, as \ooo, so that the field is one token
 * and the bytes come back exactly. Three fields need a word of their own: no
 * string (-), the string "-" itself (\055) and the empty string (\000, which
 * unescapes to an empty C string). A cut string ends with "...".
 */
void mw_print_str(struct seq_file *m, const struct mw_str *str)
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
char *mw_put_dec(char *p, char sep, u64 value)
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

/* Appends " seconds.microseconds", as mw_print_time() prints it. */
char *mw_put_time(char *p, u64 time_ns)
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
