/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rmap.h - the reverse map: from a folio to the page-table entries mapping
 * it (model/rmap.c).
 *
 * An anonymous folio's mapping points at the anon_vma of the VMA it was
 * first mapped in (with PAGE_MAPPING_ANON set), and its index is its page
 * offset there.  Every VMA that may map it (the original and, after fork,
 * the children's copies) is linked to that anon_vma through an
 * anon_vma_chain, so a walk of the anon_vma's chains visits every candidate
 * VMA.  All anon_vmas of a fork tree share the root's lock.
 */
#ifndef _LINUX_RMAP_H
#define _LINUX_RMAP_H

#include <linux/fault-inject.h>

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/memremap.h>

/**
 * struct anon_vma - the reverse-map anchor of anonymous folios
 * @root: root of this fork tree; its @rwsem locks the whole tree
 * @rwsem: taken for write to change chains, for read to walk them
 * @refcount: one for the anon_vma itself (while any VMA uses it), one per
 *	child anon_vma whose @parent/@root it is, one per ongoing walker
 * @num_children: anon_vmas whose @parent this is
 * @num_active_vmas: VMAs whose vma->anon_vma this is
 * @parent: the anon_vma of the parent VMA at fork
 * @chains: anon_vma_chain.same_anon_vma links of the VMAs that may map
 *	folios of this anon_vma (the kernel keeps them in an interval tree)
 */
struct anon_vma {
	struct anon_vma *root;
	struct rw_semaphore rwsem;
	atomic_t refcount;
	unsigned long num_children;
	unsigned long num_active_vmas;
	struct anon_vma *parent;
	struct list_head chains;
	struct list_head free_node;	/* model: type-stable free list */
};

/* The link between one VMA and one anon_vma it may hold folios of. */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* in vma->anon_vma_chain */
	struct list_head same_anon_vma;	/* in anon_vma->chains */
};

typedef int rmap_t;
#define RMAP_NONE	((rmap_t)0)
#define RMAP_EXCLUSIVE	((rmap_t)1 << 0)	/* mapped by exactly one process */

enum ttu_flags {
	TTU_SPLIT_HUGE_PMD	= 0x4,
	TTU_IGNORE_MLOCK	= 0x8,
	TTU_SYNC		= 0x10,
	TTU_HWPOISON		= 0x20,
	TTU_BATCH_FLUSH		= 0x40,
	TTU_RMAP_LOCKED		= 0x80,
};

/* Each a failure site of class FAULT_ANON_VMA (linux/fault-inject.h). */
#define ANON_VMA_SITE(api)	FAULT_SITE(FAULT_ANON_VMA, api)

int __anon_vma_prepare(struct vm_area_struct *vma, struct fault_site *site);

/* Give @vma an anon_vma if it has none; 0 or -ENOMEM. */
static inline int anon_vma_prepare_at(struct vm_area_struct *vma,
				      struct fault_site *site)
{
	if (likely(READ_ONCE(vma->anon_vma)))
		return 0;
	return __anon_vma_prepare(vma, site);
}
#define anon_vma_prepare(vma)	\
	anon_vma_prepare_at(vma, ANON_VMA_SITE("anon_vma_prepare"))

int anon_vma_clone_at(struct vm_area_struct *dst, struct vm_area_struct *src,
		      struct fault_site *site);
#define anon_vma_clone(dst, src)	\
	anon_vma_clone_at(dst, src, ANON_VMA_SITE("anon_vma_clone"))
int anon_vma_fork_at(struct vm_area_struct *vma, struct vm_area_struct *pvma,
		     struct fault_site *site);
#define anon_vma_fork(vma, pvma)	\
	anon_vma_fork_at(vma, pvma, ANON_VMA_SITE("anon_vma_fork"))
void unlink_anon_vmas(struct vm_area_struct *vma);
void put_anon_vma(struct anon_vma *anon_vma);

static inline void get_anon_vma(struct anon_vma *anon_vma)
{
	atomic_inc(&anon_vma->refcount);
}

/* One lock serves a whole anon_vma tree: the root's. */
static inline struct rw_semaphore *anon_vma_tree_lock(struct anon_vma *anon_vma)
{
	return &anon_vma->root->rwsem;
}

static inline void anon_vma_lock_read(struct anon_vma *anon_vma)
{
	down_read(anon_vma_tree_lock(anon_vma));
}

static inline int anon_vma_trylock_read(struct anon_vma *anon_vma)
{
	return down_read_trylock(anon_vma_tree_lock(anon_vma));
}

static inline void anon_vma_unlock_read(struct anon_vma *anon_vma)
{
	up_read(anon_vma_tree_lock(anon_vma));
}

static inline void anon_vma_lock_write(struct anon_vma *anon_vma)
{
	down_write(anon_vma_tree_lock(anon_vma));
}

static inline void anon_vma_unlock_write(struct anon_vma *anon_vma)
{
	up_write(anon_vma_tree_lock(anon_vma));
}

struct anon_vma *folio_anon_vma(struct folio *folio);
struct anon_vma *folio_get_anon_vma(struct folio *folio);

/* Adding and removing PTE mappings (map count, anon state, statistics). */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, rmap_t flags);
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma,
			      unsigned long address, rmap_t flags);
#define folio_add_anon_rmap_pte(folio, page, vma, address, flags)	\
	folio_add_anon_rmap_ptes(folio, page, 1, vma, address, flags)
void folio_add_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma);
#define folio_add_file_rmap_pte(folio, page, vma)			\
	folio_add_file_rmap_ptes(folio, page, 1, vma)
void folio_remove_rmap_ptes(struct folio *folio, struct page *page,
			    int nr_pages, struct vm_area_struct *vma);
#define folio_remove_rmap_pte(folio, page, vma)				\
	folio_remove_rmap_ptes(folio, page, 1, vma)
void folio_remove_rmap_pmd(struct folio *folio, struct page *page,
			   struct vm_area_struct *vma);

/*
 * Added to _nr_pages_mapped while a PMD maps the whole folio, so that one
 * word tells "mapped whole" from "this many pages mapped by PTEs".
 */
#define ENTIRELY_MAPPED		0x800000

/* An exclusive anon folio moves to @vma's anon_vma (CoW reuse). */
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma);

/* Fork: another mapping of the same page, in the child. */
static inline void folio_dup_file_rmap_pte(struct folio *folio, struct page *page)
{
	atomic_inc(&page->_mapcount);
	if (folio_test_large(folio))
		atomic_inc(&folio->_large_mapcount);
}

/*
 * Fork: an exclusive anon page (or a PMD-mapped THP's head) becomes shared
 * with the child, unless it may be pinned: -EBUSY, the caller copies it.
 */
static inline int folio_try_share_for_fork(struct folio *folio,
					   struct page *page,
					   struct vm_area_struct *src_vma)
{
	if (PageAnonExclusive(page)) {
		if (unlikely(folio_needs_cow_for_dma(src_vma, folio)))
			return -EBUSY;
		ClearPageAnonExclusive(page);
	}
	return 0;
}

/* Fork of an anon PTE: the child's mapping of the page, or -EBUSY. */
static inline int folio_try_dup_anon_rmap_pte(struct folio *folio,
					      struct page *page,
					      struct vm_area_struct *src_vma)
{
	if (folio_try_share_for_fork(folio, page, src_vma))
		return -EBUSY;
	atomic_inc(&page->_mapcount);
	/* A PTE-mapped large folio counts each mapping in the folio too. */
	if (folio_test_large(folio))
		atomic_inc(&folio->_large_mapcount);
	return 0;
}

/*
 * Fork's second PMD mapping of an anon THP: the head's exclusivity speaks
 * for the whole folio.  -EBUSY if it may be pinned: the caller splits the
 * PMD and copies the pinned pages at PTE level.
 */
static inline int folio_try_dup_anon_rmap_pmd(struct folio *folio,
					      struct page *page,
					      struct vm_area_struct *src_vma)
{
	if (folio_try_share_for_fork(folio, page, src_vma))
		return -EBUSY;
	atomic_inc(&folio->_entire_mapcount);
	atomic_inc(&folio->_large_mapcount);
	return 0;
}

/**
 * folio_try_share_anon_rmap_pte() - mark an exclusive anon page shared
 * @folio: the folio of @page
 * @page: an anon-exclusive page whose PTE the caller has just cleared
 *
 * Called before a PTE is replaced by a migration (or swap) entry: from then
 * on the page may be mapped again by several processes, and a GUP pin taken
 * in between must not be silently lost.  If the folio may be pinned the
 * page stays exclusive and the caller must restore the PTE.
 *
 * Return: 0, or -EBUSY if the folio may be DMA-pinned.  Device-private
 * folios cannot be pinned and always succeed.
 */
static inline int folio_try_share_anon_rmap_pte(struct folio *folio,
						struct page *page)
{
	VM_BUG_ON_FOLIO(!folio_test_anon(folio), folio);
	VM_BUG_ON_PAGE(!PageAnonExclusive(page), page);

	if (unlikely(folio_is_device_private(folio))) {
		ClearPageAnonExclusive(page);
		return 0;
	}
	/* Orders the cleared PTE before the pin check, against GUP-fast. */
	smp_mb();
	if (unlikely(folio_maybe_dma_pinned(folio)))
		return -EBUSY;
	ClearPageAnonExclusive(page);
	return 0;
}

/* Finding the PTEs of one folio in one VMA. */
#define PVMW_SYNC	(1 << 0)	/* no racy lockless checks: the model always locks */
#define PVMW_MIGRATION	(1 << 1)	/* look for migration entries only */

/**
 * struct page_vma_mapped_walk - cursor of page_vma_mapped_walk()
 * @pfn: first pfn of the range looked for
 * @nr_pages: number of pages in the range
 * @pgoff: page offset of the range in its mapping
 * @vma: the VMA searched
 * @address: on a match, the virtual address of @pte
 * @pmd: on a match, the PMD above @pte
 * @pte: on a match, the matching PTE (its table locked through @ptl)
 * @ptl: lock held on a match
 * @flags: PVMW_*
 */
struct page_vma_mapped_walk {
	/* What to look for, and where. */
	struct vm_area_struct *vma;
	unsigned long pfn, nr_pages;
	pgoff_t pgoff;
	unsigned int flags;

	/* The current match. */
	unsigned long address;
	pmd_t *pmd;
	pte_t *pte;
	spinlock_t *ptl;
};

/* A walk for every page of @_folio, starting at @_address of @_vma. */
#define DEFINE_FOLIO_VMA_WALK(name, _folio, _vma, _address, _flags)	\
	struct page_vma_mapped_walk name = {				\
		.vma = _vma,						\
		.address = _address,					\
		.flags = _flags,					\
		.pfn = folio_pfn(_folio),				\
		.nr_pages = folio_nr_pages(_folio),			\
		.pgoff = folio_pgoff(_folio),				\
	}

static inline pgoff_t folio_pgoff(struct folio *folio)
{
	return folio->index;
}

/* model/page_vma_mapped.c */
bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw);

static inline void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)
{
	if (pvmw->ptl)
		spin_unlock(pvmw->ptl);
	pvmw->ptl = NULL;
	pvmw->pte = NULL;
}

/**
 * struct rmap_walk_control - a walk over every mapping of a folio
 * @arg: passed to the callbacks
 * @try_lock: give up (setting @contended) rather than sleep on the rmap lock
 * @contended: set when @try_lock gave up
 * @rmap_one: called for each VMA that may map the folio, with the address
 *	the folio would have there; return false to stop the walk
 * @done: called after each VMA; non-zero stops the walk
 * @anon_lock: replaces the default anon_vma locking
 * @invalid_vma: return true to skip a VMA
 */
struct rmap_walk_control {
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long addr, void *arg);
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
	int (*done)(struct folio *folio);
	struct anon_vma *(*anon_lock)(struct folio *folio,
				      struct rmap_walk_control *rwc);
	void *arg;
	bool try_lock;
	bool contended;
};

/* The _locked form is for callers that already hold the rmap lock. */
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc);
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);

void try_to_migrate(struct folio *folio, enum ttu_flags flags);
void try_to_unmap(struct folio *folio, enum ttu_flags flags);

int make_device_exclusive_range(struct mm_struct *mm, unsigned long start,
				unsigned long end, struct page **pages,
				void *owner);

#endif /* _LINUX_RMAP_H */
