// SPDX-License-Identifier: GPL-2.0
/*
 * Moving anonymous memory between system RAM and device memory.
 *
 * A driver moves a range of a process's address space in four steps:
 *
 *  1. collect: walk the page tables of the range, pick the pages to move,
 *     lock them and replace their PTEs with migration entries;
 *  2. unmap: isolate system pages from the LRU, unmap them from every other
 *     address space, and give back the pages somebody else holds references
 *     to (they cannot move);
 *  3. pages: once the driver has allocated and filled the destinations,
 *     move the struct page metadata (mapping, index, flags, memcg) across,
 *     or map the destination if the slot was an empty PTE;
 *  4. finalize: point the migration entries at the destination (or back at
 *     the source when a slot did not move), unlock and release everything.
 *
 * migrate_vma_setup() does 1 and 2, migrate_vma_pages() 3 and
 * migrate_vma_finalize() 4.  The migrate_device_*() family does the same for
 * device pages found by pfn rather than by virtual address, for drivers that
 * must empty their memory without knowing who maps it.
 *
 * This is an independent implementation of the interface introduced by
 * Jérôme Glisse.  It differs from Linux 6.12 where 6.12 is defective: a
 * reversed range is refused with -EINVAL, a THP that cannot be locked during
 * collection does not keep a stray reference, and a source page under
 * writeback is left in place instead of crashing the kernel.
 */
#include <linux/export.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/mmu_notifier.h>
#include <linux/oom.h>
#include <linux/pagewalk.h>
#include <linux/rmap.h>
#include <linux/swapops.h>
#include <asm/tlbflush.h>
#include "internal.h"

/* Unlock a page this migration holds and drop the migration's reference. */
static void migrate_device_release(struct folio *folio)
{
	folio_unlock(folio);
	folio_put(folio);
}

/* Append one slot to the src/dst arrays of @migrate. */
static void migrate_vma_add_slot(struct migrate_vma *migrate, unsigned long mpfn)
{
	migrate->src[migrate->npages] = mpfn;
	migrate->dst[migrate->npages] = 0;
	migrate->npages++;
}

/* Give each page of [@start, @end) a slot holding @mpfn. */
static void migrate_vma_add_slots(struct migrate_vma *migrate,
				  unsigned long start, unsigned long end,
				  unsigned long mpfn)
{
	for (; start < end; start += PAGE_SIZE)
		migrate_vma_add_slot(migrate, mpfn);
}

static int migrate_vma_collect_hole(unsigned long start,
				    unsigned long end,
				    __always_unused int depth,
				    struct mm_walk *walk)
{
	struct migrate_vma *migrate = walk->private;

	/*
	 * Device memory may fill holes of anonymous memory only: a hole in a
	 * file or shmem mapping belongs to the page cache.
	 */
	if (vma_is_anonymous(walk->vma)) {
		migrate_vma_add_slots(migrate, start, end, MIGRATE_PFN_MIGRATE);
		migrate->cpages += (end - start) >> PAGE_SHIFT;
	} else {
		migrate_vma_add_slots(migrate, start, end, 0);
	}
	return 0;
}

static int migrate_vma_collect_skip(unsigned long start,
				    unsigned long end,
				    struct mm_walk *walk)
{
	migrate_vma_add_slots(walk->private, start, end, 0);
	return 0;
}

/*
 * Does the caller want this present page?  Device-coherent pages need
 * MIGRATE_VMA_SELECT_DEVICE_COHERENT and must belong to the caller; system
 * pages need MIGRATE_VMA_SELECT_SYSTEM.  Any other device page passes, as
 * in 6.12; none is mapped where setup lets collect look (p2pdma, fsdax and
 * device-dax memory live in VMAs setup refuses).
 */
static bool migrate_vma_selects(struct migrate_vma *migrate, struct page *page)
{
	if (is_device_coherent_page(page))
		return (migrate->flags & MIGRATE_VMA_SELECT_DEVICE_COHERENT) &&
		       page->pgmap->owner == migrate->pgmap_owner;

	return is_zone_device_page(page) ||
	       (migrate->flags & MIGRATE_VMA_SELECT_SYSTEM);
}

/* The migration entry that stands in for @old while its page moves. */
static pte_t migrate_vma_migration_pte(struct page *page, pte_t old,
				       unsigned long mpfn, bool anon_exclusive)
{
	unsigned long pfn = page_to_pfn(page);
	swp_entry_t entry;
	pte_t swp_pte;

	if (mpfn & MIGRATE_PFN_WRITE)
		entry = make_writable_migration_entry(pfn);
	else if (anon_exclusive)
		entry = make_readable_exclusive_migration_entry(pfn);
	else
		entry = make_readable_migration_entry(pfn);

	if (pte_present(old)) {
		/* Remember what the hardware recorded, for the new PTE. */
		if (pte_young(old))
			entry = make_migration_entry_young(entry);
		if (pte_dirty(old))
			entry = make_migration_entry_dirty(entry);
	}

	swp_pte = swp_entry_to_pte(entry);
	if (pte_present(old) ? pte_soft_dirty(old) : pte_swp_soft_dirty(old))
		swp_pte = pte_swp_mksoft_dirty(swp_pte);
	if (pte_present(old) ? pte_uffd_wp(old) : pte_swp_uffd_wp(old))
		swp_pte = pte_swp_mkuffd_wp(swp_pte);

	return swp_pte;
}

/*
 * Decide what one PTE contributes to the migration and, for a page that is
 * selected, lock it and replace the PTE with a migration entry.  Called with
 * the PTE table locked.  Returns the src slot; *unmapped counts present PTEs
 * that were cleared and so need a TLB flush.
 */
static unsigned long migrate_vma_collect_pte(struct migrate_vma *migrate,
					     unsigned long addr, pte_t *ptep,
					     unsigned long *unmapped)
{
	struct vm_area_struct *vma = migrate->vma;
	struct mm_struct *mm = vma->vm_mm;
	pte_t pte = ptep_get(ptep);
	bool anon_exclusive;
	struct folio *folio;
	struct page *page;
	unsigned long mpfn;

	if (pte_none(pte)) {
		if (!vma_is_anonymous(vma))
			return 0;
		migrate->cpages++;
		return MIGRATE_PFN_MIGRATE;
	}

	if (!pte_present(pte)) {
		swp_entry_t entry = pte_to_swp_entry(pte);

		/*
		 * Swapped-out pages stay where they are, and so do pages that
		 * another migration or a device holds exclusively.
		 */
		if (!is_device_private_entry(entry))
			return 0;

		page = pfn_swap_entry_to_page(entry);
		if (!(migrate->flags & MIGRATE_VMA_SELECT_DEVICE_PRIVATE) ||
		    page->pgmap->owner != migrate->pgmap_owner)
			return 0;

		mpfn = migrate_pfn(page_to_pfn(page)) | MIGRATE_PFN_MIGRATE;
		if (is_writable_device_private_entry(entry))
			mpfn |= MIGRATE_PFN_WRITE;
	} else {
		if (is_zero_pfn(pte_pfn(pte))) {
			/* Like a hole: the driver supplies a zeroed page. */
			if (!(migrate->flags & MIGRATE_VMA_SELECT_SYSTEM))
				return 0;
			migrate->cpages++;
			return MIGRATE_PFN_MIGRATE;
		}

		page = vm_normal_page(vma, addr, pte);
		if (!page || !migrate_vma_selects(migrate, page))
			return 0;

		mpfn = migrate_pfn(pte_pfn(pte)) | MIGRATE_PFN_MIGRATE;
		if (pte_write(pte))
			mpfn |= MIGRATE_PFN_WRITE;
	}

	/* Only order-0 pages that are anon or in a file can move. */
	if (!page->mapping || PageTransCompound(page))
		return 0;

	folio = page_folio(page);

	/*
	 * The reference keeps the folio alive once its PTE is gone, and makes
	 * any other migration of it see an unexpected count and back off.
	 */
	folio_get(folio);

	/*
	 * Never sleep on the folio lock here: we hold the PTE lock, and two
	 * migrations each holding a page the other wants would deadlock.
	 * Migration is best effort; a busy page simply stays.
	 */
	if (!folio_trylock(folio)) {
		folio_put(folio);
		return 0;
	}

	if (pte_present(pte))
		flush_cache_page(vma, addr, pte_pfn(pte));

	anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(page);
	if (!anon_exclusive) {
		pte = ptep_get_and_clear(mm, addr, ptep);
	} else {
		/*
		 * Sharing an exclusive anon page is refused while it may be
		 * DMA-pinned.  The flush first makes sure no CPU can write it
		 * through a stale TLB entry while we decide.
		 */
		pte = ptep_clear_flush(vma, addr, ptep);
		if (folio_try_share_anon_rmap_pte(folio, page)) {
			/* Possibly pinned: leave the PTE as it was. */
			set_pte_at(mm, addr, ptep, pte);
			migrate_device_release(folio);
			return 0;
		}
	}

	/* The dirty bit dies with the PTE; keep it in the folio. */
	if (pte_present(pte) && pte_dirty(pte))
		folio_mark_dirty(folio);
	migrate->cpages++;

	set_pte_at(mm, addr, ptep,
		   migrate_vma_migration_pte(page, pte, mpfn, anon_exclusive));

	/*
	 * The mapping's reference goes with the mapping; the one taken above
	 * is now the migration's.
	 */
	folio_remove_rmap_pte(folio, page, vma);
	folio_put(folio);

	if (pte_present(pte))
		(*unmapped)++;

	return mpfn;
}

enum collect_pmd_action {
	COLLECT_PTES,		/* the PMD points to a PTE table: walk it */
	COLLECT_HOLE,		/* nothing mapped under the PMD */
	COLLECT_SKIP,		/* a huge mapping that could not be split */
};

/*
 * Bring the PMD into a shape collect can walk: a huge zero PMD or a THP is
 * split into a table of small PTEs.
 */
static enum collect_pmd_action migrate_vma_prepare_pmd(pmd_t *pmdp,
						       unsigned long addr,
						       struct mm_walk *walk)
{
	struct mm_struct *mm = walk->vma->vm_mm;
	struct folio *folio;
	spinlock_t *ptl;
	int ret;

	if (pmd_none(pmdp_get(pmdp)))
		return COLLECT_HOLE;
	if (!pmd_trans_huge(pmdp_get(pmdp)))
		return COLLECT_PTES;

	ptl = pmd_lock(mm, pmdp);
	if (unlikely(!pmd_trans_huge(pmdp_get(pmdp)))) {
		/* Split or zapped under us: look again. */
		spin_unlock(ptl);
		return migrate_vma_prepare_pmd(pmdp, addr, walk);
	}

	folio = pmd_folio(pmdp_get(pmdp));
	if (is_huge_zero_folio(folio)) {
		spin_unlock(ptl);
		/* Known huge just now; the split looks again under the lock. */
		__split_huge_pmd(walk->vma, pmdp, addr, false, NULL);
		return COLLECT_PTES;
	}

	folio_get(folio);
	spin_unlock(ptl);

	if (unlikely(!folio_trylock(folio))) {
		folio_put(folio);
		return COLLECT_SKIP;
	}
	ret = split_folio(folio);
	folio_unlock(folio);
	folio_put(folio);

	return ret ? COLLECT_SKIP : COLLECT_PTES;
}

static int migrate_vma_collect_pmd(pmd_t *pmdp,
				   unsigned long start,
				   unsigned long end,
				   struct mm_walk *walk)
{
	struct vm_area_struct *vma = walk->vma;
	struct migrate_vma *migrate = walk->private;
	unsigned long addr, unmapped = 0;
	pte_t *start_ptep, *ptep;
	spinlock_t *ptl;

	for (;;) {
		switch (migrate_vma_prepare_pmd(pmdp, start, walk)) {
		case COLLECT_HOLE:
			return migrate_vma_collect_hole(start, end, -1, walk);
		case COLLECT_SKIP:
			return migrate_vma_collect_skip(start, end, walk);
		case COLLECT_PTES:
			break;
		}

		/*
		 * This fails when the PMD changed since we looked at it (or is
		 * a PMD migration entry, which we wait out): start over.
		 */
		start_ptep = pte_offset_map_lock(vma->vm_mm, pmdp, start, &ptl);
		if (start_ptep)
			break;
	}

	arch_enter_lazy_mmu_mode();
	for (addr = start, ptep = start_ptep; addr < end; addr += PAGE_SIZE, ptep++)
		migrate_vma_add_slot(migrate,
				     migrate_vma_collect_pte(migrate, addr, ptep,
							     &unmapped));
	arch_leave_lazy_mmu_mode();

	/*
	 * Flush before dropping the PTE lock: once it is dropped, the pages are
	 * only locked, and a CPU writing through a stale translation would
	 * change data the driver is about to copy.
	 */
	if (unmapped)
		flush_tlb_range(vma, start, end);
	pte_unmap_unlock(start_ptep, ptl);

	return 0;
}

/*
 * migrate_vma_collect() - fill migrate->src with the range's pages, locking
 * and unmapping the selected ones from this page table.
 *
 * The notifier tells mirrors (with our owner, so a driver can tell its own
 * migrations apart) that the range is about to change.
 */
static void migrate_vma_collect(struct migrate_vma *migrate)
{
	/* Collect needs only mmap_lock for read: it changes PTEs, not VMAs. */
	static const struct mm_walk_ops migrate_vma_walk_ops = {
		.walk_lock = PGWALK_RDLOCK,
		.pte_hole = migrate_vma_collect_hole,
		.pmd_entry = migrate_vma_collect_pmd,
	};
	struct mm_struct *mm = migrate->vma->vm_mm;
	struct mmu_notifier_range range;

	/* Collect writes every slot of the range; no need to clear first. */
	migrate->cpages = 0;
	migrate->npages = 0;

	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_MIGRATE, 0, mm,
				      migrate->start, migrate->end,
				      migrate->pgmap_owner);
	mmu_notifier_invalidate_range_start(&range);
	walk_page_range(mm, range.start, range.end, &migrate_vma_walk_ops,
			migrate);
	mmu_notifier_invalidate_range_end(&range);

	/* The walk gave every page a slot, so this only drops an offset. */
	migrate->end = migrate->start + migrate->npages * PAGE_SIZE;
}

/*
 * migrate_vma_check_page() - may this locked, unmapped page move?
 * @page: the page
 * @fault_page: the device page a CPU fault is migrating, or NULL
 *
 * A page can move only if every reference to it is accounted for: the one
 * the migration holds, the fault path's on @fault_page, the cache's, and one
 * per remaining mapping.  Anything more is a pin (GUP, DMA, a kernel user)
 * and the page must stay.  Large folios are never migrated here.
 */
static bool migrate_vma_check_page(struct page *page, struct page *fault_page)
{
	struct folio *folio = page_folio(page);
	int explained;

	if (folio_test_large(folio))
		return false;

	/* The migration's own reference, and one per mapping left. */
	explained = 1 + folio_mapcount(folio);
	if (page == fault_page)
		explained++;

	/*
	 * Device pages get one reference of slack.  Free device pages used to
	 * hold a reference; a page with one stray reference now passes here
	 * and is refused by the exact count in folio_migrate_mapping().
	 */
	if (folio_is_zone_device(folio))
		explained++;

	/* The page cache (or swap cache) and its private data hold some too. */
	if (folio_mapping(folio))
		explained += folio_has_private(folio) ? 2 : 1;

	return folio_ref_count(folio) <= explained;
}

/* Put back the mappings of every page whose slot gave up migrating. */
static void migrate_device_restore(unsigned long *src_pfns, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *page = migrate_pfn_to_page(src_pfns[i]);

		if (page && !(src_pfns[i] & MIGRATE_PFN_MIGRATE)) {
			remove_migration_ptes(page_folio(page), page_folio(page), 0);
			migrate_device_release(page_folio(page));
			src_pfns[i] = 0;
		}
	}
}

/*
 * Take one locked page of a src slot off the LRU and out of every page table.
 * Returns false if it cannot migrate: it is then back on the LRU, some of its
 * mappings may already be migration entries, and the caller owns one
 * reference to drop once it has restored them.
 */
static bool migrate_device_unmap_one(struct page *page,
				     struct page *fault_page, bool *drained_all)
{
	struct folio *folio = page_folio(page);
	bool on_lru = !folio_is_zone_device(folio);

	if (on_lru) {
		/* It may sit in another CPU's LRU batch: drain them, once. */
		if (!folio_test_lru(folio) && !*drained_all) {
			lru_add_drain_all();
			*drained_all = true;
		}
		if (!folio_isolate_lru(folio))
			return false;
		/* From here on the isolation reference is the migration's. */
		folio_put(folio);
	}

	if (folio_mapped(folio))
		try_to_migrate(folio, 0);
	if (!folio_mapped(folio) && migrate_vma_check_page(page, fault_page))
		return true;

	if (on_lru) {
		/* The putback consumes the isolation reference; keep one. */
		folio_get(folio);
		folio_putback_lru(folio);
	}
	return false;
}

/*
 * Unmap the pages of the src slots everywhere, then restore those that turn
 * out to be pinned or cannot be unmapped.  On entry each page is locked and
 * the caller holds a reference to it.  Returns the number of slots still
 * migrating.
 */
static unsigned long migrate_device_unmap(unsigned long *src_pfns,
					  unsigned long npages,
					  struct page *fault_page)
{
	unsigned long i, unmapped = 0;
	bool drained_all = false;
	bool restore = false;

	/* Pages still in this CPU's LRU batch hold a transient reference. */
	lru_add_drain();

	for (i = 0; i < npages; i++) {
		struct page *page = migrate_pfn_to_page(src_pfns[i]);

		if (!(src_pfns[i] & MIGRATE_PFN_MIGRATE))
			continue;
		if (page &&
		    !migrate_device_unmap_one(page, fault_page, &drained_all)) {
			src_pfns[i] &= ~MIGRATE_PFN_MIGRATE;
			restore = true;
			continue;
		}
		unmapped++;
	}

	if (restore)
		migrate_device_restore(src_pfns, npages);

	return unmapped;
}

static void migrate_vma_unmap(struct migrate_vma *migrate)
{
	if (migrate->cpages)
		migrate->cpages = migrate_device_unmap(migrate->src,
						       migrate->npages,
						       migrate->fault_page);
}

/* The checks of migrate_vma_setup(), on the page-masked range. */
static bool migrate_vma_args_valid(struct migrate_vma *args, long nr_pages)
{
	struct vm_area_struct *vma = args->vma;

	if (!vma || is_vm_hugetlb_page(vma) || (vma->vm_flags & VM_SPECIAL) ||
	    vma_is_dax(vma))
		return false;
	/* Less than a page, or a reversed range. */
	if (nr_pages <= 0 || args->end <= args->start)
		return false;
	/* With start < end, these two keep the whole range inside the VMA. */
	if (args->start < vma->vm_start || args->end > vma->vm_end)
		return false;
	if (!args->src || !args->dst)
		return false;
	if (args->fault_page && !is_device_private_page(args->fault_page))
		return false;
	return true;
}

/**
 * migrate_vma_setup() - select, lock and unmap the pages of a range
 * @args: the migration: @vma, @start, @end, @src, @dst, @pgmap_owner,
 *	@flags and, from a migrate_to_ram() handler only, @fault_page
 *
 * The caller holds the mmap_lock of @args->vma->vm_mm (read is enough) until
 * migrate_vma_finalize() returns.  @start and @end are rounded down to page
 * boundaries and must lie in @vma; @src and @dst hold one entry per page.
 *
 * Each page of the range gets a slot in @src:
 *  - 0: not migrating;
 *  - MIGRATE_PFN_MIGRATE alone: an empty PTE of an anonymous VMA, or the
 *    zero page (with MIGRATE_VMA_SELECT_SYSTEM); the driver may fill it with
 *    a new page;
 *  - migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE [| MIGRATE_PFN_WRITE]: a page of
 *    the kinds selected by @flags (device pages only when their owner is
 *    @pgmap_owner), now locked, unmapped everywhere and known not to be
 *    pinned.  WRITE says the mapping was writable.
 * @dst is cleared.  @cpages counts the slots with MIGRATE_PFN_MIGRATE.
 *
 * Next the driver allocates a locked destination for the slots it wants,
 * copies (or zeroes) the data and stores migrate_pfn() of it in @dst, then
 * calls migrate_vma_pages() and migrate_vma_finalize().  Moving data back to
 * RAM from a fault handler must not give up on the faulting page: if it
 * cannot move, the handler returns VM_FAULT_SIGBUS.
 *
 * Return: 0, even when nothing could be selected (@cpages == 0), after which
 * migrate_vma_finalize() must be called; -EINVAL for a missing, hugetlb,
 * special or DAX VMA, a range shorter than a page, reversed or outside the
 * VMA, missing arrays, or a @fault_page that is not device-private, in which
 * case nothing but the rounding of @start and @end has changed.
 */
int migrate_vma_setup(struct migrate_vma *args)
{
	long nr_pages = (args->end - args->start) >> PAGE_SHIFT;

	args->start &= PAGE_MASK;
	args->end &= PAGE_MASK;
	if (!migrate_vma_args_valid(args, nr_pages))
		return -EINVAL;

	migrate_vma_collect(args);
	migrate_vma_unmap(args);
	return 0;
}
EXPORT_SYMBOL(migrate_vma_setup);

/*
 * The PMD entry covering @addr, with a PTE table under it; missing levels
 * are allocated.  NULL if an allocation fails or a huge page is mapped there
 * (faulted in since collect: it stays).
 */
static pmd_t *migrate_vma_alloc_pmd(struct mm_struct *mm, unsigned long addr)
{
	p4d_t *p4dp = p4d_alloc(mm, pgd_offset(mm, addr), addr);
	pud_t *pudp = p4dp ? pud_alloc(mm, p4dp, addr) : NULL;
	pmd_t *pmdp = pudp ? pmd_alloc(mm, pudp, addr) : NULL;
	pmd_t pmd;

	if (!pmdp)
		return NULL;
	pmd = pmdp_get(pmdp);
	if (pmd_trans_huge(pmd) || pmd_devmap(pmd))
		return NULL;
	return pte_alloc(mm, pmdp) ? NULL : pmdp;
}

/*
 * The entry that maps @page at a new address of @vma, as an anonymous write
 * fault would make it: writability comes from the VMA.  False for device
 * memory the CPU can neither map nor fault on.
 */
static bool migrate_vma_make_entry(struct vm_area_struct *vma,
				   struct page *page, pte_t *entry)
{
	struct folio *folio = page_folio(page);
	bool writable = vma->vm_flags & VM_WRITE;
	unsigned long pfn = page_to_pfn(page);

	if (folio_is_device_private(folio)) {
		*entry = swp_entry_to_pte(writable ?
				make_writable_device_private_entry(pfn) :
				make_readable_device_private_entry(pfn));
		return true;
	}

	if (folio_is_zone_device(folio) && !folio_is_device_coherent(folio)) {
		pr_warn_once("devmig: cannot map this kind of device page\n");
		return false;
	}

	*entry = mk_pte(page, vma->vm_page_prot);
	if (writable)
		*entry = pte_mkwrite(pte_mkdirty(*entry), vma);
	return true;
}

/*
 * Install @entry for the new @folio at @addr, unless something got there
 * since collect.  Returns whether it did.
 */
static bool migrate_vma_install_pte(struct vm_area_struct *vma, pmd_t *pmdp,
				    unsigned long addr, struct folio *folio,
				    pte_t entry)
{
	struct mm_struct *mm = vma->vm_mm;
	bool installed = false;
	spinlock_t *ptl;
	pte_t *ptep, old;

	ptep = pte_offset_map_lock(mm, pmdp, addr, &ptl);
	if (!ptep)
		return false;
	old = ptep_get(ptep);

	/*
	 * Back off if the OOM reaper is tearing the mm down, if userfaultfd
	 * wants to resolve missing pages itself, or if a CPU fault mapped a
	 * page here meanwhile.  Only a hole or the zero page may be replaced.
	 */
	if (check_stable_address_space(mm) || userfaultfd_missing(vma))
		goto out;
	if (pte_present(old) ? !is_zero_pfn(pte_pfn(old)) : !pte_none(old))
		goto out;

	/* The new mapping owns a reference. */
	folio_get(folio);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	inc_mm_counter(mm, MM_ANONPAGES);
	if (!folio_is_zone_device(folio))
		folio_add_lru_vma(folio, vma);

	if (pte_present(old)) {
		/* No CPU may go on reading the zero page here. */
		flush_cache_page(vma, addr, pte_pfn(old));
		ptep_clear_flush(vma, addr, ptep);
	}
	set_pte_at(mm, addr, ptep, entry);
	update_mmu_cache(vma, addr, ptep);
	installed = true;
out:
	pte_unmap_unlock(ptep, ptl);
	return installed;
}

/*
 * Map a new page at @addr, an address that had no page (or the zero page),
 * the way an anonymous write fault would; the page is device memory or a
 * system page the driver filled.  On failure the slot stops migrating and
 * the page tables keep what they had.
 */
static void migrate_vma_insert_page(struct migrate_vma *migrate,
				    unsigned long addr,
				    struct page *page,
				    unsigned long *src)
{
	struct vm_area_struct *vma = migrate->vma;
	struct folio *folio = page_folio(page);
	pmd_t *pmdp;
	pte_t entry;

	/* Not migrating until the page is mapped. */
	*src &= ~MIGRATE_PFN_MIGRATE;

	/* Holes of file and shmem mappings belong to the page cache. */
	if (!vma_is_anonymous(vma))
		return;

	pmdp = migrate_vma_alloc_pmd(vma->vm_mm, addr);
	if (!pmdp || unlikely(anon_vma_prepare(vma)) ||
	    mem_cgroup_charge(folio, vma->vm_mm, GFP_KERNEL))
		return;

	/* Order the driver's data stores before the PTE that exposes them. */
	__folio_mark_uptodate(folio);

	if (migrate_vma_make_entry(vma, page, &entry) &&
	    migrate_vma_install_pte(vma, pmdp, addr, folio, entry))
		*src = MIGRATE_PFN_MIGRATE;
}

/*
 * Hand the identity of @page (its anon_vma or file mapping, index, flags,
 * memcg charge) to @newpage.  The reference count of @page must be exactly
 * what migration expects, which makes this the final pin check.
 */
static bool migrate_device_move_page(struct migrate_vma *migrate,
				     struct page *page, struct page *newpage)
{
	struct folio *folio = page_folio(page);
	struct folio *newfolio = page_folio(newpage);
	struct address_space *mapping = folio_mapping(folio);
	int extra = 0;

	if (folio_is_device_private(newfolio) ||
	    folio_is_device_coherent(newfolio)) {
		if (mapping) {
			/*
			 * Device memory holds no page cache.  An anon page in
			 * the swap cache may go if its swap copy can be
			 * dropped; afterwards it has no mapping, and must be
			 * treated as such below.
			 */
			if (!folio_test_anon(folio) || !folio_free_swap(folio))
				return false;
			mapping = folio_mapping(folio);
		}
	} else if (folio_is_zone_device(newfolio)) {
		/* Only private and coherent device memory can hold user data. */
		return false;
	}

	/* Writeback still reads the page: it cannot change identity now. */
	if (folio_test_writeback(folio))
		return false;

	/* The fault path holds a reference on the page it is resolving. */
	if (migrate && migrate->fault_page == page)
		extra = 1;

	if (folio_migrate_mapping(mapping, newfolio, folio, extra) !=
	    MIGRATEPAGE_SUCCESS)
		return false;

	folio_migrate_flags(newfolio, folio);
	return true;
}

static void __migrate_device_pages(unsigned long *src_pfns,
				unsigned long *dst_pfns, unsigned long npages,
				struct migrate_vma *migrate)
{
	struct mmu_notifier_range range;
	bool range_started = false;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *newpage = migrate_pfn_to_page(dst_pfns[i]);
		struct page *page = migrate_pfn_to_page(src_pfns[i]);
		unsigned long addr;

		if (!newpage) {
			src_pfns[i] &= ~MIGRATE_PFN_MIGRATE;
			continue;
		}

		if (page) {
			if (!migrate_device_move_page(migrate, page, newpage))
				src_pfns[i] &= ~MIGRATE_PFN_MIGRATE;
			continue;
		}

		if (!(src_pfns[i] & MIGRATE_PFN_MIGRATE))
			continue;

		/* Empty slots come only from migrate_vma_setup(). */
		if (WARN_ON_ONCE(!migrate)) {
			src_pfns[i] &= ~MIGRATE_PFN_MIGRATE;
			continue;
		}

		addr = migrate->start + i * PAGE_SIZE;
		if (!range_started) {
			/*
			 * Mapping a new page changes the range for mirrors
			 * too; one notification covers every insertion left.
			 */
			range_started = true;
			mmu_notifier_range_init_owner(&range, MMU_NOTIFY_MIGRATE,
						      0, migrate->vma->vm_mm,
						      addr, migrate->end,
						      migrate->pgmap_owner);
			mmu_notifier_invalidate_range_start(&range);
		}
		migrate_vma_insert_page(migrate, addr, newpage, &src_pfns[i]);
	}

	if (range_started)
		mmu_notifier_invalidate_range_end(&range);
}

/**
 * migrate_vma_pages() - commit the migration of the slots with a destination
 * @migrate: the migration prepared by migrate_vma_setup()
 *
 * For each slot still carrying MIGRATE_PFN_MIGRATE whose @dst entry names a
 * destination page, move the source page's metadata to it, or for an empty
 * slot map the destination into the page table now.  Slots that cannot be
 * committed lose MIGRATE_PFN_MIGRATE in @src; afterwards that flag says
 * exactly which slots moved.
 *
 * Source and destination pages stay locked and mmap_lock is still held, so
 * the driver may update its own page tables before migrate_vma_finalize().
 */
void migrate_vma_pages(struct migrate_vma *migrate)
{
	__migrate_device_pages(migrate->src, migrate->dst, migrate->npages,
			       migrate);
}
EXPORT_SYMBOL(migrate_vma_pages);

/**
 * migrate_device_pages() - move page metadata to the destination pages
 * @src_pfns: the src array filled by migrate_device_range()
 * @dst_pfns: locked destination pages chosen by the driver, or 0
 * @npages: number of entries in both arrays
 *
 * The migrate_device_range() counterpart of migrate_vma_pages(): for every
 * slot still migrating that has a destination, the destination takes over
 * the source's identity.  Slots without a destination, or whose source turns
 * out to be referenced by someone else, lose MIGRATE_PFN_MIGRATE.  No data is
 * copied (the driver did) and no page table is touched (finalize does).
 */
void migrate_device_pages(unsigned long *src_pfns, unsigned long *dst_pfns,
			unsigned long npages)
{
	__migrate_device_pages(src_pfns, dst_pfns, npages, NULL);
}
EXPORT_SYMBOL(migrate_device_pages);

/**
 * migrate_device_finalize() - finish a migration started by
 *	migrate_device_range()
 * @src_pfns: the src array, as migrate_device_pages() left it
 * @dst_pfns: the destinations
 * @npages: number of entries in both arrays
 *
 * Every migration entry of a slot that moved is replaced by a mapping of its
 * destination; every other one by a mapping of its source again.  All pages
 * are unlocked and the migration's references dropped, which frees the
 * sources that moved and the destinations that were not used.  The driver
 * must have finished copying the data.
 */
void migrate_device_finalize(unsigned long *src_pfns,
			unsigned long *dst_pfns, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *newpage = migrate_pfn_to_page(dst_pfns[i]);
		struct page *page = migrate_pfn_to_page(src_pfns[i]);
		struct folio *src, *dst;

		if (!page) {
			/*
			 * An inserted page keeps the mapping's reference; an
			 * unused one is freed here.
			 */
			if (newpage)
				migrate_device_release(page_folio(newpage));
			continue;
		}

		src = page_folio(page);
		if (newpage && (src_pfns[i] & MIGRATE_PFN_MIGRATE)) {
			dst = page_folio(newpage);
		} else {
			if (newpage)
				migrate_device_release(page_folio(newpage));
			dst = src;
		}

		if (!folio_is_zone_device(dst))
			folio_add_lru(dst);
		remove_migration_ptes(src, dst, 0);

		migrate_device_release(src);
		if (dst != src)
			migrate_device_release(dst);
	}
}
EXPORT_SYMBOL(migrate_device_finalize);

/**
 * migrate_vma_finalize() - point the page tables at the result
 * @migrate: the migration, after migrate_vma_pages()
 *
 * Migration entries become mappings of the destination for slots that moved
 * and of the source for the others; pages are unlocked, system pages go back
 * to the LRU, and the migration's references are dropped.  The driver must
 * have finished copying the data.
 */
void migrate_vma_finalize(struct migrate_vma *migrate)
{
	migrate_device_finalize(migrate->src, migrate->dst, migrate->npages);
}
EXPORT_SYMBOL(migrate_vma_finalize);

/*
 * The src slot for device memory found by pfn: the page locked, with a
 * reference, or 0 when it is free (no reference to take) or someone else
 * holds its lock.
 */
static unsigned long migrate_device_grab(unsigned long pfn)
{
	struct folio *folio = folio_get_nontail_page(pfn_to_page(pfn));

	if (!folio)
		return 0;
	if (folio_trylock(folio))
		return migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE;
	folio_put(folio);
	return 0;
}

/**
 * migrate_device_range() - start moving device pages by pfn
 * @src_pfns: array of @npages entries, filled on return
 * @start: first pfn (not an address)
 * @npages: number of pfns
 *
 * For a driver that must empty device memory (unbind, unload) without
 * knowing which processes map it.  Each page in use is locked and unmapped
 * from every address space, as migrate_vma_setup() does for a range; free
 * pages, pages locked by someone else and pinned pages get a 0 slot.  The
 * driver then allocates locked system pages, copies, fills a zeroed dst
 * array, and calls migrate_device_pages() and migrate_device_finalize().
 *
 * Return: 0.
 */
int migrate_device_range(unsigned long *src_pfns, unsigned long start,
			unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		src_pfns[i] = migrate_device_grab(start + i);

	migrate_device_unmap(src_pfns, npages, NULL);

	return 0;
}
EXPORT_SYMBOL(migrate_device_range);

/**
 * migrate_device_coherent_folio() - move a device-coherent folio to RAM
 * @folio: the folio; the caller holds a reference, which is consumed
 *
 * Used before a long-term pin, which device-coherent memory must not get.
 *
 * Return: 0 when every mapping now maps a system copy; -EBUSY when the folio
 * is pinned, cannot be unmapped, or no system page could be allocated.
 */
int migrate_device_coherent_folio(struct folio *folio)
{
	unsigned long src = migrate_pfn(folio_pfn(folio)) | MIGRATE_PFN_MIGRATE;
	struct folio *copy = folio_alloc(GFP_USER | __GFP_NOWARN, 0);
	unsigned long dst;
	bool moved;

	WARN_ON_ONCE(folio_test_large(folio));

	/* Without a page to copy into there is no point unmapping anything. */
	if (!copy) {
		folio_put(folio);
		return -EBUSY;
	}

	folio_lock(folio);
	if (!migrate_device_unmap(&src, 1, NULL)) {
		/* Pinned or still mapped: already restored, reference dropped. */
		folio_put(copy);
		return -EBUSY;
	}

	folio_lock(copy);
	dst = migrate_pfn(folio_pfn(copy));
	migrate_device_pages(&src, &dst, 1);
	moved = src & MIGRATE_PFN_MIGRATE;
	if (moved)
		folio_copy(copy, folio);
	migrate_device_finalize(&src, &dst, 1);

	return moved ? 0 : -EBUSY;
}

/**
 * migrate_device_coherent_page() - migrate_device_coherent_folio() by page
 * @page: a page of the folio; the caller's reference is consumed
 *
 * The name callers used before folios.
 *
 * Return: as migrate_device_coherent_folio().
 */
int migrate_device_coherent_page(struct page *page)
{
	return migrate_device_coherent_folio(page_folio(page));
}
