/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate.h - page migration: the folio migration core (model/migrate.c)
 * and device memory migration (mm/migrate_device.c).
 */
#ifndef _LINUX_MIGRATE_H
#define _LINUX_MIGRATE_H

#include <linux/mm.h>
#include <linux/mempolicy.h>
#include <linux/migrate_mode.h>

struct address_space;

#define MIGRATEPAGE_SUCCESS	0

/* remove_migration_ptes() flags. */
#define RMP_LOCKED		(1 << 0)	/* rmap lock already held */
#define RMP_USE_SHARED_ZEROPAGE	(1 << 1)	/* map zero-filled subpages to the zero page */

void remove_migration_ptes(struct folio *src, struct folio *dst, int flags);
int folio_migrate_mapping(struct address_space *mapping, struct folio *newfolio,
			  struct folio *folio, int extra_count);
void folio_migrate_flags(struct folio *newfolio, struct folio *folio);
int migrate_folio(struct address_space *mapping, struct folio *dst,
		  struct folio *src, enum migrate_mode mode);

/*
 * The migrate-pfn encoding: one unsigned long per page, the pfn shifted
 * left by MIGRATE_PFN_SHIFT with flags below it.
 */
#define MIGRATE_PFN_SHIFT	6
#define MIGRATE_PFN_VALID	(1UL << 0)	/* carries a pfn */
#define MIGRATE_PFN_MIGRATE	(1UL << 1)	/* selected (src) / migrated */
#define MIGRATE_PFN_WRITE	(1UL << 3)	/* source mapping was writable */

static inline unsigned long migrate_pfn(unsigned long pfn)
{
	return MIGRATE_PFN_VALID | (pfn << MIGRATE_PFN_SHIFT);
}

/* The page an mpfn names, or NULL for an empty slot. */
static inline struct page *migrate_pfn_to_page(unsigned long mpfn)
{
	unsigned long pfn = mpfn >> MIGRATE_PFN_SHIFT;

	return (mpfn & MIGRATE_PFN_VALID) ? pfn_to_page(pfn) : NULL;
}

/* Which source pages migrate_vma_setup() may select (migrate_vma.flags). */
enum migrate_vma_direction {
	MIGRATE_VMA_SELECT_SYSTEM = 1 << 0,
	MIGRATE_VMA_SELECT_DEVICE_PRIVATE = 1 << 1,
	MIGRATE_VMA_SELECT_DEVICE_COHERENT = 1 << 2,
};

/**
 * struct migrate_vma - one device migration of a range of a VMA
 * @vma: the VMA containing [@start, @end)
 * @dst: destination mpfns, filled by the driver between setup and pages
 * @src: source mpfns, filled by migrate_vma_setup()
 * @cpages: slots selected for migration after setup
 * @npages: slots filled by setup
 * @start: first address (masked to a page boundary by setup)
 * @end: one past the last address (masked, then recomputed by setup)
 * @pgmap_owner: the driver's owner cookie (device pages, notifier owner)
 * @flags: MIGRATE_VMA_SELECT_*
 * @fault_page: the faulting device-private page, from migrate_to_ram() only
 */
struct migrate_vma {
	/* Filled in by the driver before migrate_vma_setup(). */
	unsigned long start, end;
	struct vm_area_struct *vma;
	unsigned long flags;
	void *pgmap_owner;
	struct page *fault_page;
	unsigned long *src, *dst;

	/* Filled in by migrate_vma_setup(). */
	unsigned long npages, cpages;
};

/* Migrating a range of a VMA: setup, then pages, then finalize. */
int migrate_vma_setup(struct migrate_vma *args);
void migrate_vma_pages(struct migrate_vma *migrate);
void migrate_vma_finalize(struct migrate_vma *migrate);

/* The same three steps for a range of device pfns, with no VMA. */
void migrate_device_pages(unsigned long *src_pfns, unsigned long *dst_pfns,
			  unsigned long npages);
void migrate_device_finalize(unsigned long *src_pfns, unsigned long *dst_pfns,
			     unsigned long npages);
int migrate_device_range(unsigned long *src_pfns, unsigned long start,
			 unsigned long npages);

#endif /* _LINUX_MIGRATE_H */
