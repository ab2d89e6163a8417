// SPDX-License-Identifier: GPL-2.0
/*
 * swapfile.c - swap slots (mm/swapfile.c).  The model has no swap device;
 * a folio is in the swap cache only if a test put it there by hand.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/pagemap.h>

/*
 * Whether migration entries can hold the young and dirty bits: the maximum
 * swap offset must have room above the pfn.  On x86-64 this is true unless
 * the L1TF mitigation limits swap size; model_boot() sets it from the
 * configuration.
 */
bool swap_migration_ad_supported = true;

/**
 * folio_free_swap() - drop a locked folio's swap-cache copy if unused
 * @folio: a locked folio
 *
 * The model keeps no swap slot counts, so a swap-cache folio's entry is
 * never referenced by any page table: it can always leave, unless it is
 * under writeback.
 *
 * Return: true if the folio left the swap cache (dropping the cache's
 * references and becoming dirty), false otherwise.
 */
bool folio_free_swap(struct folio *folio)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);

	if (!folio_test_swapcache(folio) || folio_test_writeback(folio))
		return false;
	folio_clear_swapcache(folio);
	folio->swap.val = 0;
	folio_ref_sub(folio, folio_nr_pages(folio));
	folio_set_dirty(folio);
	return true;
}

void free_swap_and_cache(swp_entry_t entry)
{
	(void)entry;
}
