/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gfp.h - the page allocator's interface (model/page_alloc.c).
 *
 * The model allocates order 0 and HPAGE_PMD_ORDER only; other orders fail.
 * A new page or folio has refcount 1, is unlocked, not on an LRU and (with
 * __GFP_ZERO) zero-filled.  Allocation fails when RAM is exhausted or when
 * a test makes the call's site fail (linux/fault-inject.h, FAULT_PAGE).
 */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#include <linux/gfp_types.h>
#include <linux/mm_types.h>
#include <linux/fault-inject.h>

struct vm_area_struct;

struct page *alloc_pages_at(gfp_t gfp, unsigned int order,
			    struct fault_site *site);
struct folio *folio_alloc_at(gfp_t gfp, unsigned int order,
			     struct fault_site *site);
unsigned long __get_free_pages_at(gfp_t gfp, unsigned int order,
				  struct fault_site *site);

#define PAGE_SITE(api)			FAULT_SITE(FAULT_PAGE, api)
#define alloc_pages(gfp, order)		\
	alloc_pages_at(gfp, order, PAGE_SITE("alloc_pages"))
#define folio_alloc(gfp, order)		\
	folio_alloc_at(gfp, order, PAGE_SITE("folio_alloc"))
/* One node, no policy: where a VMA's folio comes from does not vary. */
#define vma_alloc_folio(gfp, order, vma, addr)				\
	((void)(vma), (void)(addr),					\
	 folio_alloc_at(gfp, order, PAGE_SITE("vma_alloc_folio")))
#define __get_free_pages(gfp, order)	\
	__get_free_pages_at(gfp, order, PAGE_SITE("__get_free_pages"))
#define get_zeroed_page(gfp)		\
	__get_free_pages_at((gfp) | __GFP_ZERO, 0, PAGE_SITE("get_zeroed_page"))
void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);

#define alloc_page(gfp)			alloc_pages(gfp, 0)
#define alloc_pages_node(nid, gfp, order) alloc_pages(gfp, order)
#define alloc_page_vma(gfp, vma, addr)	alloc_pages(gfp, 0)
#define __get_free_page(gfp)		__get_free_pages(gfp, 0)
#define __free_page(page)		__free_pages((page), 0)
#define free_page(addr)			free_pages((addr), 0)

#endif /* _LINUX_GFP_H */
