// SPDX-License-Identifier: GPL-2.0
/*
 * The stories explain and fix know, in the order they are tried: a story
 * may look at the ones before it (foreign is what docker cp is not). Their
 * parts print in this order within each slot of explain's text.
 */
#include "../story.h"

const struct mw_story *const mw_stories[] = {
	&mw_story_accounting,
	&mw_story_nscount,
	&mw_story_docker_cp,
	&mw_story_restart_loop,
	&mw_story_loop_in_place,
	&mw_story_lowered_limit,
	&mw_story_big_namespace,
	&mw_story_foreign,
	&mw_story_runc_fallback,
	NULL,
};
