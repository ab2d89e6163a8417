// SPDX-License-Identifier: GPL-2.0
/*
 * hmm.c - hmm_range_fault(): the CPU page table as a device mirror sees it.
 *
 * The walk reads page-table entries without their locks: the caller's
 * interval notifier sequence is what makes the snapshot trustworthy.  Any
 * change to the range after mmu_interval_read_begin() bumps the sequence and
 * the driver retries, so a torn read here is never acted upon.
 *
 * Whenever the walk has to fault (or wait for a migration) it records where
 * it stopped, drops out with -EBUSY and restarts from there: a fault may
 * change the page tables under the walk, so nothing read before it can be
 * reused.
 */
#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/pagewalk.h>
#include <linux/swapops.h>
#include <linux/memremap.h>
#include <linux/hugetlb.h>
#include <linux/migrate.h>

/* Per-call state shared by the walk callbacks. */
struct hmm_walk_state {
	struct hmm_range *range;
	unsigned long resume;	/* entries below this address are final */
};

/* What a page needs before its answer can satisfy the request. */
#define HMM_WANT_FAULT		0x1U
#define HMM_WANT_WRITE		0x2U

static unsigned long *hmm_slot(struct hmm_range *range, unsigned long addr)
{
	return &range->hmm_pfns[(addr - range->start) >> PAGE_SHIFT];
}

static void hmm_fill(struct hmm_range *range, unsigned long addr,
		     unsigned long end, unsigned long value)
{
	for (; addr < end; addr += PAGE_SIZE)
		*hmm_slot(range, addr) = value;
}

/*
 * Compare one page's request (its own bits, filtered by the mask, plus the
 * range default) with what the CPU mapping already grants.
 */
static unsigned int hmm_page_wants(const struct hmm_range *range,
				   unsigned long req, unsigned long have)
{
	req = (req & range->pfn_flags_mask) | range->default_flags;
	if (!(req & HMM_PFN_REQ_FAULT))
		return 0;
	if ((req & HMM_PFN_REQ_WRITE) && !(have & HMM_PFN_WRITE))
		return HMM_WANT_FAULT | HMM_WANT_WRITE;
	if (!(have & HMM_PFN_VALID))
		return HMM_WANT_FAULT;
	return 0;
}

/* The union of hmm_page_wants() over [addr, end) for one shared answer. */
static unsigned int hmm_span_wants(const struct hmm_range *range,
				   unsigned long addr, unsigned long end,
				   unsigned long have)
{
	unsigned int want = 0;

	/* Nothing can be requested: avoid reading every input entry. */
	if (!((range->default_flags | range->pfn_flags_mask) &
	      HMM_PFN_REQ_FAULT))
		return 0;
	for (; addr < end && want != (HMM_WANT_FAULT | HMM_WANT_WRITE);
	     addr += PAGE_SIZE)
		want |= hmm_page_wants(range,
				       range->hmm_pfns[(addr - range->start) >>
						       PAGE_SHIFT], have);
	return want;
}

/*
 * Fault every page of [addr, end) as requested, then ask for a fresh walk
 * from @addr: the fault changed the tables this walk was reading.
 */
static int hmm_do_fault(struct mm_walk *walk, unsigned long addr,
			unsigned long end, unsigned int want)
{
	struct hmm_walk_state *st = walk->private;
	struct vm_area_struct *vma = walk->vma;
	unsigned int flags = FAULT_FLAG_REMOTE;

	st->resume = addr;
	if (want & HMM_WANT_WRITE) {
		/* A device may not gain a right the process does not have. */
		if (!(vma->vm_flags & VM_WRITE))
			return -EPERM;
		flags |= FAULT_FLAG_WRITE;
	}
	for (; addr < end; addr += PAGE_SIZE) {
		if (handle_mm_fault(vma, addr, flags, NULL) & VM_FAULT_ERROR)
			return -EFAULT;
	}
	return -EBUSY;
}

static int hmm_walk_hole(unsigned long addr, unsigned long end,
			 int depth, struct mm_walk *walk)
{
	struct hmm_walk_state *st = walk->private;
	struct hmm_range *range = st->range;
	unsigned int want = hmm_span_wants(range, addr, end, 0);

	(void)depth;
	if (!walk->vma) {
		/* Outside any VMA nothing can be faulted in. */
		if (want)
			return -EFAULT;
		hmm_fill(range, addr, end, HMM_PFN_ERROR);
		return 0;
	}
	if (want)
		return hmm_do_fault(walk, addr, end, want);
	hmm_fill(range, addr, end, 0);
	return 0;
}

static unsigned long hmm_present_flags(pte_t pte)
{
	/* A PROT_NONE (NUMA hinting) PTE is present but grants nothing. */
	if (pte_protnone(pte))
		return 0;
	return HMM_PFN_VALID | (pte_write(pte) ? HMM_PFN_WRITE : 0);
}

/*
 * One PTE.  Returns 0 with *slot set, or an error / -EBUSY (after a fault or
 * a migration wait) that ends this pass of the walk.
 */
static int hmm_walk_one_pte(struct mm_walk *walk, unsigned long addr,
			    unsigned long end, pmd_t *pmdp, pte_t pte,
			    unsigned long *slot)
{
	struct hmm_walk_state *st = walk->private;
	struct hmm_range *range = st->range;
	unsigned long req = *slot;
	unsigned long have;
	unsigned int want;
	swp_entry_t entry;

	if (pte_none(pte)) {
		want = hmm_page_wants(range, req, 0);
		if (want)
			return hmm_do_fault(walk, addr, end, want);
		*slot = 0;
		return 0;
	}

	if (!pte_present(pte)) {
		entry = pte_to_swp_entry(pte);
		/*
		 * The caller's own device memory is already where the caller
		 * wants it: report it instead of pulling it back to RAM.
		 */
		if (is_device_private_entry(entry) &&
		    pfn_swap_entry_to_page(entry)->pgmap->owner ==
		    range->dev_private_owner) {
			have = HMM_PFN_VALID;
			if (is_writable_device_private_entry(entry))
				have |= HMM_PFN_WRITE;
			*slot = swp_offset_pfn(entry) | have;
			return 0;
		}
		want = hmm_page_wants(range, req, 0);
		if (!want) {
			*slot = 0;
			return 0;
		}
		if (is_migration_entry(entry)) {
			/*
			 * Only a caller that needs this page waits for the
			 * migration; a snapshot-only caller must not block.
			 */
			st->resume = addr;
			migration_entry_wait(walk->mm, pmdp, addr);
			return -EBUSY;
		}
		if (!non_swap_entry(entry) || is_device_private_entry(entry) ||
		    is_device_exclusive_entry(entry))
			return hmm_do_fault(walk, addr, end, want);
		/* Poison, markers: nothing a fault could make valid. */
		return -EFAULT;
	}

	have = hmm_present_flags(pte);
	want = hmm_page_wants(range, req, have);
	if (want)
		return hmm_do_fault(walk, addr, end, want);

	/*
	 * A special mapping (raw pfn, no struct page the device could
	 * reference) is an error for the device; the zero page and devmap
	 * pages are real pages and are reported like any other.
	 */
	if (!vm_normal_page(walk->vma, addr, pte) && !pte_devmap(pte) &&
	    !is_zero_pfn(pte_pfn(pte))) {
		if (hmm_page_wants(range, req, 0))
			return -EFAULT;
		*slot = HMM_PFN_ERROR;
		return 0;
	}
	*slot = pte_pfn(pte) | have;
	return 0;
}

static int hmm_walk_huge_pmd(struct mm_walk *walk, unsigned long addr,
			     unsigned long end, pmd_t pmd)
{
	struct hmm_walk_state *st = walk->private;
	struct hmm_range *range = st->range;
	unsigned long have = 0, pfn;
	unsigned int want;

	/* A PROT_NONE huge PMD (NUMA hint) grants nothing. */
	if ((pmd_flags(pmd) & (_PAGE_PROTNONE | _PAGE_PRESENT)) !=
	    _PAGE_PROTNONE)
		have = HMM_PFN_VALID | (pmd_write(pmd) ? HMM_PFN_WRITE : 0) |
		       ((unsigned long)(PMD_SHIFT - PAGE_SHIFT) <<
			HMM_PFN_ORDER_SHIFT);
	want = hmm_span_wants(range, addr, end, have);
	if (want)
		return hmm_do_fault(walk, addr, end, want);
	pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
	for (; addr < end; addr += PAGE_SIZE, pfn++)
		*hmm_slot(range, addr) = pfn | have;
	return 0;
}

static int hmm_walk_pmd(pmd_t *pmdp, unsigned long start, unsigned long end,
			struct mm_walk *walk)
{
	struct hmm_walk_state *st = walk->private;
	struct hmm_range *range = st->range;
	unsigned long addr;
	pte_t *ptep, *first;
	pmd_t pmd;
	int ret;

again:
	pmd = pmdp_get_lockless(pmdp);
	if (pmd_none(pmd))
		return hmm_walk_hole(start, end, -1, walk);

	if (is_pmd_migration_entry(pmd)) {
		if (hmm_span_wants(range, start, end, 0)) {
			st->resume = start;
			pmd_migration_entry_wait(walk->mm, pmdp);
			return -EBUSY;
		}
		hmm_fill(range, start, end, 0);
		return 0;
	}

	if (!pmd_present(pmd)) {
		if (hmm_span_wants(range, start, end, 0))
			return -EFAULT;
		hmm_fill(range, start, end, HMM_PFN_ERROR);
		return 0;
	}

	if (pmd_trans_huge(pmd) || pmd_devmap(pmd))
		return hmm_walk_huge_pmd(walk, start, end, pmd);

	if (pmd_bad(pmd)) {
		if (hmm_span_wants(range, start, end, 0))
			return -EFAULT;
		hmm_fill(range, start, end, HMM_PFN_ERROR);
		return 0;
	}

	first = pte_offset_map(pmdp, start);
	if (!first)
		goto again;	/* the table went away under us: re-read */
	for (addr = start, ptep = first; addr < end; addr += PAGE_SIZE, ptep++) {
		ret = hmm_walk_one_pte(walk, addr, end, pmdp, ptep_get(ptep),
				       hmm_slot(range, addr));
		if (ret) {
			pte_unmap(first);
			return ret;
		}
	}
	pte_unmap(first);
	return 0;
}

/*
 * One huge page of a hugetlb VMA: every page of [start, end) gets the
 * page's pfn and the huge page's order.  As the kernel does, the need to
 * fault is judged on the first page's request, and the order is reported
 * even where nothing is mapped.
 */
static int hmm_walk_hugetlb(pte_t *ptep, unsigned long hmask,
			    unsigned long start, unsigned long end,
			    struct mm_walk *walk)
{
	struct hmm_walk_state *st = walk->private;
	struct hmm_range *range = st->range;
	unsigned long addr = start, have = 0, pfn;
	unsigned int want;
	spinlock_t *ptl;
	pte_t entry;

	ptl = huge_pte_lock(walk->mm, ptep);
	entry = huge_ptep_get(walk->mm, addr, ptep);
	if (!pte_none(entry) && pte_present(entry))
		have = hmm_present_flags(entry);
	have |= (unsigned long)huge_page_order_vma(walk->vma) <<
		HMM_PFN_ORDER_SHIFT;
	want = hmm_page_wants(range, *hmm_slot(range, addr), have);
	if (want) {
		spin_unlock(ptl);
		return hmm_do_fault(walk, addr, end, want);
	}
	pfn = pte_pfn(entry) + ((start & ~hmask) >> PAGE_SHIFT);
	for (; addr < end; addr += PAGE_SIZE, pfn++)
		*hmm_slot(range, addr) = pfn | have;
	spin_unlock(ptl);
	return 0;
}

/*
 * VMAs without struct pages behind them (I/O, raw pfn maps) or without read
 * permission cannot be mirrored: report ERROR, or fail if a fault was asked.
 */
static int hmm_walk_test(unsigned long start, unsigned long end,
			 struct mm_walk *walk)
{
	struct hmm_walk_state *st = walk->private;
	struct vm_area_struct *vma = walk->vma;

	if ((vma->vm_flags & VM_READ) && !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return 0;
	if (hmm_span_wants(st->range, start, end, 0))
		return -EFAULT;
	hmm_fill(st->range, start, end, HMM_PFN_ERROR);
	return 1;	/* skip this VMA, keep walking */
}

static const struct mm_walk_ops hmm_walk_ops = {
	.pmd_entry	= hmm_walk_pmd,
	.pte_hole	= hmm_walk_hole,
	.hugetlb_entry	= hmm_walk_hugetlb,
	.test_walk	= hmm_walk_test,
	.walk_lock	= PGWALK_RDLOCK,
};

/**
 * hmm_range_fault() - snapshot, and fault where asked, a range of a CPU mm
 * @range: the request; @range->hmm_pfns is rewritten with the answer
 *
 * Context: mmap_lock of range->notifier->mm held (read is enough); it stays
 * held, though faults taken on the way may sleep.
 *
 * Return: 0 with every entry answered; -EBUSY if the notifier sequence moved
 * (the caller must restart with a fresh mmu_interval_read_begin()); -EFAULT
 * if a requested page has no VMA, is not accessible or its fault failed;
 * -EPERM if write was requested in a VMA without VM_WRITE.  On error, entries
 * before the failing address hold answers and the rest hold the input.
 */
int hmm_range_fault(struct hmm_range *range)
{
	struct hmm_walk_state st = {
		.range = range,
		.resume = range->start,
	};
	struct mmu_interval_notifier *notifier = range->notifier;
	int ret;

	mmap_assert_locked(notifier->mm);
	for (;;) {
		/* Invalidated since the caller's read_begin(): answers stale. */
		if (mmu_interval_check_retry(notifier, range->notifier_seq))
			return -EBUSY;
		/* -EBUSY from the walk: resume where it stopped storing. */
		ret = walk_page_range(notifier->mm, st.resume, range->end,
				      &hmm_walk_ops, &st);
		if (ret != -EBUSY)
			return ret;
	}
}
