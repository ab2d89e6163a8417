/* SPDX-License-Identifier: GPL-2.0 */
/*
 * huge_mm.h - transparent huge pages (model/huge_memory.c): anonymous THPs
 * mapped by huge PMDs, the huge zero folio, and splitting both.
 */
#ifndef _LINUX_HUGE_MM_H
#define _LINUX_HUGE_MM_H

#include <linux/mm_types.h>

extern struct folio *huge_zero_folio;
extern unsigned long huge_zero_pfn;

static inline bool is_huge_zero_folio(const struct folio *folio)
{
	return huge_zero_folio && folio == __atomic_load_n(&huge_zero_folio,
							     __ATOMIC_RELAXED);
}

static inline bool is_huge_zero_pmd(pmd_t pmd)
{
	return huge_zero_pfn != ~0UL && pmd_present(pmd) &&
	       pmd_pfn(pmd) == huge_zero_pfn;
}

struct vm_fault;

/* thp_vma_allowable_order()'s @tva_flags. */
#define TVA_SMAPS		(1 << 0)	/* for smaps */
#define TVA_IN_PF		(1 << 1)	/* for a page fault */
#define TVA_ENFORCE_SYSFS	(1 << 2)	/* obey the THP mode */

bool thp_vma_allowable_order(struct vm_area_struct *vma, unsigned long vm_flags,
			     unsigned long tva_flags, int order);
bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr,
			    int order);
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf);
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf);
int copy_huge_pmd(struct mm_struct *dst_mm, struct mm_struct *src_mm,
		  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr,
		  struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);

void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		      unsigned long address, bool freeze, struct folio *folio);
bool zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr);

#define split_huge_pmd(vma, pmd, address)				\
do {									\
	pmd_t *____pmd = (pmd);						\
	pmd_t ____val = pmdp_get(____pmd);				\
	if (is_swap_pmd(____val) || pmd_trans_huge(____val) ||		\
	    pmd_devmap(____val))					\
		__split_huge_pmd(vma, ____pmd, address, false, NULL);	\
} while (0)

int split_huge_page_to_list_to_order(struct page *page, struct list_head *list,
				     unsigned int new_order);

static inline int split_huge_page(struct page *page)
{
	return split_huge_page_to_list_to_order(page, NULL, 0);
}

static inline int split_folio_to_list(struct folio *folio, struct list_head *list)
{
	return split_huge_page_to_list_to_order(&folio->page, list, 0);
}

static inline int split_folio(struct folio *folio)
{
	return split_folio_to_list(folio, NULL);
}

static inline bool is_swap_pmd(pmd_t pmd)
{
	return !pmd_none(pmd) && !pmd_present(pmd);
}

static inline bool thp_migration_supported(void)
{
	return true;
}

#endif /* _LINUX_HUGE_MM_H */
