// SPDX-License-Identifier: GPL-2.0
/*
 * huge_memory.c - anonymous transparent huge pages (mm/huge_memory.c).
 *
 * What is modelled: the THP mode (never, madvise, always) and
 * MADV_HUGEPAGE/NOHUGEPAGE on VMAs; an anonymous fault on an empty PMD of
 * an eligible, fully covered 2 MiB range maps a new PMD-sized folio with a
 * huge PMD on a write, and the huge zero folio read-only on a read; each
 * huge PMD keeps a deposited PTE table so that splitting it never
 * allocates.  split_huge_pmd() turns a huge PMD into a PTE table with the
 * same bits; split_folio() splits an anonymous THP into order-0 folios
 * (unmap, split, remap; all-zero subpages come back as the shared zero
 * page).
 *
 * A zap of a whole huge PMD empties it (zap_huge_pmd()), as the kernel's
 * does.  Every other path that meets a huge PMD (a partial zap, fork,
 * mprotect, GUP, page walks with PTE callbacks) splits it first rather
 * than handling it whole; the kernel handles most of them at PMD level,
 * with the same end result for the pages.  PMD migration entries, file and shmem THPs, khugepaged
 * and the deferred split queue are not modelled.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/mm_inline.h>
#include <linux/migrate.h>
#include <linux/memcontrol.h>
#include <linux/mmu_notifier.h>
#include <linux/oom.h>
#include <linux/swap.h>
#include <asm/pgalloc.h>
#include <asm/tlbflush.h>
#include <model/model.h>
#include <devmig.h>
#include "internal.h"

struct folio *huge_zero_folio;
unsigned long huge_zero_pfn = ~0UL;

static int thp_mode = DEVMIG_THP_MADVISE;

/**
 * devmig_set_thp_mode() - what /sys/kernel/mm/transparent_hugepage/enabled sets
 * @mode: DEVMIG_THP_NEVER, DEVMIG_THP_MADVISE or DEVMIG_THP_ALWAYS;
 *	DEVMIG_THP_DEFAULT means madvise
 *
 * Only later faults are affected; huge PMDs already mapped stay.
 *
 * Return: 0, or -EINVAL for an unknown mode.
 */
int devmig_set_thp_mode(int mode)
{
	if (mode == DEVMIG_THP_DEFAULT)
		mode = DEVMIG_THP_MADVISE;
	if (mode != DEVMIG_THP_NEVER && mode != DEVMIG_THP_MADVISE &&
	    mode != DEVMIG_THP_ALWAYS)
		return -EINVAL;
	WRITE_ONCE(thp_mode, mode);
	return 0;
}

/*
 * Called by model_boot(): the kernel allocates the huge zero folio on first
 * use; the model does it up front so a read fault never has to fall back
 * to small pages for want of it.
 */
void model_thp_boot(void)
{
	struct folio *folio;

	/* Boot cannot fail: no failure site (NULL). */
	folio = folio_alloc_at(GFP_KERNEL | __GFP_ZERO | __GFP_NOFAIL,
			       HPAGE_PMD_ORDER, NULL);
	BUG_ON(!folio);
	__SetPageReserved(&folio->page);
	WRITE_ONCE(huge_zero_pfn, folio_pfn(folio));
	WRITE_ONCE(huge_zero_folio, folio);
}

/* Called by model_shutdown(): the folio's memory goes with the machine's. */
void model_thp_shutdown(void)
{
	WRITE_ONCE(huge_zero_folio, NULL);
	WRITE_ONCE(huge_zero_pfn, ~0UL);
}

/**
 * thp_vma_allowable_order() - may faults in @vma map PMD-sized folios?
 * @vma: the VMA
 * @vm_flags: its flags (as they will be)
 * @tva_flags: TVA_ENFORCE_SYSFS to obey the THP mode (faults do;
 *	MADV_COLLAPSE does not)
 * @order: HPAGE_PMD_ORDER; no other order is served
 *
 * Anonymous private VMAs only, never with VM_NOHUGEPAGE; with
 * TVA_ENFORCE_SYSFS, per the THP mode and the VMA's madvise.
 */
bool thp_vma_allowable_order(struct vm_area_struct *vma, unsigned long vm_flags,
			     unsigned long tva_flags, int order)
{
	int mode = READ_ONCE(thp_mode);

	if (order != HPAGE_PMD_ORDER || !vma_is_anonymous(vma) ||
	    (vm_flags & (VM_SHARED | VM_NOHUGEPAGE | VM_HUGETLB | VM_SPECIAL)))
		return false;
	if (!(tva_flags & TVA_ENFORCE_SYSFS) || mode == DEVMIG_THP_ALWAYS)
		return true;
	return mode == DEVMIG_THP_MADVISE && (vm_flags & VM_HUGEPAGE);
}

/* The 2 MiB range around @addr lies wholly inside @vma. */
bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr,
			    int order)
{
	unsigned long haddr = addr & ~((PAGE_SIZE << order) - 1);

	return haddr >= vma->vm_start && haddr + (PAGE_SIZE << order) <= vma->vm_end;
}

/* Install the huge zero PMD for a read fault (PMD lock held). */
static void set_huge_zero_folio(struct mm_struct *mm, struct vm_area_struct *vma,
				unsigned long haddr, pmd_t *pmd, pgtable_t pgtable)
{
	pmd_t entry = mk_huge_pmd(&huge_zero_folio->page, vma->vm_page_prot);

	pgtable_trans_huge_deposit(mm, pmd, pgtable);
	set_pmd_at(mm, haddr, pmd, pmd_wrprotect(entry));
}

/**
 * do_huge_pmd_anonymous_page() - fault on an empty PMD of a THP-eligible VMA
 * @vmf: the fault; vmf->pmd is none
 *
 * A read maps the huge zero folio, a write a new zeroed PMD-sized folio.
 *
 * Return: 0 (retry the access), VM_FAULT_OOM or VM_FAULT_RETRY, or
 * VM_FAULT_FALLBACK when no huge folio can be had: fault small pages.
 */
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct folio *folio = NULL;
	pgtable_t pgtable;
	vm_fault_t ret;
	pmd_t entry;

	if (!thp_vma_suitable_order(vma, haddr, HPAGE_PMD_ORDER))
		return VM_FAULT_FALLBACK;
	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	if (vmf->flags & FAULT_FLAG_WRITE) {
		folio = vma_alloc_folio(GFP_TRANSHUGE_LIGHT | __GFP_ZERO | __GFP_NOWARN,
					HPAGE_PMD_ORDER, vma, haddr);
		if (!folio)
			return VM_FAULT_FALLBACK;
		if (mem_cgroup_charge(folio, mm, GFP_KERNEL)) {
			folio_put(folio);
			return VM_FAULT_FALLBACK;
		}
		/* The zeroing must be visible before the PMD is. */
		__folio_mark_uptodate(folio);
	}
	pgtable = pte_alloc_one(mm);
	if (!pgtable) {
		ret = VM_FAULT_OOM;
		goto release;
	}

	vmf->ptl = pmd_lock(mm, vmf->pmd);
	/* Someone else filled the PMD while we allocated: use theirs. */
	if (!pmd_none(pmdp_get(vmf->pmd)))
		goto unlock;
	ret = check_stable_address_space(mm);
	if (ret)
		goto unlock;
	if (!folio) {
		set_huge_zero_folio(mm, vma, haddr, vmf->pmd, pgtable);
		spin_unlock(vmf->ptl);
		return 0;
	}
	entry = mk_huge_pmd(&folio->page, vma->vm_page_prot);
	entry = pmd_mkyoung(pmd_mkdirty(entry));
	if (vma->vm_flags & VM_WRITE)
		entry = pmd_mkwrite_novma(entry);
	folio_add_new_anon_rmap(folio, vma, haddr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	pgtable_trans_huge_deposit(mm, vmf->pmd, pgtable);
	set_pmd_at(mm, haddr, vmf->pmd, entry);
	add_mm_counter(mm, MM_ANONPAGES, HPAGE_PMD_NR);
	spin_unlock(vmf->ptl);
	return 0;

unlock:
	spin_unlock(vmf->ptl);
	pte_free(mm, pgtable);
release:
	if (folio)
		folio_put(folio);
	return ret;
}

/**
 * copy_huge_pmd() - fork: give the child the parent's huge PMD
 * @dst_mm: the child's mm
 * @src_mm: the parent's mm
 * @dst_pmd: the child's empty PMD
 * @src_pmd: the parent's PMD
 * @addr: the start of the 2 MiB range
 * @dst_vma: the child's VMA
 * @src_vma: the parent's VMA (anonymous)
 *
 * Both mms map the THP (or the huge zero folio) by a read-only PMD, over a
 * deposited table each, until a write fault reuses or splits it: the THP
 * stays whole, for snapshots and migrations, where splitting it here would
 * leave it mapped by PTEs.  A THP that may be pinned cannot be shared: the
 * parent's PMD is split and the caller copies its PTEs (-EAGAIN).
 *
 * Return: 0, -ENOMEM, or -EAGAIN if the caller must copy at PTE level
 * (the PMD is no huge one any more, or was split here).
 */
int copy_huge_pmd(struct mm_struct *dst_mm, struct mm_struct *src_mm,
		  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr,
		  struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	spinlock_t *dst_ptl, *src_ptl;
	bool pinned = false;
	pgtable_t pgtable;
	pmd_t pmd;

	pgtable = pte_alloc_one(dst_mm);
	if (!pgtable)
		return -ENOMEM;
	dst_ptl = pmd_lock(dst_mm, dst_pmd);
	src_ptl = pmd_lock(src_mm, src_pmd);
	pmd = pmdp_get(src_pmd);
	if (!pmd_trans_huge(pmd))
		goto unshared;
	if (!is_huge_zero_pmd(pmd)) {
		struct page *head = pmd_page(pmd);
		struct folio *folio = page_folio(head);

		folio_get(folio);
		if (folio_try_dup_anon_rmap_pmd(folio, head, src_vma)) {
			folio_put(folio);
			pinned = true;
			goto unshared;
		}
		add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
	}
	pgtable_trans_huge_deposit(dst_mm, dst_pmd, pgtable);
	/* The caller flushes the parent's TLBs before fork returns. */
	pmdp_set_wrprotect(src_mm, addr, src_pmd);
	pmd = pmd_mkold(pmd_wrprotect(pmd));
	if (!userfaultfd_wp(dst_vma))
		pmd = pmd_clear_uffd_wp(pmd);
	set_pmd_at(dst_mm, addr, dst_pmd, pmd);
	spin_unlock(src_ptl);
	spin_unlock(dst_ptl);
	return 0;

unshared:
	spin_unlock(src_ptl);
	spin_unlock(dst_ptl);
	pte_free(dst_mm, pgtable);
	if (pinned)
		__split_huge_pmd(src_vma, src_pmd, addr, false, NULL);
	return -EAGAIN;
}

/**
 * do_huge_pmd_wp_page() - write or unshare fault on a read-only huge PMD
 * @vmf: the fault; vmf->orig_pmd is the PMD as the fault found it
 *
 * An anon THP that is exclusive, or has no reference but this mapping's
 * (the other process unmapped it), is reused whole: made exclusive and,
 * for a write, writable.  Otherwise the PMD is split and the fault goes on
 * at PTE level, where the faulting page is copied; the other mappings keep
 * their PMDs.  The huge zero folio is always split.
 *
 * Return: 0 (retry the access), or VM_FAULT_FALLBACK after the split.
 */
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf)
{
	const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	pmd_t orig = vmf->orig_pmd;
	struct folio *folio;
	struct page *head;

	if (is_huge_zero_pmd(orig))
		goto split;
	vmf->ptl = pmd_lock(mm, vmf->pmd);
	if (!pmd_same(pmdp_get(vmf->pmd), orig))
		goto unlock;
	head = pmd_page(orig);
	folio = page_folio(head);
	if (!PageAnonExclusive(head)) {
		/* Only the folio lock keeps a new reference from appearing. */
		if (!folio_trylock(folio)) {
			folio_get(folio);
			spin_unlock(vmf->ptl);
			folio_lock(folio);
			spin_lock(vmf->ptl);
			folio_put(folio);
			if (!pmd_same(pmdp_get(vmf->pmd), orig)) {
				folio_unlock(folio);
				goto unlock;
			}
		}
		if (!PageAnonExclusive(head)) {
			if (folio_ref_count(folio) != 1) {
				folio_unlock(folio);
				spin_unlock(vmf->ptl);
				goto split;
			}
			folio_move_anon_rmap(folio, vma);
			SetPageAnonExclusive(head);
		}
		folio_unlock(folio);
	}
	if (!unshare) {
		pmd_t entry = pmd_mkdirty(pmd_mkyoung(orig));

		if (vma->vm_flags & VM_WRITE)
			entry = pmd_mkwrite_novma(entry);
		set_pmd_at(mm, haddr, vmf->pmd, entry);
	}
unlock:
	spin_unlock(vmf->ptl);
	return 0;

split:
	__split_huge_pmd(vma, vmf->pmd, vmf->address, false, NULL);
	return VM_FAULT_FALLBACK;
}

/*
 * Make the huge PMD unusable by any CPU before its PTE table replaces it:
 * a CPU must not go on writing through the old translation while the
 * table's entries are derived from the PMD's bits.
 */
static pmd_t pmdp_invalidate(struct vm_area_struct *vma, unsigned long haddr,
			     pmd_t *pmd)
{
	pmd_t old = pmdp_get(pmd);

	/* Exchanged, not stored: a CPU may set A or D up to the last moment. */
	old = __pmd(__atomic_exchange_n(&pmd->pmd, pmd_val(pmd_mkinvalid(old)),
					__ATOMIC_ACQ_REL));
	flush_tlb_range(vma, haddr, haddr + HPAGE_PMD_SIZE);
	return old;
}

/* The huge zero PMD becomes 512 read-only zero-page PTEs. */
static void split_huge_zero_pmd_locked(struct vm_area_struct *vma,
				       unsigned long haddr, pmd_t *pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	pgtable_t pgtable;
	pte_t *pte;
	int i;

	pmdp_invalidate(vma, haddr, pmd);
	pgtable = pgtable_trans_huge_withdraw(mm, pmd);
	pte = page_address(pgtable);
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		unsigned long addr = haddr + i * PAGE_SIZE;

		set_pte_at(mm, addr, pte + i,
			   pte_wrprotect(pte_mkspecial(pfn_pte(my_zero_pfn(addr),
							       vma->vm_page_prot))));
	}
	/* The release store publishes the filled table. */
	pmd_populate(mm, pmd, pgtable);
}

/*
 * An anonymous THP's PMD becomes 512 PTEs with the PMD's protection,
 * access, dirty, soft-dirty and uffd-wp bits.  The one PMD mapping (one
 * reference, one entire map count) becomes 512 PTE mappings (a reference
 * and a page map count each); exclusivity, kept on the first page while
 * mapped whole, goes to every page.
 */
static void split_huge_anon_pmd_locked(struct vm_area_struct *vma,
				       unsigned long haddr, pmd_t *pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *page;
	struct folio *folio;
	bool write, young, dirty, soft_dirty, uffd_wp, exclusive;
	pgtable_t pgtable;
	pmd_t old;
	pte_t *pte;
	int i;

	old = pmdp_invalidate(vma, haddr, pmd);
	page = pmd_page(old);
	folio = page_folio(page);
	write = pmd_write(old);
	young = pmd_young(old);
	dirty = pmd_dirty(old);
	soft_dirty = pmd_soft_dirty(old);
	uffd_wp = pmd_uffd_wp(old);
	if (dirty)
		folio_set_dirty(folio);
	exclusive = PageAnonExclusive(page);

	folio_ref_add(folio, HPAGE_PMD_NR - 1);
	folio_add_anon_rmap_ptes(folio, page, HPAGE_PMD_NR, vma, haddr,
				 exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);

	pgtable = pgtable_trans_huge_withdraw(mm, pmd);
	pte = page_address(pgtable);
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t entry = mk_pte(page + i, READ_ONCE(vma->vm_page_prot));

		entry = write ? pte_mkwrite(entry, vma) : pte_wrprotect(entry);
		entry = young ? pte_mkyoung(entry) : pte_mkold(entry);
		if (dirty)
			entry = pte_mkdirty(entry);
		entry = soft_dirty ? pte_mksoft_dirty(entry) : pte_clear_soft_dirty(entry);
		if (uffd_wp)
			entry = pte_mkuffd_wp(entry);
		set_pte_at(mm, haddr + i * PAGE_SIZE, pte + i, entry);
	}
	/* The PMD's reference is one of the 512 the PTEs now hold. */
	folio_remove_rmap_pmd(folio, page, vma);
	pmd_populate(mm, pmd, pgtable);
}

/*
 * Split the huge PMD @pmd (PMD lock held) if it still is one and maps
 * @folio (any folio if NULL).
 */
static void split_huge_pmd_locked(struct vm_area_struct *vma, unsigned long haddr,
				  pmd_t *pmd, struct folio *folio)
{
	pmd_t val = pmdp_get(pmd);

	if (!pmd_trans_huge(val)) {
		/* Devmap and PMD migration entries are never made here. */
		WARN_ONCE(pmd_devmap(val) || is_swap_pmd(val),
			  "PMD %#lx: devmap and migration PMDs are not modelled\n",
			  pmd_val(val));
		return;
	}
	if (folio && pmd_folio(val) != folio)
		return;
	if (is_huge_zero_pmd(val))
		split_huge_zero_pmd_locked(vma, haddr, pmd);
	else
		split_huge_anon_pmd_locked(vma, haddr, pmd);
}

/**
 * __split_huge_pmd() - replace a huge PMD by a table of PTEs
 * @vma: the VMA; mmap_lock or the rmap lock keeps it
 * @pmd: the entry
 * @address: an address in the 2 MiB range
 * @freeze: must be false (PMD migration entries are not modelled)
 * @folio: split only if the PMD maps this folio (NULL: any)
 *
 * Mirrors are told the range changes (MMU_NOTIFY_CLEAR).
 */
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		      unsigned long address, bool freeze, struct folio *folio)
{
	unsigned long haddr = address & HPAGE_PMD_MASK;
	struct mmu_notifier_range range;
	spinlock_t *ptl;

	/* A hugetlb PMD is no THP; callers dispatch on the VMA first. */
	if (WARN_ON_ONCE(is_vm_hugetlb_page(vma)))
		return;
	WARN_ON_ONCE(freeze);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm, haddr,
				haddr + HPAGE_PMD_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	ptl = pmd_lock(vma->vm_mm, pmd);
	split_huge_pmd_locked(vma, haddr, pmd, folio);
	spin_unlock(ptl);
	mmu_notifier_invalidate_range_end(&range);
}

/**
 * zap_huge_pmd() - unmap a huge PMD whose whole 2 MiB the caller zaps
 * @vma: the VMA
 * @pmd: the entry
 * @addr: the start of its 2 MiB
 *
 * The PMD is left empty, its deposited table freed; a THP loses its
 * mapping, its RSS and (after the TLB flush) the mapping's reference.
 * The kernel's takes an mmu_gather to free the folio later; here the
 * flush comes first and the folio goes at once.
 *
 * Return: false if @pmd is no huge PMD (any more): the caller zaps it as
 * a PTE table.
 */
bool zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = NULL;
	spinlock_t *ptl;
	pmd_t old;

	ptl = pmd_lock(mm, pmd);
	if (!pmd_trans_huge(pmdp_get(pmd))) {
		spin_unlock(ptl);
		return false;
	}
	old = pmdp_huge_get_and_clear(mm, addr, pmd);
	pte_free(mm, pgtable_trans_huge_withdraw(mm, pmd));
	if (!is_huge_zero_pmd(old)) {
		folio = pmd_folio(old);
		folio_remove_rmap_pmd(folio, pmd_page(old), vma);
		add_mm_counter(mm, MM_ANONPAGES, -HPAGE_PMD_NR);
	}
	spin_unlock(ptl);
	flush_tlb_range(vma, addr, addr + HPAGE_PMD_SIZE);
	if (folio)
		folio_put(folio);
	return true;
}

/* rmap_one of unmap_folio(): split a huge PMD of @folio in @vma. */
static bool split_folio_pmd_one(struct folio *folio, struct vm_area_struct *vma,
				unsigned long address, void *arg)
{
	unsigned long haddr = address & HPAGE_PMD_MASK;
	pmd_t *pmd;

	(void)arg;
	if (haddr < vma->vm_start || haddr + HPAGE_PMD_SIZE > vma->vm_end)
		return true;
	pmd = mm_find_pmd(vma->vm_mm, haddr);
	if (pmd && pmd_trans_huge(pmdp_get(pmd)))
		__split_huge_pmd(vma, pmd, haddr, false, folio);
	return true;
}

/*
 * Replace every mapping of @folio by migration entries (rmap lock held):
 * huge PMDs are split first, so that each page has its own entry to come
 * back through.
 */
static void unmap_folio(struct folio *folio)
{
	struct rmap_walk_control rwc = {
		.rmap_one = split_folio_pmd_one,
	};

	rmap_walk_locked(folio, &rwc);
	try_to_migrate(folio, TTU_RMAP_LOCKED | TTU_SPLIT_HUGE_PMD | TTU_SYNC);
}

/* The flags a page split off a large folio inherits from it. */
#define SPLIT_INHERITED_FLAGS						\
	(BIT(PG_locked) | BIT(PG_uptodate) | BIT(PG_dirty) |		\
	 BIT(PG_swapbacked) | BIT(PG_active) | BIT(PG_referenced) |	\
	 BIT(PG_workingset) | BIT(PG_unevictable) | BIT(PG_mlocked) |	\
	 BIT(PG_young) | BIT(PG_idle))

/*
 * Turn the frozen, unmapped large folio @folio into order-0 folios: each
 * page keeps its own anon-exclusive bit and takes the folio's other state;
 * each gets @refs references.  Tails are rewritten from the last one down,
 * since page 1's fields overlay the large folio's metadata.
 */
static void split_folio_pages(struct folio *folio, long nr, int refs)
{
	const unsigned long keep = (ZONES_MASK << ZONES_PGSHIFT) | BIT(PG_anon_exclusive);
	unsigned long inherited = READ_ONCE(folio->flags) & SPLIT_INHERITED_FLAGS;
	struct page *head = &folio->page;
	long i;

	for (i = nr - 1; i >= 1; i--) {
		struct page *tail = head + i;

		WRITE_ONCE(tail->flags, (READ_ONCE(tail->flags) & keep) | inherited);
		WRITE_ONCE(tail->compound_head, 0);
		INIT_LIST_HEAD(&tail->lru);
		tail->mapping = folio->mapping;
		tail->index = folio->index + i;
		tail->private = 0;
		tail->memcg_data = folio->memcg_data;
		atomic_set(&tail->_mapcount, -1);
		set_page_count(tail, refs);
	}
	/*
	 * Atomic: a CPU that met one of the migration entries may be setting
	 * PG_waiters on the head right now; a plain read-modify-write would
	 * lose that bit, and with it the wake-up at folio_unlock().
	 */
	clear_bit(PG_head, &head->flags);
	folio_ref_unfreeze(folio, refs);
}

/**
 * split_huge_page_to_list_to_order() - split a large anonymous folio
 * @page: a page of the folio; the folio is locked and referenced by the
 *	caller
 * @list: must be NULL (the model's callers never isolate the folio first)
 * @new_order: must be 0
 *
 * The folio is unmapped (its mappings become migration entries), split
 * into order-0 folios that take their places on the LRU, and remapped; a
 * subpage that holds only zeroes is mapped to the shared zero page instead
 * and freed.  The small folio of @page stays locked and keeps the caller's
 * reference; the others are unlocked.
 *
 * Return: 0; -EAGAIN if it has references besides its mappings and the
 * caller's, or could not be unmapped; -EBUSY if it is not an anonymous
 * folio the model can split (file, swap cache, writeback); -EINVAL for a
 * folio not larger than @new_order, another order or a @list.
 */
int split_huge_page_to_list_to_order(struct page *page, struct list_head *list,
				     unsigned int new_order)
{
	struct folio *folio = page_folio(page);
	struct anon_vma *anon_vma;
	bool isolated;
	long i, nr;
	int ret;

	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	if (new_order >= folio_order(folio))
		return -EINVAL;
	if (new_order || WARN_ON_ONCE(list))
		return -EINVAL;
	if (!folio_test_anon(folio) || folio_test_swapcache(folio) ||
	    folio_test_writeback(folio))
		return -EBUSY;
	nr = folio_nr_pages(folio);

	/* The rmap stays still while the mappings are taken down and redone. */
	anon_vma = folio_get_anon_vma(folio);
	if (!anon_vma)
		return -EBUSY;
	anon_vma_lock_write(anon_vma);

	/* Only the mappings and the caller may hold it: nobody else would notice. */
	if (folio_ref_count(folio) != folio_mapcount(folio) + 1) {
		ret = -EAGAIN;
		goto out;
	}
	unmap_folio(folio);
	isolated = folio_isolate_lru(folio);
	if (folio_mapped(folio) || !folio_ref_freeze(folio, 1 + isolated)) {
		if (isolated)
			folio_putback_lru(folio);
		remove_migration_ptes(folio, folio, RMP_LOCKED);
		ret = -EAGAIN;
		goto out;
	}

	/*
	 * Each small folio gets the caller's (or, for the others, a
	 * temporary) reference, plus the isolation's which the LRU takes over.
	 */
	split_folio_pages(folio, nr, 1 + isolated);
	for (i = 0; i < nr && isolated; i++)
		folio_putback_lru(page_folio(&folio->page + i));
	for (i = 0; i < nr; i++) {
		struct folio *small = page_folio(&folio->page + i);

		remove_migration_ptes(small, small, RMP_LOCKED | RMP_USE_SHARED_ZEROPAGE);
	}
	ret = 0;
out:
	anon_vma_unlock_write(anon_vma);
	put_anon_vma(anon_vma);
	if (ret)
		return ret;
	/* Pages no mapping came back for (zero-filled ones) are freed here. */
	for (i = 0; i < nr; i++) {
		struct page *small = &folio->page + i;

		if (small == page)
			continue;
		folio_unlock(page_folio(small));
		folio_put(page_folio(small));
	}
	return 0;
}
