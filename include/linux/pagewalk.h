/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagewalk.h - generic page-table walking with callbacks (model/pagewalk.c).
 */
#ifndef _LINUX_PAGEWALK_H
#define _LINUX_PAGEWALK_H

#include <linux/mm.h>

struct mm_walk;

/* Which mmap_lock mode the walk requires; the walker asserts it. */
enum page_walk_lock {
	PGWALK_RDLOCK = 0,		/* mmap_lock held, any mode */
	PGWALK_WRLOCK = 1,		/* mmap_lock held for write */
	PGWALK_WRLOCK_VERIFY = 2,	/* as WRLOCK, and verify it */
};

/**
 * struct mm_walk_ops - callbacks for walk_page_range()
 * @pgd_entry: each non-empty PGD (top level) entry
 * @p4d_entry: each non-empty P4D entry
 * @pud_entry: each non-empty PUD entry
 * @pmd_entry: each non-empty PMD entry, which may be a huge leaf or a
 *	non-present entry; the callback takes the locks it needs.  Without a
 *	@pte_entry the walker does not descend below it.
 * @pte_entry: each PTE of the range, empty ones included, with the PTE
 *	table's lock held
 * @pte_hole: each range that has no page table at some level (@depth is the
 *	level: 0 PGD, 1 P4D, 2 PUD, 3 PMD; -1 when unknown) or no VMA
 * @hugetlb_entry: each hugetlb page of a hugetlb VMA
 * @test_walk: decide per VMA: 0 walk it, 1 skip it, <0 abort with that error
 * @pre_vma: before walking a VMA; non-zero aborts
 * @post_vma: after walking a VMA
 * @walk_lock: the mmap_lock mode required
 *
 * Each callback returns 0 to continue; anything else stops the walk and is
 * returned by walk_page_range().  A callback may set walk->action: @pmd_entry
 * and upper levels can ask for ACTION_CONTINUE (do not descend) or
 * ACTION_AGAIN (call me again for the same entry).
 */
struct mm_walk_ops {
	enum page_walk_lock walk_lock;

	/* Per VMA, around the table walk. */
	int (*test_walk)(unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pre_vma)(unsigned long start, unsigned long end,
		       struct mm_walk *walk);
	void (*post_vma)(struct mm_walk *walk);

	/* Per entry, top level down. */
	int (*pgd_entry)(pgd_t *pgd, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*p4d_entry)(p4d_t *p4d, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pud_entry)(pud_t *pud, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pmd_entry)(pmd_t *pmd, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pte_entry)(pte_t *pte, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*hugetlb_entry)(pte_t *pte, unsigned long hmask, unsigned long addr,
			     unsigned long next, struct mm_walk *walk);

	/* Per missing table or VMA-less gap. */
	int (*pte_hole)(unsigned long addr, unsigned long next, int depth,
			struct mm_walk *walk);
};

enum page_walk_action {
	ACTION_SUBTREE = 0,	/* descend to the next level */
	ACTION_CONTINUE = 1,	/* skip the next level */
	ACTION_AGAIN = 2,	/* call the callback again */
};

/**
 * struct mm_walk - state of one walk, passed to every callback
 * @ops: the callbacks
 * @mm: the address space
 * @pgd: root to walk instead of mm->pgd (NULL: mm->pgd)
 * @vma: the VMA being walked, NULL in gaps
 * @action: set by callbacks, see enum page_walk_action
 * @no_vma: walking without VMAs (not supported by the model)
 * @private: the caller's data
 */
struct mm_walk {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	const struct mm_walk_ops *ops;
	void *private;
	pgd_t *pgd;
	bool no_vma;
	enum page_walk_action action;
};

int walk_page_vma(struct vm_area_struct *vma, const struct mm_walk_ops *ops,
		  void *private);
int walk_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end, const struct mm_walk_ops *ops,
		    void *private);

#endif /* _LINUX_PAGEWALK_H */
