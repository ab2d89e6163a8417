// SPDX-License-Identifier: GPL-2.0
/*
 * gup.c - get_user_pages() and pin_user_pages(): references on the pages
 * behind user addresses, faulting them in as needed.
 *
 * Each page is looked up in the page table under its PTE lock and grabbed
 * there; anything the lookup cannot use as is (no PTE, a non-present entry
 * such as a device-private or migration entry, a read-only PTE for a write,
 * a shared anon page for a pin) is resolved by handle_mm_fault() and the
 * lookup is retried.  So a device-private page is migrated back to RAM by
 * its driver before it is returned, and a migration in flight is waited for.
 *
 * FOLL_GET takes one reference.  FOLL_PIN on a small folio takes
 * GUP_PIN_COUNTING_BIAS references, so that folio_maybe_dma_pinned() can
 * tell from the refcount alone (large folios count pins in _pincount).  Pins
 * on the shared zero page take nothing: it never moves.
 *
 * The "fast" variants are the slow path here: the model has no lockless
 * page-table walk for kernel code, and the results are the same.
 *
 * The model also remembers every outstanding pin by pfn, for the invariant
 * checker (model_gup_pinned_refs()).
 */
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/rmap.h>
#include <linux/swapops.h>
#include <linux/memremap.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <model/process.h>
#include <devmig.h>
#include "internal.h"

/* Outstanding pins by pfn: open addressing, linear probing. */
#define GUP_PIN_SLOTS	16384
struct gup_pin_slot {
	unsigned long pfn_plus_one;	/* 0: empty */
	unsigned long pins;
};
static struct gup_pin_slot gup_pin_table[GUP_PIN_SLOTS];
static DEFINE_SPINLOCK(gup_pin_lock);
static bool gup_pin_table_overflowed;

static unsigned long gup_pin_hash(unsigned long pfn)
{
	return (pfn * 0x9E3779B97F4A7C15UL) >> (64 - 14);
}

static struct gup_pin_slot *gup_pin_find(unsigned long pfn, bool create)
{
	unsigned long i = gup_pin_hash(pfn), n;

	for (n = 0; n < GUP_PIN_SLOTS; n++, i = (i + 1) % GUP_PIN_SLOTS) {
		struct gup_pin_slot *s = &gup_pin_table[i];

		if (s->pfn_plus_one == pfn + 1)
			return s;
		if (!s->pfn_plus_one) {
			if (!create)
				return NULL;
			s->pfn_plus_one = pfn + 1;
			return s;
		}
	}
	return NULL;
}

/* Remove slot @s, moving later entries of its probe run back into place. */
static void gup_pin_remove(struct gup_pin_slot *s)
{
	unsigned long hole = s - gup_pin_table, i = hole, want;

	for (;;) {
		i = (i + 1) % GUP_PIN_SLOTS;
		if (!gup_pin_table[i].pfn_plus_one)
			break;
		want = gup_pin_hash(gup_pin_table[i].pfn_plus_one - 1);
		/* Can entry i live in the hole?  Only if the hole is on its run. */
		if ((i > hole && (want <= hole || want > i)) ||
		    (i < hole && (want <= hole && want > i))) {
			gup_pin_table[hole] = gup_pin_table[i];
			hole = i;
		}
	}
	gup_pin_table[hole].pfn_plus_one = 0;
	gup_pin_table[hole].pins = 0;
}

static void gup_pin_note(struct folio *folio, long delta)
{
	struct gup_pin_slot *s;

	spin_lock(&gup_pin_lock);
	s = gup_pin_find(folio_pfn(folio), delta > 0);
	if (!s) {
		if (delta > 0)
			gup_pin_table_overflowed = true;
	} else {
		s->pins += delta;
		if (!s->pins)
			gup_pin_remove(s);
	}
	spin_unlock(&gup_pin_lock);
}

/**
 * model_gup_pinned_refs() - references on @folio held by outstanding pins
 * @folio: a folio
 *
 * Return: the number of references the pins account for (pins times
 * GUP_PIN_COUNTING_BIAS for small folios, pins for large ones), or
 * ULONG_MAX if the table overflowed and the answer is unknown.
 */
unsigned long model_gup_pinned_refs(struct folio *folio)
{
	struct gup_pin_slot *s;
	unsigned long pins;

	spin_lock(&gup_pin_lock);
	if (gup_pin_table_overflowed) {
		spin_unlock(&gup_pin_lock);
		return ULONG_MAX;
	}
	s = gup_pin_find(folio_pfn(folio), false);
	pins = s ? s->pins : 0;
	spin_unlock(&gup_pin_lock);
	if (folio_test_large(folio))
		return pins;
	return pins * GUP_PIN_COUNTING_BIAS;
}

/*
 * Take the reference GUP hands out.  The caller holds the PTE lock, so the
 * folio is mapped and its refcount cannot be zero.
 */
static int try_grab_folio(struct folio *folio, int refs, unsigned int flags)
{
	int bias;

	if (flags & FOLL_GET) {
		folio_ref_add(folio, refs);
		return 0;
	}
	/* The zero folio is never freed: pinning it would only cost. */
	if (!(flags & FOLL_PIN) || is_zero_folio(folio))
		return 0;
	/* Small folios have no pincount: the bias in the refcount is it. */
	bias = folio_test_large(folio) ? 1 : GUP_PIN_COUNTING_BIAS;
	folio_ref_add(folio, refs * bias);
	if (folio_test_large(folio))
		atomic_add(refs, &folio->_pincount);
	gup_pin_note(folio, refs);
	return 0;
}

static void gup_put_folio(struct folio *folio, int refs, unsigned int flags)
{
	if (flags & FOLL_PIN) {
		if (is_zero_folio(folio))
			return;
		gup_pin_note(folio, -refs);
		if (folio_test_large(folio))
			atomic_sub(refs, &folio->_pincount);
		else
			refs *= GUP_PIN_COUNTING_BIAS;
	}
	folio_put_refs(folio, refs);
}

/*
 * A read-only pin must see what the process sees later.  A shared anon page
 * would drift apart from the process's copy at its next CoW, so it is
 * unshared first (by a fault).  A long-term read-only pin of a page that is
 * not anon (the zero page, the page cache) in a private writable mapping
 * would drift apart at the first write in the same way: that CoW is broken
 * up front.  Short-term pins need not observe later changes.
 */
static bool gup_must_unshare(struct vm_area_struct *vma, unsigned int flags,
			     struct page *page)
{
	if ((flags & (FOLL_PIN | FOLL_WRITE)) != FOLL_PIN)
		return false;
	if (!PageAnon(page))
		return (flags & FOLL_LONGTERM) && is_cow_mapping(vma->vm_flags);
	return !PageAnonExclusive(page);
}

/* Result of looking one page up. */
#define GUP_NEED_FAULT		1
#define GUP_NEED_UNSHARE	2

/* Grab @page for the caller, unless it must be unshared first. */
static int follow_grab_page(struct vm_area_struct *vma, struct page *page,
			    unsigned int flags, struct page **pagep)
{
	int ret;

	if (gup_must_unshare(vma, flags, page))
		return GUP_NEED_UNSHARE;
	ret = try_grab_folio(page_folio(page), 1, flags);
	if (!ret)
		*pagep = page;
	return ret;
}

static int follow_page_pte(struct vm_area_struct *vma, unsigned long address,
			   pmd_t *pmd, unsigned int flags, struct page **pagep)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *page;
	spinlock_t *ptl;
	pte_t *ptep, pte;
	int ret = 0;

	ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	if (!ptep)
		return GUP_NEED_FAULT;
	pte = ptep_get(ptep);
	if (!pte_present(pte) || pte_protnone(pte)) {
		ret = GUP_NEED_FAULT;
		goto out;
	}
	if ((flags & FOLL_WRITE) && !pte_write(pte)) {
		ret = GUP_NEED_FAULT;
		goto out;
	}
	page = vm_normal_page(vma, address, pte);
	if (!page) {
		if (!is_zero_pfn(pte_pfn(pte))) {
			ret = -EFAULT;	/* raw pfn mapping: no page to give */
			goto out;
		}
		page = pte_page(pte);
	}
	ret = follow_grab_page(vma, page, flags, pagep);
out:
	pte_unmap_unlock(ptep, ptl);
	return ret;
}

/*
 * The page of a huge PMD, hugetlb (hugetlb_follow_page_mask()) or THP
 * (follow_huge_pmd()), under the PMD lock: the mapping stays a PMD and the
 * whole folio takes the reference.  Splitting a THP here instead would
 * leave it mapped by PTEs after a pin of a few pages, which a later
 * migration skips and a snapshot reports without the PMD flag.  Unsharing
 * is the head page's call: a PMD maps its folio exclusive or not as a whole.
 */
static int follow_huge_pmd(struct vm_area_struct *vma, unsigned long address,
			   pmd_t *pmd, unsigned int flags, struct page **pagep)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm, pmd);
	pmd_t pmdval = pmdp_get(pmd);
	struct page *head;
	int ret;

	if (!pmd_present(pmdval) || pmd_protnone(pmdval) ||
	    ((flags & FOLL_WRITE) && !pmd_write(pmdval))) {
		ret = GUP_NEED_FAULT;
		goto out;
	}
	if (!is_vm_hugetlb_page(vma) && !pmd_trans_huge(pmdval)) {
		/* Split since we looked: the PTEs are there now. */
		spin_unlock(ptl);
		return follow_page_pte(vma, address, pmd, flags, pagep);
	}
	head = pmd_page(pmdval);
	if (gup_must_unshare(vma, flags, head)) {
		ret = GUP_NEED_UNSHARE;
		goto out;
	}
	ret = try_grab_folio(page_folio(head), 1, flags);
	if (!ret)
		*pagep = head + ((address & ~HPAGE_PMD_MASK) >> PAGE_SHIFT);
out:
	spin_unlock(ptl);
	return ret;
}

static int follow_page(struct vm_area_struct *vma, unsigned long address,
		       unsigned int flags, struct page **pagep)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t *pmd = mm_find_pmd(mm, address);
	pmd_t pmdval;

	if (!pmd)
		return GUP_NEED_FAULT;
	pmdval = pmdp_get(pmd);
	if (pmd_none(pmdval) || !pmd_present(pmdval))
		return GUP_NEED_FAULT;
	if (is_vm_hugetlb_page(vma))
		return follow_huge_pmd(vma, address, pmd, flags, pagep);
	/*
	 * FOLL_SPLIT_PMD callers want the page mapped by a PTE; the model
	 * hands out device-mapped huge pages PTE by PTE too.
	 */
	if (pmd_devmap(pmdval) ||
	    (pmd_trans_huge(pmdval) && (flags & FOLL_SPLIT_PMD)))
		split_huge_pmd(vma, pmd, address);
	else if (pmd_trans_huge(pmdval))
		return follow_huge_pmd(vma, address, pmd, flags, pagep);
	return follow_page_pte(vma, address, pmd, flags, pagep);
}

static int faultin_page(struct vm_area_struct *vma, unsigned long address,
			unsigned int flags, bool unshare)
{
	unsigned int fault_flags = 0;
	vm_fault_t ret;

	if (flags & FOLL_WRITE)
		fault_flags |= FAULT_FLAG_WRITE;
	if (flags & FOLL_REMOTE)
		fault_flags |= FAULT_FLAG_REMOTE;
	if (unshare)
		fault_flags |= FAULT_FLAG_UNSHARE;
	ret = handle_mm_fault(vma, address, fault_flags, NULL);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_ERROR)
		return -EFAULT;
	return 0;
}

static int check_vma_flags(struct vm_area_struct *vma, unsigned int flags)
{
	vm_flags_t vm_flags = vma->vm_flags;

	if (vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if (flags & FOLL_WRITE) {
		if (!(vm_flags & VM_WRITE) &&
		    (!(flags & FOLL_FORCE) || !is_cow_mapping(vm_flags)))
			return -EFAULT;
	} else if (!(vm_flags & VM_READ)) {
		if (!(flags & FOLL_FORCE) || !(vm_flags & VM_MAYREAD))
			return -EFAULT;
	}
	return 0;
}

/*
 * The GUP loop, mmap_lock held.  Returns the number of pages grabbed, or an
 * error if the first one failed.
 */
static long __get_user_pages(struct mm_struct *mm, unsigned long start,
			     unsigned long nr_pages, unsigned int flags,
			     struct page **pages)
{
	struct vm_area_struct *vma = NULL;
	unsigned long i;
	int ret = 0;

	start &= PAGE_MASK;
	for (i = 0; i < nr_pages; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		struct page *page = NULL;

		if (!vma || addr >= vma->vm_end) {
			vma = vma_lookup(mm, addr);
			if (!vma) {
				ret = -EFAULT;
				break;
			}
			ret = check_vma_flags(vma, flags);
			if (ret)
				break;
		}
		for (;;) {
			ret = follow_page(vma, addr, flags, &page);
			if (ret <= 0)
				break;
			ret = faultin_page(vma, addr, flags,
					   ret == GUP_NEED_UNSHARE);
			if (ret)
				break;
		}
		if (ret)
			break;
		if (pages)
			pages[i] = page;
		else
			gup_put_folio(page_folio(page), 1, flags);
	}
	return i ? (long)i : ret;
}

/*
 * FOLL_LONGTERM must not pin device-coherent memory (the device may want it
 * back): move such pages to system RAM and let the caller try again.
 * Returns 0 when every page may stay pinned, else -EAGAIN (all pins
 * released) or an error.
 */
static long check_and_migrate_movable_pages(unsigned long nr, struct page **pages,
					    unsigned int flags)
{
	unsigned long i;
	bool found = false;
	long ret = -EAGAIN;

	for (i = 0; i < nr; i++)
		if (folio_is_device_coherent(page_folio(pages[i])))
			found = true;
	if (!found)
		return 0;
	for (i = 0; i < nr; i++) {
		struct folio *folio = page_folio(pages[i]);

		if (!folio_is_device_coherent(folio)) {
			gup_put_folio(folio, 1, flags);
			continue;
		}
		/* Trade the pin for a plain reference, which migration eats. */
		folio_get(folio);
		gup_put_folio(folio, 1, flags);
		if (migrate_device_coherent_folio(folio))
			ret = -EBUSY;
	}
	return ret;
}

static long __gup_longterm_locked(struct mm_struct *mm, unsigned long start,
				  unsigned long nr_pages, unsigned int flags,
				  struct page **pages)
{
	long ret;

	if (flags & FOLL_PIN)
		set_bit(MMF_HAS_PINNED, &mm->flags);
	for (;;) {
		ret = __get_user_pages(mm, start, nr_pages, flags, pages);
		if (ret <= 0 || !(flags & FOLL_LONGTERM) || !pages)
			return ret;
		ret = check_and_migrate_movable_pages(ret, pages, flags) ?: ret;
		if (ret != -EAGAIN)
			return ret;
	}
}

/* Take mmap_lock unless the caller holds it (*locked == 1). */
static long gup_locked(struct mm_struct *mm, unsigned long start,
		       unsigned long nr_pages, unsigned int flags,
		       struct page **pages, int *locked)
{
	bool must_unlock = !locked || !*locked;
	long ret;

	if (must_unlock)
		mmap_read_lock(mm);
	ret = __gup_longterm_locked(mm, start, nr_pages, flags, pages);
	if (must_unlock)
		mmap_read_unlock(mm);
	return ret;
}

/**
 * get_user_pages_remote() - take references on pages of another mm
 * @mm: the address space
 * @start: first address
 * @nr_pages: number of pages
 * @gup_flags: FOLL_WRITE, FOLL_FORCE, ...
 * @pages: receives the pages, each with one reference (put_page() it)
 * @locked: NULL or 1: the caller holds mmap_lock for read (it stays held);
 *	0: taken and released here
 *
 * Return: the number of pages grabbed (may be fewer than asked), or a
 * negative errno if none was: -EFAULT (no VMA, no access, fault failed,
 * including a driver's VM_FAULT_SIGBUS), -ENOMEM.
 */
long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	if (WARN_ON_ONCE(gup_flags & (FOLL_PIN | FOLL_LONGTERM)))
		return -EINVAL;
	return gup_locked(mm, start, nr_pages,
			  gup_flags | FOLL_GET | FOLL_REMOTE, pages,
			  locked ? locked : &(int){ 1 });
}

/**
 * pin_user_pages_remote() - pin pages of another mm (FOLL_PIN)
 * @mm: the address space
 * @start: first address
 * @nr_pages: number of pages
 * @gup_flags: FOLL_WRITE, FOLL_LONGTERM, ...
 * @pages: receives the pages; release with unpin_user_pages()
 * @locked: as for get_user_pages_remote()
 *
 * Return: as get_user_pages_remote().
 */
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	if (WARN_ON_ONCE(gup_flags & FOLL_GET))
		return -EINVAL;
	return gup_locked(mm, start, nr_pages,
			  gup_flags | FOLL_PIN | FOLL_REMOTE, pages,
			  locked ? locked : &(int){ 1 });
}

/**
 * get_user_pages() - take references on pages of current->mm
 * @start: first address
 * @nr_pages: number of pages
 * @gup_flags: FOLL_* flags
 * @pages: receives the pages, each with one reference
 *
 * Context: mmap_lock of current->mm NOT held; taken here.
 * Return: as get_user_pages_remote().
 */
long get_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	if (!current->mm || WARN_ON_ONCE(gup_flags & FOLL_PIN))
		return -EFAULT;
	/* As is_valid_gup_args(): only a pin may be long-term. */
	if (WARN_ON_ONCE(gup_flags & FOLL_LONGTERM))
		return -EINVAL;
	return gup_locked(current->mm, start, nr_pages, gup_flags | FOLL_GET,
			  pages, NULL);
}

/**
 * pin_user_pages() - pin pages of current->mm
 * @start: first address
 * @nr_pages: number of pages
 * @gup_flags: FOLL_* flags (not FOLL_GET)
 * @pages: receives the pages; release with unpin_user_pages()
 *
 * Return: as get_user_pages_remote().
 */
long pin_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	if (!current->mm || WARN_ON_ONCE(gup_flags & FOLL_GET))
		return -EFAULT;
	return gup_locked(current->mm, start, nr_pages, gup_flags | FOLL_PIN,
			  pages, NULL);
}

/* get_user_pages_fast() - as get_user_pages() (no lockless path here). */
int get_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	if (nr_pages <= 0)
		return 0;
	return get_user_pages(start, nr_pages, gup_flags, pages);
}

/* pin_user_pages_fast() - as pin_user_pages() (no lockless path here). */
int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	if (nr_pages <= 0)
		return 0;
	return pin_user_pages(start, nr_pages, gup_flags, pages);
}

/**
 * unpin_user_page() - release one FOLL_PIN pin
 * @page: a page returned by a pin_user_pages*() call
 */
void unpin_user_page(struct page *page)
{
	gup_put_folio(page_folio(page), 1, FOLL_PIN);
}

/* unpin_folio() - release one FOLL_PIN pin on @folio. */
void unpin_folio(struct folio *folio)
{
	gup_put_folio(folio, 1, FOLL_PIN);
}

/**
 * unpin_user_pages() - release the pins of an array of pages
 * @pages: pages returned by pin_user_pages*()
 * @npages: how many
 */
void unpin_user_pages(struct page **pages, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		unpin_user_page(pages[i]);
}
/**
 * devmig_gup() - get_user_pages*() or pin_user_pages*() as the calling task
 * @addr: first address
 * @npages: number of pages
 * @flags: DEVMIG_GUP_*
 * @pages: receives the struct page pointers
 *
 * Return: pages taken, or a negative errno.
 */
long devmig_gup(unsigned long addr, unsigned long npages, int flags,
		void **pages)
{
	unsigned int gup_flags = 0;
	struct page **p = (struct page **)pages;

	if (flags & DEVMIG_GUP_WRITE)
		gup_flags |= FOLL_WRITE;
	if (flags & DEVMIG_GUP_LONGTERM)
		gup_flags |= FOLL_LONGTERM;
	if (!(flags & DEVMIG_GUP_PIN))
		return flags & DEVMIG_GUP_FAST ?
		       get_user_pages_fast(addr, npages, gup_flags, p) :
		       get_user_pages(addr, npages, gup_flags, p);
	return flags & DEVMIG_GUP_FAST ?
	       pin_user_pages_fast(addr, npages, gup_flags, p) :
	       pin_user_pages(addr, npages, gup_flags, p);
}

void devmig_gup_test_verify(void **pages, unsigned long npages, int flags)
{
	struct page **p = (struct page **)pages;
	unsigned long i;

	if (!(flags & DEVMIG_GUP_PIN))
		return;
	for (i = 0; i < npages; i++) {
		struct folio *folio = page_folio(p[i]);

		if (WARN(!folio_maybe_dma_pinned(folio),
			 "page %lu of a pin is not pinned", i))
			return;
		if ((flags & DEVMIG_GUP_LONGTERM) &&
		    WARN(!folio_is_longterm_pinnable(folio),
			 "page %lu of a long-term pin is not long-term pinnable",
			 i))
			return;
	}
}

/* devmig_gup_put() - drop what devmig_gup() took with the same @flags. */
void devmig_gup_put(void **pages, unsigned long npages, int flags)
{
	unsigned long i;

	if (flags & DEVMIG_GUP_PIN) {
		unpin_user_pages((struct page **)pages, npages);
		return;
	}
	for (i = 0; i < npages; i++)
		put_page(pages[i]);
}
