/* SPDX-License-Identifier: GPL-2.0 */
/*
 * highmem.h - kernel access to page contents.  x86-64 has no highmem: every
 * CPU-addressable page is in the direct map, so kmap is page_address().
 * Mapping a device-private page gives an address whose access traps, as
 * it would in the kernel (it has no direct map).
 */
#ifndef _LINUX_HIGHMEM_H
#define _LINUX_HIGHMEM_H

#include <linux/mm.h>
#include <linux/string.h>

static inline void *kmap_local_page(struct page *page)
{
	return page_address(page);
}

static inline void *kmap_local_folio(struct folio *folio, size_t offset)
{
	return (char *)folio_address(folio) + offset;
}

static inline void kunmap_local(const void *addr)
{
	(void)addr;
}

static inline void *kmap(struct page *page)
{
	return page_address(page);
}

static inline void kunmap(struct page *page)
{
	(void)page;
}

static inline void *kmap_atomic(struct page *page)
{
	return page_address(page);
}

static inline void kunmap_atomic(void *addr)
{
	(void)addr;
}

static inline void clear_page(void *page)
{
	memset(page, 0, PAGE_SIZE);
}

static inline void copy_page(void *to, void *from)
{
	memcpy(to, from, PAGE_SIZE);
}

static inline void clear_highpage(struct page *page)
{
	clear_page(kmap_local_page(page));
}

static inline void copy_highpage(struct page *to, struct page *from)
{
	copy_page(kmap_local_page(to), kmap_local_page(from));
}

static inline void clear_user_highpage(struct page *page, unsigned long vaddr)
{
	(void)vaddr;
	clear_highpage(page);
}

static inline void copy_user_highpage(struct page *to, struct page *from,
				      unsigned long vaddr,
				      struct vm_area_struct *vma)
{
	(void)vaddr; (void)vma;
	copy_highpage(to, from);
}

static inline void memcpy_from_page(char *to, struct page *page,
				    size_t offset, size_t len)
{
	VM_BUG_ON(offset + len > PAGE_SIZE);
	memcpy(to, (char *)kmap_local_page(page) + offset, len);
}

static inline void memcpy_to_page(struct page *page, size_t offset,
				  const char *from, size_t len)
{
	VM_BUG_ON(offset + len > PAGE_SIZE);
	memcpy((char *)kmap_local_page(page) + offset, from, len);
}

static inline void memcpy_page(struct page *dst_page, size_t dst_off,
			       struct page *src_page, size_t src_off,
			       size_t len)
{
	memcpy((char *)kmap_local_page(dst_page) + dst_off,
	       (char *)kmap_local_page(src_page) + src_off, len);
}

static inline void memzero_page(struct page *page, size_t offset, size_t len)
{
	memset((char *)kmap_local_page(page) + offset, 0, len);
}

static inline void folio_zero_range(struct folio *folio, size_t start,
				    size_t length)
{
	memset((char *)folio_address(folio) + start, 0, length);
}

/* A zeroed order-0 folio for an anonymous fault at @vaddr. */
static inline struct folio *vma_alloc_zeroed_movable_folio(struct vm_area_struct *vma,
							   unsigned long vaddr)
{
	return vma_alloc_folio(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0, vma, vaddr);
}

#endif /* _LINUX_HIGHMEM_H */
