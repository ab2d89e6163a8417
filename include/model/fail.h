/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model/fail.h - failure injection at allocation sites (model/slab.c).
 *
 * Every allocation in the model belongs to a site class.  A test arms a
 * class with model_fail_nth(site, n): the n-th allocation of that class from
 * then on fails (n = 1: the next one), once; model_fail_every(site, true)
 * makes all of them fail until disarmed.  Failed allocations return what
 * the kernel returns on failure (NULL, -ENOMEM).  Counters are global (all
 * threads), so arm only in single-threaded phases of a test.
 *
 * Typical loop (SQLite style):
 *	for (n = 1; ; n++) {
 *		model_fail_nth(MODEL_FAIL_ANY, n);
 *		run_scenario();
 *		check_invariants();
 *		if (!model_fail_fired())
 *			break;
 *	}
 */
#ifndef _MODEL_FAIL_H
#define _MODEL_FAIL_H

#include <linux/types.h>

enum model_fail_site {
	MODEL_FAIL_ANY,		/* any class below */
	MODEL_FAIL_KMALLOC,	/* kmalloc/kzalloc/kvcalloc/vmalloc/kmem_cache */
	MODEL_FAIL_PAGE,	/* alloc_pages/folio_alloc (not page tables) */
	MODEL_FAIL_PGTABLE,	/* page-table pages (__pte_alloc & co) */
	MODEL_FAIL_ANON_VMA,	/* anon_vma / anon_vma_chain */
	MODEL_FAIL_MEMCG,	/* mem_cgroup_charge */
	MODEL_FAIL_DRIVER,	/* drivers' should_fail() points (linux/fault-inject.h) */
	MODEL_FAIL_NR_SITES
};

/* Arm: the @n-th allocation at @site from now fails (0 disarms). */
void model_fail_nth(enum model_fail_site site, unsigned long n);
/* Arm/disarm: every allocation at @site fails. */
void model_fail_every(enum model_fail_site site, bool on);
/* Disarm everything and clear the fired flag. */
void model_fail_reset(void);
/* True if an armed failure has fired since the last arm/reset. */
bool model_fail_fired(void);
/*
 * model_should_fail() - called by each allocation site; true if this
 * allocation must fail.  Counts the allocation for @site and MODEL_FAIL_ANY.
 */
bool model_should_fail(enum model_fail_site site);

#endif /* _MODEL_FAIL_H */
