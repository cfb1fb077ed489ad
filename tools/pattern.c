// SPDX-License-Identifier: GPL-2.0
/*
 * What the container runtimes' own mounts look like in the module's log,
 * so that explain can tell them apart from the failure a user saw.
 */
#include <stdio.h>
#include <string.h>
#include "pattern.h"
#include "table.h"
#include "util.h"

#define MW_MS_BIND	0x1000
#define MW_MS_REC	0x4000

/*
 * runc 1.1's "runc init" (comm "exe": it runs /proc/self/exe) first
 * bind-mounts its own binary onto <state dir>/runc.XXXXXX to get a
 * read-only copy of itself, and quietly copies the binary into a memfd
 * when that mount fails (libcontainer/nsenter/cloned_binary.c,
 * try_bindfd()). Its ENOSPC is no error anyone sees, though it says that
 * the namespace receiving the state directory is full.
 */
const char *mw_event_fallback(const struct mw_event *ev)
{
	const char *base = strrchr(ev->target, '/');

	if ((ev->syscall[0] && strcmp(ev->syscall, "mount")) ||
	    strcmp(ev->source, "/proc/self/exe") || ev->flags == MW_NONE ||
	    !(ev->flags & MW_MS_BIND) || (ev->flags & MW_MS_REC) || !base ||
	    strncmp(base + 1, "runc.", 5))
		return NULL;
	return "runc-exe-bind";
}

/* The names of mount(2)'s flags that matter here, "MS_BIND|MS_REC". */
void mw_mount_flags(char *buf, size_t len, int64_t flags)
{
	static const struct {
		int64_t bit;
		const char *name;
	} names[] = {
		{ 0x1, "MS_RDONLY" }, { 0x20, "MS_REMOUNT" },
		{ 0x1000, "MS_BIND" }, { 0x2000, "MS_MOVE" },
		{ 0x4000, "MS_REC" }, { 0x20000, "MS_UNBINDABLE" },
		{ 0x40000, "MS_PRIVATE" }, { 0x80000, "MS_SLAVE" },
		{ 0x100000, "MS_SHARED" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && flags != MW_NONE; i++)
		if ((flags & names[i].bit) && used < len)
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "|" : "", names[i].name);
}
