// SPDX-License-Identifier: GPL-2.0
/*
 * minidev.c - the smallest useful device-private memory driver.
 *
 * Kernel code: it includes only kernel headers and would build in a kernel
 * tree with the obvious changes (a module_init, an ioctl).  Its device
 * memory is a plain buffer, device_mem, standing in for the card's RAM: the
 * CPU cannot map a device-private page, so the driver copies bytes between
 * system pages and that buffer, as a DMA engine would.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "minidev.h"

struct minidev {
	struct dev_pagemap pagemap;
	struct resource *res;
	unsigned long npages;
	char *device_mem;		/* npages * PAGE_SIZE bytes */
	spinlock_t lock;		/* protects the fields below */
	struct page *free_pages;	/* linked through zone_device_data */
	unsigned long in_use;
	unsigned long migrate_to_ram;
};

static struct minidev *page_to_minidev(struct page *page)
{
	return container_of(page->pgmap, struct minidev, pagemap);
}

/* The bytes of device page @page, in the device's own memory. */
static void *minidev_page_mem(struct page *page)
{
	struct minidev *dev = page_to_minidev(page);
	unsigned long first = dev->pagemap.range.start >> PAGE_SHIFT;

	return dev->device_mem + ((page_to_pfn(page) - first) << PAGE_SHIFT);
}

/* A free device page, as zone_device_page_init() leaves it, or NULL. */
static struct page *minidev_alloc_page(struct minidev *dev)
{
	struct page *page;

	spin_lock(&dev->lock);
	page = dev->free_pages;
	if (page) {
		dev->free_pages = page->zone_device_data;
		dev->in_use++;
	}
	spin_unlock(&dev->lock);
	if (page)
		zone_device_page_init(page);	/* one reference, locked */
	return page;
}

/* page_free: the last reference to one of our pages is gone. */
static void minidev_page_free(struct page *page)
{
	struct minidev *dev = page_to_minidev(page);

	spin_lock(&dev->lock);
	page->zone_device_data = dev->free_pages;
	dev->free_pages = page;
	dev->in_use--;
	spin_unlock(&dev->lock);
}

/*
 * Fill the destination slots of a device -> system migration: a new system
 * page for each device page selected, with the device's bytes copied in.
 */
static void minidev_fill_system_dst(unsigned long *src, unsigned long *dst,
				    unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *spage = migrate_pfn_to_page(src[i]);
		struct page *dpage;

		dst[i] = 0;
		if (!spage || !(src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dpage = alloc_page(GFP_HIGHUSER_MOVABLE);
		if (!dpage)
			continue;	/* this page stays on the device */
		lock_page(dpage);
		memcpy_to_page(dpage, 0, minidev_page_mem(spage), PAGE_SIZE);
		dst[i] = migrate_pfn(page_to_pfn(dpage));
		if (src[i] & MIGRATE_PFN_WRITE)
			dst[i] |= MIGRATE_PFN_WRITE;
	}
}

/*
 * migrate_to_ram: the CPU touched one of our pages.  Bring that page back;
 * if it does not move (no memory, or a racing migration), returning 0 makes
 * the CPU fault again.
 */
static vm_fault_t minidev_migrate_to_ram(struct vm_fault *vmf)
{
	struct minidev *dev = page_to_minidev(vmf->page);
	unsigned long src = 0, dst = 0;
	struct migrate_vma args = {
		.vma = vmf->vma,
		.start = vmf->address & PAGE_MASK,
		.end = (vmf->address & PAGE_MASK) + PAGE_SIZE,
		.src = &src,
		.dst = &dst,
		.pgmap_owner = dev,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		.fault_page = vmf->page,
	};

	spin_lock(&dev->lock);
	dev->migrate_to_ram++;
	spin_unlock(&dev->lock);
	if (migrate_vma_setup(&args))
		return VM_FAULT_SIGBUS;
	minidev_fill_system_dst(&src, &dst, 1);
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	return 0;
}

static const struct dev_pagemap_ops minidev_pagemap_ops = {
	.page_free = minidev_page_free,
	.migrate_to_ram = minidev_migrate_to_ram,
};

struct minidev *minidev_create(unsigned long npages)
{
	unsigned long size = npages << PAGE_SHIFT, pfn, first;
	struct minidev *dev;
	void *ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	spin_lock_init(&dev->lock);
	dev->npages = npages;
	dev->device_mem = vmalloc(size);
	if (!dev->device_mem)
		goto err_free;
	/* A free physical range for the struct pages of our memory. */
	dev->res = request_free_mem_region(&iomem_resource, size, "minidev");
	if (IS_ERR_OR_NULL(dev->res))
		goto err_vfree;
	dev->pagemap.type = MEMORY_DEVICE_PRIVATE;
	dev->pagemap.range.start = dev->res->start;
	dev->pagemap.range.end = dev->res->start + size - 1;
	dev->pagemap.nr_range = 1;
	dev->pagemap.ops = &minidev_pagemap_ops;
	/* Migrations name us as their pgmap_owner to select our pages. */
	dev->pagemap.owner = dev;
	ret = memremap_pages(&dev->pagemap, numa_node_id());
	if (IS_ERR_OR_NULL(ret))
		goto err_region;

	first = dev->pagemap.range.start >> PAGE_SHIFT;
	for (pfn = first + npages; pfn-- > first;) {
		struct page *page = pfn_to_page(pfn);

		page->zone_device_data = dev->free_pages;
		dev->free_pages = page;
	}
	return dev;

err_region:
	release_mem_region(dev->res->start, resource_size(dev->res));
err_vfree:
	vfree(dev->device_mem);
err_free:
	kfree(dev);
	return NULL;
}

long minidev_migrate_to_device(struct minidev *dev, unsigned long start,
			       unsigned long npages)
{
	struct mm_struct *mm = current->mm;
	struct migrate_vma args = { 0 };
	struct vm_area_struct *vma;
	unsigned long *src, *dst, i;
	long moved = 0;
	int ret;

	src = kvcalloc(npages, sizeof(*src), GFP_KERNEL);
	dst = kvcalloc(npages, sizeof(*dst), GFP_KERNEL);
	if (!src || !dst) {
		ret = -ENOMEM;
		goto out_free;
	}
	mmap_read_lock(mm);
	vma = vma_lookup(mm, start);
	if (!vma || start + (npages << PAGE_SHIFT) > vma->vm_end) {
		ret = -EINVAL;
		goto out_unlock;
	}
	args.vma = vma;
	args.start = start;
	args.end = start + (npages << PAGE_SHIFT);
	args.src = src;
	args.dst = dst;
	args.pgmap_owner = dev;
	args.flags = MIGRATE_VMA_SELECT_SYSTEM;
	ret = migrate_vma_setup(&args);
	if (ret)
		goto out_unlock;

	/* Collected and unmapped: give each selected page a device page. */
	for (i = 0; i < args.npages; i++) {
		struct page *spage = migrate_pfn_to_page(src[i]);
		struct page *dpage;

		if (!(src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dpage = minidev_alloc_page(dev);
		if (!dpage)
			continue;	/* device full: this page stays put */
		if (spage)
			memcpy_from_page(minidev_page_mem(dpage), spage, 0,
					 PAGE_SIZE);
		else	/* never touched: the device page starts zeroed */
			memset(minidev_page_mem(dpage), 0, PAGE_SIZE);
		dst[i] = migrate_pfn(page_to_pfn(dpage));
		if ((src[i] & MIGRATE_PFN_WRITE) ||
		    (!spage && (vma->vm_flags & VM_WRITE)))
			dst[i] |= MIGRATE_PFN_WRITE;
	}
	migrate_vma_pages(&args);
	for (i = 0; i < args.npages; i++)
		if (dst[i] && (src[i] & MIGRATE_PFN_MIGRATE))
			moved++;
	migrate_vma_finalize(&args);
	ret = 0;

out_unlock:
	mmap_read_unlock(mm);
out_free:
	kvfree(src);
	kvfree(dst);
	return ret ? ret : moved;
}

long minidev_evict_all(struct minidev *dev)
{
	unsigned long first = dev->pagemap.range.start >> PAGE_SHIFT;
	unsigned long *src, *dst, i;
	long moved = 0;

	src = kvcalloc(dev->npages, sizeof(*src), GFP_KERNEL);
	dst = kvcalloc(dev->npages, sizeof(*dst), GFP_KERNEL);
	if (!src || !dst) {
		kvfree(src);
		kvfree(dst);
		return -ENOMEM;
	}
	/* Collects and unmaps every page of ours that is in use. */
	migrate_device_range(src, first, dev->npages);
	minidev_fill_system_dst(src, dst, dev->npages);
	migrate_device_pages(src, dst, dev->npages);
	for (i = 0; i < dev->npages; i++)
		if (dst[i] && (src[i] & MIGRATE_PFN_MIGRATE))
			moved++;
	migrate_device_finalize(src, dst, dev->npages);
	kvfree(src);
	kvfree(dst);
	return moved;
}

void minidev_destroy(struct minidev *dev)
{
	minidev_evict_all(dev);
	/* Waits for the last reference to our pages to go. */
	memunmap_pages(&dev->pagemap);
	release_mem_region(dev->res->start, resource_size(dev->res));
	vfree(dev->device_mem);
	kfree(dev);
}

void minidev_stats(struct minidev *dev, struct minidev_stats *st)
{
	spin_lock(&dev->lock);
	st->in_use = dev->in_use;
	st->migrate_to_ram = dev->migrate_to_ram;
	spin_unlock(&dev->lock);
}
