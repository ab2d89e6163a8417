// SPDX-License-Identifier: GPL-2.0
/*
 * mmap.c - address spaces and their VMAs (mm/mmap.c): VMA lookup, mmap of
 * anonymous memory and files, and the teardown of a whole address space
 * (exit_mmap()).  As in the kernel, the operations on the VMA list itself
 * (link, split, merge, munmap) are in vma.c, mprotect is in mprotect.c,
 * madvise in madvise.c, and the creation of an mm and its last mmput() in
 * fork.c.
 *
 * The kernel keeps VMAs in a maple tree; the model keeps them in a list
 * sorted by address (mm->mmap), which gives the same answers to the same
 * questions.  The list and every VMA field are protected by mmap_lock:
 * readers (faults, GUP, migration, HMM) take it shared, and the syscalls
 * take it exclusive, so no reader ever sees a VMA half split.
 *
 * Shared anonymous memory is shmem in the kernel (a VMA with vm_ops, so not
 * "anonymous" to migration); so it is here (model/shmem.c).  Private
 * anonymous mappings are anonymous (vm_ops NULL), unless hugetlb
 * (model/hugetlb.c).  A file mapping references its file and is set up by
 * the file's ->mmap() (tmpfs files, a driver's file).
 *
 * A new mapping is not merged with its neighbours (the kernel would when
 * they are compatible: there is one VMA more here, nothing else differs).
 * Not modelled: MAP_FIXED, stack growth.
 */
#include <linux/mm.h>
#include "internal.h"
#include <linux/slab.h>
#include <linux/mmu_notifier.h>
#include <linux/shmem_fs.h>
#include <linux/hugetlb.h>
#include <linux/fs.h>
#include <model/process.h>
#include <devmig.h>

/**
 * find_vma() - the first VMA ending above @addr
 * @mm: the address space, mmap_lock held
 * @addr: the address
 *
 * Return: the VMA containing @addr, or else the next one above it, or NULL.
 */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (vma->vm_end > addr)
			return vma;
	}
	return NULL;
}

/**
 * vma_lookup() - the VMA containing @addr
 * @mm: the address space, mmap_lock held
 * @addr: the address
 *
 * Return: the VMA with vm_start <= @addr < vm_end, or NULL.
 */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (vma && addr < vma->vm_start)
		return NULL;
	return vma;
}

/**
 * find_vma_intersection() - the first VMA overlapping [@start, @end)
 * @mm: the address space, mmap_lock held
 * @start: start of the range
 * @end: end of the range (exclusive)
 */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (vma && end <= vma->vm_start)
		return NULL;
	return vma;
}

/* model_vma_next() - the VMA after @vma in address order, or NULL. */
struct vm_area_struct *model_vma_next(struct vm_area_struct *vma)
{
	if (list_is_last(&vma->vm_list, &vma->vm_mm->mmap))
		return NULL;
	return list_next_entry(vma, vm_list);
}

vm_flags_t model_prot_to_vm_flags(int prot)
{
	vm_flags_t flags = 0;

	if (prot & DEVMIG_PROT_READ)
		flags |= VM_READ;
	if (prot & DEVMIG_PROT_WRITE)
		flags |= VM_WRITE;
	return flags;
}

/*
 * A free range of @len bytes, searched top-down from mmap_base like the
 * kernel's default layout; PMD-aligned for mappings that could hold a THP.
 */
static unsigned long model_get_unmapped_area(struct mm_struct *mm,
					     unsigned long len)
{
	unsigned long align = len >= PMD_SIZE ? PMD_SIZE : PAGE_SIZE;
	unsigned long top = mm->mmap_base;
	struct vm_area_struct *vma;
	unsigned long cand;

	list_for_each_entry_reverse(vma, &mm->mmap, vm_list) {
		if (vma->vm_start >= top)
			continue;
		if (vma->vm_end < top && top - vma->vm_end >= len) {
			cand = (top - len) & ~(align - 1);
			if (cand >= vma->vm_end)
				return cand;
		}
		top = vma->vm_start;
	}
	if (top < MODEL_MMAP_MIN || top - MODEL_MMAP_MIN < len)
		return 0;
	cand = (top - len) & ~(align - 1);
	return cand >= MODEL_MMAP_MIN ? cand : 0;
}

/*
 * Undo what a failed ->mmap() may have mapped already (mmap_region()'s
 * unmap_region()): @vma is not linked, its page tables are only its own.
 */
static void model_unmap_unlinked(struct vm_area_struct *vma)
{
	unmap_page_range(vma, vma->vm_start, vma->vm_end);
	model_free_unmapped_tables(vma->vm_mm, vma->vm_start, vma->vm_end);
}

/* Is [addr, addr + len) free of VMAs?  mmap_lock held. */
static bool model_range_free(struct mm_struct *mm, unsigned long addr,
			     unsigned long len)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return !vma || vma->vm_start >= addr + len;
}

/**
 * model_do_mmap_at() - mmap(@fixed, @len, @prot, @flags, fd of @file,
 *	@pgoff), with MAP_FIXED_NOREPLACE when @fixed is not 0
 * @mm: the address space (mmap_lock taken here)
 * @fixed: 0 to let the kernel choose, else the address the mapping must have
 * @file: the file to map, or NULL for anonymous memory
 * @len: length in bytes (rounded up to pages)
 * @prot: DEVMIG_PROT_* bits
 * @flags: DEVMIG_MAP_PRIVATE or DEVMIG_MAP_SHARED, and DEVMIG_MAP_HUGETLB
 *	for private anonymous memory in hugetlb pages
 * @pgoff: offset in @file, in pages (0 for anonymous memory)
 *
 * Anonymous shared memory gets a tmpfs file of its own; a file's ->mmap()
 * sets up the VMA (vm_ops) and may map pages into it (a driver's).  A
 * hugetlb mapping is rounded up to whole huge pages and aligned to them.
 *
 * Return: the start address, or -EINVAL (bad length/flags/address, or
 * hugetlb memory that is shared or file-backed, which the model lacks),
 * -EEXIST (@fixed overlaps a mapping), -ENODEV (a file without ->mmap),
 * -EOVERFLOW (offset wraps), -ENOMEM, or ->mmap()'s error.
 */
long model_do_mmap_at(struct mm_struct *mm, unsigned long fixed,
		      struct file *file, unsigned long len, int prot,
		      int flags, unsigned long pgoff)
{
	struct vm_area_struct *vma;
	unsigned long addr;
	vm_flags_t vm_flags;
	int type = flags & (DEVMIG_MAP_PRIVATE | DEVMIG_MAP_SHARED);
	bool anon_shared = false;
	int ret;

	if (!len || (prot & ~(DEVMIG_PROT_READ | DEVMIG_PROT_WRITE)))
		return -EINVAL;
	if (type != DEVMIG_MAP_PRIVATE && type != DEVMIG_MAP_SHARED)
		return -EINVAL;
	if (flags & ~(DEVMIG_MAP_PRIVATE | DEVMIG_MAP_SHARED |
		      DEVMIG_MAP_HUGETLB))
		return -EINVAL;
	if ((flags & DEVMIG_MAP_HUGETLB) &&
	    (file || type != DEVMIG_MAP_PRIVATE))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (flags & DEVMIG_MAP_HUGETLB)
		len = ALIGN(len, HPAGE_PMD_SIZE);
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (file && !file->f_op->mmap)
		return -ENODEV;
	if (file && pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;

	vm_flags = model_prot_to_vm_flags(prot) | VM_MAYREAD | VM_MAYWRITE |
		   VM_MAYEXEC;
	if (type == DEVMIG_MAP_SHARED)
		vm_flags |= VM_SHARED | VM_MAYSHARE;

	if (offset_in_page(fixed) || (fixed && (fixed < MODEL_MMAP_MIN ||
						 fixed + len > TASK_SIZE)))
		return -EINVAL;
	/* hugetlb pages go at huge page boundaries only. */
	if ((flags & DEVMIG_MAP_HUGETLB) && !IS_ALIGNED(fixed, HPAGE_PMD_SIZE))
		return -EINVAL;
	vma = model_vma_alloc(mm);
	if (!vma)
		return -ENOMEM;
	mmap_write_lock(mm);
	addr = fixed ? fixed : model_get_unmapped_area(mm, len);
	if (!addr || (fixed && !model_range_free(mm, fixed, len))) {
		ret = addr ? -EEXIST : -ENOMEM;
		goto free;
	}
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_page_prot = vm_get_page_prot(vm_flags);
	vma->vm_pgoff = file ? pgoff : addr >> PAGE_SHIFT;
	if (file) {
		vma->vm_file = file;
		ret = file->f_op->mmap(file, vma);
		if (ret) {
			model_unmap_unlinked(vma);
			goto free;
		}
		/* ->mmap() may have changed the flags (VM_MIXEDMAP). */
		vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	} else if (type == DEVMIG_MAP_SHARED) {
		/* Shared anonymous memory is a tmpfs file of its own. */
		vma->vm_pgoff = 0;
		ret = shmem_zero_setup(vma);
		if (ret)
			goto free;
		file = vma->vm_file;
		anon_shared = true;
	} else if (flags & DEVMIG_MAP_HUGETLB) {
		hugetlb_vma_setup(vma);
	} else {
		vma_set_anonymous(vma);
	}
	vma->vm_file = NULL;
	model_vma_link(mm, vma);
	model_vma_link_file(vma, file, NULL);
	/* The file shmem_zero_setup() made is the VMA's alone. */
	if (anon_shared)
		fput(file);
	mmap_write_unlock(mm);
	return (long)addr;
free:
	mmap_write_unlock(mm);
	kfree(vma);
	return ret;
}

/* model_do_mmap() - model_do_mmap_at() wherever the kernel chooses. */
long model_do_mmap(struct mm_struct *mm, struct file *file, unsigned long len,
		   int prot, int flags, unsigned long pgoff)
{
	return model_do_mmap_at(mm, 0, file, len, prot, flags, pgoff);
}

/**
 * model_mmap() - map anonymous memory (model_do_mmap() without a file)
 */
long model_mmap(struct mm_struct *mm, unsigned long len, int prot, int flags)
{
	return model_do_mmap(mm, NULL, len, prot, flags, 0);
}

/**
 * exit_mmap() - tear down every mapping of an mm whose last user is gone
 * @mm: the address space
 *
 * Mirrors are told first (release), then every VMA is unmapped as munmap
 * would and its page tables are freed.
 */
void exit_mmap(struct mm_struct *mm)
{
	mmu_notifier_release(mm);
	mmap_write_lock(mm);
	model_unmap_vmas(mm, 0, ULONG_MAX);
	model_free_page_tables(mm);
	mmap_write_unlock(mm);
}
