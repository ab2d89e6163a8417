/* SPDX-License-Identifier: GPL-2.0 */
/*
 * page_ref.h - the reference count of pages and folios.
 *
 * The count lives in the head page; tail pages keep 0.  A count of 0 means
 * free (or, for ZONE_DEVICE private/coherent pages, owned by the driver's
 * allocator); "try" variants never resurrect a free page.
 */
#ifndef _LINUX_PAGE_REF_H
#define _LINUX_PAGE_REF_H

#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/page-flags.h>

/*
 * The page forms act on the _refcount of the page given: for a folio that
 * must be its head page.  The folio forms below pass &folio->page.
 */
static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_refcount, v);
}

/* A freshly allocated page starts with one reference, its owner's. */
static inline void init_page_count(struct page *page)
{
	set_page_count(page, 1);
}

static inline void page_ref_add(struct page *page, int nr)
{
	atomic_add(nr, &page->_refcount);
}

static inline void page_ref_sub(struct page *page, int nr)
{
	atomic_sub(nr, &page->_refcount);
}

static inline void page_ref_inc(struct page *page)
{
	page_ref_add(page, 1);
}

static inline void page_ref_dec(struct page *page)
{
	page_ref_sub(page, 1);
}

static inline int page_ref_add_return(struct page *page, int nr)
{
	return atomic_add_return(nr, &page->_refcount);
}

static inline int page_ref_sub_return(struct page *page, int nr)
{
	return atomic_sub_return(nr, &page->_refcount);
}

static inline int page_ref_dec_return(struct page *page)
{
	return page_ref_sub_return(page, 1);
}

/* True when this drop took the count to zero. */
static inline bool page_ref_sub_and_test(struct page *page, int nr)
{
	return atomic_sub_and_test(nr, &page->_refcount);
}

static inline bool page_ref_dec_and_test(struct page *page)
{
	return page_ref_sub_and_test(page, 1);
}

/* Add @nr unless the count is @u; true if added. */
static inline bool page_ref_add_unless(struct page *page, int nr, int u)
{
	return atomic_add_unless(&page->_refcount, nr, u);
}

static inline bool get_page_unless_zero(struct page *page)
{
	return page_ref_add_unless(page, 1, 0);
}

/*
 * Freeze: atomically swap an exact expected count for 0, so nobody can take
 * a new reference (folio_try_get() fails) while metadata is moved.
 */
static inline bool page_ref_freeze(struct page *page, int count)
{
	return atomic_cmpxchg(&page->_refcount, count, 0) == count;
}

static inline void page_ref_unfreeze(struct page *page, int count)
{
	VM_BUG_ON_PAGE(page_ref_count(page) != 0, page);
	VM_BUG_ON(count == 0);
	atomic_set_release(&page->_refcount, count);
}

/* Folio forms: the count of the head page. */
static inline int folio_ref_count(const struct folio *folio)
{
	return page_ref_count(&folio->page);
}

static inline void folio_set_count(struct folio *folio, int v)
{
	set_page_count(&folio->page, v);
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	page_ref_add(&folio->page, nr);
}

static inline void folio_ref_sub(struct folio *folio, int nr)
{
	page_ref_sub(&folio->page, nr);
}

static inline void folio_ref_inc(struct folio *folio)
{
	page_ref_inc(&folio->page);
}

static inline void folio_ref_dec(struct folio *folio)
{
	page_ref_dec(&folio->page);
}

static inline int folio_ref_add_return(struct folio *folio, int nr)
{
	return page_ref_add_return(&folio->page, nr);
}

static inline int folio_ref_sub_return(struct folio *folio, int nr)
{
	return page_ref_sub_return(&folio->page, nr);
}

static inline bool folio_ref_sub_and_test(struct folio *folio, int nr)
{
	return page_ref_sub_and_test(&folio->page, nr);
}

static inline bool folio_ref_dec_and_test(struct folio *folio)
{
	return page_ref_dec_and_test(&folio->page);
}

static inline bool folio_ref_add_unless(struct folio *folio, int nr, int u)
{
	return page_ref_add_unless(&folio->page, nr, u);
}

/* Take @count references unless the folio is free; true if taken. */
static inline bool folio_ref_try_add(struct folio *folio, int count)
{
	return folio_ref_add_unless(folio, count, 0);
}

static inline bool folio_try_get(struct folio *folio)
{
	return folio_ref_try_add(folio, 1);
}

static inline bool folio_ref_freeze(struct folio *folio, int count)
{
	return page_ref_freeze(&folio->page, count);
}

static inline void folio_ref_unfreeze(struct folio *folio, int count)
{
	page_ref_unfreeze(&folio->page, count);
}

/* Any page, head or tail, counts as its folio. */
static inline int page_count(const struct page *page)
{
	return folio_ref_count(page_folio(page));
}

#endif /* _LINUX_PAGE_REF_H */
