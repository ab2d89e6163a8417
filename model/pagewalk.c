// SPDX-License-Identifier: GPL-2.0
/*
 * pagewalk.c - walking page tables with callbacks (mm/pagewalk.c).
 *
 * The walk goes VMA by VMA; gaps between VMAs go to ->pte_hole with no VMA.
 * Inside a VMA it descends PGD -> P4D -> PUD -> PMD and reports missing
 * tables to ->pte_hole (depth 0..3).  Without ->pte_entry it stops at
 * ->pmd_entry; with it, each PTE table is walked under its lock.  A
 * hugetlb VMA is walked huge page by huge page with ->hugetlb_entry (its
 * PMDs are leaves of no THP: nothing here may split them).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pagewalk.h>
#include <linux/hugetlb.h>

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

/* Tell ->pte_hole, if there is one, that [addr, end) has no table at @depth. */
static int walk_hole(unsigned long addr, unsigned long end, int depth,
		     struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;

	return ops->pte_hole ? ops->pte_hole(addr, end, depth, walk) : 0;
}

/*
 * One visit to the PMD entry covering [addr, next).  *again asks for another
 * visit: a callback saw the entry change under it (ACTION_AGAIN).
 */
static int visit_pmd(pmd_t *pmd, unsigned long addr, unsigned long next,
		     struct mm_walk *walk, bool *again)
{
	const struct mm_walk_ops *ops = walk->ops;
	int err;

	*again = false;
	if (pmd_none(pmdp_get(pmd)))
		return walk_hole(addr, next, 3, walk);

	/* What a test may do here, another thread may (model/race.h). */
	race_point(RACE_POINT("pmd_entry"));
	walk->action = ACTION_SUBTREE;
	err = ops->pmd_entry ? ops->pmd_entry(pmd, addr, next, walk) : 0;
	if (err)
		return err;
	if (walk->action == ACTION_AGAIN) {
		*again = true;
		return 0;
	}
	/* Descend only on request, and only if a PTE callback wants the PTEs. */
	if (walk->action == ACTION_CONTINUE || !ops->pte_entry)
		return 0;

	if (!walk->vma) {
		/* Without a VMA nothing may be split: leaves are left alone. */
		if (pmd_leaf(pmdp_get(pmd)) || !pmd_present(pmdp_get(pmd)))
			return 0;
	} else {
		split_huge_pmd(walk->vma, pmd, addr);
	}
	err = walk_pte_range(pmd, addr, next, walk);
	*again = !err && walk->action == ACTION_AGAIN;
	return err;
}

static int walk_pmd_range(pud_t *pud, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	int err = 0;

	while (!err) {
		unsigned long next = pmd_addr_end(addr, end);
		bool again;

		do {
			err = visit_pmd(pmd, addr, next, walk, &again);
		} while (again);
		if (next == end)
			break;
		addr = next;
		pmd++;
	}
	return err;
}

/* As visit_pmd(), one level up.  There is nothing to retry after the PMDs. */
static int visit_pud(pud_t *pud, unsigned long addr, unsigned long next,
		     struct mm_walk *walk, bool *again)
{
	const struct mm_walk_ops *ops = walk->ops;
	int err;

	*again = false;
	if (pud_none(pudp_get(pud)))
		return walk_hole(addr, next, 2, walk);

	walk->action = ACTION_SUBTREE;
	err = ops->pud_entry ? ops->pud_entry(pud, addr, next, walk) : 0;
	if (err)
		return err;
	switch (walk->action) {
	case ACTION_AGAIN:
		*again = true;
		return 0;
	case ACTION_CONTINUE:
		return 0;
	default:
		break;
	}
	/* The model maps no huge PUDs: a leaf here is not descended. */
	if (!(ops->pmd_entry || ops->pte_entry) || pud_leaf(pudp_get(pud)))
		return 0;
	return walk_pmd_range(pud, addr, next, walk);
}

static int walk_pud_range(p4d_t *p4d, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	pud_t *pud = pud_offset(p4d, addr);
	int err = 0;

	while (!err) {
		unsigned long next = pud_addr_end(addr, end);
		bool again;

		do {
			err = visit_pud(pud, addr, next, walk, &again);
		} while (again);
		if (next == end)
			break;
		addr = next;
		pud++;
	}
	return err;
}

static int walk_p4d_range(pgd_t *pgd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	p4d_t *p4d = p4d_offset(pgd, addr);
	int err = 0;

	/* Folded level: one entry spans the whole PGD entry's range. */
	if (p4d_none(p4dp_get(p4d)) || p4d_bad(p4dp_get(p4d)))
		return walk_hole(addr, end, 1, walk);
	if (ops->p4d_entry)
		err = ops->p4d_entry(p4d, addr, end, walk);
	if (!err && (ops->pud_entry || ops->pmd_entry || ops->pte_entry))
		err = walk_pud_range(p4d, addr, end, walk);
	return err;
}

static int walk_pgd_range(unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	bool below = ops->p4d_entry || ops->pud_entry || ops->pmd_entry ||
		     ops->pte_entry;
	pgd_t *pgd;
	int err = 0;

	/* A walk may bring its own top-level table (walk->pgd). */
	pgd = walk->pgd ? walk->pgd + pgd_index(addr) : pgd_offset(walk->mm, addr);
	while (!err) {
		unsigned long next = pgd_addr_end(addr, end);

		if (ops->pgd_entry)
			err = ops->pgd_entry(pgd, addr, next, walk);
		if (!err && below)
			err = walk_p4d_range(pgd, addr, next, walk);
		if (next == end)
			break;
		addr = next;
		pgd++;
	}
	return err;
}

/* One ->hugetlb_entry per huge page; ->pte_hole where no table exists. */
static int walk_hugetlb_range(unsigned long addr, unsigned long end,
			      struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	unsigned long hmask = HPAGE_PMD_MASK, sz = HPAGE_PMD_SIZE, next;
	int err = 0;

	for (; addr < end; addr = next) {
		pte_t *pte = huge_pte_offset(walk->mm, addr & hmask, sz);

		next = min((addr & hmask) + sz, end);
		if (pte)
			err = ops->hugetlb_entry(pte, hmask, addr, next, walk);
		else
			err = walk_hole(addr, next, -1, walk);
		if (err)
			break;
	}
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
	if (vma && is_vm_hugetlb_page(vma)) {
		if (ops->hugetlb_entry)
			err = walk_hugetlb_range(start, end, walk);
	} else {
		err = walk_pgd_range(start, end, walk);
	}
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
		int err = walk_hole(start, end, -1, walk);

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
	while (start < end) {
		if (vma && start >= vma->vm_start) {
			walk.vma = vma;
			next = min(end, vma->vm_end);
			vma = find_vma(mm, vma->vm_end);
			err = walk_page_test(start, next, &walk);
			/* A positive value only means "skip": not an error. */
			if (err > 0)
				err = 0;
			else if (!err)
				err = __walk_page_range(start, next, &walk);
		} else {
			/* A gap before @vma, or past the last VMA. */
			walk.vma = NULL;
			next = vma ? min(end, vma->vm_start) : end;
			err = walk_hole(start, next, -1, &walk);
		}
		if (err)
			return err;
		start = next;
	}
	return 0;
}

/* walk_page_vma() - walk_page_range() over the whole of @vma. */
int walk_page_vma(struct vm_area_struct *vma, const struct mm_walk_ops *ops,
		  void *private)
{
	struct mm_walk walk = {
		.vma = vma,
		.mm = vma->vm_mm,
		.ops = ops,
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
