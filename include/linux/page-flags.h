/* SPDX-License-Identifier: GPL-2.0 */
/*
 * page-flags.h - the PG_* bits of page->flags and their accessors.
 *
 * Folio flags live in the head page.  PG_anon_exclusive is the exception: it
 * is per page (each page of a large anon folio is exclusive or not on its
 * own), and it reuses PG_mappedtodisk, which only file folios use.
 */
#ifndef _LINUX_PAGE_FLAGS_H
#define _LINUX_PAGE_FLAGS_H

#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/mmdebug.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>

enum pageflags {
	PG_locked,		/* folio lock: see pagemap.h */
	PG_writeback,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,			/* on an LRU list */
	PG_head,		/* first page of a large folio */
	PG_waiters,		/* someone sleeps on the folio lock */
	PG_active,
	PG_workingset,
	PG_owner_priv_1,
	PG_owner_2,
	PG_arch_1,
	PG_reserved,
	PG_private,		/* folio->private holds a reference */
	PG_private_2,
	PG_reclaim,
	PG_swapbacked,		/* backed by swap (anon or shmem) */
	PG_unevictable,
	PG_mlocked,
	PG_hwpoison,
	PG_young,
	PG_idle,
	PG_table,		/* model: a page-table page (kernel: page_type) */
	PG_buddy,		/* model: free in the page allocator */
	PG_lru_linked,		/* model: linked on an LRU list (lru_lock) */
	PG_hugetlb,		/* model: a hugetlb folio (kernel: page_type) */
	__NR_PAGEFLAGS,

	PG_checked = PG_owner_priv_1,
	PG_swapcache = PG_owner_priv_1,
	PG_mappedtodisk = PG_owner_2,
	PG_anon_exclusive = PG_mappedtodisk,
	PG_readahead = PG_reclaim,
};

/* Low bits of page->mapping saying what it points to. */
#define PAGE_MAPPING_ANON	0x1UL
#define PAGE_MAPPING_MOVABLE	0x2UL
#define PAGE_MAPPING_KSM	(PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)
#define PAGE_MAPPING_FLAGS	(PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)

static inline unsigned long _compound_head(const struct page *page)
{
	unsigned long head = __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);

	if (head & 1)
		return head - 1;
	return (unsigned long)page;
}

#define compound_head(page)	((typeof(page))_compound_head(page))
#define page_folio(p)		((struct folio *)_compound_head(p))
#define folio_page(folio, n)	(&(folio)->page + (n))

static inline bool PageTail(const struct page *page)
{
	return __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED) & 1;
}

static inline bool PageHead(const struct page *page)
{
	return test_bit(PG_head, &page->flags);
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

#define FOLIO_FLAG_OPS(lname, bit)					\
static inline bool folio_test_##lname(const struct folio *folio)	\
{ return test_bit(bit, &folio->flags); }				\
static inline void folio_set_##lname(struct folio *folio)		\
{ set_bit(bit, &folio->flags); }					\
static inline void folio_clear_##lname(struct folio *folio)		\
{ clear_bit(bit, &folio->flags); }					\
static inline void __folio_set_##lname(struct folio *folio)		\
{ __set_bit(bit, &folio->flags); }					\
static inline void __folio_clear_##lname(struct folio *folio)		\
{ __clear_bit(bit, &folio->flags); }					\
static inline bool folio_test_set_##lname(struct folio *folio)		\
{ return test_and_set_bit(bit, &folio->flags); }			\
static inline bool folio_test_clear_##lname(struct folio *folio)	\
{ return test_and_clear_bit(bit, &folio->flags); }

#define PAGE_FLAG_OPS(uname, lname)					\
static inline bool Page##uname(const struct page *page)		\
{ return folio_test_##lname(page_folio(page)); }			\
static inline void SetPage##uname(struct page *page)			\
{ folio_set_##lname(page_folio(page)); }				\
static inline void ClearPage##uname(struct page *page)			\
{ folio_clear_##lname(page_folio(page)); }				\
static inline void __SetPage##uname(struct page *page)			\
{ __folio_set_##lname(page_folio(page)); }				\
static inline void __ClearPage##uname(struct page *page)		\
{ __folio_clear_##lname(page_folio(page)); }				\
static inline bool TestSetPage##uname(struct page *page)		\
{ return folio_test_set_##lname(page_folio(page)); }			\
static inline bool TestClearPage##uname(struct page *page)		\
{ return folio_test_clear_##lname(page_folio(page)); }

#define PAGEFLAG(uname, lname, bit)	FOLIO_FLAG_OPS(lname, bit) PAGE_FLAG_OPS(uname, lname)

PAGEFLAG(Locked, locked, PG_locked)
PAGEFLAG(Writeback, writeback, PG_writeback)
PAGEFLAG(Referenced, referenced, PG_referenced)
PAGEFLAG(Dirty, dirty, PG_dirty)
PAGEFLAG(LRU, lru, PG_lru)
PAGEFLAG(Waiters, waiters, PG_waiters)
PAGEFLAG(Active, active, PG_active)
PAGEFLAG(Workingset, workingset, PG_workingset)
PAGEFLAG(Checked, checked, PG_checked)
PAGEFLAG(MappedToDisk, mappedtodisk, PG_mappedtodisk)
PAGEFLAG(Reserved, reserved, PG_reserved)
PAGEFLAG(Private, private, PG_private)
PAGEFLAG(Private2, private_2, PG_private_2)
PAGEFLAG(Reclaim, reclaim, PG_reclaim)
PAGEFLAG(Readahead, readahead, PG_readahead)
PAGEFLAG(SwapBacked, swapbacked, PG_swapbacked)
PAGEFLAG(Unevictable, unevictable, PG_unevictable)
PAGEFLAG(Mlocked, mlocked, PG_mlocked)
PAGEFLAG(HWPoison, hwpoison, PG_hwpoison)
PAGEFLAG(Young, young, PG_young)
PAGEFLAG(Idle, idle, PG_idle)
PAGEFLAG(Table, table, PG_table)
PAGEFLAG(Buddy, buddy, PG_buddy)
FOLIO_FLAG_OPS(lru_linked, PG_lru_linked)
FOLIO_FLAG_OPS(head, PG_head)
FOLIO_FLAG_OPS(arch_1, PG_arch_1)

static inline bool folio_test_swapcache(const struct folio *folio)
{
	return folio_test_swapbacked(folio) && test_bit(PG_swapcache, &folio->flags);
}

static inline void folio_set_swapcache(struct folio *folio)
{
	set_bit(PG_swapcache, &folio->flags);
}

static inline void folio_clear_swapcache(struct folio *folio)
{
	clear_bit(PG_swapcache, &folio->flags);
}

static inline bool PageSwapCache(const struct page *page)
{
	return folio_test_swapcache(page_folio(page));
}

/*
 * The acquire in the test pairs with the barrier in the marking, so whoever
 * sees the flag also sees the contents written before it.
 */
static inline bool folio_test_uptodate(const struct folio *folio)
{
	return test_bit_acquire(PG_uptodate, &folio->flags);
}

static inline void __folio_mark_uptodate(struct folio *folio)
{
	smp_wmb();
	__atomic_fetch_or(&folio->flags, 1UL << PG_uptodate, __ATOMIC_RELEASE);
}

static inline void folio_mark_uptodate(struct folio *folio)
{
	smp_wmb();
	__atomic_fetch_or(&folio->flags, 1UL << PG_uptodate, __ATOMIC_RELEASE);
}

static inline void folio_clear_uptodate(struct folio *folio)
{
	clear_bit(PG_uptodate, &folio->flags);
}

static inline bool PageUptodate(const struct page *page)
{
	return folio_test_uptodate(page_folio(page));
}

static inline void SetPageUptodate(struct page *page)
{
	folio_mark_uptodate(page_folio(page));
}

static inline bool folio_test_large(const struct folio *folio)
{
	return folio_test_head(folio);
}

static inline bool PageTransCompound(const struct page *page)
{
	return PageCompound(page);
}

static inline bool PageTransHuge(const struct page *page)
{
	return PageHead(page);
}

static inline bool folio_test_anon(const struct folio *folio)
{
	return ((unsigned long)READ_ONCE(folio->mapping) & PAGE_MAPPING_ANON) != 0;
}

static inline bool PageAnon(const struct page *page)
{
	return folio_test_anon(page_folio(page));
}

static inline bool folio_test_ksm(const struct folio *folio)
{
	return ((unsigned long)READ_ONCE(folio->mapping) & PAGE_MAPPING_FLAGS) ==
	       PAGE_MAPPING_KSM;
}

static inline bool PageKsm(const struct page *page)
{
	return folio_test_ksm(page_folio(page));
}

static inline bool folio_test_movable(const struct folio *folio)
{
	return ((unsigned long)READ_ONCE(folio->mapping) & PAGE_MAPPING_FLAGS) ==
	       PAGE_MAPPING_MOVABLE;
}

/* Set on the head page while the folio belongs to the hugetlb pool. */
static inline bool folio_test_hugetlb(const struct folio *folio)
{
	return test_bit(PG_hugetlb, &folio->flags);
}

static inline void __folio_set_hugetlb(struct folio *folio)
{
	set_bit(PG_hugetlb, &folio->flags);
}

static inline void __folio_clear_hugetlb(struct folio *folio)
{
	clear_bit(PG_hugetlb, &folio->flags);
}

static inline bool PageHuge(const struct page *page)
{
	return folio_test_hugetlb(page_folio(page));
}

static inline bool folio_test_slab(const struct folio *folio)
{
	(void)folio;
	return false;
}

static inline bool folio_has_private(const struct folio *folio)
{
	return (READ_ONCE(folio->flags) &
		((1UL << PG_private) | (1UL << PG_private_2))) != 0;
}

static inline bool page_has_private(const struct page *page)
{
	return folio_has_private(page_folio(page));
}

/* Per page, not per folio: see the comment at the top. */
static inline bool PageAnonExclusive(const struct page *page)
{
	VM_BUG_ON_PAGE(!PageAnon(page), page);
	/* A hugetlb folio is only ever mapped whole: its head tells. */
	if (PageHuge(page))
		page = &page_folio(page)->page;
	return test_bit(PG_anon_exclusive, &page->flags);
}

static inline void SetPageAnonExclusive(struct page *page)
{
	VM_BUG_ON_PAGE(!PageAnon(page) || PageKsm(page), page);
	set_bit(PG_anon_exclusive, &page->flags);
}

static inline void ClearPageAnonExclusive(struct page *page)
{
	VM_BUG_ON_PAGE(!PageAnon(page) || PageKsm(page), page);
	clear_bit(PG_anon_exclusive, &page->flags);
}

static inline void __ClearPageAnonExclusive(struct page *page)
{
	__clear_bit(PG_anon_exclusive, &page->flags);
}

#endif /* _LINUX_PAGE_FLAGS_H */
