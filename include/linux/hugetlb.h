/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hugetlb.h - hugetlb pages (model/hugetlb.c): one size, the PMD size, from
 * one pool, in private anonymous mappings (MAP_PRIVATE | MAP_HUGETLB).
 *
 * As on x86, a hugetlb page is mapped by a leaf PMD, and the hugetlb code
 * hands that PMD around as a pte_t * (huge_pte_offset()): callers must
 * dispatch on is_vm_hugetlb_page() before looking at PMDs, because a
 * hugetlb PMD also passes pmd_trans_huge() and is never a THP.
 */
#ifndef _LINUX_HUGETLB_H
#define _LINUX_HUGETLB_H

#include <linux/mm.h>
#include <linux/hugetlb_inline.h>

struct mm_walk;

#define HUGETLB_PAGE_ORDER	HPAGE_PMD_ORDER

/* The one huge page size (hstate_vma(vma) in the kernel). */
static inline unsigned long huge_page_size_vma(struct vm_area_struct *vma)
{
	(void)vma;
	return HPAGE_PMD_SIZE;
}

static inline unsigned int huge_page_order_vma(struct vm_area_struct *vma)
{
	(void)vma;
	return HUGETLB_PAGE_ORDER;
}

/* The huge "PTE" of @addr: the PMD slot, or NULL if no PMD table exists. */
pte_t *huge_pte_offset(struct mm_struct *mm, unsigned long addr,
		       unsigned long sz);

static inline pte_t huge_ptep_get(struct mm_struct *mm, unsigned long addr,
				  pte_t *ptep)
{
	(void)mm; (void)addr;
	return ptep_get(ptep);
}

static inline spinlock_t *huge_pte_lock(struct mm_struct *mm, pte_t *pte)
{
	return pmd_lock(mm, (pmd_t *)pte);
}

vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long address, unsigned int flags);
void unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end);
int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma);
long hugetlb_change_protection(struct vm_area_struct *vma,
			       unsigned long address, unsigned long end,
			       pgprot_t newprot);
void free_huge_folio(struct folio *folio);
/* Make @vma a hugetlb VMA (hugetlbfs_file_mmap()); its range is aligned. */
void hugetlb_vma_setup(struct vm_area_struct *vma);

static inline void hugetlb_count_add(long l, struct mm_struct *mm)
{
	atomic_long_add(l, &mm->hugetlb_usage);
}

static inline void hugetlb_count_sub(long l, struct mm_struct *mm)
{
	atomic_long_sub(l, &mm->hugetlb_usage);
}

/* model: the pool's counters, as /proc/meminfo's HugePages_Total/Free. */
void model_hugetlb_counts(unsigned long *total, unsigned long *free);
void model_hugetlb_shutdown(void);

#endif /* _LINUX_HUGETLB_H */
