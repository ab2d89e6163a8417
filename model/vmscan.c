// SPDX-License-Identifier: GPL-2.0
/*
 * vmscan.c - taking folios off the LRU and putting them back
 * (mm/vmscan.c).  There is no reclaim in the model.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <model/model.h>
#include "internal.h"

/**
 * folio_isolate_lru() - take a folio off its LRU list for exclusive use
 * @folio: a folio the caller holds a reference on
 *
 * Whoever test-and-clears PG_lru owns the folio's list membership, so two
 * racing isolations cannot both succeed.
 *
 * Return: true if isolated: the folio is off the list, PG_lru is clear and
 * it holds one more reference (the isolation's).  False if it was not on an
 * LRU (for instance still in an LRU-add batch, or isolated by someone else).
 */
bool folio_isolate_lru(struct folio *folio)
{
	VM_BUG_ON_FOLIO(!folio_ref_count(folio), folio);

	if (!folio_test_clear_lru(folio))
		return false;
	folio_get(folio);
	model_lru_del(folio);
	return true;
}

/**
 * folio_putback_lru() - return an isolated folio to the LRU
 * @folio: a folio isolated with folio_isolate_lru()
 *
 * Drops the isolation reference (the LRU-add batch takes its own).
 */
void folio_putback_lru(struct folio *folio)
{
	folio_add_lru(folio);
	folio_put(folio);
}
