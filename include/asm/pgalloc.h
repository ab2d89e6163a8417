/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/pgalloc.h - page-table pages (model/pgtable.c).  Each comes from the
 * page allocator (a failure site of class FAULT_PGTABLE, named by the
 * caller), zeroed, with its split lock initialised, and is counted in
 * mm->pgtables_bytes.
 */
#ifndef _ASM_X86_PGALLOC_H
#define _ASM_X86_PGALLOC_H

#include <linux/mm_types.h>
#include <linux/fault-inject.h>

#define PGTABLE_SITE(api)	FAULT_SITE(FAULT_PGTABLE, api)

pgd_t *pgd_alloc_at(struct mm_struct *mm, struct fault_site *site);
#define pgd_alloc(mm)		pgd_alloc_at(mm, PGTABLE_SITE("pgd_alloc"))
void pgd_free(struct mm_struct *mm, pgd_t *pgd);
pgtable_t pte_alloc_one_at(struct mm_struct *mm, struct fault_site *site);
#define pte_alloc_one(mm)	pte_alloc_one_at(mm, PGTABLE_SITE("pte_alloc_one"))
void pte_free(struct mm_struct *mm, pgtable_t pte_page);
void pmd_free(struct mm_struct *mm, pmd_t *pmd);
void pud_free(struct mm_struct *mm, pud_t *pud);

#endif /* _ASM_X86_PGALLOC_H */
