// SPDX-License-Identifier: GPL-2.0
/*
 * rmap.c - the reverse map (mm/rmap.c; page_vma_mapped_walk() is in
 * page_vma_mapped.c).
 *
 * Anonymous memory: every VMA links to the anon_vmas whose folios it may
 * map through anon_vma_chains; a fork gives the child VMA a link to each of
 * the parent's anon_vmas plus a new one of its own, so a folio created
 * before the fork is found in both processes and one created after it only
 * in its own.  The whole fork tree shares the root's rwsem.
 *
 * anon_vmas are type-stable, like the kernel's SLAB_TYPESAFE_BY_RCU cache:
 * a freed one goes on a free list and is reused, never returned to the host,
 * so a folio->mapping that outlives its anon_vma still points at an
 * anon_vma (whose lock works), as in the kernel.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/swapops.h>
#include <linux/mmu_notifier.h>
#include <linux/memremap.h>
#include <linux/fs.h>
#include <linux/userfaultfd_k.h>
#include <linux/pagemap.h>
#include <asm/tlbflush.h>
#include <model/model.h>
#include "internal.h"

static DEFINE_SPINLOCK(anon_vma_free_lock);
static LIST_HEAD(anon_vma_free_list);
static long anon_vma_free_nr;		/* on anon_vma_free_list */

long model_anon_vmas_cached(void)
{
	return READ_ONCE(anon_vma_free_nr);
}

static struct anon_vma *anon_vma_alloc(struct fault_site *site)
{
	struct anon_vma *anon_vma = NULL;

	if (fault_site_fails(site, true))
		return NULL;
	spin_lock(&anon_vma_free_lock);
	if (!list_empty(&anon_vma_free_list)) {
		anon_vma = list_first_entry(&anon_vma_free_list, struct anon_vma,
					    free_node);
		list_del(&anon_vma->free_node);
		anon_vma_free_nr--;
	}
	spin_unlock(&anon_vma_free_lock);
	if (!anon_vma) {
		anon_vma = kmalloc_at(sizeof(*anon_vma), GFP_KERNEL |
				      __GFP_ZERO | __GFP_NOFAIL, NULL);
		/* Initialised once: a racing reader may still use the lock. */
		init_rwsem(&anon_vma->rwsem);
	}
	atomic_set(&anon_vma->refcount, 1);
	anon_vma->num_children = 0;
	anon_vma->num_active_vmas = 0;
	anon_vma->parent = anon_vma;
	anon_vma->root = anon_vma;
	INIT_LIST_HEAD(&anon_vma->chains);
	return anon_vma;
}

static void anon_vma_free(struct anon_vma *anon_vma)
{
	VM_BUG_ON(atomic_read(&anon_vma->refcount));
	/*
	 * A walker that found this anon_vma through a stale folio->mapping may
	 * be inside the root's lock: let it leave before the memory is reused.
	 */
	if (rwsem_is_locked(&anon_vma->root->rwsem)) {
		anon_vma_lock_write(anon_vma);
		anon_vma_unlock_write(anon_vma);
	}
	spin_lock(&anon_vma_free_lock);
	list_add(&anon_vma->free_node, &anon_vma_free_list);
	anon_vma_free_nr++;
	spin_unlock(&anon_vma_free_lock);
}

/**
 * put_anon_vma() - drop a reference on an anon_vma
 * @anon_vma: the anon_vma
 *
 * The last reference frees it, and drops the reference it held on its root.
 */
void put_anon_vma(struct anon_vma *anon_vma)
{
	struct anon_vma *root;

	if (!atomic_dec_and_test(&anon_vma->refcount))
		return;
	root = anon_vma->root;
	anon_vma_free(anon_vma);
	if (root != anon_vma && atomic_dec_and_test(&root->refcount))
		anon_vma_free(root);
}

static struct anon_vma_chain *anon_vma_chain_alloc(struct fault_site *site)
{
	if (fault_site_fails(site, true))
		return NULL;
	return kmalloc_at(sizeof(struct anon_vma_chain),
			  GFP_KERNEL | __GFP_NOFAIL, NULL);
}

/*
 * anon_vma->chains is kept in the order Linux's interval tree of an anon_vma
 * is walked in: by the VMA's page offset, and among equal offsets in the
 * order of insertion.  The order matters: an rmap walk that stops once the
 * folio is unmapped (device-exclusive) has sent notifiers to the VMAs
 * before that point only.  Root lock held for write.
 */
static void anon_vma_chain_insert(struct anon_vma_chain *avc)
{
	struct list_head *pos = &avc->anon_vma->chains;
	struct anon_vma_chain *cur;

	list_for_each_entry_reverse(cur, &avc->anon_vma->chains,
				    same_anon_vma) {
		if (cur->vma->vm_pgoff <= avc->vma->vm_pgoff) {
			pos = &cur->same_anon_vma;
			break;
		}
	}
	list_add(&avc->same_anon_vma, pos);
}

/* Link @vma and @anon_vma (root lock held for write). */
static void anon_vma_chain_link(struct vm_area_struct *vma,
				struct anon_vma_chain *avc,
				struct anon_vma *anon_vma)
{
	avc->vma = vma;
	avc->anon_vma = anon_vma;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	anon_vma_chain_insert(avc);
}

/**
 * anon_vma_vma_moved() - requeue @vma after its range or offset changed
 * @vma: a VMA whose vm_start, vm_end or vm_pgoff was just changed (mmap_lock
 *	held for write)
 *
 * As the kernel takes a VMA out of its anon_vmas' interval trees before a
 * split or a merge changes it and puts it back after, @vma goes after the
 * VMAs with the same page offset.
 */
void anon_vma_vma_moved(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	if (!vma->anon_vma)
		return;
	anon_vma_lock_write(vma->anon_vma);
	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma) {
		list_del(&avc->same_anon_vma);
		anon_vma_chain_insert(avc);
	}
	anon_vma_unlock_write(vma->anon_vma);
}

/**
 * __anon_vma_prepare() - give @vma a fresh anon_vma
 * @vma: a VMA without one; mmap_lock held (read is enough)
 *
 * Two faults may race here; the first to take mm->page_table_lock wins and
 * the other frees what it allocated.
 *
 * Return: 0 or -ENOMEM.
 */
int __anon_vma_prepare(struct vm_area_struct *vma, struct fault_site *site)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;

	avc = anon_vma_chain_alloc(site);
	if (!avc)
		return -ENOMEM;
	anon_vma = anon_vma_alloc(site);
	if (!anon_vma) {
		kfree(avc);
		return -ENOMEM;
	}
	/* Its own parent: counts as a child so unlink keeps the books right. */
	anon_vma->num_children++;

	anon_vma_lock_write(anon_vma);
	spin_lock(&mm->page_table_lock);
	if (likely(!vma->anon_vma)) {
		WRITE_ONCE(vma->anon_vma, anon_vma);
		anon_vma_chain_link(vma, avc, anon_vma);
		anon_vma->num_active_vmas++;
		anon_vma = NULL;
		avc = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (anon_vma) {
		anon_vma_unlock_write(anon_vma);
		put_anon_vma(anon_vma);
	} else {
		anon_vma_unlock_write(vma->anon_vma);
	}
	kfree(avc);
	return 0;
}

/**
 * anon_vma_clone() - link @dst to every anon_vma @src is linked to
 * @dst: a new VMA (split off @src, or its copy in a fork child)
 * @src: the original
 *
 * Return: 0, or -ENOMEM with @dst unlinked again.
 */
int anon_vma_clone_at(struct vm_area_struct *dst, struct vm_area_struct *src,
		      struct fault_site *site)
{
	struct anon_vma_chain *avc, *pavc;

	list_for_each_entry_reverse(pavc, &src->anon_vma_chain, same_vma) {
		struct anon_vma *anon_vma = pavc->anon_vma;

		avc = anon_vma_chain_alloc(site);
		if (!avc) {
			/* unlink_anon_vmas() does not own dst->anon_vma yet. */
			dst->anon_vma = NULL;
			unlink_anon_vmas(dst);
			return -ENOMEM;
		}
		anon_vma_lock_write(anon_vma);
		anon_vma_chain_link(dst, avc, anon_vma);
		anon_vma_unlock_write(anon_vma);
	}
	if (dst->anon_vma) {
		anon_vma_lock_write(dst->anon_vma);
		dst->anon_vma->num_active_vmas++;
		anon_vma_unlock_write(dst->anon_vma);
	}
	return 0;
}

/**
 * anon_vma_fork() - set up the anon rmap of a fork child's VMA
 * @vma: the child's VMA (a copy of @pvma)
 * @pvma: the parent's VMA
 *
 * The child sees the parent's folios through links to all of the parent's
 * anon_vmas, and gets its own anon_vma (child of the parent's) for folios
 * it creates or copies later.
 *
 * Return: 0 or -ENOMEM.
 */
int anon_vma_fork_at(struct vm_area_struct *vma, struct vm_area_struct *pvma,
		     struct fault_site *site)
{
	struct anon_vma *parent = pvma->anon_vma;
	struct anon_vma_chain *avc = NULL;
	struct anon_vma *anon_vma;
	int err;

	if (!parent)
		return 0;
	/* The copied pointer is the parent's: the child gets its own below. */
	vma->anon_vma = NULL;
	err = anon_vma_clone_at(vma, pvma, site);
	if (err)
		return err;

	anon_vma = anon_vma_alloc(site);
	if (anon_vma)
		avc = anon_vma_chain_alloc(site);
	if (!avc) {
		if (anon_vma)
			put_anon_vma(anon_vma);
		unlink_anon_vmas(vma);
		return -ENOMEM;
	}
	anon_vma->parent = parent;
	anon_vma->root = parent->root;
	anon_vma->num_active_vmas++;
	/* The root's lock protects the whole tree: keep the root alive. */
	get_anon_vma(anon_vma->root);
	vma->anon_vma = anon_vma;
	anon_vma_lock_write(anon_vma);
	anon_vma_chain_link(vma, avc, anon_vma);
	parent->num_children++;
	anon_vma_unlock_write(anon_vma);
	return 0;
}

/**
 * unlink_anon_vmas() - drop all of @vma's anon_vma links
 * @vma: a VMA being freed (mmap_lock held for write, or the mm is exiting)
 *
 * anon_vmas left without any linked VMA lose the reference they hold on
 * themselves; folios still pointing at them find an empty chain list.
 */
void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;
	LIST_HEAD(emptied);

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *anon_vma = avc->anon_vma;

		anon_vma_lock_write(anon_vma);
		list_del(&avc->same_anon_vma);
		if (list_empty(&anon_vma->chains)) {
			anon_vma->parent->num_children--;
			list_move(&avc->same_vma, &emptied);
		} else {
			list_del(&avc->same_vma);
			kfree(avc);
		}
		anon_vma_unlock_write(anon_vma);
	}
	if (vma->anon_vma) {
		anon_vma_lock_write(vma->anon_vma);
		vma->anon_vma->num_active_vmas--;
		anon_vma_unlock_write(vma->anon_vma);
		vma->anon_vma = NULL;
	}
	/* Outside the locks: a put may free a root whose lock we would hold. */
	list_for_each_entry_safe(avc, next, &emptied, same_vma) {
		list_del(&avc->same_vma);
		put_anon_vma(avc->anon_vma);
		kfree(avc);
	}
}

/**
 * folio_get_anon_vma() - a referenced anon_vma of a mapped anon folio
 * @folio: the folio
 *
 * Return: the anon_vma with a reference (put_anon_vma()), or NULL if the
 * folio is not anon or not mapped.
 */
struct anon_vma *folio_get_anon_vma(struct folio *folio)
{
	struct anon_vma *anon_vma = folio_anon_vma_raw(folio);

	if (!anon_vma || !folio_mapped(folio))
		return NULL;
	if (!atomic_inc_not_zero(&anon_vma->refcount))
		return NULL;
	if (!folio_mapped(folio)) {
		put_anon_vma(anon_vma);
		return NULL;
	}
	return anon_vma;
}

/* folio_lock_anon_vma_read(): the walk of a folio that may be unmapped under us. */
static struct anon_vma *folio_lock_anon_vma_read(struct folio *folio,
						  struct rmap_walk_control *rwc)
{
	struct anon_vma *anon_vma = folio_anon_vma_raw(folio);

	if (!anon_vma || !folio_mapped(folio))
		return NULL;
	if (rwc && rwc->try_lock) {
		if (!anon_vma_trylock_read(anon_vma)) {
			rwc->contended = true;
			return NULL;
		}
	} else {
		anon_vma_lock_read(anon_vma);
	}
	if (!folio_mapped(folio)) {
		anon_vma_unlock_read(anon_vma);
		return NULL;
	}
	return anon_vma;
}

static void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, bool exclusive)
{
	/* Set by anon_vma_prepare(), maybe on another CPU: read it once. */
	struct anon_vma *anon_vma = READ_ONCE(vma->anon_vma);

	BUG_ON(!anon_vma);
	(void)exclusive;
	WRITE_ONCE(folio->mapping,
		   (struct address_space *)((unsigned long)anon_vma | PAGE_MAPPING_ANON));
	folio->index = linear_page_index(vma, address);
}

/**
 * folio_add_new_anon_rmap() - map a new anon folio for the first time
 * @folio: a folio not mapped anywhere and not yet anon
 * @vma: the VMA it is mapped in (must have an anon_vma)
 * @address: where (of the first page)
 * @flags: RMAP_EXCLUSIVE to mark its pages anon-exclusive
 *
 * The caller holds the PTE lock and installs the PTE(s) next.
 */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, rmap_t flags)
{
	const bool exclusive = flags & RMAP_EXCLUSIVE;
	long i, nr = folio_nr_pages(folio);

	VM_BUG_ON_VMA(address < vma->vm_start ||
		      address + (nr << PAGE_SHIFT) > vma->vm_end, vma);
	if (!folio_test_swapbacked(folio))
		__folio_set_swapbacked(folio);
	__folio_set_anon(folio, vma, address, exclusive);

	/*
	 * A PMD-sized folio is mapped whole, by one huge PMD: one entire
	 * mapping, no per-page one, and exclusivity is kept on the first page
	 * until the PMD is split.
	 */
	if (folio_test_pmd_mappable(folio)) {
		atomic_set(&folio->_entire_mapcount, 0);
		atomic_set(&folio->_large_mapcount, 0);
		atomic_set(&folio->_nr_pages_mapped, ENTIRELY_MAPPED);
		if (exclusive)
			SetPageAnonExclusive(&folio->page);
		return;
	}
	/* Every page is mapped once (map counts start at -1). */
	for (i = 0; i < nr; i++) {
		struct page *page = folio_page(folio, i);

		if (exclusive)
			SetPageAnonExclusive(page);
		atomic_set(&page->_mapcount, 0);
	}
	if (unlikely(folio_test_large(folio))) {
		atomic_set(&folio->_nr_pages_mapped, nr);
		atomic_set(&folio->_large_mapcount, nr - 1);
	}
}

/**
 * folio_remove_rmap_pmd() - remove the huge PMD mapping of a folio
 * @folio: a PMD-sized folio
 * @page: its first page
 * @vma: the VMA
 *
 * As folio_remove_rmap_ptes(): the caller drops the mapping's reference.
 */
void folio_remove_rmap_pmd(struct folio *folio, struct page *page,
			   struct vm_area_struct *vma)
{
	(void)vma;
	VM_BUG_ON_PAGE(page != &folio->page || !folio_test_pmd_mappable(folio), page);
	if (atomic_add_return(-1, &folio->_entire_mapcount) < 0)
		atomic_sub(ENTIRELY_MAPPED, &folio->_nr_pages_mapped);
	VM_BUG_ON_FOLIO(atomic_read(&folio->_entire_mapcount) < -1, folio);
	atomic_dec(&folio->_large_mapcount);
}

static void folio_add_rmap_ptes(struct folio *folio, struct page *page,
				int nr_pages)
{
	int i;

	for (i = 0; i < nr_pages; i++)
		atomic_inc(&page[i]._mapcount);
	if (folio_test_large(folio))
		atomic_add(nr_pages, &folio->_large_mapcount);
}

/**
 * folio_add_anon_rmap_ptes() - add PTE mappings of pages of an anon folio
 * @folio: the folio (locked, or already mapped elsewhere)
 * @page: first page mapped
 * @nr_pages: number of consecutive pages
 * @vma: the VMA
 * @address: address of @page
 * @flags: RMAP_EXCLUSIVE if the mapping makes the pages exclusive
 *
 * Used when a migration or swap entry is turned back into a mapping.
 */
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma,
			      unsigned long address, rmap_t flags)
{
	int i;

	folio_add_rmap_ptes(folio, page, nr_pages);
	if (unlikely(!folio_test_anon(folio))) {
		VM_WARN_ON_FOLIO(!folio_test_locked(folio), folio);
		__folio_set_anon(folio, vma, address, flags & RMAP_EXCLUSIVE);
	} else if (!folio_test_ksm(folio)) {
		/* The folio must belong to this VMA's rmap at this address. */
		VM_BUG_ON_PAGE(folio_anon_vma_raw(folio)->root != vma->anon_vma->root,
			       page);
		VM_BUG_ON_PAGE(page_to_pfn(page) - folio_pfn(folio) !=
			       linear_page_index(vma, address) - folio->index, page);
	}
	if (flags & RMAP_EXCLUSIVE)
		for (i = 0; i < nr_pages; i++)
			SetPageAnonExclusive(page + i);
}

/* folio_add_file_rmap_ptes() - add PTE mappings of page-cache pages. */
void folio_add_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma)
{
	(void)vma;
	VM_WARN_ON_FOLIO(folio_test_anon(folio), folio);
	folio_add_rmap_ptes(folio, page, nr_pages);
}

/**
 * folio_remove_rmap_ptes() - remove PTE mappings of pages of a folio
 * @folio: the folio
 * @page: first page unmapped
 * @nr_pages: number of consecutive pages
 * @vma: the VMA
 *
 * Only the map count changes: the caller drops the mapping's reference
 * (after flushing the TLB, if the PTE was present).  PageAnonExclusive is
 * left as is; it is meaningless for an unmapped page.
 */
void folio_remove_rmap_ptes(struct folio *folio, struct page *page,
			    int nr_pages, struct vm_area_struct *vma)
{
	int i;

	(void)vma;
	for (i = 0; i < nr_pages; i++)
		VM_BUG_ON_PAGE(atomic_add_return(-1, &page[i]._mapcount) < -1,
			       page + i);
	if (folio_test_large(folio))
		atomic_sub(nr_pages, &folio->_large_mapcount);
}

/**
 * folio_move_anon_rmap() - move an exclusive anon folio to @vma's anon_vma
 * @folio: a locked anon folio mapped only by @vma
 * @vma: the VMA; must have an anon_vma
 *
 * Used when a write fault reuses a folio created before a fork: from now
 * on only this process's rmap needs to find it.
 */
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	void *anon_vma = vma->anon_vma;

	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	VM_BUG_ON_VMA(!anon_vma, vma);
	WRITE_ONCE(folio->mapping,
		   (struct address_space *)((unsigned long)anon_vma | PAGE_MAPPING_ANON));
}

/*
 * Hand one candidate VMA to the walk.  Return false when the walk is over:
 * ->rmap_one asked to stop, or ->done says there is nothing left to find.
 */
static bool rmap_walk_one_vma(struct folio *folio, struct vm_area_struct *vma,
			      pgoff_t pgoff, unsigned long nr,
			      struct rmap_walk_control *rwc)
{
	unsigned long address = vma_address(vma, pgoff, nr);

	/* Skipped: the folio cannot be in @vma, or the caller has no use for it. */
	if (address == (unsigned long)-EFAULT ||
	    (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg)))
		return true;
	if (!rwc->rmap_one(folio, vma, address, rwc->arg))
		return false;
	return !rwc->done || !rwc->done(folio);
}

static void rmap_walk_anon(struct folio *folio, struct rmap_walk_control *rwc,
			   bool locked)
{
	pgoff_t pgoff = folio_pgoff(folio);
	unsigned long nr = folio_nr_pages(folio);
	struct anon_vma_chain *avc;
	struct anon_vma *anon_vma;

	if (locked) {
		anon_vma = folio_anon_vma(folio);
		VM_BUG_ON_FOLIO(!anon_vma, folio);
	} else if (rwc->anon_lock) {
		anon_vma = rwc->anon_lock(folio, rwc);
		if (!anon_vma)
			return;
	} else {
		anon_vma = folio_anon_vma(folio);
		if (!anon_vma)
			return;
		if (rwc->try_lock) {
			if (!anon_vma_trylock_read(anon_vma)) {
				rwc->contended = true;
				return;
			}
		} else {
			anon_vma_lock_read(anon_vma);
		}
	}

	list_for_each_entry(avc, &anon_vma->chains, same_anon_vma)
		if (!rmap_walk_one_vma(folio, avc->vma, pgoff, nr, rwc))
			break;
	if (!locked)
		anon_vma_unlock_read(anon_vma);
}

static void rmap_walk_file(struct folio *folio, struct rmap_walk_control *rwc,
			   bool locked)
{
	struct address_space *mapping = folio_mapping(folio);
	pgoff_t pgoff = folio_pgoff(folio);
	unsigned long nr = folio_nr_pages(folio);
	struct vm_area_struct *vma;
	struct list_head *node;

	if (!mapping)
		return;
	if (!locked) {
		if (rwc->try_lock) {
			if (!down_read_trylock(&mapping->i_mmap_rwsem)) {
				rwc->contended = true;
				return;
			}
		} else {
			i_mmap_lock_read(mapping);
		}
	}
	/*
	 * By list node, not list_for_each_entry(): the list head lives in the
	 * address_space, and the VMA "containing" it that the macro computes
	 * at the end is misaligned (UBSan stops there).
	 */
	list_for_each(node, &mapping->i_mmap) {
		vma = list_entry(node, struct vm_area_struct, shared);
		if (!rmap_walk_one_vma(folio, vma, pgoff, nr, rwc))
			break;
	}
	if (!locked)
		i_mmap_unlock_read(mapping);
}

/**
 * rmap_walk() - call @rwc->rmap_one for each VMA that may map @folio
 * @folio: the folio (locked, for anon folios that are unmapped)
 * @rwc: the walk
 *
 * Takes the rmap lock (anon_vma root rwsem or i_mmap_rwsem) for read.
 */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	if (folio_test_anon(folio))
		rmap_walk_anon(folio, rwc, false);
	else
		rmap_walk_file(folio, rwc, false);
}

/* rmap_walk_locked() - rmap_walk() with the rmap lock already held. */
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc)
{
	if (folio_test_anon(folio))
		rmap_walk_anon(folio, rwc, true);
	else
		rmap_walk_file(folio, rwc, true);
}

static int folio_not_mapped(struct folio *folio)
{
	return !folio_mapped(folio);
}

/*
 * The swap PTE for @entry that takes the place of @old, keeping @old's
 * soft-dirty and uffd-wp bits.  @old is a present PTE or (@old_is_swp) a
 * swap PTE such as a device-private entry.
 */
static pte_t swp_pte_replacing(swp_entry_t entry, pte_t old, bool old_is_swp)
{
	pte_t swp_pte = swp_entry_to_pte(entry);
	bool soft_dirty = old_is_swp ? pte_swp_soft_dirty(old) : pte_soft_dirty(old);
	bool uffd_wp = old_is_swp ? pte_swp_uffd_wp(old) : pte_uffd_wp(old);

	if (soft_dirty)
		swp_pte = pte_swp_mksoft_dirty(swp_pte);
	if (uffd_wp)
		swp_pte = pte_swp_mkuffd_wp(swp_pte);
	return swp_pte;
}

/*
 * The migration entry, as a PTE, for page @pfn that was mapped by @old (a
 * device-private entry if @device_private, else a present PTE).  A fault
 * on it waits for the migration to finish.  A present PTE's access and
 * dirty bits are kept in the entry, to be restored with the mapping.
 */
static pte_t make_migration_pte(pte_t old, unsigned long pfn, bool anon_exclusive,
				bool device_private)
{
	swp_entry_t entry;
	bool writable;

	if (device_private)
		writable = is_writable_device_private_entry(pte_to_swp_entry(old));
	else
		writable = pte_write(old);

	if (writable)
		entry = make_writable_migration_entry(pfn);
	else if (anon_exclusive)
		entry = make_readable_exclusive_migration_entry(pfn);
	else
		entry = make_readable_migration_entry(pfn);
	if (!device_private && pte_young(old))
		entry = make_migration_entry_young(entry);
	if (!device_private && pte_dirty(old))
		entry = make_migration_entry_dirty(entry);
	return swp_pte_replacing(entry, old, device_private);
}

/* Replace each mapping of @folio in @vma by a migration entry. */
static bool try_to_migrate_one(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long address, void *arg)
{
	const bool device_private = folio_is_device_private(folio);
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	bool ret = true;

	(void)arg;
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, address,
				vma_address_end(&pvmw));
	mmu_notifier_invalidate_range_start(&range);

	while (page_vma_mapped_walk(&pvmw)) {
		pte_t pteval = ptep_get(pvmw.pte);
		struct page *subpage;
		bool anon_exclusive;
		unsigned long pfn;

		pfn = pte_present(pteval) ? pte_pfn(pteval) :
					    swp_offset_pfn(pte_to_swp_entry(pteval));
		subpage = folio_page(folio, pfn - folio_pfn(folio));
		address = pvmw.address;
		anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(subpage);

		flush_cache_page(vma, address, pfn);
		/* Gone from every TLB before the entry replaces it. */
		pteval = ptep_clear_flush(vma, address, pvmw.pte);
		if (pte_dirty(pteval))
			folio_mark_dirty(folio);

		/*
		 * An exclusive page that may be pinned must stay mapped: put the
		 * PTE back and give up.  Device-private pages cannot be pinned,
		 * so for them sharing has to succeed.
		 */
		if (anon_exclusive && folio_try_share_anon_rmap_pte(folio, subpage) &&
		    !WARN_ON_ONCE(device_private)) {
			set_pte_at(mm, address, pvmw.pte, pteval);
			page_vma_mapped_walk_done(&pvmw);
			ret = false;
			break;
		}
		set_pte_at(mm, address, pvmw.pte,
			   make_migration_pte(pteval, pfn, anon_exclusive, device_private));
		folio_remove_rmap_pte(folio, subpage, vma);
		/* The mapping's reference; the caller's keeps the folio alive. */
		folio_put(folio);
	}

	mmu_notifier_invalidate_range_end(&range);
	return ret;
}

/* Migration ignores mlock, and takes only these flags. */
#define TTU_MIGRATE_FLAGS \
	(TTU_RMAP_LOCKED | TTU_SPLIT_HUGE_PMD | TTU_SYNC | TTU_BATCH_FLUSH)

/**
 * try_to_migrate() - replace every mapping of a folio by migration entries
 * @folio: a locked folio
 * @flags: TTU_RMAP_LOCKED, TTU_SYNC, TTU_BATCH_FLUSH, TTU_SPLIT_HUGE_PMD
 *
 * Each mapping's reference is dropped with it.  The walk stops if an
 * exclusive anon page may be pinned (that mapping stays).  ZONE_DEVICE
 * folios other than private and coherent are left alone.  The caller checks
 * folio_mapped() afterwards.
 */
void try_to_migrate(struct folio *folio, enum ttu_flags flags)
{
	struct rmap_walk_control rwc = {
		.anon_lock = folio_lock_anon_vma_read,
		.rmap_one = try_to_migrate_one,
		.done = folio_not_mapped,
	};

	if (WARN_ON_ONCE(flags & ~TTU_MIGRATE_FLAGS))
		return;
	if (folio_is_zone_device(folio) &&
	    !(folio_is_device_private(folio) || folio_is_device_coherent(folio)))
		return;
	if (flags & TTU_RMAP_LOCKED)
		rmap_walk_locked(folio, &rwc);
	else
		rmap_walk(folio, &rwc);
}

/* try_to_unmap() - not modelled: the model never reclaims. */
void try_to_unmap(struct folio *folio, enum ttu_flags flags)
{
	(void)folio; (void)flags;
	WARN_ON_ONCE(1);
}

struct make_exclusive_args {
	struct mm_struct *mm;		/* where the caller wants the page */
	unsigned long address;
	void *owner;			/* notifier owner: the device */
	bool valid;			/* the wanted mapping was seen writable */
};

/*
 * Replace each present mapping of @folio in @vma with a device-exclusive
 * entry.  The entry keeps the mapping's folio reference; only the map count
 * goes.  A non-present mapping stops the walk: it cannot be made exclusive.
 */
static bool make_device_exclusive_one(struct folio *folio,
				      struct vm_area_struct *vma,
				      unsigned long address, void *priv)
{
	struct make_exclusive_args *args = priv;
	struct mm_struct *mm = vma->vm_mm;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);
	struct mmu_notifier_range range;
	bool ret = true;

	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_EXCLUSIVE, 0, mm, address,
				      min(vma->vm_end, address + folio_size(folio)),
				      args->owner);
	mmu_notifier_invalidate_range_start(&range);

	while (page_vma_mapped_walk(&pvmw)) {
		pte_t pte = ptep_get(pvmw.pte);
		struct page *subpage;
		swp_entry_t entry;

		if (!pte_present(pte)) {
			ret = false;
			page_vma_mapped_walk_done(&pvmw);
			break;
		}
		subpage = folio_page(folio, pte_pfn(pte) - folio_pfn(folio));
		address = pvmw.address;
		flush_cache_page(vma, address, pte_pfn(pte));
		pte = ptep_clear_flush(vma, address, pvmw.pte);
		if (pte_dirty(pte))
			folio_mark_dirty(folio);
		if (args->mm == mm && args->address == address && pte_write(pte))
			args->valid = true;

		if (pte_write(pte))
			entry = make_writable_device_exclusive_entry(page_to_pfn(subpage));
		else
			entry = make_readable_device_exclusive_entry(page_to_pfn(subpage));
		set_pte_at(mm, address, pvmw.pte, swp_pte_replacing(entry, pte, false));
		folio_remove_rmap_pte(folio, subpage, vma);
	}

	mmu_notifier_invalidate_range_end(&range);
	return ret;
}

/* Make every mapping of a locked anon folio device-exclusive. */
static bool folio_make_device_exclusive(struct folio *folio, struct mm_struct *mm,
					unsigned long address, void *owner)
{
	struct make_exclusive_args args = {
		.owner = owner,
		.mm = mm,
		.address = address,
	};
	struct rmap_walk_control rwc = {
		.arg = &args,
		.rmap_one = make_device_exclusive_one,
		.anon_lock = folio_lock_anon_vma_read,
		.done = folio_not_mapped,
	};

	/* Anon only: a file folio would need its writeback handled. */
	if (folio_test_hugetlb(folio) || !folio_test_anon(folio))
		return false;
	rmap_walk(folio, &rwc);
	/* Done only if no mapping is left and the caller's one was writable. */
	return !folio_mapcount(folio) && args.valid;
}

/**
 * make_device_exclusive_range() - take CPU access away for device atomics
 * @mm: the mm; mmap_lock held for read
 * @start: first address
 * @end: one past the last address
 * @pages: receives one entry per page: the page, or NULL if it could not
 *	be made exclusive
 * @owner: passed to MMU_NOTIFY_EXCLUSIVE notifiers
 *
 * Faults the pages in writable, then replaces every CPU mapping of each
 * with a device-exclusive entry, so the next CPU access faults and revokes
 * the device's access.  Returned pages are locked and referenced: the
 * caller maps them in the device, then unlocks and puts them.
 *
 * Return: the number of pages looked up, or a negative errno from GUP.
 */
int make_device_exclusive_range(struct mm_struct *mm, unsigned long start, unsigned long end,
				struct page **pages, void *owner)
{
	long n, nr;

	nr = get_user_pages_remote(mm, start, (end - start) >> PAGE_SHIFT,
				   FOLL_GET | FOLL_WRITE | FOLL_SPLIT_PMD, pages, NULL);
	/* Nothing to do on a GUP error: the loop does not run. */
	for (n = 0; n < nr; n++) {
		struct folio *folio = page_folio(pages[n]);
		bool locked = !PageTail(pages[n]) && folio_trylock(folio);

		if (locked &&
		    folio_make_device_exclusive(folio, mm, start + n * PAGE_SIZE, owner))
			continue;
		/* This page stays with the CPU: hand back no page for it. */
		if (locked)
			folio_unlock(folio);
		folio_put(folio);
		pages[n] = NULL;
	}
	return nr;
}

/**
 * mm_find_pmd() - the PMD entry covering @address in @mm, without allocating
 * @mm: the address space
 * @address: a user address
 *
 * Return: a pointer to the PMD entry (which may itself be none or huge), or
 * NULL when a level above it is not present.  The caller holds mmap_lock
 * (or otherwise keeps the page tables from being freed).
 */
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long address)
{
	/* 4-level paging: the P4D level is folded into the PGD. */
	p4d_t *p4d = p4d_offset(pgd_offset(mm, address), address);
	pud_t *pud;

	if (!p4d_present(p4dp_get(p4d)))
		return NULL;
	pud = pud_offset(p4d, address);
	if (!pud_present(pudp_get(pud)))
		return NULL;
	return pmd_offset(pud, address);
}
