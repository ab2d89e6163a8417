// SPDX-License-Identifier: GPL-2.0
/*
 * memremap.c - ZONE_DEVICE: struct pages for device memory
 * (mm/memremap.c, mm/mm_init.c's memmap_init_zone_device()).
 *
 * A pgmap's pages live in the physical window above RAM.  Private pages
 * get struct pages only: their bytes stay inaccessible to the CPU.  Other
 * types (coherent, generic, ...) are CPU addressable: their window bytes
 * are opened.
 *
 * A private or coherent page is free at refcount 0; the driver hands it
 * out with zone_device_page_init(), which also takes a pgmap reference, and
 * when the last folio_put() drops it the core calls the driver's
 * ->page_free() and drops the pgmap reference.  memunmap_pages() waits for
 * every such reference: the driver must have migrated everything out.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/memcontrol.h>
#include <linux/ioport.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <model/model.h>
#include <host/host.h>
#include "internal.h"

/* A pfn range owned by a pgmap (the kernel's pgmap_array xarray). */
struct pgmap_range {
	struct list_head node;
	unsigned long start_pfn;
	unsigned long end_pfn;		/* exclusive */
	struct dev_pagemap *pgmap;
};

static DEFINE_MUTEX(pgmap_lock);
static LIST_HEAD(pgmap_ranges);

static unsigned long range_start_pfn(const struct range *r)
{
	return PHYS_PFN(r->start);
}

static unsigned long range_end_pfn(const struct range *r)
{
	return PHYS_PFN(r->end) + 1;
}

/* The pgmap owning @pfn (pgmap_lock held), or NULL. */
static struct dev_pagemap *pgmap_lookup(unsigned long pfn)
{
	struct pgmap_range *pr;

	list_for_each_entry(pr, &pgmap_ranges, node)
		if (pfn >= pr->start_pfn && pfn < pr->end_pfn)
			return pr->pgmap;
	return NULL;
}

/* True if @pfn is one of @pgmap's pages. */
bool pgmap_pfn_valid(struct dev_pagemap *pgmap, unsigned long pfn)
{
	int i;

	for (i = 0; i < pgmap->nr_range; i++) {
		const struct range *r = &pgmap->ranges[i];

		if (pfn >= range_start_pfn(r) && pfn < range_end_pfn(r))
			return true;
	}
	return false;
}

/**
 * model_next_device_pfn() - first ZONE_DEVICE pfn at or after @pfn
 * @pfn: where to start
 *
 * Return: a pfn with an initialised device struct page, or max_pfn.
 */
unsigned long model_next_device_pfn(unsigned long pfn)
{
	unsigned long best = max_pfn;
	struct pgmap_range *pr;

	mutex_lock(&pgmap_lock);
	list_for_each_entry(pr, &pgmap_ranges, node) {
		if (pfn >= pr->start_pfn && pfn < pr->end_pfn) {
			best = pfn;
			break;
		}
		if (pr->start_pfn > pfn && pr->start_pfn < best)
			best = pr->start_pfn;
	}
	mutex_unlock(&pgmap_lock);
	return best;
}

static void dev_pagemap_percpu_release(struct percpu_ref *ref)
{
	struct dev_pagemap *pgmap = container_of(ref, struct dev_pagemap, ref);

	complete(&pgmap->done);
}

static bool type_is_free_at_zero(enum memory_type type)
{
	return type == MEMORY_DEVICE_PRIVATE || type == MEMORY_DEVICE_COHERENT;
}

/* Refuse a range that is not in the device window or is already owned. */
static int check_range(struct dev_pagemap *pgmap, const struct range *r)
{
	unsigned long start = range_start_pfn(r), end = range_end_pfn(r);

	if (r->end < r->start || end > max_pfn)
		return -ENXIO;
	if (region_intersects(r->start, range_len(r), IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		return -ENXIO;
	if (start < model_device_start_pfn)
		return -ENXIO;
	if (WARN(pgmap_lookup(start) || pgmap_lookup(end - 1),
		 "%s: range conflicts with another pgmap\n", __func__))
		return -ENOMEM;
	(void)pgmap;
	return 0;
}

static void init_device_pages(struct dev_pagemap *pgmap, const struct range *r)
{
	unsigned long pfn;

	for (pfn = range_start_pfn(r); pfn < range_end_pfn(r); pfn++) {
		struct page *page = pfn_to_page(pfn);

		memset(page, 0, sizeof(*page));
		page->flags = ((unsigned long)ZONE_DEVICE << ZONES_PGSHIFT) |
			      (1UL << PG_reserved);
		page->pgmap = pgmap;
		page->zone_device_data = NULL;
		atomic_set(&page->_mapcount, -1);
		set_page_count(page, type_is_free_at_zero(pgmap->type) ? 0 : 1);
	}
}

static void remove_range(struct dev_pagemap *pgmap, const struct range *r)
{
	struct pgmap_range *pr, *next;
	unsigned long pfn;

	list_for_each_entry_safe(pr, next, &pgmap_ranges, node) {
		if (pr->pgmap == pgmap && pr->start_pfn == range_start_pfn(r)) {
			list_del(&pr->node);
			kfree(pr);
		}
	}
	for (pfn = range_start_pfn(r); pfn < range_end_pfn(r); pfn++)
		memset(pfn_to_page(pfn), 0, sizeof(struct page));
	if (pgmap->type != MEMORY_DEVICE_PRIVATE) {
		host_mem_discard(__va(r->start), range_len(r));
		host_mem_protect(__va(r->start), range_len(r), HOST_PROT_NONE);
	}
}

/*
 * Private and coherent pages are handed out and freed by their driver, so
 * it must supply ->page_free and an owner; private pages also need
 * ->migrate_to_ram, as the CPU cannot touch them.  (For a coherent pgmap
 * the kernel would dereference a NULL ops; the model refuses it instead.)
 */
static int check_driver_ops(const struct dev_pagemap *pgmap)
{
	const struct dev_pagemap_ops *ops = pgmap->ops;
	const char *missing = NULL;

	if (pgmap->type == MEMORY_DEVICE_PRIVATE && (!ops || !ops->migrate_to_ram))
		missing = "migrate_to_ram method";
	else if (!ops || !ops->page_free)
		missing = "page_free method";
	else if (!pgmap->owner)
		missing = "owner";
	if (!missing)
		return 0;
	WARN(1, "Missing %s\n", missing);
	return -EINVAL;
}

/**
 * memremap_pages() - create the struct pages of device memory
 * @pgmap: the description; @type, @ops, @owner and the range(s) set
 * @nid: NUMA node (ignored: one node)
 *
 * Private pgmaps need ops->page_free, ops->migrate_to_ram and an owner;
 * coherent ones page_free and an owner.  Ranges must lie in the device
 * window (request_free_mem_region()), not overlap RAM or another pgmap.
 *
 * Return: the CPU address of the first range (meaningless for private
 * memory), or an ERR_PTR: -EINVAL for a bad description, -ENXIO for a bad
 * range, -ENOMEM for a range owned by another pgmap or no memory.
 */
void *memremap_pages(struct dev_pagemap *pgmap, int nid)
{
	int i, error;

	(void)nid;
	if (WARN_ONCE(!pgmap->nr_range, "nr_range must be specified\n"))
		return ERR_PTR(-EINVAL);
	switch (pgmap->type) {
	case MEMORY_DEVICE_PRIVATE:
	case MEMORY_DEVICE_COHERENT:
		error = check_driver_ops(pgmap);
		if (error)
			return ERR_PTR(error);
		break;
	case MEMORY_DEVICE_FS_DAX:
	case MEMORY_DEVICE_GENERIC:
	case MEMORY_DEVICE_PCI_P2PDMA:
		break;
	default:
		WARN(1, "Invalid pgmap type %d\n", pgmap->type);
		return ERR_PTR(-EINVAL);
	}
	if (WARN(pgmap->vmemmap_shift, "compound device pages are not modelled\n"))
		return ERR_PTR(-EINVAL);

	init_completion(&pgmap->done);
	error = percpu_ref_init(&pgmap->ref, dev_pagemap_percpu_release, 0,
				GFP_KERNEL);
	if (error)
		return ERR_PTR(error);

	mutex_lock(&pgmap_lock);
	for (i = 0; i < pgmap->nr_range; i++) {
		const struct range *r = &pgmap->ranges[i];
		struct pgmap_range *pr;

		error = check_range(pgmap, r);
		if (!error && pgmap->type != MEMORY_DEVICE_PRIVATE &&
		    (fault_site_fails(FAULT_SITE(FAULT_HOST, "host_mem_protect"),
				      true) ||
		     host_mem_protect(__va(r->start), range_len(r), HOST_PROT_RW)))
			error = -ENOMEM;
		pr = error ? NULL : kzalloc(sizeof(*pr), GFP_KERNEL);
		if (!error && !pr)
			error = -ENOMEM;
		if (error) {
			while (--i >= 0)
				remove_range(pgmap, &pgmap->ranges[i]);
			mutex_unlock(&pgmap_lock);
			percpu_ref_exit(&pgmap->ref);
			return ERR_PTR(error);
		}
		init_device_pages(pgmap, r);
		pr->start_pfn = range_start_pfn(r);
		pr->end_pfn = range_end_pfn(r);
		pr->pgmap = pgmap;
		list_add(&pr->node, &pgmap_ranges);
		/* Pages of other types are born in use and pin the pgmap. */
		if (!type_is_free_at_zero(pgmap->type))
			percpu_ref_get_many(&pgmap->ref, range_len(r) >> PAGE_SHIFT);
	}
	mutex_unlock(&pgmap_lock);
	return __va(pgmap->ranges[0].start);
}

/**
 * memunmap_pages() - destroy the struct pages of a pgmap
 * @pgmap: a pgmap set up by memremap_pages()
 *
 * Blocks until every page reference that pins the pgmap is gone.
 */
void memunmap_pages(struct dev_pagemap *pgmap)
{
	int i;

	percpu_ref_kill(&pgmap->ref);
	if (!type_is_free_at_zero(pgmap->type))
		for (i = 0; i < pgmap->nr_range; i++)
			percpu_ref_put_many(&pgmap->ref,
					    range_len(&pgmap->ranges[i]) >> PAGE_SHIFT);
	wait_for_completion(&pgmap->done);

	mutex_lock(&pgmap_lock);
	for (i = 0; i < pgmap->nr_range; i++)
		remove_range(pgmap, &pgmap->ranges[i]);
	mutex_unlock(&pgmap_lock);
	percpu_ref_exit(&pgmap->ref);
}

/**
 * get_dev_pagemap() - the live pgmap of a pfn, with a reference
 * @pfn: the pfn
 * @pgmap: a pgmap the caller already holds a reference on, tried first
 *	(and released if it does not cover @pfn), or NULL
 *
 * Return: the pgmap with a reference (put_dev_pagemap()), or NULL if @pfn
 * has none or it is being torn down.
 */
struct dev_pagemap *get_dev_pagemap(unsigned long pfn, struct dev_pagemap *pgmap)
{
	if (pgmap) {
		if (pgmap_pfn_valid(pgmap, pfn))
			return pgmap;
		put_dev_pagemap(pgmap);
	}
	mutex_lock(&pgmap_lock);
	pgmap = pgmap_lookup(pfn);
	if (pgmap && !percpu_ref_tryget_live(&pgmap->ref))
		pgmap = NULL;
	mutex_unlock(&pgmap_lock);
	return pgmap;
}

/**
 * zone_device_page_init() - hand a free private/coherent page to its driver
 * @page: a device page with refcount 0
 *
 * The page gets refcount 1, takes a pgmap reference and is locked: it is
 * ready to be a migration destination.
 */
void zone_device_page_init(struct page *page)
{
	/* Drivers must not allocate pages after memunmap_pages(). */
	WARN_ON_ONCE(!percpu_ref_tryget_live(&page->pgmap->ref));
	set_page_count(page, 1);
	lock_page(page);
}

/**
 * free_zone_device_folio() - a ZONE_DEVICE folio's refcount reached zero
 * @folio: the folio
 *
 * Clears what described its last use and gives it back to the driver.
 */
void free_zone_device_folio(struct folio *folio)
{
	struct dev_pagemap *pgmap = folio->page.pgmap;

	if (WARN_ON_ONCE(!pgmap->ops || !pgmap->ops->page_free))
		return;
	WARN_ON_ONCE(folio_mapped(folio));
	mem_cgroup_uncharge(folio);
	if (folio_test_anon(folio)) {
		VM_BUG_ON_FOLIO(folio_test_large(folio), folio);
		__ClearPageAnonExclusive(folio_page(folio, 0));
	}
	/*
	 * The mapping (anon_vma) goes now: the driver may reuse the page for
	 * another process, whose rmap must not find this one.
	 */
	WRITE_ONCE(folio->mapping, NULL);
	pgmap->ops->page_free(folio_page(folio, 0));

	switch (pgmap->type) {
	case MEMORY_DEVICE_PRIVATE:
	case MEMORY_DEVICE_COHERENT:
		put_dev_pagemap(pgmap);
		break;
	default:
		/* Other types are never free: back to the idle count of 1. */
		folio_set_count(folio, 1);
		break;
	}
}

unsigned long memremap_compat_align(void)
{
	return PAGE_SIZE;
}
