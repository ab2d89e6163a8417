// SPDX-License-Identifier: GPL-2.0
/*
 * resource.c - the physical address resource tree (kernel/resource.c),
 * flattened: iomem_resource's children are one sibling list, "System RAM"
 * first, then the regions drivers asked for.
 */
#include <linux/kernel.h>
#include <linux/ioport.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <asm/memory_model.h>
#include <model/model.h>
#include "internal.h"

/* Device memory regions are handed out in these units, like sections. */
#define MODEL_SECTION_SIZE	(128UL << 20)

struct resource iomem_resource = {
	.name = "PCI mem",
	.start = 0,
	.end = ~0UL,
	.flags = IORESOURCE_MEM,
};

static struct resource system_ram = {
	.name = "System RAM",
	.flags = IORESOURCE_SYSTEM_RAM | IORESOURCE_MEM | IORESOURCE_BUSY,
};

static DEFINE_MUTEX(resource_lock);

void model_resource_boot(unsigned long ram_start_pfn, unsigned long ram_end_pfn)
{
	mutex_lock(&resource_lock);
	iomem_resource.end = PFN_PHYS(max_pfn) - 1;
	system_ram.start = PFN_PHYS(ram_start_pfn);
	system_ram.end = PFN_PHYS(ram_end_pfn) - 1;
	system_ram.parent = &iomem_resource;
	system_ram.sibling = NULL;
	iomem_resource.child = &system_ram;
	mutex_unlock(&resource_lock);
}

/*
 * Regions still held at shutdown stay allocated: their owners may still
 * hold the pointers.  They are only unlinked (and reported).
 */
void model_resource_shutdown(void)
{
	struct resource *res;

	mutex_lock(&resource_lock);
	for (res = system_ram.sibling; res; res = res->sibling)
		pr_warn("region <%#llx-%#llx> still held at shutdown\n",
			(unsigned long long)res->start, (unsigned long long)res->end);
	system_ram.sibling = NULL;
	iomem_resource.child = NULL;
	mutex_unlock(&resource_lock);
}

static bool overlaps(const struct resource *res, resource_size_t start,
		     resource_size_t end)
{
	return res->start <= end && start <= res->end;
}

/* Is [start, end] free of every child of @parent? (resource_lock held) */
static bool range_free(struct resource *parent, resource_size_t start,
		       resource_size_t end)
{
	struct resource *res;

	for (res = parent->child; res; res = res->sibling)
		if (overlaps(res, start, end))
			return false;
	return true;
}

/**
 * request_free_mem_region() - reserve unused physical address space
 * @base: the parent resource (&iomem_resource)
 * @size: bytes wanted (rounded up to 128 MiB sections)
 * @name: the owner's name
 *
 * Like the kernel, hands out the highest free range: device-private memory
 * lives above everything real.
 *
 * Return: the region (IORES_DESC_DEVICE_PRIVATE_MEMORY), or
 * ERR_PTR(-ERANGE) if the window is full, ERR_PTR(-ENOMEM).
 */
struct resource *request_free_mem_region(struct resource *base,
					 unsigned long size, const char *name)
{
	resource_size_t start, end;
	struct resource *res;

	size = ALIGN(size, MODEL_SECTION_SIZE);
	if (!size)
		return ERR_PTR(-EINVAL);
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&resource_lock);
	end = base->end;
	for (;;) {
		start = ALIGN_DOWN(end + 1 - size, MODEL_SECTION_SIZE);
		if (start + size - 1 > end || start < PFN_PHYS(model_device_start_pfn) ||
		    start > end)
			break;
		if (range_free(base, start, start + size - 1)) {
			res->start = start;
			res->end = start + size - 1;
			res->name = name;
			res->flags = IORESOURCE_MEM | IORESOURCE_BUSY;
			res->desc = IORES_DESC_DEVICE_PRIVATE_MEMORY;
			res->parent = base;
			res->sibling = system_ram.sibling;
			system_ram.sibling = res;
			mutex_unlock(&resource_lock);
			return res;
		}
		if (start < MODEL_SECTION_SIZE)
			break;
		end = start - 1;
	}
	mutex_unlock(&resource_lock);
	kfree(res);
	return ERR_PTR(-ERANGE);
}

/**
 * __release_region() - give back a region from request_free_mem_region()
 * @parent: &iomem_resource
 * @start: its start
 * @n: its size
 */
void __release_region(struct resource *parent, resource_size_t start,
		      resource_size_t n)
{
	struct resource **p;

	mutex_lock(&resource_lock);
	for (p = &parent->child; *p; p = &(*p)->sibling) {
		struct resource *res = *p;

		if (res != &system_ram && res->start == start &&
		    res->end == start + n - 1) {
			*p = res->sibling;
			mutex_unlock(&resource_lock);
			kfree(res);
			return;
		}
	}
	mutex_unlock(&resource_lock);
	pr_warn("Trying to free nonexistent resource <%#llx-%#llx>\n",
		(unsigned long long)start, (unsigned long long)(start + n - 1));
}

/**
 * region_intersects() - does [offset, offset + size) meet resources of a kind
 * @offset: start
 * @size: length
 * @flags: IORESOURCE_* the resources must have (IORESOURCE_SYSTEM_RAM)
 * @desc: IORES_DESC_* (IORES_DESC_NONE: any)
 *
 * Return: REGION_DISJOINT, REGION_INTERSECTS (wholly inside such
 * resources) or REGION_MIXED.
 */
int region_intersects(resource_size_t offset, size_t size, unsigned long flags,
		      unsigned long desc)
{
	resource_size_t end = offset + size - 1;
	bool other = false, match = false;
	struct resource *res;

	mutex_lock(&resource_lock);
	for (res = iomem_resource.child; res; res = res->sibling) {
		if (!overlaps(res, offset, end))
			continue;
		if ((res->flags & flags) == flags &&
		    (desc == IORES_DESC_NONE || desc == res->desc))
			match = true;
		else
			other = true;
	}
	mutex_unlock(&resource_lock);
	if (!match)
		return REGION_DISJOINT;
	return other ? REGION_MIXED : REGION_INTERSECTS;
}
