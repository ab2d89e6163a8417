/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgtable.h - generic page-table walking helpers over the x86 accessors.
 *
 * A table entry holds the frame of the next table; the next table's words
 * are read through the model's direct map.  Loads are acquire and stores
 * release: the software MMU (model/cpu.c) walks the tables without locks, as
 * hardware does, and must see a page's contents once it sees its PTE.
 */
#ifndef _LINUX_PGTABLE_H
#define _LINUX_PGTABLE_H

#include <linux/types.h>
#include <linux/mm_types.h>
#include <asm/pgtable.h>

#define pgd_index(a)	(((a) >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1))
#define p4d_index(a)	0UL
#define pud_index(a)	(((a) >> PUD_SHIFT) & (PTRS_PER_PUD - 1))
#define pmd_index(a)	(((a) >> PMD_SHIFT) & (PTRS_PER_PMD - 1))
#define pte_index(a)	(((a) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1))

#define pgd_offset(mm, addr)	((mm)->pgd + pgd_index(addr))

/* Folded level: the P4D entry is the PGD entry. */
static inline p4d_t *p4d_offset(pgd_t *pgd, unsigned long addr)
{
	(void)addr;
	return (p4d_t *)pgd;
}

static inline pud_t *pud_offset(p4d_t *p4d, unsigned long addr)
{
	return (pud_t *)__va(p4d_pfn(*p4d) << PAGE_SHIFT) + pud_index(addr);
}

static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	return (pmd_t *)__va(pud_pfn(*pud) << PAGE_SHIFT) + pmd_index(addr);
}

static inline pte_t *pte_offset_kernel(pmd_t *pmd, unsigned long addr)
{
	return (pte_t *)__va(pmd_pfn(*pmd) << PAGE_SHIFT) + pte_index(addr);
}

static inline pte_t ptep_get(pte_t *ptep)
{
	return __pte(__atomic_load_n(&ptep->pte, __ATOMIC_ACQUIRE));
}

static inline pte_t ptep_get_lockless(pte_t *ptep)
{
	return ptep_get(ptep);
}

static inline pmd_t pmdp_get(pmd_t *pmdp)
{
	return __pmd(__atomic_load_n(&pmdp->pmd, __ATOMIC_ACQUIRE));
}

static inline pmd_t pmdp_get_lockless(pmd_t *pmdp)
{
	return pmdp_get(pmdp);
}

static inline pud_t pudp_get(pud_t *pudp)
{
	return __pud(__atomic_load_n(&pudp->pud, __ATOMIC_ACQUIRE));
}

static inline p4d_t p4dp_get(p4d_t *p4dp)
{
	return __p4d(__atomic_load_n(&p4dp->p4d, __ATOMIC_ACQUIRE));
}

static inline void set_pte(pte_t *ptep, pte_t pte)
{
	__atomic_store_n(&ptep->pte, pte_val(pte), __ATOMIC_RELEASE);
}

/* No flush: the caller flushes when it removes access (ptep_clear_flush). */
static inline void set_pte_at(struct mm_struct *mm, unsigned long addr,
			      pte_t *ptep, pte_t pte)
{
	(void)mm; (void)addr;
	set_pte(ptep, pte);
}

static inline void pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	set_pte_at(mm, addr, ptep, __pte(0));
}

static inline void set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	__atomic_store_n(&pmdp->pmd, pmd_val(pmd), __ATOMIC_RELEASE);
}

static inline void pmd_clear(pmd_t *pmdp)
{
	set_pmd(pmdp, __pmd(0));
}

static inline void set_pud(pud_t *pudp, pud_t pud)
{
	__atomic_store_n(&pudp->pud, pud_val(pud), __ATOMIC_RELEASE);
}

static inline void pud_clear(pud_t *pudp)
{
	set_pud(pudp, __pud(0));
}

static inline void set_p4d(p4d_t *p4dp, p4d_t p4d)
{
	__atomic_store_n(&p4dp->p4d, p4d_val(p4d), __ATOMIC_RELEASE);
}

static inline void p4d_clear(p4d_t *p4dp)
{
	set_p4d(p4dp, __p4d(0));
}

/* Atomic: the software MMU may set A/D bits in the entry concurrently. */
static inline pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				       pte_t *ptep)
{
	(void)mm; (void)addr;
	return __pte(__atomic_exchange_n(&ptep->pte, 0UL, __ATOMIC_ACQ_REL));
}

/* The same for a huge PMD (THP or hugetlb). */
static inline pmd_t pmdp_huge_get_and_clear(struct mm_struct *mm,
					    unsigned long addr, pmd_t *pmdp)
{
	(void)mm; (void)addr;
	return __pmd(__atomic_exchange_n(&pmdp->pmd, 0UL, __ATOMIC_ACQ_REL));
}

static inline pte_t ptep_clear(struct mm_struct *mm, unsigned long addr,
			       pte_t *ptep)
{
	return ptep_get_and_clear(mm, addr, ptep);
}

static inline void ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr,
				      pte_t *ptep)
{
	(void)mm; (void)addr;
	__atomic_fetch_and(&ptep->pte, ~_PAGE_RW, __ATOMIC_ACQ_REL);
}

/* As ptep_set_wrprotect(): a CPU may be setting A or D in the same word. */
static inline void pmdp_set_wrprotect(struct mm_struct *mm, unsigned long addr,
				      pmd_t *pmdp)
{
	(void)mm; (void)addr;
	__atomic_fetch_and(&pmdp->pmd, ~_PAGE_RW, __ATOMIC_ACQ_REL);
}

static inline int ptep_test_and_clear_young(struct vm_area_struct *vma,
					    unsigned long addr, pte_t *ptep)
{
	(void)vma; (void)addr;
	return (__atomic_fetch_and(&ptep->pte, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL) &
		_PAGE_ACCESSED) != 0;
}

pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long address,
		       pte_t *ptep);
int ptep_clear_flush_young(struct vm_area_struct *vma, unsigned long address,
			   pte_t *ptep);
int ptep_set_access_flags(struct vm_area_struct *vma, unsigned long address,
			  pte_t *ptep, pte_t entry, int dirty);

static inline pte_t ptep_modify_prot_start(struct vm_area_struct *vma,
					   unsigned long addr, pte_t *ptep)
{
	return ptep_get_and_clear(vma->vm_mm, addr, ptep);
}

static inline void ptep_modify_prot_commit(struct vm_area_struct *vma,
					   unsigned long addr, pte_t *ptep,
					   pte_t old_pte, pte_t pte)
{
	(void)old_pte;
	set_pte_at(vma->vm_mm, addr, ptep, pte);
}

static inline void pmd_populate(struct mm_struct *mm, pmd_t *pmd, pgtable_t pte)
{
	(void)mm;
	set_pmd(pmd, __pmd(((unsigned long)page_to_pfn(pte) << PAGE_SHIFT) | _PAGE_TABLE));
}

static inline void pud_populate(struct mm_struct *mm, pud_t *pud, pmd_t *pmd)
{
	(void)mm;
	set_pud(pud, __pud(__pa(pmd) | _PAGE_TABLE));
}

static inline void p4d_populate(struct mm_struct *mm, p4d_t *p4d, pud_t *pud)
{
	(void)mm;
	set_p4d(p4d, __p4d(__pa(pud) | _PAGE_TABLE));
}

/* End of the current entry's span, clipped to @end. */
#define __MODEL_ADDR_END(addr, end, size)				\
({	unsigned long __boundary = ((addr) + (size)) & ~((size) - 1);	\
	(__boundary - 1 < (end) - 1) ? __boundary : (end);		\
})
#define pgd_addr_end(addr, end)	__MODEL_ADDR_END(addr, end, PGDIR_SIZE)
#define p4d_addr_end(addr, end)	(end)
#define pud_addr_end(addr, end)	__MODEL_ADDR_END(addr, end, PUD_SIZE)
#define pmd_addr_end(addr, end)	__MODEL_ADDR_END(addr, end, PMD_SIZE)

/* The shared zero page (allocated at boot). */
extern unsigned long zero_pfn;
#define ZERO_PAGE(vaddr)	((void)(vaddr), pfn_to_page(zero_pfn))

static inline bool is_zero_pfn(unsigned long pfn)
{
	return pfn == zero_pfn;
}

static inline unsigned long my_zero_pfn(unsigned long addr)
{
	(void)addr;
	return zero_pfn;
}

#define pmd_folio(pmd)		page_folio(pmd_page(pmd))

static inline bool pte_accessible(struct mm_struct *mm, pte_t pte)
{
	(void)mm;
	return pte_flags(pte) & _PAGE_PRESENT;
}

static inline bool pmd_trans_unstable(pmd_t *pmd)
{
	(void)pmd;
	return false;
}

/* model/pgtable.c: a PTE table kept with each huge PMD for its split. */
void pgtable_trans_huge_deposit(struct mm_struct *mm, pmd_t *pmdp,
				pgtable_t pgtable);
pgtable_t pgtable_trans_huge_withdraw(struct mm_struct *mm, pmd_t *pmdp);

static inline void set_pmd_at(struct mm_struct *mm, unsigned long addr,
			      pmd_t *pmdp, pmd_t pmd)
{
	(void)mm; (void)addr;
	set_pmd(pmdp, pmd);
}

#endif /* _LINUX_PGTABLE_H */
