// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb.c - hugetlb pages (mm/hugetlb.c) for private anonymous mappings
 * (mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)), in the one size x86
 * has by default: 2 MiB, mapped by a leaf PMD.
 *
 * The pool: devmig_set_nr_hugepages() (/proc/sys/vm/nr_hugepages) takes
 * PMD-order folios from the page allocator and keeps them, refcount 0,
 * PG_hugetlb set, on a free list.  A fault takes one (refcount 1, the
 * mapping's), zeroes it and maps it; the last folio_put() gives it back to
 * the pool (free_huge_folio()), or to the page allocator if the pool was
 * shrunk meanwhile.  hugetlb folios are on no LRU and do not count in RSS
 * (mm->hugetlb_usage instead); an anon one is mapped whole, by PMDs only:
 * its entire map count and its head's PageAnonExclusive say everything.
 *
 * Faults (hugetlb_fault()): a read fault on a hole of a private mapping
 * maps a new zeroed folio read-only (anon-exclusive, so the next write
 * just makes it writable); a write fault maps it writable; a write to a
 * read-only PMD reuses the folio if exclusive or mapped once, otherwise
 * copies it into a new one (hugetlb_wp()).  munmap, exit and MADV_DONTNEED
 * unmap whole PMDs; mprotect rewrites them (a private writable mapping is
 * mapped read-only until the next write fault, as in the kernel); fork
 * shares the folios write-protected, or copies one that may be pinned.
 * hugetlb VMAs cannot be split at an address that is not 2 MiB aligned.
 *
 * Not modelled: reservations (an mmap never fails for want of huge pages;
 * a fault that finds the pool empty gets SIGBUS), shared hugetlb mappings
 * and hugetlbfs files, other sizes, PMD sharing, migration and poisoning
 * of hugetlb folios, surplus pages, cgroups.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/rmap.h>
#include <linux/highmem.h>
#include <linux/mmu_notifier.h>
#include <linux/spinlock.h>
#include <asm/tlbflush.h>
#include <asm/pgalloc.h>
#include <devmig.h>
#include "internal.h"

static DEFINE_SPINLOCK(hugetlb_lock);
static LIST_HEAD(hugepage_freelist);	/* linked by folio->lru */
static unsigned long nr_huge_pages;	/* in the pool, free or in use */
static unsigned long free_huge_pages;
static unsigned long max_huge_pages;	/* what nr_hugepages asked for */

/* Give a pool folio (refcount 0) back to the page allocator. */
static void hugetlb_release_folio(struct folio *folio)
{
	__folio_clear_hugetlb(folio);
	folio_set_count(folio, 1);
	folio_put(folio);
}

/* A new pool folio, frozen (refcount 0); NULL if memory is short. */
static struct folio *hugetlb_alloc_pool_folio(void)
{
	struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN,
					  HUGETLB_PAGE_ORDER);

	if (!folio)
		return NULL;
	__folio_set_hugetlb(folio);
	folio_set_count(folio, 0);
	return folio;
}

/**
 * devmig_set_nr_hugepages() - resize the hugetlb pool to @nr pages
 * @nr: the number of 2 MiB pages wanted
 *
 * Growing allocates at once; shrinking frees free pages at once and pages
 * in use when they are freed.
 *
 * Return: 0, or -ENOMEM if the pool could not grow to @nr (it keeps what
 * it got, as the kernel does).
 */
int devmig_set_nr_hugepages(unsigned long nr)
{
	struct folio *folio;
	int ret = 0;

	spin_lock(&hugetlb_lock);
	max_huge_pages = nr;
	while (nr_huge_pages < nr) {
		spin_unlock(&hugetlb_lock);
		folio = hugetlb_alloc_pool_folio();
		spin_lock(&hugetlb_lock);
		if (!folio) {
			max_huge_pages = nr_huge_pages;
			ret = -ENOMEM;
			break;
		}
		list_add_tail(&folio->lru, &hugepage_freelist);
		nr_huge_pages++;
		free_huge_pages++;
	}
	while (nr_huge_pages > max_huge_pages && free_huge_pages) {
		folio = list_first_entry(&hugepage_freelist, struct folio, lru);
		list_del_init(&folio->lru);
		nr_huge_pages--;
		free_huge_pages--;
		spin_unlock(&hugetlb_lock);
		hugetlb_release_folio(folio);
		spin_lock(&hugetlb_lock);
	}
	spin_unlock(&hugetlb_lock);
	return ret;
}

/* model_hugetlb_counts() - HugePages_Total and HugePages_Free. */
void model_hugetlb_counts(unsigned long *total, unsigned long *free)
{
	spin_lock(&hugetlb_lock);
	*total = nr_huge_pages;
	*free = free_huge_pages;
	spin_unlock(&hugetlb_lock);
}

/* The machine goes away with its memory: forget the pool. */
void model_hugetlb_shutdown(void)
{
	spin_lock(&hugetlb_lock);
	INIT_LIST_HEAD(&hugepage_freelist);
	nr_huge_pages = free_huge_pages = max_huge_pages = 0;
	spin_unlock(&hugetlb_lock);
}

/* A folio from the pool with one reference, or NULL if the pool is empty. */
static struct folio *alloc_hugetlb_folio(void)
{
	struct folio *folio;

	spin_lock(&hugetlb_lock);
	folio = list_first_entry_or_null(&hugepage_freelist, struct folio,
					 lru);
	if (folio) {
		list_del_init(&folio->lru);
		free_huge_pages--;
	}
	spin_unlock(&hugetlb_lock);
	if (folio)
		folio_set_count(folio, 1);
	return folio;
}

/**
 * free_huge_folio() - a hugetlb folio's last reference is gone
 * @folio: the folio, refcount 0, mapped nowhere
 *
 * Called by __folio_put().  It goes back to the pool, or to the page
 * allocator if the pool is larger than asked for.
 */
void free_huge_folio(struct folio *folio)
{
	bool surplus;

	VM_BUG_ON_FOLIO(folio_mapped(folio), folio);
	if (folio_test_anon(folio))
		__ClearPageAnonExclusive(&folio->page);
	folio->mapping = NULL;
	spin_lock(&hugetlb_lock);
	surplus = nr_huge_pages > max_huge_pages;
	if (surplus) {
		nr_huge_pages--;
	} else {
		list_add_tail(&folio->lru, &hugepage_freelist);
		free_huge_pages++;
	}
	spin_unlock(&hugetlb_lock);
	if (surplus)
		hugetlb_release_folio(folio);
}

/* The PMD slot of @addr, allocating the levels above it (huge_pte_alloc). */
static pmd_t *huge_pmd_alloc(struct mm_struct *mm, unsigned long addr)
{
	p4d_t *p4d = p4d_alloc(mm, pgd_offset(mm, addr), addr);
	pud_t *pud = p4d ? pud_alloc(mm, p4d, addr) : NULL;

	return pud ? pmd_alloc(mm, pud, addr) : NULL;
}

/**
 * huge_pte_offset() - the huge "PTE" (the PMD slot) mapping @addr
 * @mm: the address space
 * @addr: the address
 * @sz: the huge page size (PMD size)
 *
 * Return: the slot, or NULL if there is no PMD table for @addr.
 */
pte_t *huge_pte_offset(struct mm_struct *mm, unsigned long addr,
		       unsigned long sz)
{
	(void)sz;
	return (pte_t *)mm_find_pmd(mm, addr & HPAGE_PMD_MASK);
}

/* The PMD mapping @folio in @vma: writable and dirty, or read-only. */
static pmd_t make_huge_pmd(struct vm_area_struct *vma, struct folio *folio,
			   bool writable)
{
	pmd_t entry = mk_huge_pmd(&folio->page, vma->vm_page_prot);

	if (writable)
		entry = pmd_mkdirty(pmd_mkwrite_novma(entry));
	else
		entry = pmd_wrprotect(entry);
	return pmd_mkyoung(entry);
}

static void hugetlb_zero_folio(struct folio *folio)
{
	long i;

	for (i = 0; i < folio_nr_pages(folio); i++)
		clear_highpage(folio_page(folio, i));
}

/**
 * hugetlb_add_new_anon_rmap() - map a new hugetlb folio exclusively
 * @folio: the folio, not mapped anywhere yet
 * @vma: the VMA (with an anon_vma)
 * @address: the huge-page-aligned address
 */
void hugetlb_add_new_anon_rmap(struct folio *folio,
			       struct vm_area_struct *vma,
			       unsigned long address)
{
	atomic_set(&folio->_entire_mapcount, 0);
	atomic_set(&folio->_large_mapcount, 0);
	folio->index = linear_page_index(vma, address);
	WRITE_ONCE(folio->mapping, (struct address_space *)
		   ((unsigned long)vma->anon_vma | PAGE_MAPPING_ANON));
	SetPageAnonExclusive(&folio->page);
}

static void hugetlb_remove_rmap(struct folio *folio)
{
	atomic_dec(&folio->_entire_mapcount);
	atomic_dec(&folio->_large_mapcount);
}

/*
 * Fork: another mapping of @folio, in the child.  -EBUSY if it may be
 * pinned while exclusive: the child must get a copy.
 */
static int hugetlb_try_dup_anon_rmap(struct folio *folio,
				     struct vm_area_struct *vma)
{
	if (PageAnonExclusive(&folio->page)) {
		if (unlikely(folio_needs_cow_for_dma(vma, folio)))
			return -EBUSY;
		ClearPageAnonExclusive(&folio->page);
	}
	atomic_inc(&folio->_entire_mapcount);
	atomic_inc(&folio->_large_mapcount);
	return 0;
}

/* anon_vma_prepare() for a fault, giving up under the per-VMA lock. */
static vm_fault_t hugetlb_anon_prepare(struct vm_area_struct *vma,
				       unsigned int flags)
{
	struct vm_fault vmf = { .vma = vma, .flags = flags };

	return vmf_anon_prepare(&vmf);
}

/*
 * A hole: a new zeroed folio, mapped writable for a write fault and
 * read-only (but exclusive) for a read fault.
 */
static vm_fault_t hugetlb_no_page(struct mm_struct *mm,
				  struct vm_area_struct *vma,
				  unsigned long haddr, pmd_t *pmd,
				  unsigned int flags)
{
	bool write = flags & FAULT_FLAG_WRITE;
	struct folio *folio;
	spinlock_t *ptl;
	vm_fault_t ret;

	ret = hugetlb_anon_prepare(vma, flags);
	if (ret)
		return ret;
	folio = alloc_hugetlb_folio();
	if (!folio)
		return VM_FAULT_SIGBUS;	/* -ENOSPC: the pool is empty */
	hugetlb_zero_folio(folio);
	/* The zeroing must be visible before the PMD is. */
	__folio_mark_uptodate(folio);

	ptl = pmd_lock(mm, pmd);
	if (!pmd_none(pmdp_get(pmd))) {
		/* Someone else mapped it meanwhile. */
		spin_unlock(ptl);
		folio_put(folio);
		return 0;
	}
	hugetlb_add_new_anon_rmap(folio, vma, haddr);
	hugetlb_count_add(HPAGE_PMD_NR, mm);
	set_pmd_at(mm, haddr, pmd, make_huge_pmd(vma, folio, write));
	spin_unlock(ptl);
	return 0;
}

/*
 * Write (or unshare) fault on a read-only huge PMD @orig, PMD lock @ptl
 * held; it is released on every path.  An exclusive folio, or one mapped
 * only here, is reused; otherwise this mapping gets a copy.
 */
static vm_fault_t hugetlb_wp(struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long haddr, pmd_t *pmd, pmd_t orig,
			     unsigned int flags, spinlock_t *ptl)
{
	const bool unshare = flags & FAULT_FLAG_UNSHARE;
	struct folio *old = pfn_folio(pmd_pfn(orig)), *new, *to_put;
	struct mmu_notifier_range range;
	vm_fault_t ret;

	if (folio_test_anon(old) &&
	    (PageAnonExclusive(&old->page) || folio_mapcount(old) == 1)) {
		if (!PageAnonExclusive(&old->page)) {
			/* As hugetlb_fault(): under the folio lock, or retry. */
			if (!folio_trylock(old)) {
				spin_unlock(ptl);
				return 0;
			}
			folio_move_anon_rmap(old, vma);
			SetPageAnonExclusive(&old->page);
			folio_unlock(old);
		}
		if (!unshare)
			set_pmd_at(mm, haddr, pmd,
				   pmd_mkyoung(pmd_mkdirty(pmd_mkwrite_novma(orig))));
		spin_unlock(ptl);
		return 0;
	}
	folio_get(old);
	spin_unlock(ptl);

	ret = hugetlb_anon_prepare(vma, flags);
	if (ret)
		goto out;
	new = alloc_hugetlb_folio();
	if (!new) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	folio_copy(new, old);
	__folio_mark_uptodate(new);

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, haddr,
				haddr + HPAGE_PMD_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	to_put = new;
	ptl = pmd_lock(mm, pmd);
	if (pmd_same(pmdp_get(pmd), orig)) {
		/* No CPU may go on writing the old folio once it is copied. */
		pmdp_huge_get_and_clear(mm, haddr, pmd);
		flush_tlb_range(vma, haddr, haddr + HPAGE_PMD_SIZE);
		hugetlb_remove_rmap(old);
		hugetlb_add_new_anon_rmap(new, vma, haddr);
		set_pmd_at(mm, haddr, pmd, make_huge_pmd(vma, new, !unshare));
		to_put = old;	/* the old mapping's reference */
	}
	spin_unlock(ptl);
	mmu_notifier_invalidate_range_end(&range);
	folio_put(to_put);
	ret = 0;
out:
	folio_put(old);
	return ret;
}

/**
 * hugetlb_fault() - resolve a fault in a hugetlb VMA
 * @mm: the address space
 * @vma: the VMA (is_vm_hugetlb_page())
 * @address: the faulting address
 * @flags: FAULT_FLAG_*
 *
 * Context: as handle_mm_fault(), which calls it.
 * Return: 0 (retry the access) or VM_FAULT_* bits.
 */
vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long address, unsigned int flags)
{
	unsigned long haddr = address & HPAGE_PMD_MASK;
	pmd_t *pmd = huge_pmd_alloc(mm, haddr);
	spinlock_t *ptl;
	pmd_t entry;

	if (!pmd)
		return VM_FAULT_OOM;
	entry = pmdp_get_lockless(pmd);
	if (pmd_none(entry))
		return hugetlb_no_page(mm, vma, haddr, pmd, flags);
	/* No migration or poison entries for hugetlb in the model. */
	if (WARN_ON_ONCE(!pmd_present(entry) || !pmd_leaf(entry)))
		return VM_FAULT_SIGBUS;

	ptl = pmd_lock(mm, pmd);
	entry = pmdp_get(pmd);
	if (!pmd_present(entry))
		goto unlock;	/* zapped meanwhile: retry */
	if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) &&
	    !pmd_write(entry))
		return hugetlb_wp(mm, vma, haddr, pmd, entry, flags, ptl);
	entry = pmd_mkyoung(entry);
	if (flags & FAULT_FLAG_WRITE)
		entry = pmd_mkdirty(entry);
	set_pmd_at(mm, haddr, pmd, entry);
unlock:
	spin_unlock(ptl);
	return 0;
}

/**
 * unmap_hugepage_range() - unmap the huge pages of [@start, @end) of @vma
 * @vma: a hugetlb VMA
 * @start: huge-page-aligned start
 * @end: end (huge-page aligned)
 *
 * Context: mmap_lock held; the caller sends the MMU notifiers.  Each
 * folio's mapping reference is dropped after the TLB flush.
 */
void unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr;

	for (addr = start & HPAGE_PMD_MASK; addr < end;
	     addr += HPAGE_PMD_SIZE) {
		pmd_t *pmd = mm_find_pmd(mm, addr);
		struct folio *folio;
		spinlock_t *ptl;
		pmd_t old;

		if (!pmd || pmd_none(pmdp_get(pmd)))
			continue;
		ptl = pmd_lock(mm, pmd);
		old = pmdp_huge_get_and_clear(mm, addr, pmd);
		spin_unlock(ptl);
		if (!pmd_present(old))
			continue;
		folio = pfn_folio(pmd_pfn(old));
		hugetlb_remove_rmap(folio);
		hugetlb_count_sub(HPAGE_PMD_NR, mm);
		flush_tlb_range(vma, addr, addr + HPAGE_PMD_SIZE);
		folio_put(folio);
	}
}

/**
 * hugetlb_change_protection() - apply @newprot to the huge PMDs of a range
 * @vma: a hugetlb VMA
 * @address: huge-page-aligned start
 * @end: end
 * @newprot: the new protection (vma->vm_page_prot)
 *
 * Return: the number of base pages whose mapping changed.
 */
long hugetlb_change_protection(struct vm_area_struct *vma,
			       unsigned long address, unsigned long end,
			       pgprot_t newprot)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	unsigned long addr;
	long pages = 0;

	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_VMA, 0, mm,
				address, end);
	mmu_notifier_invalidate_range_start(&range);
	for (addr = address; addr < end; addr += HPAGE_PMD_SIZE) {
		pmd_t *pmd = mm_find_pmd(mm, addr);
		spinlock_t *ptl;
		pmd_t old, new;

		if (!pmd || !pmd_present(pmdp_get(pmd)))
			continue;
		ptl = pmd_lock(mm, pmd);
		/* Exchanged: a CPU may set A or D up to the last moment. */
		old = pmdp_huge_get_and_clear(mm, addr, pmd);
		new = pfn_pmd(pmd_pfn(old), newprot);
		new = pmd_set_flags(new, pmd_flags(old) &
				    (_PAGE_DIRTY | _PAGE_ACCESSED |
				     _PAGE_SOFT_DIRTY));
		set_pmd_at(mm, addr, pmd, new);
		spin_unlock(ptl);
		pages += HPAGE_PMD_NR;
	}
	flush_tlb_range(vma, address, end);
	mmu_notifier_invalidate_range_end(&range);
	return pages;
}

/*
 * Fork of a folio that may be pinned: the child gets its own copy now,
 * mapped writable (hugetlb_install_folio()).
 */
static int hugetlb_copy_for_child(struct vm_area_struct *dst_vma,
				  unsigned long addr, pmd_t *dst_pmd,
				  struct folio *src)
{
	struct folio *new = alloc_hugetlb_folio();

	if (!new)
		return -ENOMEM;
	folio_copy(new, src);
	__folio_mark_uptodate(new);
	hugetlb_add_new_anon_rmap(new, dst_vma, addr);
	hugetlb_count_add(HPAGE_PMD_NR, dst_vma->vm_mm);
	set_pmd_at(dst_vma->vm_mm, addr, dst_pmd,
		   make_huge_pmd(dst_vma, new, true));
	return 0;
}

/**
 * copy_hugetlb_page_range() - fork of a private hugetlb VMA
 * @dst: the child's mm
 * @src: the parent's mm
 * @dst_vma: the child's VMA
 * @src_vma: the parent's VMA
 *
 * Each folio is shared with the child, both PMDs write-protected, so the
 * first write on either side copies (hugetlb_wp()); a folio that may be
 * pinned is copied for the child at once.
 *
 * Context: mmap_lock of both mms held for write.
 * Return: 0 or -ENOMEM.
 */
int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma)
{
	bool cow = is_cow_mapping(src_vma->vm_flags);
	struct mmu_notifier_range range;
	unsigned long addr;
	int ret = 0;

	if (cow) {
		mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, src,
					src_vma->vm_start, src_vma->vm_end);
		mmu_notifier_invalidate_range_start(&range);
	}
	for (addr = src_vma->vm_start; addr < src_vma->vm_end;
	     addr += HPAGE_PMD_SIZE) {
		pmd_t *src_pmd = mm_find_pmd(src, addr), *dst_pmd;
		spinlock_t *src_ptl, *dst_ptl;
		struct folio *folio;
		pmd_t entry;

		if (!src_pmd || !pmd_present(pmdp_get(src_pmd)))
			continue;
		dst_pmd = huge_pmd_alloc(dst, addr);
		if (!dst_pmd) {
			ret = -ENOMEM;
			break;
		}
		dst_ptl = pmd_lock(dst, dst_pmd);
		src_ptl = pmd_lock(src, src_pmd);
		entry = pmdp_get(src_pmd);
		folio = pfn_folio(pmd_pfn(entry));
		if (hugetlb_try_dup_anon_rmap(folio, src_vma)) {
			/* No allocation can sleep here: the pool is a list. */
			ret = hugetlb_copy_for_child(dst_vma, addr, dst_pmd,
						     folio);
			spin_unlock(src_ptl);
			spin_unlock(dst_ptl);
			if (ret)
				break;
			continue;
		}
		folio_get(folio);
		if (cow && pmd_write(entry)) {
			entry = pmdp_huge_get_and_clear(src, addr, src_pmd);
			entry = pmd_wrprotect(entry);
			set_pmd_at(src, addr, src_pmd, entry);
		}
		hugetlb_count_add(HPAGE_PMD_NR, dst);
		set_pmd_at(dst, addr, dst_pmd, entry);
		spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
	}
	if (cow) {
		flush_tlb_range(src_vma, src_vma->vm_start, src_vma->vm_end);
		mmu_notifier_invalidate_range_end(&range);
	}
	return ret;
}

/* A hugetlb VMA is split only at huge page boundaries. */
static int hugetlb_vm_op_split(struct vm_area_struct *vma, unsigned long addr)
{
	(void)vma;
	return IS_ALIGNED(addr, HPAGE_PMD_SIZE) ? 0 : -EINVAL;
}

/* Faults in hugetlb VMAs go to hugetlb_fault(), never here. */
static vm_fault_t hugetlb_vm_op_fault(struct vm_fault *vmf)
{
	(void)vmf;
	WARN_ON_ONCE(1);
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct hugetlb_vm_ops = {
	.fault		= hugetlb_vm_op_fault,
	.may_split	= hugetlb_vm_op_split,
};

/**
 * hugetlb_vma_setup() - make @vma a hugetlb VMA
 * @vma: a new private VMA, huge-page aligned, not linked yet
 */
void hugetlb_vma_setup(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_HUGETLB | VM_DONTEXPAND);
	vma->vm_ops = &hugetlb_vm_ops;
}
