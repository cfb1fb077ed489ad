// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of runtimes: rt_list.h's lines as an array, and the cgroup
 * names each runtime's file declares its own (systemd scopes, cgroupfs
 * parents), so that a cgroup path names its runtime without a table of
 * prefixes kept anywhere else.
 */
#include <string.h>
#include "registry.h"
#include "rt_ops.h"

static const struct mw_runtime_ops *const registry[MW_NRUNTIMES] = {
#define MW_RUNTIME(name) &mw_rt_##name,
#include "rt_list.h"
#undef MW_RUNTIME
};

const struct mw_runtime_ops *mw_registry_at(int i)
{
	return i >= 0 && i < MW_NRUNTIMES ? registry[i] : NULL;
}

/*
 * A cgroup component "<scope prefix><64 characters>" (the ".scope" of the
 * systemd driver already cut): the runtime whose prefix it is; NULL. The
 * caller checks that the 64 characters are an id.
 */
const char *mw_runtime_of_scope(const char *comp, size_t len)
{
	const char *const *s;
	int i;

	for (i = 0; i < MW_NRUNTIMES; i++)
		for (s = registry[i]->scopes; s && *s; s++)
			if (len == strlen(*s) + 64 && !memcmp(comp, *s, strlen(*s)))
				return registry[i]->name;
	return NULL;
}

/* "<slice>:<prefix>:<id>" (kind, k3s): the runtime of "cri-containerd" */
const char *mw_runtime_of_prefix(const char *prefix, size_t len)
{
	const char *const *s;
	int i;

	for (i = 0; i < MW_NRUNTIMES; i++)
		for (s = registry[i]->scopes; s && *s; s++)
			if (strlen(*s) == len + 1 && !memcmp(*s, prefix, len))
				return registry[i]->name;
	return NULL;
}

/* A cgroupfs parent holding ids (/docker/<id>): its runtime; NULL. */
const char *mw_runtime_of_parent(const char *comp, size_t len)
{
	int i;

	for (i = 0; i < MW_NRUNTIMES; i++)
		if (registry[i]->cgroup_parent &&
		    strlen(registry[i]->cgroup_parent) == len &&
		    !memcmp(registry[i]->cgroup_parent, comp, len))
			return registry[i]->name;
	return NULL;
}
