/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memcontrol.h - memory cgroup charging (model/memcontrol.c).
 *
 * A folio is charged when it becomes user memory: folio->memcg_data names
 * the mem_cgroup that pays for it, and that group's usage counts its pages.
 * The model has one root group plus any a test creates; every mm charges to
 * mm->memcg (root if NULL).  Migration moves the charge to the new folio;
 * freeing a folio uncharges it.
 */
#ifndef _LINUX_MEMCONTROL_H
#define _LINUX_MEMCONTROL_H

#include <linux/fault-inject.h>

#include <linux/mm_types.h>
#include <linux/atomic.h>
#include <linux/gfp_types.h>

/**
 * struct mem_cgroup - a charge account
 * @usage: pages charged
 * @limit: charging beyond this many pages fails with -ENOMEM (0: none)
 */
struct mem_cgroup {
	atomic_long_t usage;
	long limit;
};

extern struct mem_cgroup *root_mem_cgroup;

static inline struct mem_cgroup *folio_memcg(const struct folio *folio)
{
	return (struct mem_cgroup *)__atomic_load_n(&folio->memcg_data,
						    __ATOMIC_RELAXED);
}

int __mem_cgroup_charge(struct folio *folio, struct mm_struct *mm, gfp_t gfp,
			struct fault_site *site);

/* Charge a new folio to @mm's group; 0 or -ENOMEM.  A failure site. */
#define mem_cgroup_charge(folio, mm, gfp)				\
	__mem_cgroup_charge(folio, mm, gfp,				\
			    FAULT_SITE(FAULT_MEMCG, "mem_cgroup_charge"))

void __mem_cgroup_uncharge(struct folio *folio);

static inline void mem_cgroup_uncharge(struct folio *folio)
{
	if (folio_memcg(folio))
		__mem_cgroup_uncharge(folio);
}

void mem_cgroup_migrate(struct folio *old, struct folio *new);

static inline bool mem_cgroup_disabled(void)
{
	return false;
}

#endif /* _LINUX_MEMCONTROL_H */
