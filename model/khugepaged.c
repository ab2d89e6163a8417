// SPDX-License-Identifier: GPL-2.0
/*
 * khugepaged.c - MADV_COLLAPSE (mm/khugepaged.c's madvise_collapse()): the
 * synchronous collapse of the anonymous pages of each PMD range of a VMA
 * into one THP.  There is no khugepaged thread in the model.
 *
 * Per 2 MiB range, as the kernel does it for madvise (no max_ptes_* limits,
 * the THP sysfs mode ignored, VM_NOHUGEPAGE honoured): scan the PTEs
 * (holes and zero pages are fine; device-private and other non-present
 * entries are "swapped in" first by faulting them, which migrates
 * device pages back; at least one PTE must be writable; every page must
 * be an anon page on an LRU, unlocked, with no reference but its
 * mappings), allocate the THP, then under mmap_lock for write take the PTE
 * table away from the CPU (PMD cleared and flushed, mirrors told), lock
 * and isolate every page, copy them (zeros for holes), free them, and map
 * the THP with a huge PMD, the old PTE table deposited under it.  A range
 * already mapped by a huge PMD counts as collapsed.
 *
 * Return codes as madvise_collapse_errno(): 0 when every range is a THP
 * now; -EAGAIN when a page was busy (locked, referenced, off the LRU);
 * -ENOMEM when no THP could be allocated; -EINVAL for a VMA that cannot
 * hold THPs and for other failures (for example a range with no page
 * table at all).
 *
 * Not modelled: file and shmem collapse (-EINVAL), PTE-mapped THPs are
 * collapsed like any other pages (the kernel does too), NUMA placement,
 * uffd-wp.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/huge_mm.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/slab.h>
#include <linux/swapops.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/mmu_notifier.h>
#include <asm/tlbflush.h>
#include <asm/pgalloc.h>
#include <model/process.h>
#include "internal.h"

enum scan_result {
	SCAN_FAIL,
	SCAN_SUCCEED,
	SCAN_PMD_NULL,
	SCAN_PMD_NONE,
	SCAN_PMD_MAPPED,
	SCAN_PTE_NON_PRESENT,
	SCAN_PAGE_RO,
	SCAN_PAGE_NULL,
	SCAN_PAGE_COUNT,
	SCAN_PAGE_LRU,
	SCAN_PAGE_LOCK,
	SCAN_PAGE_ANON,
	SCAN_VMA_NULL,
	SCAN_VMA_CHECK,
	SCAN_ADDRESS_RANGE,
	SCAN_DEL_PAGE_LRU,
	SCAN_ALLOC_HUGE_PAGE_FAIL,
	SCAN_CGROUP_CHARGE_FAIL,
};

static int madvise_collapse_errno(enum scan_result r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return -ENOMEM;
	case SCAN_CGROUP_CHARGE_FAIL:
		return -EBUSY;
	case SCAN_PAGE_COUNT:
	case SCAN_PAGE_LOCK:
	case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
		return -EAGAIN;
	default:
		return -EINVAL;
	}
}

static bool pte_none_or_zero(pte_t pte)
{
	return pte_none(pte) ||
	       (pte_present(pte) && is_zero_pfn(pte_pfn(pte)));
}

/* Only the mappings (and the swap cache) may hold the folio. */
static bool is_refcount_suitable(struct folio *folio)
{
	int expected = folio_mapcount(folio);

	if (!folio_test_anon(folio) || folio_test_swapcache(folio))
		expected += folio_nr_pages(folio);
	if (folio_test_private(folio))
		expected++;
	return folio_ref_count(folio) == expected;
}

static enum scan_result find_pmd_or_thp_or_none(struct mm_struct *mm,
						unsigned long address,
						pmd_t **pmd)
{
	pmd_t pmde;

	*pmd = mm_find_pmd(mm, address);
	if (!*pmd)
		return SCAN_PMD_NULL;
	pmde = pmdp_get_lockless(*pmd);
	if (pmd_none(pmde))
		return SCAN_PMD_NONE;
	if (!pmd_present(pmde))
		return SCAN_PMD_NULL;
	if (pmd_trans_huge(pmde))
		return SCAN_PMD_MAPPED;
	if (pmd_devmap(pmde) || pmd_bad(pmde))
		return SCAN_PMD_NULL;
	return SCAN_SUCCEED;
}

/* The VMA at @address may still take a THP there (mmap_lock held). */
static enum scan_result hugepage_vma_revalidate(struct mm_struct *mm,
						unsigned long address,
						bool expect_anon,
						struct vm_area_struct **vmap)
{
	struct vm_area_struct *vma = vma_lookup(mm, address);

	*vmap = vma;
	if (!vma)
		return SCAN_VMA_NULL;
	if (!thp_vma_suitable_order(vma, address, HPAGE_PMD_ORDER))
		return SCAN_ADDRESS_RANGE;
	if (!thp_vma_allowable_order(vma, vma->vm_flags, 0, HPAGE_PMD_ORDER))
		return SCAN_VMA_CHECK;
	if (expect_anon && (!vma->anon_vma || !vma_is_anonymous(vma)))
		return SCAN_PAGE_ANON;
	return SCAN_SUCCEED;
}

/* Can the PTEs of [address, +2M) become one THP?  Counts non-present ones. */
static enum scan_result hpage_collapse_scan_pmd(struct mm_struct *mm,
						struct vm_area_struct *vma,
						unsigned long address,
						int *unmapped)
{
	enum scan_result result;
	bool writable = false;
	unsigned long addr;
	pte_t *pte, *start;
	spinlock_t *ptl;
	pmd_t *pmd;

	*unmapped = 0;
	result = find_pmd_or_thp_or_none(mm, address, &pmd);
	if (result != SCAN_SUCCEED)
		return result;
	start = pte_offset_map_lock(mm, pmd, address, &ptl);
	if (!start)
		return SCAN_PMD_NULL;
	result = SCAN_SUCCEED;
	for (pte = start, addr = address; pte < start + HPAGE_PMD_NR;
	     pte++, addr += PAGE_SIZE) {
		pte_t val = ptep_get(pte);
		struct folio *folio;
		struct page *page;

		if (is_swap_pte(val)) {
			++*unmapped;
			continue;
		}
		if (pte_none_or_zero(val))
			continue;
		if (pte_write(val))
			writable = true;
		page = vm_normal_page(vma, addr, val);
		if (!page || is_zone_device_page(page)) {
			result = SCAN_PAGE_NULL;
			break;
		}
		folio = page_folio(page);
		if (!folio_test_anon(folio)) {
			result = SCAN_PAGE_ANON;
			break;
		}
		if (!folio_test_lru(folio)) {
			result = SCAN_PAGE_LRU;
			break;
		}
		if (folio_test_locked(folio)) {
			result = SCAN_PAGE_LOCK;
			break;
		}
		if (!is_refcount_suitable(folio)) {
			result = SCAN_PAGE_COUNT;
			break;
		}
	}
	pte_unmap_unlock(start, ptl);
	if (result == SCAN_SUCCEED && !writable)
		result = SCAN_PAGE_RO;
	return result;
}

/*
 * Fault in every non-present entry of the range (device-private pages
 * migrate back to RAM), mmap_lock held for read.
 */
static enum scan_result collapse_swapin(struct mm_struct *mm,
					struct vm_area_struct *vma,
					unsigned long haddr, pmd_t *pmd)
{
	unsigned long address;
	int swapped_in = 0;

	for (address = haddr; address < haddr + HPAGE_PMD_SIZE;
	     address += PAGE_SIZE) {
		struct vm_fault vmf = {
			.vma = vma,
			.address = address,
			.real_address = address,
			.pgoff = linear_page_index(vma, address),
			.flags = FAULT_FLAG_ALLOW_RETRY,
			.pmd = pmd,
		};
		spinlock_t *ptl;
		pte_t *pte = pte_offset_map_nolock(mm, pmd, address, &ptl);
		vm_fault_t ret;

		if (!pte)
			return SCAN_PMD_NULL;
		vmf.orig_pte = ptep_get_lockless(pte);
		pte_unmap(pte);
		if (!is_swap_pte(vmf.orig_pte))
			continue;
		ret = do_swap_page(&vmf);
		if (ret & VM_FAULT_RETRY)
			return SCAN_PAGE_LOCK;
		if (ret & VM_FAULT_ERROR)
			return SCAN_FAIL;
		swapped_in++;
	}
	if (swapped_in)
		lru_add_drain();
	return SCAN_SUCCEED;
}

/* Folios isolated for one collapse (each once, large ones included). */
struct collapse_isolated {
	struct folio *folios[HPAGE_PMD_NR];
	int nr;
};

static bool collapse_isolated_has(struct collapse_isolated *iso,
				  struct folio *folio)
{
	int i;

	for (i = 0; i < iso->nr; i++)
		if (iso->folios[i] == folio)
			return true;
	return false;
}

static void collapse_release_isolated(struct collapse_isolated *iso)
{
	while (iso->nr) {
		struct folio *folio = iso->folios[--iso->nr];

		folio_unlock(folio);
		folio_putback_lru(folio);
	}
}

/*
 * Lock and isolate every page of the detached PTE table (its lock held);
 * on failure everything isolated so far is put back.
 */
static enum scan_result collapse_isolate(struct vm_area_struct *vma,
					 unsigned long address, pte_t *start,
					 struct collapse_isolated *iso)
{
	enum scan_result result = SCAN_SUCCEED;
	bool writable = false;
	unsigned long addr;
	pte_t *pte;

	for (pte = start, addr = address; pte < start + HPAGE_PMD_NR;
	     pte++, addr += PAGE_SIZE) {
		pte_t val = ptep_get(pte);
		struct folio *folio;
		struct page *page;

		if (pte_none_or_zero(val))
			continue;
		if (!pte_present(val)) {
			result = SCAN_PTE_NON_PRESENT;
			break;
		}
		page = vm_normal_page(vma, addr, val);
		if (!page || is_zone_device_page(page)) {
			result = SCAN_PAGE_NULL;
			break;
		}
		folio = page_folio(page);
		if (pte_write(val))
			writable = true;
		if (folio_test_large(folio) && collapse_isolated_has(iso, folio))
			continue;
		if (!folio_trylock(folio)) {
			result = SCAN_PAGE_LOCK;
			break;
		}
		if (!is_refcount_suitable(folio)) {
			folio_unlock(folio);
			result = SCAN_PAGE_COUNT;
			break;
		}
		if (!folio_isolate_lru(folio)) {
			folio_unlock(folio);
			result = SCAN_DEL_PAGE_LRU;
			break;
		}
		iso->folios[iso->nr++] = folio;
	}
	if (result == SCAN_SUCCEED && !writable)
		result = SCAN_PAGE_RO;
	if (result != SCAN_SUCCEED)
		collapse_release_isolated(iso);
	return result;
}

/*
 * Copy the detached table's pages into @folio, then drop them: their
 * mappings' references go, holes and zero pages start counting in RSS.
 */
static void collapse_copy(struct vm_area_struct *vma, unsigned long address,
			  pte_t *start, spinlock_t *ptl, struct folio *folio,
			  struct collapse_isolated *iso)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr;
	pte_t *pte;
	long i = 0;

	for (pte = start, addr = address; pte < start + HPAGE_PMD_NR;
	     pte++, addr += PAGE_SIZE, i++) {
		pte_t val = ptep_get(pte);

		if (pte_none_or_zero(val))
			clear_highpage(folio_page(folio, i));
		else
			copy_highpage(folio_page(folio, i),
				      vm_normal_page(vma, addr, val));
	}
	spin_lock(ptl);
	for (pte = start, addr = address; pte < start + HPAGE_PMD_NR;
	     pte++, addr += PAGE_SIZE) {
		pte_t val = ptep_get(pte);
		struct page *page;

		if (pte_none_or_zero(val)) {
			add_mm_counter(mm, MM_ANONPAGES, 1);
			if (!pte_none(val))
				pte_clear(mm, addr, pte);
			continue;
		}
		page = vm_normal_page(vma, addr, val);
		pte_clear(mm, addr, pte);
		folio_remove_rmap_pte(page_folio(page), page, vma);
		folio_put(page_folio(page));	/* the mapping's reference */
	}
	spin_unlock(ptl);
	collapse_release_isolated(iso);
}

/*
 * Collapse [address, +2M).  Entered with mmap_lock held for read; returns
 * with it released.
 */
static enum scan_result collapse_huge_page(struct mm_struct *mm,
					   unsigned long address, int unmapped)
{
	struct collapse_isolated *iso = NULL;
	struct mmu_notifier_range range;
	struct folio *folio = NULL;
	struct vm_area_struct *vma;
	spinlock_t *pmd_ptl, *pte_ptl;
	enum scan_result result;
	pmd_t *pmd, _pmd;
	pte_t *pte;

	mmap_read_unlock(mm);
	folio = folio_alloc(GFP_TRANSHUGE | __GFP_NOWARN, HPAGE_PMD_ORDER);
	if (!folio)
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	if (mem_cgroup_charge(folio, mm, GFP_KERNEL)) {
		folio_put(folio);
		return SCAN_CGROUP_CHARGE_FAIL;
	}
	iso = kzalloc(sizeof(*iso), GFP_KERNEL);
	if (!iso) {
		folio_put(folio);
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	}

	mmap_read_lock(mm);
	result = hugepage_vma_revalidate(mm, address, true, &vma);
	if (result == SCAN_SUCCEED)
		result = find_pmd_or_thp_or_none(mm, address, &pmd);
	if (result == SCAN_SUCCEED && unmapped)
		result = collapse_swapin(mm, vma, address, pmd);
	mmap_read_unlock(mm);
	if (result != SCAN_SUCCEED)
		goto out;

	mmap_write_lock(mm);
	result = hugepage_vma_revalidate(mm, address, true, &vma);
	if (result != SCAN_SUCCEED)
		goto out_up_write;
	result = find_pmd_or_thp_or_none(mm, address, &pmd);
	if (result != SCAN_SUCCEED)
		goto out_up_write;
	model_vma_start_write(vma);
	anon_vma_lock_write(vma->anon_vma);

	/* No CPU, GUP-fast or mirror may reach the PTE table any more. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, address,
				address + HPAGE_PMD_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	pmd_ptl = pmd_lock(mm, pmd);
	_pmd = pmdp_get(pmd);
	pmd_clear(pmd);
	flush_tlb_range(vma, address, address + HPAGE_PMD_SIZE);
	spin_unlock(pmd_ptl);
	mmu_notifier_invalidate_range_end(&range);

	pte = pte_offset_map_lock(mm, &_pmd, address, &pte_ptl);
	if (pte) {
		result = collapse_isolate(vma, address, pte, iso);
		spin_unlock(pte_ptl);
	} else {
		result = SCAN_PMD_NULL;
	}
	if (result != SCAN_SUCCEED) {
		if (pte)
			pte_unmap(pte);
		spin_lock(pmd_ptl);
		pmd_populate(mm, pmd, pmd_pgtable(_pmd));
		spin_unlock(pmd_ptl);
		anon_vma_unlock_write(vma->anon_vma);
		goto out_up_write;
	}
	anon_vma_unlock_write(vma->anon_vma);
	collapse_copy(vma, address, pte, pte_ptl, folio, iso);
	pte_unmap(pte);

	__folio_mark_uptodate(folio);
	spin_lock(pmd_ptl);
	folio_add_new_anon_rmap(folio, vma, address, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	pgtable_trans_huge_deposit(mm, pmd, pmd_pgtable(_pmd));
	_pmd = mk_huge_pmd(&folio->page, vma->vm_page_prot);
	_pmd = pmd_mkdirty(_pmd);
	if (vma->vm_flags & VM_WRITE)
		_pmd = pmd_mkwrite_novma(_pmd);
	set_pmd_at(mm, address, pmd, _pmd);
	spin_unlock(pmd_ptl);
	folio = NULL;
	result = SCAN_SUCCEED;
out_up_write:
	mmap_write_unlock(mm);
out:
	kfree(iso);
	if (folio)
		folio_put(folio);
	return result;
}

/*
 * madvise_collapse() - MADV_COLLAPSE on [@start, @end) of @vma
 * @mm: the address space, mmap_lock held for read (held again on return,
 *	though it may have been dropped meanwhile: @vma may be gone then)
 */
static int madvise_collapse(struct mm_struct *mm, struct vm_area_struct *vma,
			    unsigned long start, unsigned long end)
{
	unsigned long hstart, hend, addr;
	enum scan_result last_fail = SCAN_FAIL;
	bool mmap_locked = true;
	int thps = 0;

	if (!thp_vma_allowable_order(vma, vma->vm_flags, 0, HPAGE_PMD_ORDER))
		return -EINVAL;
	lru_add_drain_all();
	hstart = ALIGN(start, HPAGE_PMD_SIZE);
	hend = end & HPAGE_PMD_MASK;
	for (addr = hstart; addr < hend; addr += HPAGE_PMD_SIZE) {
		enum scan_result result;
		int unmapped;

		if (!mmap_locked) {
			mmap_read_lock(mm);
			mmap_locked = true;
			result = hugepage_vma_revalidate(mm, addr, false, &vma);
			if (result != SCAN_SUCCEED) {
				last_fail = result;
				goto out;
			}
			hend = min(hend, vma->vm_end & HPAGE_PMD_MASK);
		}
		result = hpage_collapse_scan_pmd(mm, vma, addr, &unmapped);
		if (result == SCAN_SUCCEED) {
			result = collapse_huge_page(mm, addr, unmapped);
			mmap_locked = false;
		}
		switch (result) {
		case SCAN_SUCCEED:
		case SCAN_PMD_MAPPED:
			++thps;
			break;
		/* Failures after which the next range may still collapse. */
		case SCAN_PMD_NULL:
		case SCAN_PTE_NON_PRESENT:
		case SCAN_PAGE_RO:
		case SCAN_PAGE_NULL:
		case SCAN_PAGE_COUNT:
		case SCAN_PAGE_LOCK:
		case SCAN_PAGE_LRU:
		case SCAN_DEL_PAGE_LRU:
			last_fail = result;
			break;
		default:
			last_fail = result;
			goto out;
		}
	}
out:
	if (!mmap_locked)
		mmap_read_lock(mm);
	return thps == (long)((hend - hstart) >> HPAGE_PMD_SHIFT) ? 0 :
	       madvise_collapse_errno(last_fail);
}

/**
 * model_madvise_collapse() - madvise(MADV_COLLAPSE) of [@addr, @end)
 * @mm: the address space (mmap_lock taken here, for read)
 * @addr: page-aligned start
 * @end: page-aligned end, above @addr (model_madvise() checked)
 *
 * Each VMA in the range is collapsed in turn (madvise_walk_vmas()); the
 * first error ends the walk.
 *
 * Return: 0; -ENOMEM if part of the range is unmapped (after collapsing
 * the rest); else madvise_collapse()'s error.
 */
int model_madvise_collapse(struct mm_struct *mm, unsigned long addr,
			   unsigned long end)
{
	unsigned long start = addr, tmp;
	struct vm_area_struct *vma;
	int unmapped_error = 0, err = 0;

	mmap_read_lock(mm);
	vma = find_vma(mm, start);
	if (!vma) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		tmp = min(end, vma->vm_end);
		err = madvise_collapse(mm, vma, start, tmp);
		if (err)
			goto out;
		start = tmp;
		if (start >= end)
			break;
		vma = find_vma(mm, start);
		if (!vma) {
			unmapped_error = -ENOMEM;
			break;
		}
	}
	err = unmapped_error;
out:
	mmap_read_unlock(mm);
	return err;
}
