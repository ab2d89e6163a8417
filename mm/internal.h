/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - the model's stand-in for the kernel's mm/internal.h: mm
 * functions that are not part of the kernel-wide API, each under the name
 * and signature the kernel's mm/internal.h gives it.  In the kernel tree
 * the real mm/internal.h is found instead.  What only the model has is in
 * include/model/.
 */
#ifndef __MM_INTERNAL_H
#define __MM_INTERNAL_H

#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/pagemap.h>
#include <linux/memremap.h>

/* model/rmap.c */
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long address);

/* model/memory.c: make sure @vmf->vma has an anon_vma before mapping anon memory. */
vm_fault_t vmf_anon_prepare(struct vm_fault *vmf);
vm_fault_t do_swap_page(struct vm_fault *vmf);

/* model/vmscan.c */
bool folio_isolate_lru(struct folio *folio);
void folio_putback_lru(struct folio *folio);

/* model/memremap.c */
void free_zone_device_folio(struct folio *folio);

/*
 * mm/migrate_device.c.  6.12 declares only the folio one; the page-based
 * name is our file's too, and `make kernel-check` adds the same line to
 * the kernel's mm/internal.h (kernel/README.md).
 */
int migrate_device_coherent_folio(struct folio *folio);
int migrate_device_coherent_page(struct page *page);

/* model/page_alloc.c: return pages to the allocator (refcount 0). */
void free_unref_page(struct page *page, unsigned int order);

/**
 * vma_address() - where pages of a mapping would be mapped in @vma
 * @vma: the VMA
 * @pgoff: page offset of the first page in the mapping (folio->index)
 * @nr_pages: number of pages
 *
 * Return: the address of @pgoff (or of the VMA's start, if only a later page
 * of the range is inside it), or -EFAULT if no page of it is.
 */
static inline unsigned long vma_address(struct vm_area_struct *vma,
					pgoff_t pgoff, unsigned long nr_pages)
{
	unsigned long address;

	if (pgoff >= vma->vm_pgoff) {
		address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		if (address < vma->vm_start || address >= vma->vm_end)
			address = -EFAULT;
	} else if (pgoff + nr_pages - 1 >= vma->vm_pgoff) {
		address = vma->vm_start;
	} else {
		address = -EFAULT;
	}
	return address;
}

/* One past the last address the walk's range can have in its VMA. */
static inline unsigned long
vma_address_end(struct page_vma_mapped_walk *pvmw)
{
	struct vm_area_struct *vma = pvmw->vma;
	unsigned long address;

	if (pvmw->nr_pages == 1)
		return pvmw->address + PAGE_SIZE;
	address = vma->vm_start +
		  ((pvmw->pgoff + pvmw->nr_pages - vma->vm_pgoff) << PAGE_SHIFT);
	if (address < vma->vm_start || address > vma->vm_end)
		address = vma->vm_end;
	return address;
}

#endif /* __MM_INTERNAL_H */
