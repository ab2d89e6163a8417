// SPDX-License-Identifier: GPL-2.0
/*
 * vma.c - operations on an mm's list of VMAs (mm/vma.c): linking and
 * unlinking (with a file's i_mmap), splitting, merging again, and munmap.
 *
 * Callers hold mmap_lock for write, so no fault or walk sees a VMA half
 * split or half merged.  VMAs split by mprotect or madvise merge again when
 * their flags and protections agree again.
 */
#include <linux/mm.h>
#include "internal.h"
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/mmu_notifier.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/fs.h>
#include <model/model.h>
#include <model/process.h>

/**
 * model_vma_start_write() - wait for faults running under @vma's own lock
 * @vma: a VMA about to be changed or freed, mmap_lock held for write
 *
 * New per-VMA-lock faults cannot start (their lookup needs mmap_lock), so
 * once the lock has been taken for write no such fault is left inside.
 */
void model_vma_start_write(struct vm_area_struct *vma)
{
	down_write(&vma->vm_lock);
	up_write(&vma->vm_lock);
}

/*
 * i_mmap is kept in the order Linux's interval tree of a file's VMAs is
 * walked in: by page offset, equal offsets in the order of insertion; a
 * fork's copy goes right after the parent's VMA.  rmap walks that stop once
 * the folio is unmapped notify only the VMAs before that point.  Iterated
 * by node: the list head is not inside a VMA.
 */
static void model_i_mmap_insert(struct vm_area_struct *vma,
				struct address_space *mapping)
{
	struct list_head *node;

	for (node = mapping->i_mmap.prev; node != &mapping->i_mmap;
	     node = node->prev) {
		if (list_entry(node, struct vm_area_struct, shared)->vm_pgoff <=
		    vma->vm_pgoff)
			break;
	}
	list_add(&vma->shared, node);
}

/**
 * model_vma_link_file() - reference @file and put @vma on its i_mmap
 * @vma: a new VMA
 * @file: its file, or NULL for none
 * @parent: the parent's VMA @vma copies in a fork (linked right after it),
 *	or NULL to link by page offset
 *
 * A file VMA references its file (get_file(), dropped by fput() when the
 * VMA is freed) and sits on the file's i_mmap, where file rmap walks
 * (rmap_walk_file()) find it: __vma_link_file() and unlink_file_vma().
 */
void model_vma_link_file(struct vm_area_struct *vma, struct file *file,
			 struct vm_area_struct *parent)
{
	struct address_space *mapping;

	if (!file)
		return;
	vma->vm_file = get_file(file);
	mapping = file->f_mapping;
	i_mmap_lock_write(mapping);
	if (parent)
		list_add(&vma->shared, &parent->shared);
	else
		model_i_mmap_insert(vma, mapping);
	i_mmap_unlock_write(mapping);
}

/*
 * After a split or merge changed @vma's range or offset: as Linux takes the
 * VMA out of its file's and its anon_vmas' interval trees and puts it back,
 * it goes after the VMAs with the same page offset.
 */
static void model_vma_moved(struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		i_mmap_lock_write(mapping);
		list_del(&vma->shared);
		model_i_mmap_insert(vma, mapping);
		i_mmap_unlock_write(mapping);
	}
	anon_vma_vma_moved(vma);
}

static void model_vma_unlink_file(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	struct address_space *mapping;

	if (!file)
		return;
	mapping = file->f_mapping;
	i_mmap_lock_write(mapping);
	list_del_init(&vma->shared);
	i_mmap_unlock_write(mapping);
	vma->vm_file = NULL;
	fput(file);
}

/* Insert @vma into @mm's sorted list; mmap_lock held for write. */
void model_vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next = find_vma(mm, vma->vm_start);

	vma->vm_mm = mm;
	if (next)
		list_add_tail(&vma->vm_list, &next->vm_list);
	else
		list_add_tail(&vma->vm_list, &mm->mmap);
	mm->map_count++;
	mm->total_vm += vma_pages(vma);
}

void model_vma_unlink(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	list_del_init(&vma->vm_list);
	mm->map_count--;
	mm->total_vm -= vma_pages(vma);
}

/* Free an unlinked VMA whose pages are gone. */
void model_vma_free(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	unlink_anon_vmas(vma);
	model_vma_unlink_file(vma);
	kfree(vma);
}

/*
 * Split @vma at @addr: @vma keeps [vm_start, addr), a new VMA after it takes
 * [addr, vm_end).  mmap_lock held for write, so no fault is inside either.
 */
static int model_vma_split(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *tail;

	if (addr <= vma->vm_start || addr >= vma->vm_end)
		return 0;
	if (vma->vm_ops && vma->vm_ops->may_split &&
	    vma->vm_ops->may_split(vma, addr))
		return -EINVAL;
	tail = model_vma_copy(vma, mm);
	if (!tail)
		return -ENOMEM;
	model_vma_start_write(vma);
	/*
	 * A huge PMD across @addr becomes PTEs now, while @vma still covers
	 * all of it (vma_adjust_trans_huge()): split later through the tail,
	 * which starts past the PMD, the rmap would find the folio outside
	 * the VMA mapping it.  As Linux, the split is asked for whenever the
	 * 2 MiB block around @addr lies in @vma and has a PMD table, huge or
	 * not, so the mirrors see the block invalidated (MMU_NOTIFY_CLEAR)
	 * at every such VMA split, merge or munmap edge.
	 */
	if (!IS_ALIGNED(addr, HPAGE_PMD_SIZE) &&
	    range_in_vma(vma, ALIGN_DOWN(addr, HPAGE_PMD_SIZE),
			 ALIGN(addr, HPAGE_PMD_SIZE))) {
		pmd_t *pmd = mm_find_pmd(mm, addr);

		if (pmd)
			__split_huge_pmd(vma, pmd, addr, false, NULL);
	}
	tail->vm_start = addr;
	tail->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	model_vma_moved(tail);
	mm->total_vm -= vma_pages(vma);
	vma->vm_end = addr;
	mm->total_vm += vma_pages(vma);
	model_vma_moved(vma);
	list_add(&tail->vm_list, &vma->vm_list);
	mm->map_count++;
	mm->total_vm += vma_pages(tail);
	return 0;
}

/**
 * model_vma_isolate() - split @vma so that one VMA is exactly its part of
 * [@start, @end), as the kernel's vma_modify() does before changing it
 * @vma: a VMA that overlaps the range (mmap_lock held for write)
 * @start: first address
 * @end: one past the last address
 *
 * Return: that VMA, or an ERR_PTR() if a split failed.
 */
struct vm_area_struct *model_vma_isolate(struct vm_area_struct *vma,
					 unsigned long start,
					 unsigned long end)
{
	int err;

	if (vma->vm_start < start) {
		err = model_vma_split(vma, start);
		if (err)
			return ERR_PTR(err);
		vma = model_vma_next(vma);
	}
	if (vma->vm_end > end) {
		err = model_vma_split(vma, end);
		if (err)
			return ERR_PTR(err);
	}
	return vma;
}

/* Split so that [start, end) is made of whole VMAs; mmap_lock held (write). */
static int model_split_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);
	int ret;

	if (vma && vma->vm_start < start) {
		ret = model_vma_split(vma, start);
		if (ret)
			return ret;
	}
	vma = find_vma(mm, end);
	if (vma && vma->vm_start < end) {
		ret = model_vma_split(vma, end);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Whether @vma and the VMA right after it could be one VMA: adjacent, same
 * flags and protection, not special (a driver's VM_MIXEDMAP...), the same
 * anon_vma (so rmap finds their pages the same way), the same file and
 * operations (none for anonymous memory) with no ->close to lose, and page
 * offsets that continue.
 */
static bool model_vma_mergeable(struct vm_area_struct *vma,
				struct vm_area_struct *next)
{
	return vma->vm_end == next->vm_start &&
	       vma->vm_flags == next->vm_flags &&
	       !(vma->vm_flags & VM_SPECIAL) &&
	       pgprot_val(vma->vm_page_prot) == pgprot_val(next->vm_page_prot) &&
	       vma->anon_vma == next->anon_vma &&
	       vma->vm_file == next->vm_file && vma->vm_ops == next->vm_ops &&
	       !(next->vm_ops && next->vm_ops->close) &&
	       !is_vm_hugetlb_page(next) &&	/* Linux's has a ->close */
	       vma->vm_pgoff + vma_pages(vma) == next->vm_pgoff;
}

/* @vma absorbs @next; mmap_lock held for write. */
static void model_vma_merge_next(struct vm_area_struct *vma,
				 struct vm_area_struct *next)
{
	struct mm_struct *mm = vma->vm_mm;

	model_vma_start_write(vma);
	model_vma_start_write(next);
	model_vma_unlink(next);
	mm->total_vm -= vma_pages(vma);
	vma->vm_end = next->vm_end;
	mm->total_vm += vma_pages(vma);
	model_vma_moved(vma);
	model_vma_free(next);
}

/*
 * After the VMAs of [start, end) changed: pieces that agree again become
 * one VMA, including with the neighbours at both ends.
 */
void model_merge_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start ? start - 1 : 0);

	while (vma && vma->vm_start <= end) {
		struct vm_area_struct *next = model_vma_next(vma);

		if (next && model_vma_mergeable(vma, next))
			model_vma_merge_next(vma, next);
		else
			vma = next;
	}
}

/*
 * Remove every VMA inside [start, end) (split to fit already) with its
 * mappings, telling mirrors first: a device must stop using the pages
 * before they can be freed.  As unmap_vmas(), one notification covers the
 * whole range asked for, holes included, not each VMA's extent: a mirror
 * that drops entries by range sees exactly the kernel's bounds.
 */
void model_unmap_vmas(struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start), *next;
	struct mmu_notifier_range range;

	if (!vma || vma->vm_start >= end)
		return;
	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm, start, end);
	mmu_notifier_invalidate_range_start(&range);
	for (; vma && vma->vm_start < end; vma = next) {
		next = model_vma_next(vma);
		model_vma_start_write(vma);
		unmap_page_range(vma, vma->vm_start, vma->vm_end);
		model_vma_unlink(vma);
		model_vma_free(vma);
	}
	mmu_notifier_invalidate_range_end(&range);
}

/*
 * Free the page tables that served only [start, end), now that no VMA is
 * left in it: the neighbouring VMAs bound what may go.
 */
void model_free_unmapped_tables(struct mm_struct *mm, unsigned long start,
				unsigned long end)
{
	struct vm_area_struct *next = find_vma(mm, end), *vma, *prev = NULL;

	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (vma->vm_end > start)
			break;
		prev = vma;
	}
	free_pgtables(mm, start, end, prev ? prev->vm_end : 0,
		      next ? next->vm_start : TASK_SIZE);
}

/**
 * model_munmap() - unmap [@addr, @addr + @len)
 * @mm: the address space (mmap_lock taken here, for write)
 * @addr: page-aligned start
 * @len: length (rounded up to pages); holes in the range are fine
 *
 * Return: 0, -EINVAL for a misaligned or empty range, -ENOMEM if a VMA had
 * to be split and could not be.
 */
int model_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	unsigned long end;
	int ret;

	if (offset_in_page(addr) || addr >= TASK_SIZE || !len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > TASK_SIZE - addr)
		return -EINVAL;
	end = addr + len;

	mmap_write_lock(mm);
	ret = model_split_range(mm, addr, end);
	if (ret)
		goto out;
	model_unmap_vmas(mm, addr, end);
	model_free_unmapped_tables(mm, addr, end);
out:
	mmap_write_unlock(mm);
	return ret;
}
