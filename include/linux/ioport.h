/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioport.h - the physical address space resource tree (model/memremap.c).
 * The model's iomem_resource holds "System RAM" and the regions handed out
 * by request_free_mem_region(); regions are a flat list of its children.
 */
#ifndef _LINUX_IOPORT_H
#define _LINUX_IOPORT_H

#include <linux/types.h>

struct resource {
	resource_size_t start;
	resource_size_t end;		/* inclusive */
	const char *name;
	unsigned long flags;
	unsigned long desc;
	struct resource *parent, *sibling, *child;
};

#define IORESOURCE_MEM		0x00000200
#define IORESOURCE_BUSY		0x80000000
#define IORESOURCE_SYSTEM_RAM	0x01000000

enum {
	IORES_DESC_NONE = 0,
	IORES_DESC_DEVICE_PRIVATE_MEMORY = 6,
};

enum {
	REGION_INTERSECTS,
	REGION_DISJOINT,
	REGION_MIXED,
};

extern struct resource iomem_resource;

static inline resource_size_t resource_size(const struct resource *res)
{
	return res->end - res->start + 1;
}

struct resource *request_free_mem_region(struct resource *base,
					 unsigned long size, const char *name);
void __release_region(struct resource *parent, resource_size_t start,
		      resource_size_t n);
int region_intersects(resource_size_t offset, size_t size, unsigned long flags,
		      unsigned long desc);

#define release_mem_region(start, n)	__release_region(&iomem_resource, (start), (n))

#endif /* _LINUX_IOPORT_H */
