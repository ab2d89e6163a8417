// SPDX-License-Identifier: GPL-2.0
/*
 * pagewalk.c - walking page tables with callbacks (mm/pagewalk.c).
 *
 * The walk goes VMA by VMA; gaps between VMAs go to ->pte_hole with no VMA.
 * Inside a VMA it descends PGD -> P4D -> PUD -> PMD and reports missing
 * tables to ->pte_hole (depth 0..3).  Without ->pte_entry it stops at
 * ->pmd_entry; with it, each PTE table is walked under its lock.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pagewalk.h>
#include <linux/hugetlb_inline.h>

static int walk_pte_range(pmd_t *pmd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	spinlock_t *ptl;
	pte_t *pte;
	int err = 0;

	pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!pte) {
		/* The table went away under us: look at the PMD again. */
		walk->action = ACTION_AGAIN;
		return 0;
	}
	for (;;) {
		err = ops->pte_entry(pte, addr, addr + PAGE_SIZE, walk);
		if (err)
			break;
		addr += PAGE_SIZE;
		if (addr >= end)
			break;
		pte++;
	}
	pte_unmap_unlock(pte, ptl);
	return err;
}

static int walk_pmd_range(pud_t *pud, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	unsigned long next;
	pmd_t *pmd;
	int err = 0;

	pmd = pmd_offset(pud, addr);
	do {
again:
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(pmd))) {
			if (ops->pte_hole)
				err = ops->pte_hole(addr, next, 3, walk);
			if (err)
				break;
			continue;
		}
		walk->action = ACTION_SUBTREE;
		if (ops->pmd_entry)
			err = ops->pmd_entry(pmd, addr, next, walk);
		if (err)
			break;
		if (walk->action == ACTION_AGAIN)
			goto again;
		if (walk->action == ACTION_CONTINUE || !ops->pte_entry)
			continue;
		if (walk->vma)
			split_huge_pmd(walk->vma, pmd, addr);
		else if (pmd_leaf(pmdp_get(pmd)) || !pmd_present(pmdp_get(pmd)))
			continue;
		err = walk_pte_range(pmd, addr, next, walk);
		if (err)
			break;
		if (walk->action == ACTION_AGAIN)
			goto again;
	} while (pmd++, addr = next, addr != end);
	return err;
}

static int walk_pud_range(p4d_t *p4d, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	unsigned long next;
	pud_t *pud;
	int err = 0;

	pud = pud_offset(p4d, addr);
	do {
again:
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(pud))) {
			if (ops->pte_hole)
				err = ops->pte_hole(addr, next, 2, walk);
			if (err)
				break;
			continue;
		}
		walk->action = ACTION_SUBTREE;
		if (ops->pud_entry)
			err = ops->pud_entry(pud, addr, next, walk);
		if (err)
			break;
		if (walk->action == ACTION_AGAIN)
			goto again;
		if (walk->action == ACTION_CONTINUE ||
		    !(ops->pmd_entry || ops->pte_entry))
			continue;
		/* The model maps no huge PUDs: a leaf here is not descended. */
		if (pud_leaf(pudp_get(pud)))
			continue;
		err = walk_pmd_range(pud, addr, next, walk);
		if (err)
			break;
	} while (pud++, addr = next, addr != end);
	return err;
}

static int walk_p4d_range(pgd_t *pgd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	p4d_t *p4d = p4d_offset(pgd, addr);
	int err = 0;

	/* Folded level: one entry spans the whole PGD entry's range. */
	if (p4d_none(p4dp_get(p4d)) || p4d_bad(p4dp_get(p4d))) {
		if (ops->pte_hole)
			err = ops->pte_hole(addr, end, 1, walk);
		return err;
	}
	if (ops->p4d_entry) {
		err = ops->p4d_entry(p4d, addr, end, walk);
		if (err)
			return err;
	}
	if (ops->pud_entry || ops->pmd_entry || ops->pte_entry)
		err = walk_pud_range(p4d, addr, end, walk);
	return err;
}

static int walk_pgd_range(unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	unsigned long next;
	pgd_t *pgd;
	int err = 0;

	pgd = walk->pgd ? walk->pgd + pgd_index(addr) : pgd_offset(walk->mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (ops->pgd_entry) {
			err = ops->pgd_entry(pgd, addr, next, walk);
			if (err)
				break;
		}
		if (ops->p4d_entry || ops->pud_entry || ops->pmd_entry || ops->pte_entry)
			err = walk_p4d_range(pgd, addr, next, walk);
		if (err)
			break;
	} while (pgd++, addr = next, addr != end);
	return err;
}

static int __walk_page_range(unsigned long start, unsigned long end,
			     struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	struct vm_area_struct *vma = walk->vma;
	int err = 0;

	if (ops->pre_vma) {
		err = ops->pre_vma(start, end, walk);
		if (err)
			return err;
	}
	/* The model has no hugetlb pages: such a VMA has nothing to walk. */
	if (!vma || !is_vm_hugetlb_page(vma))
		err = walk_pgd_range(start, end, walk);
	if (ops->post_vma)
		ops->post_vma(walk);
	return err;
}

/* 0: walk the VMA; 1: skip it; < 0: abort with that error. */
static int walk_page_test(unsigned long start, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	struct vm_area_struct *vma = walk->vma;

	if (ops->test_walk)
		return ops->test_walk(start, end, walk);
	/* Raw PFN mappings have no struct pages to look at. */
	if (vma->vm_flags & VM_PFNMAP) {
		int err = 0;

		if (ops->pte_hole)
			err = ops->pte_hole(start, end, -1, walk);
		return err ? err : 1;
	}
	return 0;
}

static void check_walk_lock(struct mm_struct *mm, enum page_walk_lock walk_lock)
{
	if (walk_lock == PGWALK_RDLOCK)
		mmap_assert_locked(mm);
	else
		mmap_assert_write_locked(mm);
}

/**
 * walk_page_range() - walk the page tables of [@start, @end) in @mm
 * @mm: the address space; mmap_lock held as @ops->walk_lock says
 * @start: first address
 * @end: one past the last address
 * @ops: callbacks
 * @private: for the callbacks (walk->private)
 *
 * Return: 0, -EINVAL if @start >= @end, or the first non-zero callback
 * return value (which stops the walk).
 */
int walk_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end, const struct mm_walk_ops *ops,
		    void *private)
{
	struct mm_walk walk = {
		.ops = ops,
		.mm = mm,
		.private = private,
	};
	struct vm_area_struct *vma;
	unsigned long next;
	int err = 0;

	if (start >= end || !mm)
		return -EINVAL;
	check_walk_lock(mm, ops->walk_lock);

	vma = find_vma(mm, start);
	do {
		if (!vma) {
			/* Past the last VMA. */
			walk.vma = NULL;
			next = end;
			if (ops->pte_hole)
				err = ops->pte_hole(start, next, -1, &walk);
		} else if (start < vma->vm_start) {
			/* In a gap before @vma. */
			walk.vma = NULL;
			next = min(end, vma->vm_start);
			if (ops->pte_hole)
				err = ops->pte_hole(start, next, -1, &walk);
		} else {
			walk.vma = vma;
			next = min(end, vma->vm_end);
			vma = find_vma(mm, vma->vm_end);
			err = walk_page_test(start, next, &walk);
			if (err > 0) {
				err = 0;
				continue;
			}
			if (err < 0)
				break;
			err = __walk_page_range(start, next, &walk);
		}
		if (err)
			break;
	} while (start = next, start < end);
	return err;
}

/* walk_page_vma() - walk_page_range() over the whole of @vma. */
int walk_page_vma(struct vm_area_struct *vma, const struct mm_walk_ops *ops,
		  void *private)
{
	struct mm_walk walk = {
		.ops = ops,
		.mm = vma->vm_mm,
		.vma = vma,
		.private = private,
	};
	int err;

	check_walk_lock(vma->vm_mm, ops->walk_lock);
	err = walk_page_test(vma->vm_start, vma->vm_end, &walk);
	if (err > 0)
		return 0;
	if (err < 0)
		return err;
	return __walk_page_range(vma->vm_start, vma->vm_end, &walk);
}
