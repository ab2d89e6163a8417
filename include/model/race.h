/* SPDX-License-Identifier: GPL-2.0 */
/*
 * race.h - race points: named places on the model's kernel paths where a
 * test runs an action of its own, to put what another thread does exactly
 * into a window the kernel code must cope with (model/race.c).  A race a
 * test forces this way happens every run, with no sleep and no retry loop.
 *
 * A point is made at a call, as a fault site is (linux/fault-inject.h),
 * and named "caller:what" after the function that passes it and the
 * kernel API it stands in front of:
 *
 *   CALLER:pmd_lock             pmd_lock(), before the lock is taken
 *                               (linux/mm.h)
 *   CALLER:pte_offset_map_lock  pte_offset_map_lock(), before the PMD is
 *                               read; the action may make it return NULL,
 *                               as it does when the PMD changed under the
 *                               caller (linux/mm.h, model/pgtable.c)
 *   visit_pmd:pmd_entry         a page walk between its pmd_none() check
 *                               and the ->pmd_entry callback (pagewalk.c)
 *
 * "migrate_vma_prepare_pmd:pmd_lock" is the pmd_lock() of
 * migrate_vma_prepare_pmd().  The action runs in the thread passing the
 * point, holding what that thread holds there (mmap_lock for read in a
 * migration's walk, no spinlock at any of these points); to act as another
 * thread would, it starts that thread and joins it.
 */
#ifndef _MODEL_RACE_H
#define _MODEL_RACE_H

#include <linux/types.h>

struct race_point {
	const char *func;	/* the caller, __func__ */
	const char *what;	/* the API it calls there */
};

/* RACE_POINT() - this call's point: "caller:what". */
#define RACE_POINT(what_name) ({					\
	static const struct race_point __rpoint = { __func__, what_name }; \
	&__rpoint;							\
})

/* Nonzero while an action is armed and has not run. */
extern int race_point_armed;

bool __race_point_pass(const struct race_point *rp);

/*
 * race_point() - pass @rp; true if the armed action ran here and asks the
 * call to fail (only points whose API may fail look at it).  The fast
 * path, with nothing armed, is one load.
 */
static inline bool race_point(const struct race_point *rp)
{
	if (__builtin_expect(!__atomic_load_n(&race_point_armed,
					      __ATOMIC_ACQUIRE), 1))
		return false;
	return __race_point_pass(rp);
}

/*
 * model_race_arm() - run @action(@arg) once, the @nth time (from 1) the
 * point @name is passed from now on.  @action returns true to make the
 * call at the point fail.  One action is armed at a time; arming replaces
 * the last.  Return: 0, or -EINVAL for a NULL name or action or a zero
 * @nth.
 */
int model_race_arm(const char *name, unsigned long nth,
		   bool (*action)(void *arg), void *arg);

/* model_race_disarm() - drop the armed action, if it has not run. */
void model_race_disarm(void);

/* model_race_fired() - has the last armed action run? */
bool model_race_fired(void);

#endif /* _MODEL_RACE_H */
