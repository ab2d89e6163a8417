// SPDX-License-Identifier: GPL-2.0
/*
 * memcontrol.c - memory cgroup charges (mm/memcontrol.c), reduced to what
 * migration must keep right: which group pays for a folio.
 *
 * folio->memcg_data names the group; the group's usage counts the pages
 * charged to it.  An mm charges to mm->memcg (the root group if NULL) and
 * counts in mm->memcg_charged the pages charged on its behalf (never
 * decremented: a charge belongs to the group, not to the mm).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/memcontrol.h>
#include <linux/pagemap.h>

static struct mem_cgroup root_group;
struct mem_cgroup *root_mem_cgroup = &root_group;

/**
 * __mem_cgroup_charge() - charge a new folio to @mm's group
 * @folio: an uncharged folio
 * @mm: the mm on whose behalf it is allocated (NULL: root group)
 * @gfp: allocation context (unused)
 *
 * Return: 0, or -ENOMEM if the group's limit would be exceeded or the
 * call's site was made to fail.
 */
int __mem_cgroup_charge(struct folio *folio, struct mm_struct *mm, gfp_t gfp,
			struct fault_site *site)
{
	struct mem_cgroup *memcg = (mm && mm->memcg) ? mm->memcg : root_mem_cgroup;
	long nr = folio_nr_pages(folio);

	(void)gfp;
	VM_BUG_ON_FOLIO(folio_memcg(folio), folio);
	if (fault_site_fails(site, true))
		return -ENOMEM;
	if (memcg->limit && atomic_long_add_return(nr, &memcg->usage) > memcg->limit) {
		atomic_long_sub(nr, &memcg->usage);
		return -ENOMEM;
	} else if (!memcg->limit) {
		atomic_long_add(nr, &memcg->usage);
	}
	__atomic_store_n(&folio->memcg_data, (unsigned long)memcg, __ATOMIC_RELAXED);
	if (mm)
		atomic_long_add(nr, &mm->memcg_charged);
	return 0;
}

/* __mem_cgroup_uncharge() - the folio is being freed: release its charge. */
void __mem_cgroup_uncharge(struct folio *folio)
{
	struct mem_cgroup *memcg = folio_memcg(folio);

	atomic_long_sub(folio_nr_pages(folio), &memcg->usage);
	__atomic_store_n(&folio->memcg_data, 0UL, __ATOMIC_RELAXED);
}

/**
 * mem_cgroup_migrate() - move the charge of a migrated folio
 * @old: the source (locked, off the LRU)
 * @new: the destination (locked); keeps a charge it already has
 *
 * The usage does not change: the same group pays for the same data.
 */
void mem_cgroup_migrate(struct folio *old, struct folio *new)
{
	struct mem_cgroup *memcg;

	/* Both locked, the source isolated, and the two alike in kind and size. */
	VM_BUG_ON_FOLIO(!folio_test_locked(old) || folio_test_lru(old), old);
	VM_BUG_ON_FOLIO(!folio_test_locked(new), new);
	VM_BUG_ON_FOLIO(folio_test_anon(old) != folio_test_anon(new) ||
			folio_nr_pages(old) != folio_nr_pages(new), new);

	if (folio_memcg(new))
		return;
	memcg = folio_memcg(old);
	VM_WARN_ON_ONCE_FOLIO(!memcg, old);
	if (!memcg)
		return;
	__atomic_store_n(&new->memcg_data, old->memcg_data, __ATOMIC_RELAXED);
	__atomic_store_n(&old->memcg_data, 0UL, __ATOMIC_RELAXED);
}
