/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memremap.h - ZONE_DEVICE memory: struct pages for memory that a device
 * owns (model/memremap.c).
 */
#ifndef _LINUX_MEMREMAP_H
#define _LINUX_MEMREMAP_H

#include <linux/mm.h>
#include <linux/range.h>
#include <linux/ioport.h>
#include <linux/percpu-refcount.h>
#include <linux/completion.h>

struct resource;
struct device;

enum memory_type {
	/* No type is 0, so a zeroed pagemap has no valid type. */
	MEMORY_DEVICE_PRIVATE = 1,	/* not CPU addressable */
	MEMORY_DEVICE_COHERENT,		/* CPU addressable, coherent */
	MEMORY_DEVICE_FS_DAX,
	MEMORY_DEVICE_GENERIC,
	MEMORY_DEVICE_PCI_P2PDMA,
};

/* Device-backed memmap storage; the model keeps struct pages in RAM. */
struct vmem_altmap {
	unsigned long base_pfn;
	unsigned long free;
	unsigned long align;
	unsigned long alloc;
	const unsigned long end_pfn;
	const unsigned long reserve;
};

/* dev_pagemap.flags */
#define PGMAP_ALTMAP_VALID	(1 << 0)

/**
 * struct dev_pagemap_ops - what the core asks of a device memory driver
 * @page_free: a device page's refcount dropped to 0 (private and coherent
 *	pages); the core has already cleared its mapping and anon state
 * @migrate_to_ram: the CPU touched a device-private entry; move the page
 *	(at least the one at vmf->address) back to system memory.  Called with
 *	mmap_lock held for read and one extra reference on vmf->page.
 * @memory_failure: not used by the model
 */
struct dev_pagemap_ops {
	vm_fault_t (*migrate_to_ram)(struct vm_fault *vmf);
	void (*page_free)(struct page *page);
	int (*memory_failure)(struct dev_pagemap *pgmap, unsigned long pfn,
			      unsigned long nr_pages, int mf_flags);
};

/**
 * struct dev_pagemap - one range of device memory with struct pages
 * @altmap: pre-allocated memmap (unused by the model)
 * @ref: live references: one per allocated page, for private/coherent
 * @done: completed when @ref drops to zero after memunmap_pages() kills it
 * @type: MEMORY_DEVICE_*
 * @flags: PGMAP_*
 * @vmemmap_shift: order of the folios the pages form (0: single pages)
 * @ops: the driver's callbacks
 * @owner: cookie identifying the driver instance (migration, hmm)
 * @nr_range: number of ranges in @range / @ranges
 * @range: the physical range (inclusive end), when @nr_range is 1
 * @ranges: the physical ranges
 */
struct dev_pagemap {
	enum memory_type type;
	unsigned int flags;
	const struct dev_pagemap_ops *ops;
	void *owner;
	unsigned long vmemmap_shift;

	struct percpu_ref ref;
	struct completion done;
	struct vmem_altmap altmap;

	/* The ranges come last: @ranges is a flexible array. */
	int nr_range;
	union {
		struct range range;
		struct {
			struct { } __empty_ranges;	/* flexible array in a union */
			struct range ranges[];
		};
	};
};

void *memremap_pages(struct dev_pagemap *pgmap, int nid);
void memunmap_pages(struct dev_pagemap *pgmap);
struct dev_pagemap *get_dev_pagemap(unsigned long pfn,
				    struct dev_pagemap *pgmap);
bool pgmap_pfn_valid(struct dev_pagemap *pgmap, unsigned long pfn);
void zone_device_page_init(struct page *page);
unsigned long memremap_compat_align(void);

static inline void put_dev_pagemap(struct dev_pagemap *pgmap)
{
	if (pgmap)
		percpu_ref_put(&pgmap->ref);
}

/* Does @page belong to a device pagemap of @type? */
static inline bool zone_device_page_has_type(const struct page *page,
					     enum memory_type type)
{
	if (!is_zone_device_page(page))
		return false;
	return page->pgmap->type == type;
}

static inline bool is_device_private_page(const struct page *page)
{
	return zone_device_page_has_type(page, MEMORY_DEVICE_PRIVATE);
}

static inline bool is_device_coherent_page(const struct page *page)
{
	return zone_device_page_has_type(page, MEMORY_DEVICE_COHERENT);
}

static inline bool is_pci_p2pdma_page(const struct page *page)
{
	return zone_device_page_has_type(page, MEMORY_DEVICE_PCI_P2PDMA);
}

static inline bool is_fsdax_page(const struct page *page)
{
	return zone_device_page_has_type(page, MEMORY_DEVICE_FS_DAX);
}

/* The folio forms look at the head page: a folio is all one pagemap. */
static inline bool folio_is_device_private(const struct folio *folio)
{
	return is_device_private_page(&folio->page);
}

static inline bool folio_is_device_coherent(const struct folio *folio)
{
	return is_device_coherent_page(&folio->page);
}

static inline bool folio_is_fsdax(const struct folio *folio)
{
	return is_fsdax_page(&folio->page);
}

static inline unsigned long pgmap_vmemmap_nr(struct dev_pagemap *pgmap)
{
	return 1UL << pgmap->vmemmap_shift;
}

#endif /* _LINUX_MEMREMAP_H */
