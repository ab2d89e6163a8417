/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/pgtable_types.h - x86-64 page-table entry bits (4-level paging).
 *
 * Present entries: hardware bits 0-8 and 63, software bits 9-11 and 57-58,
 * physical frame in bits 12-51.  A PROT_NONE entry is "present" to the
 * kernel but not to the MMU: P clear, bit 8 (global, unused in user entries)
 * set as _PAGE_PROTNONE.
 */
#ifndef _ASM_X86_PGTABLE_TYPES_H
#define _ASM_X86_PGTABLE_TYPES_H

#include <linux/types.h>
#include <asm/page.h>

#define _PAGE_BIT_PRESENT	0
#define _PAGE_BIT_RW		1
#define _PAGE_BIT_USER		2
#define _PAGE_BIT_PWT		3
#define _PAGE_BIT_PCD		4
#define _PAGE_BIT_ACCESSED	5
#define _PAGE_BIT_DIRTY		6
#define _PAGE_BIT_PSE		7
#define _PAGE_BIT_PAT		7
#define _PAGE_BIT_GLOBAL	8
#define _PAGE_BIT_SOFTW1	9
#define _PAGE_BIT_SOFTW2	10
#define _PAGE_BIT_SOFTW3	11
#define _PAGE_BIT_SOFTW4	57
#define _PAGE_BIT_SOFTW5	58
#define _PAGE_BIT_NX		63
#define _PAGE_BIT_SPECIAL	_PAGE_BIT_SOFTW1
#define _PAGE_BIT_UFFD_WP	_PAGE_BIT_SOFTW2
#define _PAGE_BIT_SOFT_DIRTY	_PAGE_BIT_SOFTW3
#define _PAGE_BIT_DEVMAP	_PAGE_BIT_SOFTW4
#define _PAGE_BIT_SAVED_DIRTY	_PAGE_BIT_SOFTW5
#define _PAGE_BIT_PROTNONE	_PAGE_BIT_GLOBAL

#define _PAGE_PRESENT		(1UL << _PAGE_BIT_PRESENT)
#define _PAGE_RW		(1UL << _PAGE_BIT_RW)
#define _PAGE_USER		(1UL << _PAGE_BIT_USER)
#define _PAGE_PWT		(1UL << _PAGE_BIT_PWT)
#define _PAGE_PCD		(1UL << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED		(1UL << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY		(1UL << _PAGE_BIT_DIRTY)
#define _PAGE_PSE		(1UL << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL		(1UL << _PAGE_BIT_GLOBAL)
#define _PAGE_SPECIAL		(1UL << _PAGE_BIT_SPECIAL)
#define _PAGE_UFFD_WP		(1UL << _PAGE_BIT_UFFD_WP)
#define _PAGE_SOFT_DIRTY	(1UL << _PAGE_BIT_SOFT_DIRTY)
#define _PAGE_DEVMAP		(1UL << _PAGE_BIT_DEVMAP)
#define _PAGE_SAVED_DIRTY	(1UL << _PAGE_BIT_SAVED_DIRTY)
#define _PAGE_NX		(1UL << _PAGE_BIT_NX)
#define _PAGE_PROTNONE		(1UL << _PAGE_BIT_PROTNONE)

/* Bits the CPU may set behind the kernel's back in an empty entry (erratum). */
#define _PAGE_KNL_ERRATUM_MASK	(_PAGE_DIRTY | _PAGE_ACCESSED)

/* Software bits of a non-present (swap) entry. */
#define _PAGE_SWP_SOFT_DIRTY	_PAGE_RW
#define _PAGE_SWP_UFFD_WP	_PAGE_USER
#define _PAGE_SWP_EXCLUSIVE	_PAGE_PWT

#define PTE_PFN_MASK		((unsigned long)PHYSICAL_PAGE_MASK)
#define PTE_FLAGS_MASK		(~PTE_PFN_MASK)

/* Bits kept by pte_modify(): the frame and the software state. */
#define _PAGE_CHG_MASK		(PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | \
				 _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | \
				 _PAGE_DEVMAP | _PAGE_UFFD_WP | _PAGE_SAVED_DIRTY)

#define _KERNPG_TABLE		(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _PAGE_TABLE		(_KERNPG_TABLE | _PAGE_USER)

typedef struct { unsigned long pgprot; } pgprot_t;
typedef struct { unsigned long pte; } pte_t;
typedef struct { unsigned long pmd; } pmd_t;
typedef struct { unsigned long pud; } pud_t;
typedef struct { unsigned long p4d; } p4d_t;
typedef struct { unsigned long pgd; } pgd_t;
typedef unsigned long pteval_t;
typedef unsigned long pmdval_t;
typedef struct page *pgtable_t;

#define __pgprot(x)	((pgprot_t) { (x) })
#define pgprot_val(x)	((x).pgprot)
#define __pte(x)	((pte_t) { (x) })
#define __pmd(x)	((pmd_t) { (x) })
#define __pud(x)	((pud_t) { (x) })
#define __p4d(x)	((p4d_t) { (x) })
#define __pgd(x)	((pgd_t) { (x) })
#define pte_val(x)	((x).pte)
#define pmd_val(x)	((x).pmd)
#define pud_val(x)	((x).pud)
#define p4d_val(x)	((x).p4d)
#define pgd_val(x)	((x).pgd)

#define PAGE_NONE	__pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY_NOEXEC __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY	PAGE_COPY_NOEXEC
#define PAGE_READONLY	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY_EXEC __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_KERNEL	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | \
				 _PAGE_GLOBAL | _PAGE_NX)

#endif /* _ASM_X86_PGTABLE_TYPES_H */
