/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/memory_model.h - SPARSEMEM_VMEMMAP-like physical memory.
 *
 * struct pages sit in one virtually contiguous array indexed by pfn, and
 * the bytes of every CPU-addressable physical page sit at the same offset of
 * one contiguous window (the model's direct map), so both conversions are
 * arithmetic.  Device-private ranges have struct pages but their window
 * bytes stay inaccessible: any CPU access traps.  See model/page_alloc.c.
 */
#ifndef _ASM_MEMORY_MODEL_H
#define _ASM_MEMORY_MODEL_H

#include <linux/types.h>
#include <asm/page.h>

struct page;

extern struct page *vmemmap;		/* struct page of pfn 0 */
extern unsigned char *model_direct_map;	/* byte 0 of physical memory */
extern unsigned long max_pfn;		/* one past the highest pfn */

#define pfn_to_page(pfn)	(vmemmap + (pfn))
#define page_to_pfn(page)	((unsigned long)((page) - vmemmap))
#define pfn_valid(pfn)		((unsigned long)(pfn) < max_pfn)

#define __va(paddr)		((void *)(model_direct_map + (unsigned long)(paddr)))
#define __pa(vaddr)		((unsigned long)((unsigned char *)(vaddr) - model_direct_map))
#define virt_to_pfn(v)		(__pa(v) >> PAGE_SHIFT)
#define virt_to_page(v)		pfn_to_page(virt_to_pfn(v))
#define page_to_virt(page)	__va(page_to_pfn(page) << PAGE_SHIFT)
#define page_to_phys(page)	((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT)
#define PHYS_PFN(x)		((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_PHYS(x)		((phys_addr_t)(x) << PAGE_SHIFT)
#define PFN_DOWN(x)		((x) >> PAGE_SHIFT)
#define PFN_UP(x)		(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)

#endif /* _ASM_MEMORY_MODEL_H */
