/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gfp.h - the page allocator's interface (model/page_alloc.c).
 *
 * The model allocates order 0 and HPAGE_PMD_ORDER only; other orders fail.
 * A new page or folio has refcount 1, is unlocked, not on an LRU and (with
 * __GFP_ZERO) zero-filled.  Allocation fails when RAM is exhausted or when
 * a test armed the MODEL_FAIL_PAGE site (include/model/fail.h).
 */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#include <linux/gfp_types.h>
#include <linux/mm_types.h>

struct vm_area_struct;

struct page *alloc_pages(gfp_t gfp, unsigned int order);
struct folio *folio_alloc(gfp_t gfp, unsigned int order);
struct folio *vma_alloc_folio(gfp_t gfp, int order, struct vm_area_struct *vma,
			      unsigned long addr);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp);
void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);

#define alloc_page(gfp)			alloc_pages(gfp, 0)
#define alloc_pages_node(nid, gfp, order) alloc_pages(gfp, order)
#define alloc_page_vma(gfp, vma, addr)	alloc_pages(gfp, 0)
#define __get_free_page(gfp)		__get_free_pages(gfp, 0)
#define __free_page(page)		__free_pages((page), 0)
#define free_page(addr)			free_pages((addr), 0)

#endif /* _LINUX_GFP_H */
