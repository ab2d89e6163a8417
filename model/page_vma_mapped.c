// SPDX-License-Identifier: GPL-2.0
/*
 * page_vma_mapped.c - page_vma_mapped_walk() (mm/page_vma_mapped.c): the
 * rmap's step from "this VMA may map these pages" to the page table
 * entries that do, each returned with its PTE table locked.
 */
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/swapops.h>
#include <linux/pagemap.h>
#include "internal.h"

/* Does the locked PTE at the cursor map a page of the walk's range? */
static bool check_pte(struct page_vma_mapped_walk *pvmw)
{
	pte_t pte = ptep_get(pvmw->pte);
	unsigned long pfn;

	if (pvmw->flags & PVMW_MIGRATION) {
		swp_entry_t entry;

		if (!is_swap_pte(pte))
			return false;
		entry = pte_to_swp_entry(pte);
		if (!is_migration_entry(entry) && !is_device_exclusive_entry(entry))
			return false;
		pfn = swp_offset_pfn(entry);
	} else if (is_swap_pte(pte)) {
		swp_entry_t entry = pte_to_swp_entry(pte);

		/* The CPU cannot map these pages; the entries still name them. */
		if (!is_device_private_entry(entry) && !is_device_exclusive_entry(entry))
			return false;
		pfn = swp_offset_pfn(entry);
	} else {
		if (!pte_present(pte))
			return false;
		pfn = pte_pfn(pte);
	}
	return pfn - pvmw->pfn < pvmw->nr_pages;
}

/* Find the PMD covering the cursor; NULL if no PTE table is there. */
static pmd_t *pvmw_find_pmd(struct mm_struct *mm, unsigned long address)
{
	pgd_t *pgd = pgd_offset(mm, address);
	p4d_t *p4d;
	pud_t *pud;

	if (!pgd_present(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, address);
	if (!p4d_present(p4dp_get(p4d)))
		return NULL;
	pud = pud_offset(p4d, address);
	if (!pud_present(pudp_get(pud)) || pud_leaf(pudp_get(pud)))
		return NULL;
	return pmd_offset(pud, address);
}

/**
 * page_vma_mapped_walk() - find the next PTE mapping the walk's pages
 * @pvmw: the cursor; @pte NULL for the first call
 *
 * Looks at each PTE of @pvmw->vma that may map a page of [pfn, pfn +
 * nr_pages): present PTEs and device-private/exclusive entries, or with
 * PVMW_MIGRATION only migration (and device-exclusive) entries.  Huge PMDs
 * never match: every caller that may meet a PMD-mapped THP (its split, and
 * GUP before making pages device-exclusive) splits the PMD first.
 *
 * Return: true with @pvmw->pte, @address and @ptl set and the PTE table
 * locked; false when there are no more (nothing locked).  Stop early with
 * page_vma_mapped_walk_done().
 */
bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
	struct mm_struct *mm = pvmw->vma->vm_mm;
	unsigned long end = vma_address_end(pvmw);
	pmd_t *pmd;

	if (pvmw->pte)
		goto next_pte;
	for (;;) {
		pmd = pvmw_find_pmd(mm, pvmw->address);
		if (pmd) {
			pvmw->pmd = pmd;
			pvmw->pte = pte_offset_map_lock(mm, pmd, pvmw->address,
							&pvmw->ptl);
		}
		if (!pvmw->pte) {
			/* No table here: skip to the next PMD. */
			pvmw->ptl = NULL;
			pvmw->address = (pvmw->address + PMD_SIZE) & PMD_MASK;
			if (pvmw->address >= end || !pvmw->address)
				return false;
			continue;
		}
		for (;;) {
			if (check_pte(pvmw))
				return true;
next_pte:
			if (pvmw->nr_pages == 1) {
				page_vma_mapped_walk_done(pvmw);
				return false;
			}
			pvmw->address += PAGE_SIZE;
			if (pvmw->address >= end) {
				page_vma_mapped_walk_done(pvmw);
				return false;
			}
			if (!(pvmw->address & ~PMD_MASK)) {
				page_vma_mapped_walk_done(pvmw);
				break;
			}
			pvmw->pte++;
		}
	}
}
