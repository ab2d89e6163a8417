// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - the folio migration core that device migration reuses
 * (mm/migrate.c): moving a folio's identity to a new folio, restoring
 * mappings from migration entries, and waiting on them.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/migrate.h>
#include <linux/rmap.h>
#include <linux/swapops.h>
#include <linux/pagemap.h>
#include <linux/memremap.h>
#include <linux/memcontrol.h>
#include <linux/xarray.h>
#include "internal.h"

struct rmap_walk_arg {
	struct folio *folio;		/* the folio the entries name */
	bool map_unused_to_zeropage;
};

/*
 * The present PTE for @page (of @folio) that takes the place of migration
 * entry @swp, with the access state the entry saved.
 */
static pte_t pte_from_migration_entry(struct vm_area_struct *vma, struct folio *folio,
				      struct page *page, pte_t swp)
{
	swp_entry_t saved = pte_to_swp_entry(swp);
	pte_t pte = mk_pte(page, READ_ONCE(vma->vm_page_prot));

	if (!is_migration_entry_young(saved))
		pte = pte_mkold(pte);
	/* Dirty only if the folio still is: writeback may have cleaned it. */
	if (is_migration_entry_dirty(saved) && folio_test_dirty(folio))
		pte = pte_mkdirty(pte);
	pte = pte_swp_soft_dirty(swp) ? pte_mksoft_dirty(pte) : pte_clear_soft_dirty(pte);
	/* A write-protected (uffd-wp) entry is never a writable one. */
	if (is_writable_migration_entry(saved))
		return pte_mkwrite(pte, vma);
	return pte_swp_uffd_wp(swp) ? pte_mkuffd_wp(pte) : pte;
}

/*
 * A device-private page cannot be mapped by the CPU: it goes back behind a
 * device-private entry, writable if @pte would have been, keeping the
 * soft-dirty and uffd-wp bits of the migration entry @swp.
 */
static pte_t device_private_pte(struct page *page, pte_t pte, pte_t swp)
{
	unsigned long pfn = page_to_pfn(page);
	pte_t dev_pte;

	dev_pte = swp_entry_to_pte(pte_write(pte) ? make_writable_device_private_entry(pfn) :
						    make_readable_device_private_entry(pfn));
	if (pte_swp_soft_dirty(swp))
		dev_pte = pte_swp_mksoft_dirty(dev_pte);
	if (pte_swp_uffd_wp(swp))
		dev_pte = pte_swp_mkuffd_wp(dev_pte);
	return dev_pte;
}

/*
 * After a THP split: a subpage that holds only zeroes is not mapped back;
 * its migration entry becomes the shared zero page (keeping the entry's
 * soft-dirty and uffd-wp bits) and the page leaves the process's RSS.  The
 * page itself is freed when the split drops its last reference.
 */
static bool map_unused_to_zeropage(struct page_vma_mapped_walk *pvmw,
				   struct folio *folio, pte_t swp)
{
	struct vm_area_struct *vma = pvmw->vma;
	pte_t zero;

	if (folio_test_large(folio) || folio_test_mlocked(folio) ||
	    (vma->vm_flags & VM_LOCKED))
		return false;
	VM_BUG_ON_FOLIO(!folio_test_anon(folio) || !folio_test_locked(folio), folio);
	if (memchr_inv(folio_address(folio), 0, PAGE_SIZE))
		return false;
	zero = pte_mkspecial(pfn_pte(my_zero_pfn(pvmw->address), vma->vm_page_prot));
	if (pte_swp_soft_dirty(swp))
		zero = pte_mksoft_dirty(zero);
	if (pte_swp_uffd_wp(swp))
		zero = pte_mkuffd_wp(zero);
	set_pte_at(vma->vm_mm, pvmw->address, pvmw->pte, pte_wrprotect(zero));
	dec_mm_counter(vma->vm_mm, mm_counter(folio));
	return true;
}

/*
 * Turn the migration entries naming arg->folio in @vma back into mappings
 * of @folio (the destination, or the source itself on failure), restoring
 * what the entry recorded: writability, exclusivity, A/D, soft-dirty,
 * uffd-wp.  Each mapping takes a folio reference.
 */
static bool remove_migration_pte(struct folio *folio, struct vm_area_struct *vma,
				 unsigned long addr, void *arg)
{
	struct rmap_walk_arg *rwa = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, rwa->folio, vma, addr, PVMW_SYNC | PVMW_MIGRATION);

	while (page_vma_mapped_walk(&pvmw)) {
		struct page *page = folio_page(folio, 0);
		bool exclusive;
		pte_t swp, pte;

		if (folio_test_large(folio))
			page += linear_page_index(vma, pvmw.address) - pvmw.pgoff;

		swp = ptep_get(pvmw.pte);
		if (rwa->map_unused_to_zeropage &&
		    map_unused_to_zeropage(&pvmw, folio, swp))
			continue;
		folio_get(folio);
		pte = pte_from_migration_entry(vma, folio, page, swp);
		/* Only a readable entry gave up exclusivity of an anon page. */
		exclusive = folio_test_anon(folio) &&
			    !is_readable_migration_entry(pte_to_swp_entry(swp));
		if (unlikely(is_device_private_page(page)))
			pte = device_private_pte(page, pte, swp);

		if (!folio_test_anon(folio))
			folio_add_file_rmap_pte(folio, page, vma);
		else
			folio_add_anon_rmap_pte(folio, page, vma, pvmw.address,
						exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
		/* The old entry was not present: no TLB can hold it. */
		set_pte_at(vma->vm_mm, pvmw.address, pvmw.pte, pte);
		update_mmu_cache(vma, pvmw.address, pvmw.pte);
	}
	return true;
}

/**
 * remove_migration_ptes() - replace migration entries by mappings
 * @src: the folio the migration entries name
 * @dst: the folio to map instead (== @src to undo a migration); its
 *	mapping/index say where to look (they were copied from @src)
 * @flags: RMP_LOCKED if the rmap lock is held; RMP_USE_SHARED_ZEROPAGE
 *	(THP split only, @src == @dst) maps all-zero pages to the zero page
 *
 * @src and @dst are locked by the caller.
 */
void remove_migration_ptes(struct folio *src, struct folio *dst, int flags)
{
	struct rmap_walk_arg rwa = {
		.folio = src,
		.map_unused_to_zeropage = flags & RMP_USE_SHARED_ZEROPAGE,
	};
	struct rmap_walk_control rwc = {
		.rmap_one = remove_migration_pte,
		.arg = &rwa,
	};

	VM_BUG_ON_FOLIO((flags & RMP_USE_SHARED_ZEROPAGE) && src != dst, src);
	if (flags & RMP_LOCKED)
		rmap_walk_locked(dst, &rwc);
	else
		rmap_walk(dst, &rwc);
}

/**
 * folio_migrate_mapping() - move a folio's place in its mapping to another
 * @mapping: folio_mapping(@folio): NULL for anon folios not in a cache
 * @newfolio: the destination (locked, fresh)
 * @folio: the source (locked, unmapped)
 * @extra_count: references the caller holds beyond the migration's own
 *
 * The exact reference check is what makes migration safe against pins: a
 * folio with any reference nobody accounts for is not moved.  With a cache,
 * the count is frozen at the expected value while the cache slot is
 * replaced, so no lookup can take a new reference in between.
 *
 * Return: MIGRATEPAGE_SUCCESS, or -EAGAIN (nothing changed).
 */
int folio_migrate_mapping(struct address_space *mapping, struct folio *newfolio,
			  struct folio *folio, int extra_count)
{
	int expected_count = folio_expected_ref_count(folio) + extra_count + 1;
	long i, nr = folio_nr_pages(folio), entries;

	if (folio_ref_count(folio) != expected_count)
		return -EAGAIN;

	if (!mapping) {
		newfolio->index = folio->index;
		WRITE_ONCE(newfolio->mapping, folio->mapping);
		if (folio_test_swapbacked(folio))
			__folio_set_swapbacked(newfolio);
		return MIGRATEPAGE_SUCCESS;
	}

	xa_lock(&mapping->i_pages);
	if (!folio_ref_freeze(folio, expected_count)) {
		xa_unlock(&mapping->i_pages);
		return -EAGAIN;
	}
	/* From here nobody else can look at the folio: no turning back. */
	newfolio->index = folio->index;
	WRITE_ONCE(newfolio->mapping, folio->mapping);
	folio_ref_add(newfolio, nr);		/* the cache's references */
	if (folio_test_swapbacked(folio)) {
		__folio_set_swapbacked(newfolio);
		if (folio_test_swapcache(folio)) {
			folio_set_swapcache(newfolio);
			newfolio->private = folio->private;
		}
		entries = nr;
	} else {
		VM_BUG_ON_FOLIO(folio_test_swapcache(folio), folio);
		entries = 1;
	}
	if (folio_test_dirty(folio)) {
		folio_clear_dirty(folio);
		folio_set_dirty(newfolio);
	}
	for (i = 0; i < entries; i++)
		__xa_store(&mapping->i_pages, folio_index(folio) + i, newfolio, GFP_ATOMIC);
	/* The cache's references went to the new folio. */
	folio_ref_unfreeze(folio, expected_count - nr);
	xa_unlock(&mapping->i_pages);
	return MIGRATEPAGE_SUCCESS;
}

/*
 * State flags that the destination takes over when the source has them.
 * Dirty moves here when folio_migrate_mapping() had no cache to do it.
 */
#define COPIED_FLAGS	((1UL << PG_referenced) | (1UL << PG_uptodate) |	\
			 (1UL << PG_workingset) | (1UL << PG_checked) |		\
			 (1UL << PG_mappedtodisk) | (1UL << PG_dirty) |		\
			 (1UL << PG_young) | (1UL << PG_idle) |			\
			 (1UL << PG_readahead))

/**
 * folio_migrate_flags() - move a folio's state flags and charge to another
 * @newfolio: the destination
 * @folio: the source; loses what moved (active, unevictable, swapcache,
 *	private, memcg charge)
 */
void folio_migrate_flags(struct folio *newfolio, struct folio *folio)
{
	/*
	 * One atomic OR for all of them (set_bit() each would be one apiece);
	 * acquire and release as folio_test_uptodate() and
	 * folio_mark_uptodate() order the data that uptodate vouches for.
	 */
	unsigned long copied = __atomic_load_n(&folio->flags, __ATOMIC_ACQUIRE) &
			       COPIED_FLAGS;

	if (copied)
		__atomic_fetch_or(&newfolio->flags, copied, __ATOMIC_RELEASE);
	/*
	 * These move: the source loses them (active and unevictable exclude
	 * each other).  Each is read before it is cleared: an atomic
	 * read-modify-write costs as much as all the rest of this function,
	 * and most folios have none of them.
	 */
	if (folio_test_active(folio) && folio_test_clear_active(folio)) {
		VM_BUG_ON_FOLIO(folio_test_unevictable(folio), folio);
		folio_set_active(newfolio);
	} else if (folio_test_unevictable(folio) &&
		   folio_test_clear_unevictable(folio)) {
		folio_set_unevictable(newfolio);
	}
	if (folio_test_swapcache(folio))
		folio_clear_swapcache(folio);
	if (folio_test_private(folio))
		folio_clear_private(folio);
	folio->private = NULL;
	mem_cgroup_migrate(folio, newfolio);
}

/**
 * migrate_folio() - the whole move for a folio with no special needs
 * @mapping: folio_mapping(@src)
 * @dst: destination (locked)
 * @src: source (locked, unmapped)
 * @mode: unused
 *
 * Return: MIGRATEPAGE_SUCCESS or -EAGAIN.
 */
int migrate_folio(struct address_space *mapping, struct folio *dst,
		  struct folio *src, enum migrate_mode mode)
{
	int rc;

	(void)mode;
	if (folio_ref_count(src) != folio_expected_ref_count(src) + 1)
		return -EAGAIN;
	folio_copy(dst, src);
	rc = folio_migrate_mapping(mapping, dst, src, 0);
	if (rc != MIGRATEPAGE_SUCCESS)
		return rc;
	folio_migrate_flags(dst, src);
	return MIGRATEPAGE_SUCCESS;
}

/**
 * migration_entry_wait() - a fault met a migration entry: wait it out
 * @mm: the mm
 * @pmd: the PMD above the faulting PTE
 * @address: the faulting address
 *
 * Returns at once if the PTE no longer holds a migration entry; otherwise
 * sleeps until the folio it names is unlocked (the migration is over).  The
 * caller retries the access.
 */
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	pte_t pte;

	if (!ptep)
		return;
	pte = ptep_get(ptep);
	pte_unmap(ptep);
	/* Anything but a migration entry: let the caller retry the access. */
	if (!is_swap_pte(pte) || !is_migration_entry(pte_to_swp_entry(pte))) {
		spin_unlock(ptl);
		return;
	}
	/* Drops @ptl once this task is queued on the folio. */
	migration_entry_wait_on_locked(pte_to_swp_entry(pte), ptl);
}

void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lock(mm, pmd);

	if (!is_pmd_migration_entry(pmdp_get(pmd))) {
		spin_unlock(ptl);
		return;
	}
	migration_entry_wait_on_locked(pmd_to_swp_entry(pmdp_get(pmd)), ptl);
}
