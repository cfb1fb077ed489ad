/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtimes in rt_list.h's order, and the cgroup names they claim
 * (registry.c): what cgroup.c asks without reading any runtime's state.
 */
#ifndef MNTWATCH_REGISTRY_H
#define MNTWATCH_REGISTRY_H

#include <stddef.h>

struct mw_runtime_ops;

const struct mw_runtime_ops *mw_registry_at(int i);
const char *mw_runtime_of_scope(const char *comp, size_t len);
const char *mw_runtime_of_prefix(const char *prefix, size_t len);
const char *mw_runtime_of_parent(const char *comp, size_t len);

#endif
