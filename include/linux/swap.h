/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swap.h - swap entry types and the swap/LRU interfaces.
 *
 * The 5-bit type of a swap entry names a swap file (0 .. MAX_SWAPFILES-1)
 * or, above that, one of the special entries: hwpoison, three migration
 * flavours, two device-private and two device-exclusive flavours, and PTE
 * markers.  The values are those of x86-64 with every feature enabled.
 */
#ifndef _LINUX_SWAP_H
#define _LINUX_SWAP_H

#include <linux/mm_types.h>
#include <linux/list.h>
#include <linux/memcontrol.h>

#define MAX_SWAPFILES_SHIFT	5
#define SWP_DEVICE_NUM		4
#define SWP_MIGRATION_NUM	3
#define SWP_HWPOISON_NUM	1
#define SWP_PTE_MARKER_NUM	1

#define MAX_SWAPFILES							\
	((1 << MAX_SWAPFILES_SHIFT) - SWP_DEVICE_NUM -			\
	 SWP_MIGRATION_NUM - SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM)

#define SWP_HWPOISON			MAX_SWAPFILES
#define SWP_MIGRATION_READ		(MAX_SWAPFILES + SWP_HWPOISON_NUM)
#define SWP_MIGRATION_READ_EXCLUSIVE	(SWP_MIGRATION_READ + 1)
#define SWP_MIGRATION_WRITE		(SWP_MIGRATION_READ + 2)
#define SWP_DEVICE_WRITE		(SWP_MIGRATION_READ + SWP_MIGRATION_NUM)
#define SWP_DEVICE_READ			(SWP_DEVICE_WRITE + 1)
#define SWP_DEVICE_EXCLUSIVE_WRITE	(SWP_DEVICE_WRITE + 2)
#define SWP_DEVICE_EXCLUSIVE_READ	(SWP_DEVICE_WRITE + 3)
#define SWP_PTE_MARKER			(SWP_DEVICE_WRITE + SWP_DEVICE_NUM)

/* LRU (model/swap.c, model/vmscan.c). */
void folio_add_lru(struct folio *folio);
void folio_add_lru_vma(struct folio *folio, struct vm_area_struct *vma);
void lru_add_drain(void);
void lru_add_drain_all(void);
void lru_cache_disable(void);
void lru_cache_enable(void);
void folio_mark_accessed(struct folio *folio);
void folio_deactivate(struct folio *folio);

/*
 * Swap cache (model/swapfile.c).  The model has no swap device and never
 * swaps out; a test can put an anon folio into the swap cache by hand
 * (model_swap_cache_add(), model/model.h) to exercise the paths that meet
 * one.  Its address_space is swapper_space, indexed by swap offset.
 */
extern struct address_space swapper_space;
bool folio_free_swap(struct folio *folio);
void delete_from_swap_cache(struct folio *folio);
void free_swap_and_cache(swp_entry_t entry);

/* Set at boot: migration entries may carry the old PTE's A/D bits. */
extern bool swap_migration_ad_supported;

static inline unsigned long total_swapcache_pages(void)
{
	return 0;
}

#endif /* _LINUX_SWAP_H */
