/* SPDX-License-Identifier: GPL-2.0 */
/* mm_inline.h - LRU list selection (model/swap.c keeps the lists). */
#ifndef _LINUX_MM_INLINE_H
#define _LINUX_MM_INLINE_H

#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/memcontrol.h>
#include <linux/userfaultfd_k.h>
#include <linux/hugetlb_inline.h>
#include <linux/fs.h>

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

/* File LRUs hold page cache that is not swap backed. */
static inline bool folio_is_file_lru(struct folio *folio)
{
	return !folio_test_swapbacked(folio);
}

static inline enum lru_list folio_lru_list(struct folio *folio)
{
	enum lru_list lru;

	if (folio_test_unevictable(folio))
		return LRU_UNEVICTABLE;
	lru = folio_is_file_lru(folio) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	if (folio_test_active(folio))
		lru += 1;
	return lru;
}

#endif /* _LINUX_MM_INLINE_H */
