// SPDX-License-Identifier: GPL-2.0
/*
 * swapfile.c - swap slots and the swap cache (mm/swapfile.c,
 * mm/swap_state.c).  The model has no swap device; a folio is in the swap
 * cache only if a test put it there by hand.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/pagemap.h>
#include <linux/swapops.h>
#include <linux/xarray.h>
#include <linux/fs.h>
#include <model/model.h>

/*
 * Whether migration entries can hold the young and dirty bits: the maximum
 * swap offset must have room above the pfn.  On x86-64 this is true unless
 * the L1TF mitigation limits swap size; model_boot() sets it from the
 * configuration.
 */
bool swap_migration_ad_supported = true;

struct address_space swapper_space = {
	.i_mmap = LIST_HEAD_INIT(swapper_space.i_mmap),
};

/**
 * model_swap_cache_add() - put an anon folio into the swap cache by hand
 * @folio: a locked, swap-backed anon folio not in the swap cache
 * @entry: the swap slot it would occupy (type 0 .. MAX_SWAPFILES-1)
 *
 * The cache takes one reference per page, as add_to_swap_cache() does.
 *
 * Return: 0, -EINVAL for a bad folio or entry, -EEXIST if the slot is
 * taken, -ENOMEM.
 */
int model_swap_cache_add(struct folio *folio, swp_entry_t entry)
{
	long nr = folio_nr_pages(folio);
	void *old;

	if (!folio_test_locked(folio) || !folio_test_anon(folio) ||
	    !folio_test_swapbacked(folio) || folio_test_swapcache(folio) ||
	    non_swap_entry(entry))
		return -EINVAL;
	if (xa_load(&swapper_space.i_pages, swp_offset(entry)))
		return -EEXIST;
	xa_lock(&swapper_space.i_pages);
	old = __xa_store(&swapper_space.i_pages, swp_offset(entry), folio, GFP_KERNEL);
	if (xa_is_err(old)) {
		xa_unlock(&swapper_space.i_pages);
		return xa_err(old);
	}
	folio_ref_add(folio, nr);
	folio->swap = entry;
	folio_set_swapcache(folio);
	swapper_space.nrpages += nr;
	xa_unlock(&swapper_space.i_pages);
	return 0;
}

/**
 * delete_from_swap_cache() - take a locked folio out of the swap cache
 * @folio: a folio in the swap cache
 *
 * Drops the cache's references.
 */
void delete_from_swap_cache(struct folio *folio)
{
	long nr = folio_nr_pages(folio);

	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	VM_BUG_ON_FOLIO(!folio_test_swapcache(folio), folio);
	xa_lock(&swapper_space.i_pages);
	__xa_erase(&swapper_space.i_pages, folio_index(folio));
	swapper_space.nrpages -= nr;
	folio_clear_swapcache(folio);
	folio->swap.val = 0;
	xa_unlock(&swapper_space.i_pages);
	folio_ref_sub(folio, nr);
}

/**
 * folio_free_swap() - drop a locked folio's swap-cache copy if unused
 * @folio: a locked folio
 *
 * No page table holds swap entries in the model (nothing is swapped out),
 * so a slot is never still in use: the copy can go unless the folio is
 * under writeback.
 *
 * Return: true if the folio left the swap cache (dropping the cache's
 * references and becoming dirty, since the only copy is now in memory),
 * false otherwise.
 */
bool folio_free_swap(struct folio *folio)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);

	if (!folio_test_swapcache(folio) || folio_test_writeback(folio))
		return false;
	delete_from_swap_cache(folio);
	folio_set_dirty(folio);
	return true;
}

void free_swap_and_cache(swp_entry_t entry)
{
	(void)entry;
}
