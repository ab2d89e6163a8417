/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model/process.h - model-only declarations shared by the process side of
 * the model: address spaces and VMAs (model/mmap.c, model/vma.c,
 * model/mprotect.c, model/madvise.c), faults and zapping (model/memory.c),
 * fork and the life of an mm (model/fork.c), the software CPU (model/cpu.c),
 * GUP pin tracking (model/gup.c) and the process entry points of api/devmig.h
 * (model/process.c).
 *
 * Everything here stands for something the kernel does in a syscall, in
 * kernel/fork.c or in hardware, under a name that says so.  Kernel functions
 * keep their kernel names and signatures and are declared in the shadow
 * headers instead.
 */
#ifndef _MODEL_PROCESS_H
#define _MODEL_PROCESS_H

#include <linux/types.h>
#include <linux/mm_types.h>

struct file;

struct mm_struct;
struct vm_area_struct;
struct task_struct;
struct page;
struct folio;

/* Where top-down allocation of mmap addresses starts (mm->mmap_base). */
#define MODEL_MMAP_BASE		(TASK_SIZE - (1UL << 40))
/* Lowest address handed out: leave page zero and the "program" alone. */
#define MODEL_MMAP_MIN		(1UL << 32)

/*
 * The syscalls (mmap.c, vma.c, mprotect.c, madvise.c), acting on @mm with
 * its mmap_lock taken inside.
 */

/*
 * fork.c: model_mm_create() - a new empty address space (as mm_alloc() plus
 * mm_init()): top-level page table, mmap_lock, counters, mm_users = 1.
 * Returns NULL when memory runs out.
 */
struct mm_struct *model_mm_create(void);
/*
 * model_mmap() - as mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0):
 * @prot DEVMIG_PROT_*, @flags exactly one of DEVMIG_MAP_PRIVATE or
 * DEVMIG_MAP_SHARED.  Returns the address or a negative errno.
 */
long model_mmap(struct mm_struct *mm, unsigned long len, int prot, int flags);
/* As mmap(NULL, len, prot, flags, fd of @file, pgoff pages); see mmap.c. */
long model_do_mmap(struct mm_struct *mm, struct file *file, unsigned long len,
		   int prot, int flags, unsigned long pgoff);
/* The same at @fixed exactly (MAP_FIXED_NOREPLACE) unless @fixed is 0. */
long model_do_mmap_at(struct mm_struct *mm, unsigned long fixed,
		      struct file *file, unsigned long len, int prot,
		      int flags, unsigned long pgoff);
/* vma.c: as munmap(): 0 or -EINVAL. */
int model_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len);
/* mprotect.c: as mprotect(): 0, -EINVAL, -ENOMEM (hole in the range) or -EACCES. */
int model_mprotect(struct mm_struct *mm, unsigned long addr, unsigned long len,
		   int prot);
/* khugepaged.c: madvise(MADV_COLLAPSE) of a checked range, see there. */
int model_madvise_collapse(struct mm_struct *mm, unsigned long addr,
			   unsigned long end);
/* madvise.c: as madvise() with the THP advice: 0, -EINVAL or -ENOMEM (hole). */
int model_madvise(struct mm_struct *mm, unsigned long addr, unsigned long len,
		  int advice);
/* mmap.c: the VM_READ/VM_WRITE bits of DEVMIG_PROT_* @prot. */
vm_flags_t model_prot_to_vm_flags(int prot);
/*
 * VMA plumbing shared by fork.c, mmap.c, vma.c, mprotect.c and madvise.c;
 * mmap_lock held for write.  fork.c: allocation (vm_area_alloc()), a copy
 * in the same mm (for a split) or in a fork child (vm_area_dup() and the
 * anon_vma link).  vma.c: linking into the mm and the file's i_mmap,
 * unlinking, freeing, splitting a range into whole VMAs and merging them
 * again, unmapping a VMA's range with the mirrors told.
 */
struct vm_area_struct *model_vma_alloc(struct mm_struct *mm);
/* mmap.c: the VMA after @vma in address order, or NULL (vma_next()). */
struct vm_area_struct *model_vma_next(struct vm_area_struct *vma);
struct vm_area_struct *model_vma_copy(struct vm_area_struct *orig,
				      struct mm_struct *mm);
void model_vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void model_vma_link_file(struct vm_area_struct *vma, struct file *file,
			 struct vm_area_struct *parent);
void model_vma_unlink(struct vm_area_struct *vma);
void model_vma_free(struct vm_area_struct *vma);
void model_vma_start_write(struct vm_area_struct *vma);
struct vm_area_struct *model_vma_isolate(struct vm_area_struct *vma,
					 unsigned long start,
					 unsigned long end);
void model_merge_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end);
void model_unmap_vmas(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
/* vma.c: free the page tables of [start, end), where no VMA is left. */
void model_free_unmapped_tables(struct mm_struct *mm, unsigned long start,
				unsigned long end);

/*
 * memory.c.  unmap_page_range() and free_pgtables() are in the kernel's
 * mm/internal.h, but with an mmu_gather (and zap details, a maple tree
 * state) the model has no use for: under their kernel names with the
 * model's simpler signatures, they are declared here rather than in the
 * model's mm/internal.h, which keeps the kernel's signatures.
 */
void unmap_page_range(struct vm_area_struct *vma, unsigned long addr,
		      unsigned long end);
void restore_exclusive_pte(struct vm_area_struct *vma, struct page *page,
			   unsigned long address, pte_t *ptep);
/* Free page tables serving only [start, end) (munmap); see memory.c. */
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end, unsigned long floor,
		   unsigned long ceiling);
/* Free the page tables below the PGD of an mm with no VMA left. */
void model_free_page_tables(struct mm_struct *mm);

/* fork.c: dup_mmap() for devmig_proc_fork(); 0 or -ENOMEM. */
int model_dup_mm(struct mm_struct *oldmm, struct mm_struct *mm);

/*
 * cpu.c: per-task counters kept for devmig_task_stats(); a task entered by
 * devmig_task_enter() has task->model_private pointing at one.
 */
struct model_task_counters {
	unsigned long faults;
};
void model_task_count_fault(void);

/*
 * gup.c: pins the model knows about.  The invariant checker adds these to
 * the references it expects; FOLL_GET references are not tracked (they
 * are dropped with a plain put_page()) and show up as unexplained.
 */
unsigned long model_gup_pinned_refs(struct folio *folio);

#endif /* _MODEL_PROCESS_H */
