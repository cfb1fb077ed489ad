/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the container runtimes' own mounts look like in the module's event
 * log (pattern.c).
 */
#ifndef MNTWATCH_PATTERN_H
#define MNTWATCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include "table.h"

const char *mw_event_fallback(const struct mw_event *ev);
void mw_mount_flags(char *buf, size_t len, int64_t flags);

#endif
