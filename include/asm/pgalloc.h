/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/pgalloc.h - page-table pages (model/pgtable.c).  Each comes from the
 * page allocator (site MODEL_FAIL_PGTABLE), zeroed, with its split lock
 * initialised, and is counted in mm->pgtables_bytes.
 */
#ifndef _ASM_X86_PGALLOC_H
#define _ASM_X86_PGALLOC_H

#include <linux/mm_types.h>

pgd_t *pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm, pgd_t *pgd);
pgtable_t pte_alloc_one(struct mm_struct *mm);
void pte_free(struct mm_struct *mm, pgtable_t pte_page);
pmd_t *pmd_alloc_one(struct mm_struct *mm, unsigned long addr);
void pmd_free(struct mm_struct *mm, pmd_t *pmd);
pud_t *pud_alloc_one(struct mm_struct *mm, unsigned long addr);
void pud_free(struct mm_struct *mm, pud_t *pud);

#endif /* _ASM_X86_PGALLOC_H */
