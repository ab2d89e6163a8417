// SPDX-License-Identifier: GPL-2.0
/*
 * madvise.c - madvise() (mm/madvise.c): MADV_DONTNEED, the THP advice
 * (MADV_HUGEPAGE, MADV_NOHUGEPAGE) and MADV_COLLAPSE, which is carried out
 * by khugepaged.c as in the kernel.
 */
#include <linux/mm.h>
#include "internal.h"
#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include <model/process.h>
#include <devmig.h>

/*
 * MADV_DONTNEED: zap every mapped part of [addr, end), VMAs unchanged; the
 * next access faults in fresh memory (zero for private anonymous memory,
 * the page cache for shared memory).  mmap_lock is taken for read, as
 * Linux does.
 */
static int model_madvise_dontneed(struct mm_struct *mm, unsigned long addr,
				  unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long cur, s, e;
	int ret = 0;

	mmap_read_lock(mm);
	cur = addr;
	for (vma = find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = model_vma_next(vma)) {
		if (vma->vm_start > cur)
			ret = -ENOMEM;
		s = max(addr, vma->vm_start);
		e = min(end, vma->vm_end);
		if (is_vm_hugetlb_page(vma)) {
			/* Whole huge pages only, from an aligned start. */
			if (!IS_ALIGNED(s, HPAGE_PMD_SIZE)) {
				mmap_read_unlock(mm);
				return -EINVAL;
			}
			e = ALIGN_DOWN(e, HPAGE_PMD_SIZE);
		}
		if (e > s)
			zap_page_range_single(vma, s, e - s, NULL);
		cur = vma->vm_end;
	}
	if (cur < end)
		ret = -ENOMEM;
	mmap_read_unlock(mm);
	return ret;
}

/**
 * model_madvise() - madvise(@addr, @len, @advice)
 * @mm: the address space (mmap_lock taken here)
 * @addr: page-aligned start
 * @len: length (rounded up to pages)
 * @advice: DEVMIG_MADV_HUGEPAGE, DEVMIG_MADV_NOHUGEPAGE,
 *	DEVMIG_MADV_DONTNEED or DEVMIG_MADV_COLLAPSE (khugepaged.c)
 *
 * The THP advice sets one of VM_HUGEPAGE/VM_NOHUGEPAGE and clears the
 * other on every VMA part in the range, splitting off the parts that
 * change and merging them again as mprotect does (mmap_lock for write).
 *
 * Return: 0; -EINVAL for bad arguments; -ENOMEM if part of the range is
 * not mapped (the mapped parts are changed anyway, as Linux does).
 */
int model_madvise(struct mm_struct *mm, unsigned long addr, unsigned long len,
		  int advice)
{
	vm_flags_t set = 0, clear = 0, newflags;
	struct vm_area_struct *vma;
	unsigned long end, cur;
	int ret;

	if (advice == DEVMIG_MADV_HUGEPAGE) {
		set = VM_HUGEPAGE;
		clear = VM_NOHUGEPAGE;
	} else if (advice == DEVMIG_MADV_NOHUGEPAGE) {
		set = VM_NOHUGEPAGE;
		clear = VM_HUGEPAGE;
	} else if (advice != DEVMIG_MADV_DONTNEED &&
		   advice != DEVMIG_MADV_COLLAPSE) {
		return -EINVAL;
	}
	if (offset_in_page(addr))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = addr + len;
	if (end < addr)
		return -EINVAL;
	if (!len)
		return 0;
	if (advice == DEVMIG_MADV_DONTNEED)
		return model_madvise_dontneed(mm, addr, end);
	if (advice == DEVMIG_MADV_COLLAPSE)
		return model_madvise_collapse(mm, addr, end);

	mmap_write_lock(mm);
	ret = 0;
	cur = addr;
	for (vma = find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = model_vma_next(vma)) {
		newflags = (vma->vm_flags & ~clear) | set;
		if (vma->vm_start > cur)
			ret = -ENOMEM;
		/* As madvise_update_vma(): no change, no split. */
		if (newflags != vma->vm_flags) {
			vma = model_vma_isolate(vma, addr, end);
			if (IS_ERR(vma)) {
				ret = PTR_ERR(vma);
				goto out;
			}
			model_vma_start_write(vma);
			vma->vm_flags = newflags;
		}
		cur = vma->vm_end;
	}
	if (cur < end)
		ret = -ENOMEM;
	model_merge_range(mm, addr, end);
out:
	mmap_write_unlock(mm);
	return ret;
}
