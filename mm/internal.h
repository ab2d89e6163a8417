/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - the model's stand-in for the kernel's mm/internal.h: mm
 * functions that are not part of the kernel-wide API.  In the kernel tree
 * the real mm/internal.h is found instead.
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

/* model/huge_memory.c: the huge zero folio, made at boot. */
void model_thp_boot(void);
void model_thp_shutdown(void);

/* model/vmscan.c */
bool folio_isolate_lru(struct folio *folio);
void folio_putback_lru(struct folio *folio);

/* model/memremap.c */
void free_zone_device_folio(struct folio *folio);

/* mm/migrate_device.c */
int migrate_device_coherent_folio(struct folio *folio);
int migrate_device_coherent_page(struct page *page);

/* model/page_alloc.c: return a folio to the allocator (refcount 0). */
void free_unref_folio(struct folio *folio, unsigned int order);

/* model/swap.c: unlink a folio whose PG_lru the caller just cleared. */
void model_lru_del(struct folio *folio);

/*
 * Boot-time hooks of the model's files, called by model_boot() in this
 * order once physical memory exists, and undone by model_shutdown().
 */
void model_resource_boot(unsigned long ram_start_pfn, unsigned long ram_end_pfn);
void model_resource_shutdown(void);
void model_lru_shutdown(void);

/* model/memremap.c: first ZONE_DEVICE pfn >= @pfn, or max_pfn. */
unsigned long model_next_device_pfn(unsigned long pfn);

/* First pfn of the physical window handed out to device memory. */
extern unsigned long model_device_start_pfn;

/* The anon_vma of an anon folio, without checking that it is mapped. */
static inline struct anon_vma *folio_anon_vma_raw(const struct folio *folio)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);

	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return NULL;
	return (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
}

/* The address where page @pgoff of a folio is mapped in @vma, if it is. */
static inline unsigned long vma_pgoff_address(pgoff_t pgoff,
					      unsigned long nr_pages,
					      struct vm_area_struct *vma)
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

#endif /* __MM_INTERNAL_H */
