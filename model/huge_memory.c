// SPDX-License-Identifier: GPL-2.0
/*
 * huge_memory.c - transparent huge pages (mm/huge_memory.c).
 *
 * Not modelled yet: no fault maps a PMD-sized folio, so no huge PMD, PMD
 * migration entry or huge zero folio ever exists.  What callers can meet is
 * handled honestly: splitting a PMD that is not huge does nothing, and a
 * large folio (which the allocator can produce) cannot be split: -EBUSY, as
 * the kernel answers when a split is impossible.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>

struct folio *huge_zero_folio;		/* never allocated */
unsigned long huge_zero_pfn = ~0UL;

void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		      unsigned long address, bool freeze, struct folio *folio)
{
	pmd_t val = pmdp_get(pmd);

	(void)vma; (void)address; (void)freeze; (void)folio;
	/* Only a huge, devmap or swap PMD needs splitting; the model makes none. */
	WARN_ONCE(pmd_trans_huge(val) || pmd_devmap(val) || is_swap_pmd(val),
		  "huge PMD %#lx: THP mappings are not modelled\n", pmd_val(val));
}

/**
 * split_huge_page_to_list_to_order() - split a large folio
 * @page: a page of the folio (locked, referenced by the caller)
 * @list: where tail folios would go
 * @new_order: the order wanted
 *
 * Return: -EINVAL if the folio is not larger than @new_order (as the kernel
 * answers), otherwise -EBUSY: splitting is not modelled.
 */
int split_huge_page_to_list_to_order(struct page *page, struct list_head *list,
				     unsigned int new_order)
{
	struct folio *folio = page_folio(page);

	(void)list;
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	if (new_order >= folio_order(folio))
		return -EINVAL;
	return -EBUSY;
}
