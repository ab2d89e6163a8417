/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadow.h - the byte-exact shadow of shadow.c, used by run.c when
 * scn_run_opts.shadow is set.
 */
#ifndef _SCENARIO_SHADOW_H
#define _SCENARIO_SHADOW_H

#include <stdio.h>

#include "scenario.h"

struct scn_shadow;

struct scn_shadow *scn_shadow_new(const struct scn_script *s);
void scn_shadow_free(struct scn_shadow *sh);

/*
 * Step @st finished with @rc; @done is the number of pages a CPU write or
 * increment completed (all of them unless it faulted).
 */
void scn_shadow_step(struct scn_shadow *sh, const struct scn_step *st,
		     int rc, unsigned long done);

/*
 * Compare every mapped page of every region with the world's memory;
 * returns the number of bytes that differ (each differing page reported
 * on @out, then adopted so that one loss is reported once).
 */
unsigned long scn_shadow_check(struct scn_shadow *sh, struct scn_backend *be,
			       const unsigned long *addr, FILE *out);

#endif /* _SCENARIO_SHADOW_H */
