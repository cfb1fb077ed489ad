/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A read-only look into a bbolt database file (bolt.c), as podman's
 * libpod keeps its state in one, and containerd its metadata store.
 */
#ifndef MNTWATCH_BOLT_H
#define MNTWATCH_BOLT_H

#include <stdbool.h>
#include <stddef.h>

bool mw_bolt_value(const char *db, size_t len, const char *const *path,
		   int depth, const char **val, size_t *vlen);
bool mw_bolt_get(const char *db, size_t len, const char *const *path,
		 int depth, char *val, size_t vlen);

#endif
