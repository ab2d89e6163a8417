// SPDX-License-Identifier: GPL-2.0
/*
 * mmap.c - address spaces and their VMAs: creation and teardown of an
 * mm_struct, mmap/munmap/mprotect of anonymous memory, VMA lookup.
 *
 * The kernel keeps VMAs in a maple tree; the model keeps them in a list
 * sorted by address (mm->mmap), which gives the same answers to the same
 * questions.  The list and every VMA field are protected by mmap_lock:
 * readers (faults, GUP, migration, HMM) take it shared, and the syscalls here
 * take it exclusive, so no reader ever sees a VMA half split.
 *
 * Shared anonymous memory is shmem in the kernel (a VMA with vm_ops, so not
 * "anonymous" to migration); so it is here (model/shmem.c).  Private
 * anonymous mappings are anonymous (vm_ops NULL), unless hugetlb
 * (model/hugetlb.c).  A file mapping references its file and is set up by
 * the file's ->mmap() (tmpfs files, a driver's file).
 *
 * VMAs split by mprotect merge again when their protections agree again;
 * a new mapping is not merged with its neighbours (the kernel would when
 * they are compatible: there is one VMA more here, nothing else differs).
 * Not modelled: MAP_FIXED, stack growth.
 */
#include <linux/mm.h>
#include "internal.h"
#include <asm/pgalloc.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/swapops.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/spinlock.h>
#include <linux/shmem_fs.h>
#include <linux/hugetlb.h>
#include <asm/tlbflush.h>
#include <model/model.h>
#include <model/process.h>
#include <devmig.h>

/* Where top-down allocation of mmap addresses starts. */
#define MODEL_MMAP_BASE		(TASK_SIZE - (1UL << 40))
/* Lowest address handed out: leave page zero and the "program" alone. */
#define MODEL_MMAP_MIN		(1UL << 32)

/**
 * model_mm_create() - allocate and initialise an empty address space
 *
 * Return: the mm with mm_users == mm_count == 1, registered with the model
 * (model_mm_register()) for the invariant checker, or
 * NULL if the top-level page table could not be allocated.
 */
struct mm_struct *model_mm_create(void)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);
	int i;

	if (!mm)
		return NULL;
	mm->pgd = pgd_alloc(mm);
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	mmap_init_lock(mm);
	mmu_notifier_subscriptions_init(mm);
	INIT_LIST_HEAD(&mm->mmap);
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		atomic_long_set(&mm->rss_stat[i], 0);
	spin_lock_init(&mm->page_table_lock);
	spin_lock_init(&mm->tlb_tasks_lock);
	INIT_LIST_HEAD(&mm->tlb_tasks);
	mm->task_size = TASK_SIZE;
	mm->mmap_base = MODEL_MMAP_BASE;
	model_mm_register(mm);
	return mm;
}

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
 * The operations of a file VMA whose ->mmap() sets none: no ->fault, so a
 * hole in it is a SIGBUS, never anonymous memory.
 */
const struct vm_operations_struct vma_dummy_vm_ops;

/* As vma_init(): a VMA is a file VMA until vma_set_anonymous(). */
static struct vm_area_struct *model_vma_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kzalloc(sizeof(*vma), GFP_KERNEL);

	if (!vma)
		return NULL;
	vma->vm_mm = mm;
	vma->vm_ops = &vma_dummy_vm_ops;
	init_rwsem(&vma->vm_lock);
	INIT_LIST_HEAD(&vma->vm_list);
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	return vma;
}

static struct vm_area_struct *model_vma_copy_fields(struct vm_area_struct *orig,
						   struct mm_struct *mm)
{
	struct vm_area_struct *vma = model_vma_alloc(mm);

	if (!vma)
		return NULL;
	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vma->vm_flags = orig->vm_flags;
	vma->vm_page_prot = orig->vm_page_prot;
	vma->vm_ops = orig->vm_ops;
	/* Shared by a split; anon_vma_fork() replaces it in a fork child. */
	vma->anon_vma = orig->anon_vma;
	vma->vm_pgoff = orig->vm_pgoff;
	vma->vm_file = NULL;	/* referenced by model_vma_link_file() */
	vma->vm_private_data = orig->vm_private_data;
	vma->model_private = orig->model_private;
	return vma;
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

/*
 * A file VMA references its file (get_file(), dropped by fput() when the
 * VMA is freed) and sits on the file's i_mmap, where file rmap walks
 * (rmap_walk_file()) find it: __vma_link_file() and unlink_file_vma().
 * A fork's copy is linked right after @parent's VMA, others by offset.
 */
static void model_vma_link_file(struct vm_area_struct *vma, struct file *file,
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

/**
 * model_vma_dup() - a copy of @orig in the same mm, not linked anywhere,
 * sharing its anon_vma hierarchy (vm_area_dup() + anon_vma_clone())
 * @orig: the VMA to copy
 *
 * Return: the copy (vm_ops->open already called) or NULL on ENOMEM.
 */
struct vm_area_struct *model_vma_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = model_vma_copy_fields(orig, orig->vm_mm);

	if (!vma)
		return NULL;
	if (anon_vma_clone(vma, orig)) {
		kfree(vma);
		return NULL;
	}
	model_vma_link_file(vma, orig->vm_file, NULL);
	if (vma->vm_ops && vma->vm_ops->open)
		vma->vm_ops->open(vma);
	return vma;
}

/**
 * model_vma_copy() - the child's copy of @orig for fork, in @mm, with an
 * anon_vma of its own chained to the parent's (anon_vma_fork()), so the
 * parent's anon pages are found in the child by rmap walks
 * @orig: the parent's VMA
 * @mm: the child's address space
 *
 * Return: the copy, not linked, or NULL on ENOMEM.
 */
struct vm_area_struct *model_vma_copy(struct vm_area_struct *orig,
				      struct mm_struct *mm)
{
	struct vm_area_struct *vma = model_vma_copy_fields(orig, mm);

	if (!vma)
		return NULL;
	if (!(orig->vm_flags & VM_WIPEONFORK) && anon_vma_fork(vma, orig)) {
		kfree(vma);
		return NULL;
	}
	model_vma_link_file(vma, orig->vm_file, orig);
	if (vma->vm_ops && vma->vm_ops->open)
		vma->vm_ops->open(vma);
	return vma;
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

static void model_vma_unlink(struct vm_area_struct *vma)
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
	tail = model_vma_dup(vma);
	if (!tail)
		return -ENOMEM;
	model_vma_start_write(vma);
	/*
	 * A huge PMD across @addr becomes PTEs now, while @vma still covers
	 * all of it (vma_adjust_trans_huge()): split later through the tail,
	 * which starts past the PMD, the rmap would find the folio outside
	 * the VMA mapping it.
	 */
	if (!IS_ALIGNED(addr, HPAGE_PMD_SIZE)) {
		pmd_t *pmd = mm_find_pmd(mm, addr);

		if (pmd)
			split_huge_pmd(vma, pmd, addr);
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

static vm_flags_t model_prot_to_vm_flags(int prot)
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
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *next = find_vma(mm, vma->vm_end), *prev = NULL;
	struct vm_area_struct *v;

	unmap_page_range(vma, vma->vm_start, vma->vm_end);
	list_for_each_entry(v, &mm->mmap, vm_list) {
		if (v->vm_end > vma->vm_start)
			break;
		prev = v;
	}
	free_pgtables(mm, vma->vm_start, vma->vm_end, prev ? prev->vm_end : 0,
		      next ? next->vm_start : TASK_SIZE);
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

/*
 * Remove the mappings of [start, end) of one VMA, telling mirrors first: a
 * device must stop using the pages before they can be freed.
 */
static void model_unmap_vma_range(struct vm_area_struct *vma,
				  unsigned long start, unsigned long end)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, vma->vm_mm,
				start, end);
	mmu_notifier_invalidate_range_start(&range);
	unmap_page_range(vma, start, end);
	mmu_notifier_invalidate_range_end(&range);
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
 * Free the page tables that served only [start, end), now that no VMA is
 * left in it: the neighbouring VMAs bound what may go.
 */
static void model_free_unmapped_tables(struct mm_struct *mm,
				       unsigned long start, unsigned long end)
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
	struct vm_area_struct *vma, *next;
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
	vma = find_vma(mm, addr);
	while (vma && vma->vm_start < end) {
		next = model_vma_next(vma);
		model_vma_start_write(vma);
		model_unmap_vma_range(vma, vma->vm_start, vma->vm_end);
		model_vma_unlink(vma);
		model_vma_free(vma);
		vma = next;
	}
	model_free_unmapped_tables(mm, addr, end);
out:
	mmap_write_unlock(mm);
	return ret;
}

/*
 * Whether a present PTE may be made writable at once instead of taking a
 * write fault later: only if no copy-on-write can be pending, i.e. the page
 * is anon-exclusive (private) or the PTE is already dirty (shared).
 */
static bool model_can_change_pte_writable(struct vm_area_struct *vma,
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

static void model_change_pte_range(struct vm_area_struct *vma, pmd_t *pmd,
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
		    model_can_change_pte_writable(vma, addr, new))
			new = pte_mkwrite(new, vma);
		ptep_modify_prot_commit(vma, addr, pte, old, new);
	}
	pte_unmap_unlock(start, ptl);
}

/* Apply vma->vm_page_prot to the PTEs of [start, end) (change_protection). */
static void model_change_protection(struct vm_area_struct *vma,
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
		model_change_pte_range(vma, pmd, addr, next);
	}
	/* Rights were possibly removed: no CPU may keep the old ones. */
	flush_tlb_range(vma, start, end);
	mmu_notifier_invalidate_range_end(&range);
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
static void model_merge_range(struct mm_struct *mm, unsigned long start,
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
		/* As mprotect_fixup(): a VMA that keeps its flags is untouched. */
		if (newflags == vma->vm_flags)
			continue;
		if (vma->vm_start < addr) {
			err = model_vma_split(vma, addr);
			if (err) {
				ret = err;
				break;
			}
			vma = model_vma_next(vma);
		}
		if (vma->vm_end > end) {
			err = model_vma_split(vma, end);
			if (err) {
				ret = err;
				break;
			}
		}
		model_vma_start_write(vma);
		vma->vm_flags = newflags;
		vma->vm_page_prot = vm_get_page_prot(newflags);
		model_change_protection(vma, vma->vm_start, vma->vm_end);
	}
	model_merge_range(mm, addr, end);
out:
	mmap_write_unlock(mm);
	return ret;
}

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
 * other on every VMA part in the range, splitting and merging VMAs as
 * mprotect does (mmap_lock for write).
 *
 * Return: 0; -EINVAL for bad arguments; -ENOMEM if part of the range is
 * not mapped (the mapped parts are changed anyway, as Linux does).
 */
int model_madvise(struct mm_struct *mm, unsigned long addr, unsigned long len,
		  int advice)
{
	vm_flags_t set = 0, clear = 0;
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
	ret = model_split_range(mm, addr, end);
	if (ret)
		goto out;
	cur = addr;
	for (vma = find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = model_vma_next(vma)) {
		if (vma->vm_start > cur)
			ret = -ENOMEM;
		cur = vma->vm_end;
		model_vma_start_write(vma);
		vma->vm_flags = (vma->vm_flags & ~clear) | set;
	}
	if (cur < end)
		ret = -ENOMEM;
	model_merge_range(mm, addr, end);
out:
	mmap_write_unlock(mm);
	return ret;
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
	struct vm_area_struct *vma, *next;

	mmu_notifier_release(mm);
	mmap_write_lock(mm);
	list_for_each_entry_safe(vma, next, &mm->mmap, vm_list) {
		model_vma_start_write(vma);
		model_unmap_vma_range(vma, vma->vm_start, vma->vm_end);
		model_vma_unlink(vma);
		model_vma_free(vma);
	}
	model_free_page_tables(mm);
	mmap_write_unlock(mm);
}

/**
 * mmput() - drop a user of @mm; the last one tears the address space down
 * @mm: the address space
 */
void mmput(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_users))
		return;
	exit_mmap(mm);
	model_mm_unregister(mm);
	mmdrop(mm);
}

/**
 * __mmdrop() - free the mm_struct once its last reference is gone
 * @mm: the address space, already torn down by exit_mmap()
 */
void __mmdrop(struct mm_struct *mm)
{
	mmu_notifier_subscriptions_destroy(mm);
	pgd_free(mm, mm->pgd);
	kfree(mm);
}
