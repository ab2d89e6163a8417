/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmzone.h - zones.  The model has one node; RAM is ZONE_NORMAL and device
 * memory created by memremap_pages() is ZONE_DEVICE.  The zone number lives
 * in the top bits of page->flags, as in the kernel.
 */
#ifndef _LINUX_MMZONE_H
#define _LINUX_MMZONE_H

#include <linux/mm_types.h>

enum zone_type {
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	__MAX_NR_ZONES
};
#define MAX_NR_ZONES	__MAX_NR_ZONES

#define ZONES_WIDTH	2
#define ZONES_PGSHIFT	(BITS_PER_LONG - ZONES_WIDTH)
#define ZONES_MASK	((1UL << ZONES_WIDTH) - 1)
#define NR_PAGEFLAGS_BITS ZONES_PGSHIFT

#define MAX_PAGE_ORDER	10
#define NR_PAGE_ORDERS	(MAX_PAGE_ORDER + 1)
#define MAX_NUMNODES	1
#define NUMA_NO_NODE	(-1)

static inline enum zone_type page_zonenum(const struct page *page)
{
	return (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >> ZONES_PGSHIFT) &
	       ZONES_MASK;
}

static inline bool is_zone_device_page(const struct page *page)
{
	return page_zonenum(page) == ZONE_DEVICE;
}

static inline bool folio_is_zone_device(const struct folio *folio)
{
	return is_zone_device_page(&folio->page);
}

static inline bool zone_device_pages_have_same_pgmap(const struct page *a,
						      const struct page *b)
{
	bool a_dev = is_zone_device_page(a), b_dev = is_zone_device_page(b);

	/* Two ordinary pages, or two device pages of one pagemap. */
	if (a_dev && b_dev)
		return a->pgmap == b->pgmap;
	return !a_dev && !b_dev;
}

static inline int page_to_nid(const struct page *page)
{
	(void)page;
	return 0;
}

static inline int folio_nid(const struct folio *folio)
{
	(void)folio;
	return 0;
}

static inline int numa_node_id(void)
{
	return 0;
}

#define first_online_node	0

#endif /* _LINUX_MMZONE_H */
