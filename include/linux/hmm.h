/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmm.h - snapshotting and faulting a CPU page table for a device mirror
 * (the model's counterpart of include/linux/hmm.h, Linux 6.12).
 *
 * A driver that mirrors a process's address space into a device page table
 * asks hmm_range_fault() for the CPU's view of a range, one unsigned long per
 * page.  Each entry is a pfn in the low bits with flag bits at the top; the
 * same word carries the request on input (REQ_*) and the answer on output.
 */
#ifndef _LINUX_HMM_H
#define _LINUX_HMM_H

#include <linux/mm.h>
#include <linux/mmu_notifier.h>

/*
 * Output: VALID - the pfn is mapped and at least readable (with a
 * dev_private_owner it may name one of the caller's device-private pages);
 * WRITE - it is writable too; ERROR - the device must not access this page
 * (no VMA, special mapping, I/O VMA).  The map order (log2 of the CPU
 * mapping size in pages) sits in the five bits above HMM_PFN_ORDER_SHIFT.
 *
 * Input: REQ_FAULT - the answer must be VALID, fault it in if needed;
 * REQ_WRITE - the answer must be WRITE (only together with REQ_FAULT).
 */
enum hmm_pfn_flags {
	/* Top byte: flags and the map order; everything below is the pfn. */
	HMM_PFN_ORDER_SHIFT = (BITS_PER_LONG - 8),
	HMM_PFN_FLAGS = 0xFFUL << HMM_PFN_ORDER_SHIFT,

	HMM_PFN_VALID = 1UL << (BITS_PER_LONG - 1),
	HMM_PFN_REQ_FAULT = HMM_PFN_VALID,
	HMM_PFN_WRITE = 1UL << (BITS_PER_LONG - 2),
	HMM_PFN_REQ_WRITE = HMM_PFN_WRITE,
	HMM_PFN_ERROR = 1UL << (BITS_PER_LONG - 3),
};

/**
 * hmm_pfn_to_page() - the page named by an output entry
 * @hmm_pfn: an entry with HMM_PFN_VALID set
 *
 * Only meaningful under the driver's lock after a successful
 * mmu_interval_read_retry() check: afterwards the page may be gone.
 */
static inline struct page *hmm_pfn_to_page(unsigned long hmm_pfn)
{
	unsigned long pfn = hmm_pfn & ~HMM_PFN_FLAGS;

	return pfn_to_page(pfn);
}

/**
 * hmm_pfn_to_map_order() - size of the CPU mapping behind an output entry
 * @hmm_pfn: an entry with HMM_PFN_VALID set
 *
 * Return: 0 for a PTE, PMD_SHIFT - PAGE_SHIFT for a huge PMD, and so on.  The
 * whole naturally aligned block of that order is mapped the same way.
 */
static inline unsigned int hmm_pfn_to_map_order(unsigned long hmm_pfn)
{
	/* Five bits of order sit right above the shift. */
	unsigned long field = hmm_pfn >> HMM_PFN_ORDER_SHIFT;

	return field & 31;
}

/**
 * struct hmm_range - one hmm_range_fault() request
 * @notifier: interval notifier covering [start, end) in the target mm
 * @notifier_seq: mmu_interval_read_begin() value the snapshot is valid for
 * @start: first virtual address (page aligned, inclusive)
 * @end: last virtual address (page aligned, exclusive)
 * @hmm_pfns: one entry per page: request on input, answer on output
 * @default_flags: request applied to every page
 * @pfn_flags_mask: which per-entry request bits in @hmm_pfns are honoured
 * @dev_private_owner: device-private pages of this owner are reported as
 *	they are instead of being faulted back to system memory
 */
struct hmm_range {
	/* Where and under which notifier sequence. */
	unsigned long start, end;
	struct mmu_interval_notifier *notifier;
	unsigned long notifier_seq;

	/* What is asked for, and the per-page answer. */
	unsigned long default_flags;
	unsigned long pfn_flags_mask;
	void *dev_private_owner;
	unsigned long *hmm_pfns;
};

/* How long a driver keeps retrying hmm_range_fault() on -EBUSY (ms). */
#define HMM_RANGE_DEFAULT_TIMEOUT 1000

int hmm_range_fault(struct hmm_range *range);

#endif /* _LINUX_HMM_H */
