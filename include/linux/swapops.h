/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapops.h - building and reading swap entries.
 *
 * Generic swp_entry_t layout: type in bits 58-62, offset in bits 0-57.  For
 * the special entries that name a page (migration, device-private,
 * device-exclusive, hwpoison) the offset carries the pfn in its low
 * SWP_PFN_BITS bits; a migration entry may also carry the young and dirty
 * bits of the PTE it replaced, just above the pfn.
 */
#ifndef _LINUX_SWAPOPS_H
#define _LINUX_SWAPOPS_H

#include <linux/mm.h>
#include <linux/swap.h>

#define SWP_TYPE_SHIFT		(BITS_PER_LONG - 1 - MAX_SWAPFILES_SHIFT)
#define SWP_OFFSET_MASK		((1UL << SWP_TYPE_SHIFT) - 1)

#define SWP_PFN_BITS		(MAX_PHYSMEM_BITS - PAGE_SHIFT)
#define SWP_PFN_MASK		((1UL << SWP_PFN_BITS) - 1)
#define SWP_MIG_YOUNG_BIT	(SWP_PFN_BITS)
#define SWP_MIG_DIRTY_BIT	(SWP_PFN_BITS + 1)
#define SWP_MIG_TOTAL_BITS	(SWP_PFN_BITS + 2)
#define SWP_MIG_YOUNG		(1UL << SWP_MIG_YOUNG_BIT)
#define SWP_MIG_DIRTY		(1UL << SWP_MIG_DIRTY_BIT)

static inline swp_entry_t swp_entry(unsigned long type, pgoff_t offset)
{
	swp_entry_t ret;

	ret.val = (type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK);
	return ret;
}

static inline unsigned int swp_type(swp_entry_t entry)
{
	return entry.val >> SWP_TYPE_SHIFT;
}

static inline pgoff_t swp_offset(swp_entry_t entry)
{
	return entry.val & SWP_OFFSET_MASK;
}

static inline unsigned long swp_offset_pfn(swp_entry_t entry)
{
	return swp_offset(entry) & SWP_PFN_MASK;
}

static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}

/* The swap PTE's own flag bits are not part of the entry. */
static inline pte_t pte_swp_clear_flags(pte_t pte)
{
	/* Clearing a bit that is not set changes nothing. */
	pte = pte_swp_clear_exclusive(pte);
	pte = pte_swp_clear_soft_dirty(pte);
	return pte_swp_clear_uffd_wp(pte);
}

static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	swp_entry_t arch_entry;

	pte = pte_swp_clear_flags(pte);
	arch_entry = __pte_to_swp_entry(pte);
	return swp_entry(__swp_type(arch_entry), __swp_offset(arch_entry));
}

static inline pte_t swp_entry_to_pte(swp_entry_t entry)
{
	swp_entry_t arch_entry;

	arch_entry = __swp_entry(swp_type(entry), swp_offset(entry));
	return __swp_entry_to_pte(arch_entry);
}

static inline swp_entry_t pmd_to_swp_entry(pmd_t pmd)
{
	swp_entry_t arch_entry;

	arch_entry = __pmd_to_swp_entry(__pmd(pmd_val(pmd) & ~(_PAGE_SWP_SOFT_DIRTY |
							       _PAGE_SWP_UFFD_WP |
							       _PAGE_SWP_EXCLUSIVE)));
	return swp_entry(__swp_type(arch_entry), __swp_offset(arch_entry));
}

/* Entries at or above MAX_SWAPFILES are special, not swap slots. */
static inline bool non_swap_entry(swp_entry_t entry)
{
	return swp_type(entry) >= MAX_SWAPFILES;
}

/*
 * Each special kind has a writable and a readable type (migration also a
 * readable-exclusive one); the make_*_entry() helpers only pick the type.
 */

/* Device-private entries: the page lives in unaddressable device memory. */
static inline bool is_device_private_entry(swp_entry_t entry)
{
	unsigned int type = swp_type(entry);

	return type == SWP_DEVICE_WRITE || type == SWP_DEVICE_READ;
}

static inline bool is_writable_device_private_entry(swp_entry_t entry)
{
	return unlikely(swp_type(entry) == SWP_DEVICE_WRITE);
}

static inline swp_entry_t make_writable_device_private_entry(pgoff_t offset)
{
	return swp_entry(SWP_DEVICE_WRITE, offset);
}

static inline swp_entry_t make_readable_device_private_entry(pgoff_t offset)
{
	return swp_entry(SWP_DEVICE_READ, offset);
}

/* Device-exclusive entries: a device holds the page for atomic access. */
static inline bool is_device_exclusive_entry(swp_entry_t entry)
{
	unsigned int type = swp_type(entry);

	return type == SWP_DEVICE_EXCLUSIVE_WRITE ||
	       type == SWP_DEVICE_EXCLUSIVE_READ;
}

static inline bool is_writable_device_exclusive_entry(swp_entry_t entry)
{
	return unlikely(swp_type(entry) == SWP_DEVICE_EXCLUSIVE_WRITE);
}

static inline swp_entry_t make_writable_device_exclusive_entry(pgoff_t offset)
{
	return swp_entry(SWP_DEVICE_EXCLUSIVE_WRITE, offset);
}

static inline swp_entry_t make_readable_device_exclusive_entry(pgoff_t offset)
{
	return swp_entry(SWP_DEVICE_EXCLUSIVE_READ, offset);
}

/*
 * Migration entries: the folio is locked and being moved.  The three types
 * are consecutive: READ, READ_EXCLUSIVE, WRITE.
 */
static inline bool is_migration_entry(swp_entry_t entry)
{
	unsigned int type = swp_type(entry);

	return unlikely(type >= SWP_MIGRATION_READ &&
			type <= SWP_MIGRATION_WRITE);
}

static inline bool is_readable_migration_entry(swp_entry_t entry)
{
	return unlikely(swp_type(entry) == SWP_MIGRATION_READ);
}

static inline bool is_readable_exclusive_migration_entry(swp_entry_t entry)
{
	return unlikely(swp_type(entry) == SWP_MIGRATION_READ_EXCLUSIVE);
}

static inline bool is_writable_migration_entry(swp_entry_t entry)
{
	return unlikely(swp_type(entry) == SWP_MIGRATION_WRITE);
}

static inline swp_entry_t make_writable_migration_entry(pgoff_t offset)
{
	return swp_entry(SWP_MIGRATION_WRITE, offset);
}

static inline swp_entry_t make_readable_exclusive_migration_entry(pgoff_t offset)
{
	return swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, offset);
}

static inline swp_entry_t make_readable_migration_entry(pgoff_t offset)
{
	return swp_entry(SWP_MIGRATION_READ, offset);
}

/* Whether the A/D bits fit: decided once at boot (model_boot()). */
static inline bool migration_entry_supports_ad(void)
{
	return swap_migration_ad_supported;
}

/*
 * The young and dirty bits of a migration entry (SWP_MIG_YOUNG/DIRTY in
 * the offset).  Without room for them they are neither kept nor reported.
 */
static inline swp_entry_t migration_entry_set_ad(swp_entry_t entry,
						 unsigned long bit)
{
	if (!migration_entry_supports_ad())
		return entry;
	return swp_entry(swp_type(entry), swp_offset(entry) | bit);
}

static inline bool migration_entry_test_ad(swp_entry_t entry,
					   unsigned long bit)
{
	return migration_entry_supports_ad() && (swp_offset(entry) & bit);
}

static inline swp_entry_t make_migration_entry_young(swp_entry_t entry)
{
	return migration_entry_set_ad(entry, SWP_MIG_YOUNG);
}

static inline swp_entry_t make_migration_entry_dirty(swp_entry_t entry)
{
	return migration_entry_set_ad(entry, SWP_MIG_DIRTY);
}

static inline bool is_migration_entry_young(swp_entry_t entry)
{
	return migration_entry_test_ad(entry, SWP_MIG_YOUNG);
}

static inline bool is_migration_entry_dirty(swp_entry_t entry)
{
	return migration_entry_test_ad(entry, SWP_MIG_DIRTY);
}

/* Hardware poison. */
static inline swp_entry_t make_hwpoison_entry(struct page *page)
{
	return swp_entry(SWP_HWPOISON, page_to_pfn(page));
}

static inline bool is_hwpoison_entry(swp_entry_t entry)
{
	return swp_type(entry) == SWP_HWPOISON;
}

/* PTE markers: a non-present PTE that names no page, only a condition. */
typedef unsigned long pte_marker;
#define PTE_MARKER_UFFD_WP	(1UL << 0)
#define PTE_MARKER_POISONED	(1UL << 1)
#define PTE_MARKER_MASK		(PTE_MARKER_UFFD_WP | PTE_MARKER_POISONED)

static inline bool is_pte_marker_entry(swp_entry_t entry)
{
	return swp_type(entry) == SWP_PTE_MARKER;
}

static inline pte_marker pte_marker_get(swp_entry_t entry)
{
	return swp_offset(entry) & PTE_MARKER_MASK;
}

/* The marker bits travel in the offset of an SWP_PTE_MARKER entry. */
static inline swp_entry_t make_pte_marker_entry(pte_marker marker)
{
	return swp_entry(SWP_PTE_MARKER, marker);
}

static inline pte_t make_pte_marker(pte_marker marker)
{
	return swp_entry_to_pte(make_pte_marker_entry(marker));
}

static inline bool is_pte_marker(pte_t pte)
{
	if (!is_swap_pte(pte))
		return false;
	return is_pte_marker_entry(pte_to_swp_entry(pte));
}

/* Entries that carry a pfn. */
static inline bool is_pfn_swap_entry(swp_entry_t entry)
{
	return is_migration_entry(entry) || is_device_private_entry(entry) ||
	       is_device_exclusive_entry(entry) || is_hwpoison_entry(entry);
}

/*
 * The page named by @entry.  A migration entry may exist only while its
 * folio is locked by the migration; anything else is a kernel bug.
 */
static inline struct page *pfn_swap_entry_to_page(swp_entry_t entry)
{
	struct page *p = pfn_to_page(swp_offset_pfn(entry));

	BUG_ON(is_migration_entry(entry) && !PageLocked(p));
	return p;
}

static inline struct folio *pfn_swap_entry_folio(swp_entry_t entry)
{
	struct folio *folio = pfn_folio(swp_offset_pfn(entry));

	BUG_ON(is_migration_entry(entry) && !folio_test_locked(folio));
	return folio;
}

static inline bool is_pmd_migration_entry(pmd_t pmd)
{
	return is_swap_pmd(pmd) && is_migration_entry(pmd_to_swp_entry(pmd));
}

/* model/migrate.c */
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd,
			  unsigned long address);
void migration_entry_wait_on_locked(swp_entry_t entry, spinlock_t *ptl);
void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd);

#endif /* _LINUX_SWAPOPS_H */
