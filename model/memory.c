// SPDX-License-Identifier: GPL-2.0
/*
 * memory.c - the page fault handler and the tearing down of user mappings.
 *
 * handle_mm_fault() is entered by the software CPU (model/cpu.c), by GUP and
 * by hmm_range_fault(), exactly as in the kernel.  It resolves one fault and
 * returns; the caller retries the access, so every path here may simply give
 * up (return 0) when it finds the page table changed under it.
 *
 * Locking, as in the kernel: mmap_lock (read) or the VMA's own lock for the
 * whole fault; the PTE lock around every check-and-set of a PTE; folio locks
 * taken only with the PTE lock dropped.  A fault that has to sleep on
 * something (a migration, migrate_to_ram()) does so without the PTE lock.
 *
 * The zap half removes mappings for munmap and exit.  Pages are freed only
 * after the TLB flush that makes their last translation unreachable: a CPU
 * still holding a stale translation must never reach a page that was reused.
 */
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/mm_inline.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mmu_notifier.h>
#include <linux/pagemap.h>
#include <linux/highmem.h>
#include <linux/oom.h>
#include <linux/memcontrol.h>
#include <asm/tlbflush.h>
#include <asm/pgalloc.h>
#include <model/process.h>
#include "internal.h"

/**
 * vm_normal_page() - the struct page a present PTE maps, if it is "normal"
 * @vma: the VMA the PTE belongs to
 * @addr: its address
 * @pte: the PTE value
 *
 * Return: the page, or NULL for mappings the core must not treat as a
 * refcounted page: the shared zero page and other special-bit PTEs, and
 * devmap PTEs.
 */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (unlikely(pte_special(pte))) {
		if (vma->vm_ops && vma->vm_ops->find_special_page)
			return vma->vm_ops->find_special_page(vma, addr);
		return NULL;
	}
	if (unlikely(is_zero_pfn(pfn)))
		return NULL;
	if (unlikely(pte_devmap(pte)))
		return NULL;
	return pfn_to_page(pfn);
}

/* vm_normal_folio() - the folio of vm_normal_page(), or NULL. */
struct folio *vm_normal_folio(struct vm_area_struct *vma, unsigned long addr,
			      pte_t pte)
{
	struct page *page = vm_normal_page(vma, addr, pte);

	return page ? page_folio(page) : NULL;
}

static pte_t maybe_mkwrite_pte(pte_t pte, struct vm_area_struct *vma)
{
	if (likely(vma->vm_flags & VM_WRITE))
		pte = pte_mkwrite(pte, vma);
	return pte;
}

/*
 * Make sure the VMA has an anon_vma before an anon folio is mapped in it.
 * Creating one needs mmap_lock; under the per-VMA lock give up and let the
 * fault be retried under mmap_lock.
 */
vm_fault_t vmf_anon_prepare(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	/*
	 * Lockless, as in anon_vma_prepare(): a migration inserting a page
	 * under mmap_lock (read) may be setting it right now.
	 */
	if (likely(READ_ONCE(vma->anon_vma)))
		return 0;
	if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
		vma_end_read(vma);
		return VM_FAULT_RETRY;
	}
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	return 0;
}

/* Read faults share the zero page; write faults get a private zeroed page. */
static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = NULL;
	vm_fault_t ret;
	pte_t entry;

	/* A shared anonymous VMA is shmem; it never reaches here. */
	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;
	if (pte_alloc(mm, vmf->pmd))
		return VM_FAULT_OOM;

	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		entry = pte_mkspecial(pfn_pte(my_zero_pfn(vmf->address),
					      vma->vm_page_prot));
	} else {
		ret = vmf_anon_prepare(vmf);
		if (ret)
			return ret;
		folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0,
					vma, vmf->address);
		if (!folio)
			return VM_FAULT_OOM;
		if (mem_cgroup_charge(folio, mm, GFP_KERNEL)) {
			folio_put(folio);
			return VM_FAULT_OOM;
		}
		/* The zeroing must be visible before the PTE is. */
		__folio_mark_uptodate(folio);
		entry = mk_pte(&folio->page, vma->vm_page_prot);
		entry = pte_mkyoung(entry);
		entry = maybe_mkwrite_pte(pte_mkdirty(entry), vma);
	}

	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		goto release;
	/* Another thread may have populated it while we allocated. */
	if (!pte_none(ptep_get(vmf->pte)))
		goto unlock;
	ret = check_stable_address_space(mm);
	if (ret) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		if (folio)
			folio_put(folio);
		return ret;
	}
	if (folio) {
		inc_mm_counter(mm, MM_ANONPAGES);
		folio_add_new_anon_rmap(folio, vma, vmf->address,
					RMAP_EXCLUSIVE);
		folio_add_lru_vma(folio, vma);
		folio = NULL;	/* the mapping owns the allocation reference */
	}
	set_pte_at(mm, vmf->address, vmf->pte, entry);
	update_mmu_cache(vma, vmf->address, vmf->pte);
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
release:
	if (folio)
		folio_put(folio);
	return 0;
}

/*
 * Map the page of a fault on a hole of a file VMA (finish_fault()): the
 * page a ->fault handler returned (locked, referenced; the reference
 * becomes the mapping's), or for a write fault in a private mapping the
 * anonymous copy in vmf->cow_page, which becomes a new exclusive anon page.
 */
static vm_fault_t finish_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool cow = write && !(vma->vm_flags & VM_SHARED);
	struct page *page = cow ? vmf->cow_page : vmf->page;
	struct folio *folio = page_folio(page);
	pte_t entry;

	if (pte_alloc(mm, vmf->pmd))
		return VM_FAULT_OOM;
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return VM_FAULT_NOPAGE;
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return VM_FAULT_NOPAGE;
	}
	entry = mk_pte(page, vma->vm_page_prot);
	entry = pte_mkyoung(entry);
	if (write)
		entry = maybe_mkwrite_pte(pte_mkdirty(entry), vma);
	if (cow) {
		inc_mm_counter(mm, MM_ANONPAGES);
		folio_add_new_anon_rmap(folio, vma, vmf->address,
					RMAP_EXCLUSIVE);
		folio_add_lru_vma(folio, vma);
	} else {
		folio_add_file_rmap_pte(folio, page, vma);
		inc_mm_counter(mm, mm_counter_file(folio));
	}
	set_pte_at(mm, vmf->address, vmf->pte, entry);
	update_mmu_cache(vma, vmf->address, vmf->pte);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* ->fault, with the folio it returns locked. */
static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = vmf->vma->vm_ops->fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (!(ret & VM_FAULT_LOCKED))
		folio_lock(page_folio(vmf->page));
	return 0;
}

/*
 * Write fault on a hole of a private file mapping (do_cow_fault()): the
 * file's page is copied into a new anon folio, which is mapped writable;
 * the page cache is left as it was.
 */
static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio, *file_folio;
	vm_fault_t ret;

	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vma, vmf->address);
	if (!folio)
		return VM_FAULT_OOM;
	if (mem_cgroup_charge(folio, vma->vm_mm, GFP_KERNEL)) {
		folio_put(folio);
		return VM_FAULT_OOM;
	}
	ret = __do_fault(vmf);
	if (ret) {
		folio_put(folio);
		return ret;
	}
	file_folio = page_folio(vmf->page);
	copy_highpage(&folio->page, vmf->page);
	__folio_mark_uptodate(folio);
	folio_unlock(file_folio);
	folio_put(file_folio);

	vmf->cow_page = &folio->page;
	ret = finish_fault(vmf);
	if (ret)
		folio_put(folio);	/* not mapped after all */
	return ret & ~VM_FAULT_NOPAGE;
}

/* Pages a read fault maps around its address: Linux's default, 64 KiB. */
#define FAULT_AROUND_PAGES	16

/*
 * Before ->fault, a read fault maps whatever the page cache already holds
 * near the address (do_fault_around()): the 64 KiB-aligned window around
 * it, moved up to start no lower than the VMA, cut at the VMA's end and at
 * the end of the page table.  Return: VM_FAULT_NOPAGE if the address itself
 * got mapped, 0 if ->fault must still be called, or an error.
 */
static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	const unsigned long window = FAULT_AROUND_PAGES * PAGE_SIZE;
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long start, end;

	start = max(ALIGN_DOWN(addr, window), vma->vm_start);
	end = min(min(start + window, vma->vm_end), ALIGN(addr + 1, PMD_SIZE));
	if (pte_alloc(vma->vm_mm, vmf->pmd))
		return VM_FAULT_OOM;
	return vma->vm_ops->map_pages(vmf,
			vmf->pgoff - ((addr - start) >> PAGE_SHIFT),
			vmf->pgoff + ((end - addr) >> PAGE_SHIFT) - 1);
}

/*
 * A hole in a VMA with ->fault (a tmpfs file, shared or private).  Read
 * faults map the file's page (read-only in a private mapping), and its
 * cached neighbours with it; write faults map it writable in a shared
 * mapping and copy it in a private one.
 */
static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	vm_fault_t ret;

	if (!vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	if (!(vmf->flags & FAULT_FLAG_WRITE) && vma->vm_ops->map_pages) {
		ret = do_fault_around(vmf);
		if (ret)
			return ret & ~VM_FAULT_NOPAGE;
	}
	ret = __do_fault(vmf);
	if (ret)
		return ret;
	folio = page_folio(vmf->page);
	ret = finish_fault(vmf);
	folio_unlock(folio);
	if (ret)
		folio_put(folio);	/* not mapped after all */
	return ret & ~VM_FAULT_NOPAGE;
}

/* The PTE is writable again; just refresh the young/dirty bits. */
static void wp_page_reuse(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	entry = pte_mkyoung(vmf->orig_pte);
	entry = maybe_mkwrite_pte(pte_mkdirty(entry), vma);
	if (ptep_set_access_flags(vma, vmf->address, vmf->pte, entry, 1))
		update_mmu_cache(vma, vmf->address, vmf->pte);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
}

/*
 * A non-exclusive anon folio may still be reused when we hold the only
 * reference: the other mappers are gone.  Per-CPU LRU batches hold
 * references of their own, so drain ours before judging.
 */
static bool wp_can_reuse_anon_folio(struct folio *folio,
				    struct vm_area_struct *vma)
{
	if (folio_test_large(folio) || folio_ref_count(folio) > 3)
		return false;
	if (!folio_test_lru(folio))
		lru_add_drain();
	/* Besides ours, only the swap cache may hold a reference. */
	if (folio_ref_count(folio) > 1 + folio_test_swapcache(folio) ||
	    !folio_trylock(folio))
		return false;
	if (folio_test_swapcache(folio))
		folio_free_swap(folio);
	if (folio_ref_count(folio) != 1) {
		folio_unlock(folio);
		return false;
	}
	/*
	 * Move it to this VMA's own anon_vma (folio_move_anon_rmap()): later
	 * rmap walks need not visit the processes it was shared with.
	 */
	WRITE_ONCE(folio->mapping, (struct address_space *)
		   ((unsigned long)vma->anon_vma | PAGE_MAPPING_ANON));
	folio_unlock(folio);
	return true;
}

/*
 * Replace the mapping of the old page (or the zero page) with a private copy.
 * Entered without the PTE lock and holding a reference on the old folio.
 */
static vm_fault_t wp_page_copy(struct vm_fault *vmf)
{
	const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct folio *old_folio = vmf->page ? page_folio(vmf->page) : NULL;
	struct folio *new_folio, *to_put;
	struct mmu_notifier_range range;
	bool from_zero;
	vm_fault_t ret;
	pte_t entry;

	ret = vmf_anon_prepare(vmf);
	if (ret)
		goto out;
	from_zero = is_zero_pfn(pte_pfn(vmf->orig_pte));
	if (from_zero)
		new_folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE | __GFP_ZERO,
					    0, vma, vmf->address);
	else
		new_folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vma,
					    vmf->address);
	if (!new_folio) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	if (mem_cgroup_charge(new_folio, mm, GFP_KERNEL)) {
		folio_put(new_folio);
		ret = VM_FAULT_OOM;
		goto out;
	}
	if (!from_zero)
		copy_highpage(&new_folio->page, vmf->page);
	__folio_mark_uptodate(new_folio);

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm,
				vmf->address & PAGE_MASK,
				(vmf->address & PAGE_MASK) + PAGE_SIZE);
	mmu_notifier_invalidate_range_start(&range);

	to_put = new_folio;
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		if (!old_folio) {
			inc_mm_counter(mm, MM_ANONPAGES);
		} else if (!folio_test_anon(old_folio)) {
			dec_mm_counter(mm, mm_counter_file(old_folio));
			inc_mm_counter(mm, MM_ANONPAGES);
		}
		flush_cache_page(vma, vmf->address, pte_pfn(vmf->orig_pte));
		entry = pte_mkyoung(mk_pte(&new_folio->page, vma->vm_page_prot));
		if (unshare) {
			/* Unsharing keeps the mapping read-only. */
			if (pte_soft_dirty(vmf->orig_pte))
				entry = pte_mksoft_dirty(entry);
			if (pte_uffd_wp(vmf->orig_pte))
				entry = pte_mkuffd_wp(entry);
		} else {
			entry = maybe_mkwrite_pte(pte_mkdirty(entry), vma);
		}
		/*
		 * Clear and flush before the new PTE appears: no CPU may go on
		 * writing the old page once the copy was taken.
		 */
		ptep_clear_flush(vma, vmf->address, vmf->pte);
		folio_add_new_anon_rmap(new_folio, vma, vmf->address,
					RMAP_EXCLUSIVE);
		folio_add_lru_vma(new_folio, vma);
		set_pte_at(mm, vmf->address, vmf->pte, entry);
		update_mmu_cache(vma, vmf->address, vmf->pte);
		if (old_folio)
			folio_remove_rmap_pte(old_folio, vmf->page, vma);
		/* Drop the old mapping's reference below, after the flush. */
		to_put = old_folio;
	}
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	mmu_notifier_invalidate_range_end(&range);
	if (to_put)
		folio_put(to_put);
	ret = 0;
out:
	if (old_folio)
		folio_put(old_folio);
	return ret;
}

/*
 * Write (or unshare) fault on a present, write-protected PTE.  Entered with
 * the PTE lock held; it is released on every path.
 */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio = NULL;

	vmf->page = vm_normal_page(vma, vmf->address, vmf->orig_pte);
	if (vmf->page)
		folio = page_folio(vmf->page);

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		/* Shared mappings are written in place: no copy. */
		if (unshare) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			return 0;
		}
		wp_page_reuse(vmf);
		return 0;
	}

	if (folio && folio_test_anon(folio) &&
	    (PageAnonExclusive(vmf->page) ||
	     wp_can_reuse_anon_folio(folio, vma))) {
		if (!PageAnonExclusive(vmf->page))
			SetPageAnonExclusive(vmf->page);
		if (unshare) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			return 0;
		}
		wp_page_reuse(vmf);
		return 0;
	}
	if (folio)
		folio_get(folio);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return wp_page_copy(vmf);
}

/**
 * restore_exclusive_pte() - turn a device-exclusive entry back into a PTE
 * @vma: VMA of the mapping
 * @page: the page the entry names (locked by the caller)
 * @address: address of the entry
 * @ptep: the entry, PTE lock held
 *
 * The entry's page reference becomes the mapping's; only the rmap, which was
 * removed when the entry was made, is added back (not exclusive: the device
 * may have shared it).
 */
void restore_exclusive_pte(struct vm_area_struct *vma, struct page *page,
			   unsigned long address, pte_t *ptep)
{
	struct folio *folio = page_folio(page);
	bool anon = folio_test_anon(folio);
	pte_t orig = ptep_get(ptep);
	swp_entry_t entry = pte_to_swp_entry(orig);
	pte_t pte;

	pte = pte_mkold(mk_pte(page, vma->vm_page_prot));
	if (pte_swp_soft_dirty(orig))
		pte = pte_mksoft_dirty(pte);
	if (pte_swp_uffd_wp(orig))
		pte = pte_mkuffd_wp(pte);
	else if (is_writable_device_exclusive_entry(entry))
		pte = maybe_mkwrite_pte(pte_mkdirty(pte), vma);

	/* Only anon folios are ever made device-exclusive. */
	WARN_ON_ONCE(!anon);
	if (anon)
		folio_add_anon_rmap_pte(folio, page, vma, address, RMAP_NONE);
	set_pte_at(vma->vm_mm, address, ptep, pte);
	update_mmu_cache(vma, address, ptep);
}

/* A CPU touched a page a device holds exclusively: take it back. */
static vm_fault_t remove_device_exclusive_entry(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);
	struct vm_area_struct *vma = vmf->vma;
	struct mmu_notifier_range range;

	/* Freed meanwhile: the entry is gone too, just retry. */
	if (!folio_try_get(folio))
		return 0;
	folio_lock(folio);
	/* Owner NULL: the device that holds it must honour this one. */
	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_EXCLUSIVE, 0,
				      vma->vm_mm, vmf->address & PAGE_MASK,
				      (vmf->address & PAGE_MASK) + PAGE_SIZE,
				      NULL);
	mmu_notifier_invalidate_range_start(&range);
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address,
				       &vmf->ptl);
	if (vmf->pte) {
		/* Unchanged since the fault read it: still the device's. */
		if (pte_same(ptep_get(vmf->pte), vmf->orig_pte))
			restore_exclusive_pte(vma, vmf->page, vmf->address,
					      vmf->pte);
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	}
	folio_unlock(folio);
	folio_put(folio);
	mmu_notifier_invalidate_range_end(&range);
	return 0;
}

/*
 * The device-private branch of do_swap_page(): hand the fault to the owning
 * driver's migrate_to_ram() with a reference on the page held across the call
 * (doc/CONTRACT.md, "CPU faults on device-private pages").
 */
static vm_fault_t do_device_private_fault(struct vm_fault *vmf,
					  swp_entry_t entry)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret;

	/* migrate_to_ram() needs mmap_lock: retry under it. */
	if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
		vma_end_read(vma);
		return VM_FAULT_RETRY;
	}
	vmf->page = pfn_swap_entry_to_page(entry);
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address,
				       &vmf->ptl);
	if (!vmf->pte)
		return 0;
	if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		/* Someone else resolved it; the access is simply retried. */
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	/* Still mapped under the PTE lock, so it cannot be free yet. */
	get_page(vmf->page);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	ret = vmf->page->pgmap->ops->migrate_to_ram(vmf);
	put_page(vmf->page);
	return ret;
}

/*
 * A non-empty, non-present PTE.  The model has no swap device, so only the
 * special entries can occur; anything else is a corrupted PTE.
 */
vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);

	if (!non_swap_entry(entry)) {
		pr_err("%s: swap entry %lx without a swap device\n", __func__,
		       entry.val);
		return VM_FAULT_SIGBUS;
	}
	if (is_migration_entry(entry)) {
		migration_entry_wait(vmf->vma->vm_mm, vmf->pmd, vmf->address);
		return 0;
	}
	if (is_device_exclusive_entry(entry)) {
		vmf->page = pfn_swap_entry_to_page(entry);
		return remove_device_exclusive_entry(vmf);
	}
	if (is_device_private_entry(entry))
		return do_device_private_fault(vmf, entry);
	if (is_hwpoison_entry(entry))
		return VM_FAULT_HWPOISON;
	pr_err("%s: bad PTE %lx at %lx\n", __func__, pte_val(vmf->orig_pte),
	       vmf->address);
	return VM_FAULT_SIGBUS;
}

static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	vmf->pte = NULL;
	if (!pmd_none(pmdp_get_lockless(vmf->pmd))) {
		vmf->pte = pte_offset_map_nolock(vma->vm_mm, vmf->pmd,
						 vmf->address, &vmf->ptl);
		/* The PMD changed (e.g. became huge): retry the access. */
		if (!vmf->pte)
			return 0;
		vmf->flags |= FAULT_FLAG_ORIG_PTE_VALID;
		vmf->orig_pte = ptep_get_lockless(vmf->pte);
		if (pte_none(vmf->orig_pte)) {
			pte_unmap(vmf->pte);
			vmf->pte = NULL;
		}
	}

	if (!vmf->pte) {
		if (vma_is_anonymous(vma))
			return do_anonymous_page(vmf);
		return do_fault(vmf);
	}
	if (!pte_present(vmf->orig_pte)) {
		pte_unmap(vmf->pte);
		return do_swap_page(vmf);
	}

	spin_lock(vmf->ptl);
	entry = vmf->orig_pte;
	if (unlikely(!pte_same(ptep_get(vmf->pte), entry)))
		goto unlock;
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pte_mkdirty(entry);
	}
	entry = pte_mkyoung(entry);
	if (ptep_set_access_flags(vma, vmf->address, vmf->pte, entry,
				  vmf->flags & FAULT_FLAG_WRITE))
		update_mmu_cache(vma, vmf->address, vmf->pte);
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

static vm_fault_t __handle_mm_fault(struct vm_area_struct *vma,
				    unsigned long address, unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_fault vmf = {
		.vma = vma,
		.flags = flags,
		.address = address & PAGE_MASK,
		.real_address = address,
		.pgoff = linear_page_index(vma, address),
		.gfp_mask = GFP_KERNEL,
	};
	p4d_t *p4d;
	pmd_t pmd;

	/* Allocate the levels above the PTE table; any failure is OOM. */
	p4d = p4d_alloc(mm, pgd_offset(mm, address), address);
	vmf.pud = p4d ? pud_alloc(mm, p4d, address) : NULL;
	vmf.pmd = vmf.pud ? pmd_alloc(mm, vmf.pud, address) : NULL;
	if (!vmf.pmd)
		return VM_FAULT_OOM;

	pmd = pmdp_get_lockless(vmf.pmd);
	if (is_pmd_migration_entry(pmd)) {
		pmd_migration_entry_wait(mm, vmf.pmd);
		return 0;
	}
	if (pmd_none(pmd) && vma_is_anonymous(vma) &&
	    thp_vma_allowable_order(vma, vma->vm_flags,
				    TVA_IN_PF | TVA_ENFORCE_SYSFS,
				    HPAGE_PMD_ORDER)) {
		vm_fault_t ret = do_huge_pmd_anonymous_page(&vmf);

		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	}
	if (pmd_trans_huge(pmd) || pmd_devmap(pmd)) {
		/*
		 * A read of a huge mapping is retried (the PMD allows it, or a
		 * split is under way).  A write or unshare fault on a read-only
		 * anon one reuses the THP or splits the PMD and goes on at PTE
		 * level, where the page is copied (or is the zero page).
		 */
		if (!(flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) ||
		    pmd_write(pmd))
			return 0;
		if (pmd_trans_huge(pmd) && vma_is_anonymous(vma)) {
			vm_fault_t ret;

			vmf.orig_pmd = pmd;
			ret = do_huge_pmd_wp_page(&vmf);
			if (!(ret & VM_FAULT_FALLBACK))
				return ret;
		} else {
			split_huge_pmd(vma, vmf.pmd, address);
		}
	}
	return handle_pte_fault(&vmf);
}

/**
 * handle_mm_fault() - resolve one page fault
 * @vma: the VMA containing @address
 * @address: the faulting address
 * @flags: FAULT_FLAG_*
 * @regs: unused (no signal delivery in the model)
 *
 * Context: mmap_lock held for read, or with FAULT_FLAG_VMA_LOCK the VMA's
 * read lock.  On VM_FAULT_RETRY under the VMA lock, that lock has been
 * dropped; otherwise locks are held on return as on entry.
 *
 * Return: 0 when the caller should retry the access (it may fault again),
 * or VM_FAULT_* bits: VM_FAULT_RETRY, VM_FAULT_OOM, VM_FAULT_SIGBUS,
 * VM_FAULT_SIGSEGV (access not allowed by the VMA), VM_FAULT_HWPOISON.
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags, void *regs)
{
	vm_flags_t need = (flags & FAULT_FLAG_WRITE) ? VM_WRITE : VM_READ;
	vm_fault_t ret;

	(void)regs;
	/* The architecture checks this first; GUP and HMM check too. */
	if (!(vma->vm_flags & need))
		return VM_FAULT_SIGSEGV;
	if (unlikely(is_vm_hugetlb_page(vma)))
		ret = hugetlb_fault(vma->vm_mm, vma, address, flags);
	else
		ret = __handle_mm_fault(vma, address, flags);
	return ret;
}

/*
 * The pages a zap has unmapped but may not free yet: other CPUs may still
 * hold translations to them until the TLB flush.
 */
#define ZAP_BATCH	64
struct zap_batch {
	struct vm_area_struct *vma;
	unsigned long start;	/* range whose translations are dying */
	unsigned long end;
	unsigned int nr;
	struct folio *folios[ZAP_BATCH];
};

/* Flush the dying translations, then drop the mappings' references. */
static void zap_batch_flush(struct zap_batch *zb)
{
	unsigned int i;

	if (zb->end > zb->start)
		flush_tlb_range(zb->vma, zb->start, zb->end);
	for (i = 0; i < zb->nr; i++)
		folio_put(zb->folios[i]);
	zb->nr = 0;
	zb->start = zb->end = 0;
}

static void zap_note_range(struct zap_batch *zb, unsigned long addr)
{
	if (zb->end <= zb->start) {
		zb->start = addr;
		zb->end = addr + PAGE_SIZE;
		return;
	}
	zb->start = min(zb->start, addr);
	zb->end = max(zb->end, addr + PAGE_SIZE);
}

/* Returns true when the batch is full and must be flushed. */
static bool zap_present_pte(struct zap_batch *zb, struct vm_area_struct *vma,
			    pte_t *pte, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio;
	struct page *page;
	pte_t old;

	old = ptep_get_and_clear(mm, addr, pte);
	zap_note_range(zb, addr);
	page = vm_normal_page(vma, addr, old);
	if (!page)
		return false;	/* zero page / special: no reference */
	folio = page_folio(page);
	dec_mm_counter(mm, mm_counter(folio));
	if (!folio_test_anon(folio) && pte_dirty(old))
		folio_mark_dirty(folio);
	folio_remove_rmap_pte(folio, page, vma);
	zb->folios[zb->nr++] = folio;
	return zb->nr == ZAP_BATCH;
}

static void zap_nonpresent_pte(struct vm_area_struct *vma, pte_t *pte,
			       unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	swp_entry_t entry = pte_to_swp_entry(ptep_get(pte));
	struct folio *folio;
	struct page *page;

	if (is_device_private_entry(entry) ||
	    is_device_exclusive_entry(entry)) {
		page = pfn_swap_entry_to_page(entry);
		folio = page_folio(page);
		WARN_ON_ONCE(!folio_test_anon(folio));
		dec_mm_counter(mm, mm_counter(folio));
		/* An exclusive entry's rmap went when the entry was made. */
		if (is_device_private_entry(entry))
			folio_remove_rmap_pte(folio, page, vma);
		/* No CPU can hold a translation to it: free right away. */
		folio_put(folio);
	} else if (is_migration_entry(entry)) {
		/* The migration owns the page; only the count goes. */
		folio = pfn_swap_entry_folio(entry);
		dec_mm_counter(mm, mm_counter(folio));
	}
	pte_clear(mm, addr, pte);
}

static void zap_pte_range(struct zap_batch *zb, struct vm_area_struct *vma,
			  pmd_t *pmd, unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *start, *pte;
	bool full;

again:
	start = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!start)
		return;
	full = false;
	for (pte = start; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t val = ptep_get(pte);

		if (pte_none(val))
			continue;
		if (pte_present(val)) {
			full = zap_present_pte(zb, vma, pte, addr);
			if (full) {
				addr += PAGE_SIZE;
				break;
			}
		} else {
			zap_nonpresent_pte(vma, pte, addr);
		}
	}
	pte_unmap_unlock(start, ptl);
	if (full) {
		zap_batch_flush(zb);
		if (addr < end)
			goto again;
	}
}

static void zap_pmd_range(struct zap_batch *zb, struct vm_area_struct *vma,
			  pud_t *pud, unsigned long addr, unsigned long end)
{
	unsigned long next;
	pmd_t *pmd = pmd_offset(pud, addr);

	do {
		pmd_t val = pmdp_get_lockless(pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(val))
			continue;
		if (pmd_trans_huge(val) || pmd_devmap(val) ||
		    is_pmd_migration_entry(val)) {
			/* A huge PMD zapped whole goes whole (none after). */
			if (next - addr == HPAGE_PMD_SIZE &&
			    zap_huge_pmd(vma, pmd, addr))
				continue;
			split_huge_pmd(vma, pmd, addr);
		}
		zap_pte_range(zb, vma, pmd, addr, next);
	} while (pmd++, addr = next, addr != end);
}

static void zap_pud_range(struct zap_batch *zb, struct vm_area_struct *vma,
			  p4d_t *p4d, unsigned long addr, unsigned long end)
{
	unsigned long next;
	pud_t *pud = pud_offset(p4d, addr);

	do {
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(pud)))
			continue;
		zap_pmd_range(zb, vma, pud, addr, next);
	} while (pud++, addr = next, addr != end);
}

/**
 * unmap_page_range() - remove every mapping of [addr, end) in @vma
 * @vma: the VMA
 * @addr: start (page aligned)
 * @end: end (page aligned, within the VMA)
 *
 * Context: mmap_lock held (write for munmap, or at exit).  The caller sends
 * the MMU notifier pair around it.  Present pages lose their rmap, their
 * mapping's reference (after the TLB flush) and their RSS count;
 * device-private entries lose rmap, reference and RSS; device-exclusive
 * entries reference and RSS; migration entries RSS only.
 */
void unmap_page_range(struct vm_area_struct *vma, unsigned long addr,
		      unsigned long end)
{
	struct zap_batch zb = { .vma = vma };
	unsigned long next;
	pgd_t *pgd = pgd_offset(vma->vm_mm, addr);
	p4d_t *p4d;

	/* A hugetlb PMD is no THP: never split it (unmap_single_vma()). */
	if (is_vm_hugetlb_page(vma)) {
		unmap_hugepage_range(vma, addr, end);
		return;
	}
	do {
		next = pgd_addr_end(addr, end);
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(p4dp_get(p4d)))
			continue;
		zap_pud_range(&zb, vma, p4d, addr, next);
	} while (pgd++, addr = next, addr != end);
	zap_batch_flush(&zb);
}

/**
 * zap_page_range_single() - unmap a range of one VMA, notifying mirrors
 * @vma: the VMA
 * @address: start (page aligned)
 * @size: length in bytes
 * @details: unused
 */
void zap_page_range_single(struct vm_area_struct *vma, unsigned long address,
			   unsigned long size, void *details)
{
	struct mmu_notifier_range range;
	unsigned long end = address + size;

	(void)details;
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm,
				address, end);
	mmu_notifier_invalidate_range_start(&range);
	unmap_page_range(vma, address, end);
	mmu_notifier_invalidate_range_end(&range);
}

static void free_pmd_tables(struct mm_struct *mm, pmd_t *pmd_table)
{
	int i;

	for (i = 0; i < PTRS_PER_PMD; i++) {
		pmd_t pmd = pmdp_get(&pmd_table[i]);

		if (pmd_none(pmd) || pmd_leaf(pmd) || !pmd_present(pmd))
			continue;
		pmd_clear(&pmd_table[i]);
		pte_free(mm, pmd_page(pmd));
	}
	pmd_free(mm, pmd_table);
}

/**
 * model_free_page_tables() - free every page-table page below the PGD
 * @mm: an address space with no VMA and no mapping left (exit)
 *
 * Context: mmap_lock held for write, no task running on @mm, so no CPU can
 * be walking these tables.
 */
void model_free_page_tables(struct mm_struct *mm)
{
	unsigned long i, j;

	for (i = 0; i < PTRS_PER_PGD; i++) {
		p4d_t *p4d = (p4d_t *)(mm->pgd + i);
		pud_t *pud_table;

		if (p4d_none(p4dp_get(p4d)))
			continue;
		pud_table = pud_offset(p4d, 0);
		for (j = 0; j < PTRS_PER_PUD; j++) {
			pud_t pud = pudp_get(&pud_table[j]);

			if (pud_none(pud) || pud_leaf(pud))
				continue;
			pud_clear(&pud_table[j]);
			free_pmd_tables(mm, (pmd_t *)__va(pud_pfn(pud) <<
							  PAGE_SHIFT));
		}
		p4d_clear(p4d);
		pud_free(mm, pud_table);
	}
}

/**
 * vm_insert_page() - map a kernel page into a user VMA
 * @vma: the VMA (a driver's ->mmap; VM_MIXEDMAP is set here)
 * @addr: the user address, inside @vma
 * @page: an order-0 kernel page, not anon and not slab
 *
 * The mapping takes its own reference and counts as a file mapping; the PTE
 * uses vm_page_prot (so a private writable VMA maps it read-only).
 *
 * Return: 0, -EFAULT outside the VMA, -EINVAL for an unsuitable page,
 * -EBUSY if something is mapped there already, -ENOMEM.
 */
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr,
		   struct page *page)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = page_folio(page);
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;
	spinlock_t *ptl;

	if (addr < vma->vm_start || addr >= vma->vm_end)
		return -EFAULT;
	if (folio_test_anon(folio) || folio_test_slab(folio) ||
	    folio_test_large(folio))
		return -EINVAL;
	vm_flags_set(vma, VM_MIXEDMAP);
	pgd = pgd_offset(mm, addr);
	p4d = p4d_alloc(mm, pgd, addr);
	pud = p4d ? pud_alloc(mm, p4d, addr) : NULL;
	pmd = pud ? pmd_alloc(mm, pud, addr) : NULL;
	if (!pmd || pte_alloc(mm, pmd))
		return -ENOMEM;
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -ENOMEM;
	if (!pte_none(ptep_get(pte))) {
		pte_unmap_unlock(pte, ptl);
		return -EBUSY;
	}
	folio_get(folio);
	inc_mm_counter(mm, mm_counter_file(folio));
	folio_add_file_rmap_pte(folio, page, vma);
	set_pte_at(mm, addr, pte, mk_pte(page, vma->vm_page_prot));
	pte_unmap_unlock(pte, ptl);
	return 0;
}

/* Page-table pages unhooked but not yet freed (a TLB flush must come first). */
#define PGT_BATCH	64
struct pgt_batch {
	struct mm_struct *mm;
	unsigned int nr;
	struct page *pages[PGT_BATCH];
	bool is_pmd_table[PGT_BATCH];
};

/*
 * Every CPU's TLB is flushed before the pages go: a hardware walk in flight
 * holds its TLB lock, so the flush waits for it, and no walker is left
 * reading a table page that is about to be reused.
 */
static void pgt_batch_flush(struct pgt_batch *b)
{
	unsigned int i;

	if (!b->nr)
		return;
	flush_tlb_mm_range(b->mm, 0, TASK_SIZE, PAGE_SHIFT, true);
	for (i = 0; i < b->nr; i++) {
		if (b->is_pmd_table[i])
			pmd_free(b->mm, page_address(b->pages[i]));
		else
			pte_free(b->mm, b->pages[i]);
	}
	b->nr = 0;
}

static void pgt_batch_add(struct pgt_batch *b, struct page *page, bool pmd)
{
	if (b->nr == PGT_BATCH)
		pgt_batch_flush(b);
	b->is_pmd_table[b->nr] = pmd;
	b->pages[b->nr++] = page;
}

/* Whether the table of span @size covering @addr serves only [floor, ceiling). */
static bool pgtable_span_free(unsigned long addr, unsigned long size,
			      unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr & ~(size - 1);

	return start >= floor && start + size - 1 <= ceiling - 1;
}

static void free_pmd_range(struct pgt_batch *b, pud_t *pud,
			   unsigned long start, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	pmd_t *pmd_table = pmd_offset(pud, 0);
	unsigned long addr, next;
	int i;

	for (addr = start; addr < end; addr = next) {
		pmd_t *pmd = pmd_offset(pud, addr), val = pmdp_get(pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(val) || pmd_leaf(val) || !pmd_present(val))
			continue;
		if (!pgtable_span_free(addr, PMD_SIZE, floor, ceiling))
			continue;
		pmd_clear(pmd);
		pgt_batch_add(b, pmd_page(val), false);
	}
	/* The PMD table itself, if it serves only the hole and is empty. */
	if (!pgtable_span_free(start, PUD_SIZE, floor, ceiling))
		return;
	for (i = 0; i < PTRS_PER_PMD; i++)
		if (!pmd_none(pmdp_get(&pmd_table[i])))
			return;
	pud_clear(pud);
	pgt_batch_add(b, virt_to_page(pmd_table), true);
}

/**
 * free_pgtables() - free page tables left serving only an unmapped range
 * @mm: the address space, mmap_lock held for write
 * @start: start of the range just unmapped (no VMA left in it)
 * @end: its end
 * @floor: end of the VMA below (0 if none): tables reaching below it stay
 * @ceiling: start of the VMA above (TASK_SIZE if none): likewise above
 *
 * PTE tables and PMD tables are unhooked, every CPU's TLB is flushed, then
 * they are freed.  PUD tables stay until exit (model_free_page_tables()).
 */
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end, unsigned long floor,
		   unsigned long ceiling)
{
	struct pgt_batch b = { .mm = mm };
	unsigned long addr, next;

	for (addr = start; addr < end; addr = next) {
		p4d_t *p4d = p4d_offset(pgd_offset(mm, addr), addr);
		pud_t *pud;

		next = pud_addr_end(addr, end);
		if (p4d_none(p4dp_get(p4d)))
			continue;
		pud = pud_offset(p4d, addr);
		if (pud_none(pudp_get(pud)) || pud_leaf(pudp_get(pud)))
			continue;
		free_pmd_range(&b, pud, addr, next, floor, ceiling);
	}
	pgt_batch_flush(&b);
}
