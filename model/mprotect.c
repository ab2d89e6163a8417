// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect.c - changing the protection of a range (mm/mprotect.c):
 * mprotect_fixup() gives each VMA of the range its new flags and
 * change_protection() rewrites its page table entries to match.
 *
 * Rights taken away are gone from every CPU's TLB and every mirror before
 * mprotect returns (the range is invalidated around the rewrite); rights
 * granted are granted lazily, by the next fault, except where a PTE can be
 * made writable at once with no copy-on-write pending.
 */
#include <linux/mm.h>
#include "internal.h"
#include <linux/rmap.h>
#include <linux/swapops.h>
#include <linux/mmu_notifier.h>
#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include <asm/tlbflush.h>
#include <model/process.h>
#include <devmig.h>

/*
 * Whether a present PTE may be made writable at once instead of taking a
 * write fault later: only if no copy-on-write can be pending, i.e. the page
 * is anon-exclusive (private) or the PTE is already dirty (shared).
 */
static bool can_change_pte_writable(struct vm_area_struct *vma,
					  unsigned long addr, pte_t pte)
{
	struct page *page;

	if (pte_protnone(pte) || !pte_present(pte))
		return false;
	if (!(vma->vm_flags & VM_SHARED)) {
		page = vm_normal_page(vma, addr, pte);
		return page && PageAnon(page) && PageAnonExclusive(page);
	}
	return pte_dirty(pte);
}

/*
 * Non-present entries under a changed protection: a writable migration or
 * device-private entry becomes read-only whatever the new protection is,
 * as in the kernel's change_pte_range() (an entry that maps nothing cannot
 * be checked against the new protection); the next write faults and gets
 * what the new protection allows.
 */
static pte_t model_change_nonpresent_pte(pte_t old)
{
	swp_entry_t entry = pte_to_swp_entry(old);
	pgoff_t off = swp_offset(entry);
	bool soft_dirty = pte_swp_soft_dirty(old);
	bool uffd_wp = pte_swp_uffd_wp(old);
	pte_t new;

	/* Which bits survive depends on the kind of entry. */
	if (is_writable_migration_entry(entry)) {
		/* An anon page stays exclusive: no fork can be in between. */
		if (folio_test_anon(pfn_swap_entry_folio(entry)))
			entry = make_readable_exclusive_migration_entry(off);
		else
			entry = make_readable_migration_entry(off);
		uffd_wp = false;
	} else if (is_writable_device_private_entry(entry)) {
		entry = make_readable_device_private_entry(off);
		soft_dirty = false;
	} else if (is_writable_device_exclusive_entry(entry)) {
		entry = make_readable_device_exclusive_entry(off);
	} else {
		return old;
	}
	new = swp_entry_to_pte(entry);
	if (soft_dirty)
		new = pte_swp_mksoft_dirty(new);
	if (uffd_wp)
		new = pte_swp_mkuffd_wp(new);
	return new;
}

static void change_pte_range(struct vm_area_struct *vma, pmd_t *pmd,
				   unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *start, *pte;

	start = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!start)
		return;
	for (pte = start; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t old = ptep_get(pte), new;

		if (pte_none(old))
			continue;
		if (!pte_present(old)) {
			new = model_change_nonpresent_pte(old);
			if (!pte_same(new, old))
				set_pte_at(mm, addr, pte, new);
			continue;
		}
		/* Atomic against the CPU setting A/D bits meanwhile. */
		old = ptep_modify_prot_start(vma, addr, pte);
		new = pte_modify(old, vma->vm_page_prot);
		if ((vma->vm_flags & VM_WRITE) && !pte_write(new) &&
		    can_change_pte_writable(vma, addr, new))
			new = pte_mkwrite(new, vma);
		ptep_modify_prot_commit(vma, addr, pte, old, new);
	}
	pte_unmap_unlock(start, ptl);
}

/*
 * Apply vma->vm_page_prot to the PTEs of [start, end) (the kernel's takes
 * an mmu_gather and flags the model has no use for).
 */
static void change_protection(struct vm_area_struct *vma,
				    unsigned long start, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	unsigned long addr, next;
	pmd_t *pmd;

	/* A hugetlb PMD is no THP: rewrite it whole, never split it. */
	if (is_vm_hugetlb_page(vma)) {
		hugetlb_change_protection(vma, start, end, vma->vm_page_prot);
		return;
	}
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_VMA, 0, mm,
				start, end);
	mmu_notifier_invalidate_range_start(&range);
	for (addr = start; addr < end; addr = next) {
		next = pmd_addr_end(addr, end);
		pmd = mm_find_pmd(mm, addr);
		if (!pmd || pmd_none(pmdp_get(pmd)))
			continue;
		if (pmd_trans_huge(pmdp_get(pmd)) || pmd_devmap(pmdp_get(pmd)))
			split_huge_pmd(vma, pmd, addr);
		change_pte_range(vma, pmd, addr, next);
	}
	/* Rights were possibly removed: no CPU may keep the old ones. */
	flush_tlb_range(vma, start, end);
	mmu_notifier_invalidate_range_end(&range);
}

/*
 * Give @vma's part of [@start, @end) the flags @newflags and its PTEs the
 * matching protection, splitting it off first.  A VMA whose flags do not
 * change is left alone: not split, not invalidated.  Return: 0 or the
 * split's -ENOMEM; *@vma is the VMA that covers the part.
 */
static int mprotect_fixup(struct vm_area_struct **vmap, unsigned long start,
			  unsigned long end, vm_flags_t newflags)
{
	struct vm_area_struct *vma = *vmap;

	if (newflags == vma->vm_flags)
		return 0;
	vma = model_vma_isolate(vma, start, end);
	if (IS_ERR(vma))
		return PTR_ERR(vma);
	*vmap = vma;
	model_vma_start_write(vma);
	vma->vm_flags = newflags;
	vma->vm_page_prot = vm_get_page_prot(newflags);
	change_protection(vma, vma->vm_start, vma->vm_end);
	return 0;
}

/**
 * model_mprotect() - change the protection of [@addr, @addr + @len)
 * @mm: the address space (mmap_lock taken here, for write)
 * @addr: page-aligned start
 * @len: length (rounded up to pages)
 * @prot: DEVMIG_PROT_* bits
 *
 * Return: 0; -EINVAL for bad arguments; -ENOMEM if part of the range is not
 * mapped: as in Linux, the mapped run starting at @addr is changed all the
 * same (nothing is when @addr itself is unmapped).
 */
int model_mprotect(struct mm_struct *mm, unsigned long addr, unsigned long len,
		   int prot)
{
	struct vm_area_struct *vma;
	unsigned long end, cur;
	vm_flags_t newflags;
	int ret, err;

	if (offset_in_page(addr) ||
	    (prot & ~(DEVMIG_PROT_READ | DEVMIG_PROT_WRITE)))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = addr + len;
	if (end < addr)
		return -ENOMEM;
	if (!len)
		return 0;

	mmap_write_lock(mm);
	/*
	 * As Linux: nothing changes if @addr is not mapped; otherwise the
	 * mapped run from @addr changes and a hole after it (inside the
	 * range) makes the call fail with -ENOMEM all the same.
	 */
	ret = 0;
	for (cur = addr; cur < end; cur = vma->vm_end) {
		vma = vma_lookup(mm, cur);
		if (!vma) {
			ret = -ENOMEM;
			end = cur;
			break;
		}
	}
	if (end == addr)
		goto out;
	for (vma = find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = model_vma_next(vma)) {
		newflags = (vma->vm_flags & ~(VM_READ | VM_WRITE)) |
			   model_prot_to_vm_flags(prot);
		err = mprotect_fixup(&vma, addr, end, newflags);
		if (err) {
			ret = err;
			break;
		}
	}
	model_merge_range(mm, addr, end);
out:
	mmap_write_unlock(mm);
	return ret;
}
