/* SPDX-License-Identifier: GPL-2.0 */
/* asm/cacheflush.h - x86 caches are physically indexed: nothing to do. */
#ifndef _ASM_X86_CACHEFLUSH_H
#define _ASM_X86_CACHEFLUSH_H

struct mm_struct;

struct vm_area_struct;
struct page;

static inline void flush_cache_page(struct vm_area_struct *vma,
				    unsigned long addr, unsigned long pfn)
{
	(void)vma; (void)addr; (void)pfn;
}

static inline void flush_cache_range(struct vm_area_struct *vma,
				     unsigned long start, unsigned long end)
{
	(void)vma; (void)start; (void)end;
}

static inline void flush_cache_mm(struct mm_struct *mm)
{
	(void)mm;
}

static inline void flush_dcache_page(struct page *page)
{
	(void)page;
}

#endif /* _ASM_X86_CACHEFLUSH_H */
