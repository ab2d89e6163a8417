/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/pgtable.h - x86-64 page-table entry accessors (4-level, P4D folded).
 *
 * Entries are real words in real page-table pages of model RAM.  Non-present
 * entries that are not empty (PROT_NONE PTEs and swap entries) keep their
 * frame bits inverted, as x86 does against L1TF: a speculative load through
 * such an entry would point at memory that does not exist.
 */
#ifndef _ASM_X86_PGTABLE_H
#define _ASM_X86_PGTABLE_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>
#include <asm/memory_model.h>

struct mm_struct;
struct vm_area_struct;

/* L1TF: non-empty, non-present entries store the inverted frame. */
static inline bool __pte_needs_invert(unsigned long val)
{
	return val && !(val & _PAGE_PRESENT);
}

static inline unsigned long protnone_mask(unsigned long val)
{
	return __pte_needs_invert(val) ? ~0UL : 0UL;
}

/* Re-invert the frame when pte_modify() crosses the present/non-present line. */
static inline unsigned long flip_protnone_guard(unsigned long oldval,
						unsigned long val,
						unsigned long mask)
{
	if (__pte_needs_invert(oldval) != __pte_needs_invert(val))
		val = (val & ~mask) | (~val & mask);
	return val;
}

static inline unsigned long pte_flags(pte_t pte)
{
	return pte_val(pte) & PTE_FLAGS_MASK;
}

static inline pte_t pte_set_flags(pte_t pte, unsigned long set)
{
	return __pte(pte_val(pte) | set);
}

static inline pte_t pte_clear_flags(pte_t pte, unsigned long clear)
{
	return __pte(pte_val(pte) & ~clear);
}

static inline bool pte_none(pte_t pte)
{
	return !(pte_val(pte) & ~_PAGE_KNL_ERRATUM_MASK);
}

static inline bool pte_present(pte_t pte)
{
	return pte_flags(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

static inline bool pte_protnone(pte_t pte)
{
	return (pte_flags(pte) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
}

static inline bool pte_same(pte_t a, pte_t b)
{
	return pte_val(a) == pte_val(b);
}

static inline unsigned long pte_pfn(pte_t pte)
{
	unsigned long val = pte_val(pte);

	val ^= protnone_mask(val);
	return (val & PTE_PFN_MASK) >> PAGE_SHIFT;
}

#define pte_page(pte)	pfn_to_page(pte_pfn(pte))

static inline bool pte_write(pte_t pte)
{
	return pte_flags(pte) & _PAGE_RW;
}

static inline bool pte_dirty(pte_t pte)
{
	return pte_flags(pte) & _PAGE_DIRTY;
}

static inline bool pte_young(pte_t pte)
{
	return pte_flags(pte) & _PAGE_ACCESSED;
}

static inline bool pte_special(pte_t pte)
{
	return pte_flags(pte) & _PAGE_SPECIAL;
}

static inline bool pte_devmap(pte_t pte)
{
	return pte_flags(pte) & _PAGE_DEVMAP;
}

static inline bool pte_soft_dirty(pte_t pte)
{
	return pte_flags(pte) & _PAGE_SOFT_DIRTY;
}

static inline bool pte_uffd_wp(pte_t pte)
{
	return pte_flags(pte) & _PAGE_UFFD_WP;
}

static inline bool pte_exec(pte_t pte)
{
	return !(pte_flags(pte) & _PAGE_NX);
}

static inline bool pte_user(pte_t pte)
{
	return pte_flags(pte) & _PAGE_USER;
}

/* Dirtying also sets soft-dirty: that bit tracks writes since a reset. */
static inline pte_t pte_mkdirty(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_DIRTY | _PAGE_SOFT_DIRTY);
}

static inline pte_t pte_mkclean(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_DIRTY);
}

static inline pte_t pte_mkyoung(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_ACCESSED);
}

static inline pte_t pte_mkold(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_ACCESSED);
}

static inline pte_t pte_mkwrite_novma(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_RW);
}

/* The VMA matters only for shadow-stack VMAs, which the model has none of. */
static inline pte_t pte_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	(void)vma;
	return pte_mkwrite_novma(pte);
}

static inline pte_t pte_wrprotect(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_RW);
}

static inline pte_t pte_mksoft_dirty(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_SOFT_DIRTY);
}

static inline pte_t pte_clear_soft_dirty(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_SOFT_DIRTY);
}

/* A uffd-wp protected PTE is also write protected: the write must fault. */
static inline pte_t pte_mkuffd_wp(pte_t pte)
{
	return pte_wrprotect(pte_set_flags(pte, _PAGE_UFFD_WP));
}

static inline pte_t pte_clear_uffd_wp(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_UFFD_WP);
}

static inline pte_t pte_mkspecial(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_SPECIAL);
}

static inline pte_t pte_mkdevmap(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_SPECIAL | _PAGE_DEVMAP);
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	unsigned long val = pfn << PAGE_SHIFT;

	val ^= protnone_mask(pgprot_val(prot));
	val &= PTE_PFN_MASK;
	return __pte(val | (pgprot_val(prot) & PTE_FLAGS_MASK));
}

#define mk_pte(page, prot)	pfn_pte(page_to_pfn(page), (prot))

static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
	unsigned long old = pte_val(pte), val;

	val = old & _PAGE_CHG_MASK;
	val |= pgprot_val(newprot) & ~_PAGE_CHG_MASK;
	val = flip_protnone_guard(old, val, PTE_PFN_MASK);
	return __pte(val);
}

static inline pgprot_t pte_pgprot(pte_t pte)
{
	return __pgprot(pte_flags(pte));
}

/* Swap (non-present) PTE software bits. */
static inline bool pte_swp_soft_dirty(pte_t pte)
{
	return pte_flags(pte) & _PAGE_SWP_SOFT_DIRTY;
}

static inline pte_t pte_swp_mksoft_dirty(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_SWP_SOFT_DIRTY);
}

static inline pte_t pte_swp_clear_soft_dirty(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_SWP_SOFT_DIRTY);
}

static inline bool pte_swp_uffd_wp(pte_t pte)
{
	return pte_flags(pte) & _PAGE_SWP_UFFD_WP;
}

static inline pte_t pte_swp_mkuffd_wp(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_SWP_UFFD_WP);
}

static inline pte_t pte_swp_clear_uffd_wp(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_SWP_UFFD_WP);
}

static inline bool pte_swp_exclusive(pte_t pte)
{
	return pte_flags(pte) & _PAGE_SWP_EXCLUSIVE;
}

static inline pte_t pte_swp_mkexclusive(pte_t pte)
{
	return pte_set_flags(pte, _PAGE_SWP_EXCLUSIVE);
}

static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_SWP_EXCLUSIVE);
}

/*
 * Swap PTE layout: type in bits 59-63, the bitwise complement of the offset
 * in bits 9-58 (L1TF again: a swap offset must not look like a frame), bits
 * 1-3 for the software flags above, bits 0, 7 and 8 clear so the entry is
 * neither present nor PROT_NONE.  These "arch" entries are converted to the
 * generic swp_entry_t layout by pte_to_swp_entry() (linux/swapops.h).
 */
#define SWP_TYPE_BITS		5
#define SWP_OFFSET_FIRST_BIT	(_PAGE_BIT_PROTNONE + 1)
#define SWP_OFFSET_SHIFT	(SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS)

#define __swp_type(x)		((unsigned int)((x).val >> (64 - SWP_TYPE_BITS)))
#define __swp_offset(x)		((~(x).val << SWP_TYPE_BITS) >> SWP_OFFSET_SHIFT)
#define __swp_entry(type, offset)					\
	((swp_entry_t) { ((~(unsigned long)(offset) << SWP_OFFSET_SHIFT) >>	\
			  SWP_TYPE_BITS) |					\
			 ((unsigned long)(type) << (64 - SWP_TYPE_BITS)) })
#define __pte_to_swp_entry(pte)	((swp_entry_t) { pte_val(pte) })
#define __swp_entry_to_pte(x)	(__pte((x).val))
#define __pmd_to_swp_entry(pmd)	((swp_entry_t) { pmd_val(pmd) })
#define __swp_entry_to_pmd(x)	(__pmd((x).val))

/* PMD level. */
static inline unsigned long pmd_flags(pmd_t pmd)
{
	return pmd_val(pmd) & PTE_FLAGS_MASK;
}

static inline bool pmd_none(pmd_t pmd)
{
	return (pmd_val(pmd) & ~_PAGE_KNL_ERRATUM_MASK) == 0;
}

static inline bool pmd_present(pmd_t pmd)
{
	return pmd_flags(pmd) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE);
}

/* A present leaf mapping a transparent huge page (not a devmap leaf). */
static inline bool pmd_trans_huge(pmd_t pmd)
{
	return (pmd_val(pmd) & (_PAGE_PSE | _PAGE_DEVMAP)) == _PAGE_PSE;
}

static inline bool pmd_devmap(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_DEVMAP;
}

static inline bool pmd_leaf(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_PSE;
}

/* A table entry must be exactly present, writable and dirty (user allowed). */
static inline bool pmd_bad(pmd_t pmd)
{
	return (pmd_flags(pmd) & ~(_PAGE_USER | _PAGE_ACCESSED)) !=
	       (_KERNPG_TABLE & ~_PAGE_ACCESSED);
}

static inline unsigned long pmd_pfn(pmd_t pmd)
{
	unsigned long val = pmd_val(pmd);

	val ^= protnone_mask(val);
	return (val & PTE_PFN_MASK) >> PAGE_SHIFT;
}

#define pmd_page(pmd)		pfn_to_page(pmd_pfn(pmd))
#define pmd_pgtable(pmd)	pmd_page(pmd)

static inline bool pmd_protnone(pmd_t pmd)
{
	return (pmd_flags(pmd) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
}

static inline bool pmd_young(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_ACCESSED;
}

static inline bool pmd_dirty(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_DIRTY;
}

static inline bool pmd_write(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_RW;
}

static inline bool pmd_same(pmd_t a, pmd_t b)
{
	return pmd_val(a) == pmd_val(b);
}

static inline bool pmd_soft_dirty(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_SOFT_DIRTY;
}

static inline bool pmd_uffd_wp(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_UFFD_WP;
}

/* A huge leaf mapping @pfn with @prot: the table bit becomes the size bit. */
static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	unsigned long val = pfn << PAGE_SHIFT;

	val ^= protnone_mask(pgprot_val(prot));
	val &= PTE_PFN_MASK;
	return __pmd(val | (pgprot_val(prot) & PTE_FLAGS_MASK) | _PAGE_PSE);
}

#define mk_huge_pmd(page, prot)	pfn_pmd(page_to_pfn(page), (prot))

static inline pmd_t pmd_set_flags(pmd_t pmd, unsigned long set)
{
	return __pmd(pmd_val(pmd) | set);
}

static inline pmd_t pmd_clear_flags(pmd_t pmd, unsigned long clear)
{
	return __pmd(pmd_val(pmd) & ~clear);
}

/* x86 sets the software soft-dirty bit with the hardware dirty bit. */
static inline pmd_t pmd_mkdirty(pmd_t pmd)
{
	return pmd_set_flags(pmd, _PAGE_DIRTY | _PAGE_SOFT_DIRTY);
}

static inline pmd_t pmd_mkyoung(pmd_t pmd)
{
	return pmd_set_flags(pmd, _PAGE_ACCESSED);
}

static inline pmd_t pmd_mkold(pmd_t pmd)
{
	return pmd_clear_flags(pmd, _PAGE_ACCESSED);
}

static inline pmd_t pmd_clear_uffd_wp(pmd_t pmd)
{
	return pmd_clear_flags(pmd, _PAGE_UFFD_WP);
}

static inline pmd_t pmd_mkwrite_novma(pmd_t pmd)
{
	return pmd_set_flags(pmd, _PAGE_RW);
}

static inline pmd_t pmd_wrprotect(pmd_t pmd)
{
	return pmd_clear_flags(pmd, _PAGE_RW);
}

/*
 * The entry a huge PMD becomes while it is split: no longer usable by a
 * CPU walk, but still a present huge leaf for every software reader
 * (pmd_present() looks at the size bit), so no fault mistakes it for an
 * empty slot.
 */
static inline pmd_t pmd_mkinvalid(pmd_t pmd)
{
	return pfn_pmd(pmd_pfn(pmd),
		       __pgprot(pmd_flags(pmd) & ~(_PAGE_PRESENT | _PAGE_PROTNONE)));
}

/* PUD level. */
static inline bool pud_none(pud_t pud)
{
	return (pud_val(pud) & ~_PAGE_KNL_ERRATUM_MASK) == 0;
}

static inline bool pud_present(pud_t pud)
{
	return pud_val(pud) & _PAGE_PRESENT;
}

static inline bool pud_leaf(pud_t pud)
{
	return pud_val(pud) & _PAGE_PSE;
}

static inline bool pud_trans_huge(pud_t pud)
{
	return (pud_val(pud) & (_PAGE_PSE | _PAGE_DEVMAP)) == _PAGE_PSE;
}

static inline bool pud_devmap(pud_t pud)
{
	return pud_val(pud) & _PAGE_DEVMAP;
}

static inline bool pud_bad(pud_t pud)
{
	return (pud_val(pud) & PTE_FLAGS_MASK & ~(_PAGE_USER | _PAGE_ACCESSED)) !=
	       (_KERNPG_TABLE & ~_PAGE_ACCESSED);
}

static inline unsigned long pud_pfn(pud_t pud)
{
	return (pud_val(pud) & PTE_PFN_MASK) >> PAGE_SHIFT;
}

#define pud_page(pud)		pfn_to_page(pud_pfn(pud))

/* P4D level: folded into the PGD with 4-level paging; entries are real. */
static inline bool p4d_none(p4d_t p4d)
{
	return (p4d_val(p4d) & ~_PAGE_KNL_ERRATUM_MASK) == 0;
}

static inline bool p4d_present(p4d_t p4d)
{
	return p4d_val(p4d) & _PAGE_PRESENT;
}

static inline bool p4d_bad(p4d_t p4d)
{
	return (p4d_val(p4d) & PTE_FLAGS_MASK & ~(_PAGE_USER | _PAGE_ACCESSED)) !=
	       (_KERNPG_TABLE & ~_PAGE_ACCESSED);
}

static inline bool p4d_leaf(p4d_t p4d)
{
	(void)p4d;
	return false;
}

static inline unsigned long p4d_pfn(p4d_t p4d)
{
	return (p4d_val(p4d) & PTE_PFN_MASK) >> PAGE_SHIFT;
}

#define p4d_page(p4d)		pfn_to_page(p4d_pfn(p4d))

static inline bool pgd_none(pgd_t pgd)
{
	(void)pgd;
	return false;
}

static inline bool pgd_present(pgd_t pgd)
{
	(void)pgd;
	return true;
}

static inline bool pgd_bad(pgd_t pgd)
{
	(void)pgd;
	return false;
}

static inline bool pgd_leaf(pgd_t pgd)
{
	(void)pgd;
	return false;
}

/* Hooks the kernel calls that have no work to do on x86. */
static inline void update_mmu_cache(struct vm_area_struct *vma,
				    unsigned long addr, pte_t *ptep)
{
	(void)vma; (void)addr; (void)ptep;
}

static inline void update_mmu_cache_range(void *vmf, struct vm_area_struct *vma,
					  unsigned long addr, pte_t *ptep,
					  unsigned int nr)
{
	(void)vmf; (void)vma; (void)addr; (void)ptep; (void)nr;
}

static inline void arch_enter_lazy_mmu_mode(void)
{
}

static inline void arch_leave_lazy_mmu_mode(void)
{
}

static inline void arch_flush_lazy_mmu_mode(void)
{
}

#endif /* _ASM_X86_PGTABLE_H */
