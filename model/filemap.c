// SPDX-License-Identifier: GPL-2.0
/*
 * filemap.c - the folio lock and waiting on it, page cache lookup, and
 * mapping cached pages around a read fault (mm/filemap.c).
 *
 * PG_locked is taken with an acquire test-and-set and released with a
 * release clear.  A sleeper queues itself on a bucket hashed from the folio
 * (a host mutex and condition) and announces itself with PG_waiters before
 * its last check of PG_locked.  Both the announcement and the unlock are
 * atomic read-modify-writes of the same flags word, so either the unlocker
 * sees PG_waiters and wakes the bucket, or the sleeper sees the folio
 * unlocked and does not sleep: no wake-up is lost.
 *
 * The unlock takes every sleeper queued for that folio off the bucket and
 * marks it woken.  A sleeper that only waits (folio_wait_locked(), a
 * migration entry) returns once woken and does not look at the folio again:
 * it may hold no reference, and by the time it runs the page may have been
 * freed, reused and locked by its next owner, whose unlock owes it nothing.
 * Only a sleeper that wants the lock (and so holds a reference) tries again.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/swapops.h>
#include <linux/xarray.h>
#include <model/model.h>
#include <host/host.h>

#define FOLIO_WAIT_TABLE_BITS	8
#define FOLIO_WAIT_TABLE_SIZE	(1 << FOLIO_WAIT_TABLE_BITS)

/* All zero bytes when idle: the table needs no initialisation. */
struct folio_wait_bucket {
	struct host_mutex lock;
	struct host_cond cond;
	struct hlist_head sleepers;
};

/* A task asleep on a folio, queued on the folio's bucket. */
struct folio_sleeper {
	struct hlist_node node;
	struct folio *folio;
	bool woken;
};

static struct folio_wait_bucket folio_wait_table[FOLIO_WAIT_TABLE_SIZE];

static struct folio_wait_bucket *folio_waitqueue(struct folio *folio)
{
	unsigned long h = (unsigned long)folio / sizeof(struct page);

	h *= 0x9E3779B97F4A7C15UL;
	return &folio_wait_table[h >> (64 - FOLIO_WAIT_TABLE_BITS)];
}

static void folio_announce_waiter(struct folio *folio)
{
	__atomic_fetch_or(&folio->flags, 1UL << PG_waiters, __ATOMIC_SEQ_CST);
}

/* Queue @s for @folio's unlock.  Called with b->lock held. */
static void folio_sleeper_queue(struct folio_wait_bucket *b,
				struct folio_sleeper *s, struct folio *folio)
{
	s->folio = folio;
	s->woken = false;
	hlist_add_head(&s->node, &b->sleepers);
}

/* Sleep until an unlock has woken @s.  Called and returns with b->lock held. */
static void folio_sleeper_wait(struct folio_wait_bucket *b,
			       struct folio_sleeper *s)
{
	while (!s->woken)
		host_cond_wait(&b->cond, &b->lock);
}

/* Wake every sleeper queued for @folio.  Called with b->lock held. */
static void folio_wake(struct folio_wait_bucket *b, struct folio *folio)
{
	struct hlist_node **link = &b->sleepers.first;
	bool woke = false;

	while (*link) {
		struct folio_sleeper *s = hlist_entry(*link, struct folio_sleeper,
						      node);

		if (s->folio != folio) {
			link = &(*link)->next;
			continue;
		}
		hlist_del_init(&s->node);
		s->woken = true;
		woke = true;
	}
	/* None of @folio's sleepers is left; one that loops sets it again. */
	clear_bit(PG_waiters, &folio->flags);
	if (woke)
		host_cond_broadcast(&b->cond);
}

/* __folio_lock() - sleep until @folio can be locked, then lock it. */
void __folio_lock(struct folio *folio)
{
	struct folio_wait_bucket *b = folio_waitqueue(folio);
	struct folio_sleeper s;

	host_mutex_lock(&b->lock);
	/* The caller holds a reference: looking at @folio again is safe. */
	for (;;) {
		folio_announce_waiter(folio);
		if (folio_trylock(folio))
			break;
		folio_sleeper_queue(b, &s, folio);
		folio_sleeper_wait(b, &s);
	}
	host_mutex_unlock(&b->lock);
}

int __folio_lock_killable(struct folio *folio)
{
	__folio_lock(folio);
	return 0;
}

/**
 * folio_unlock() - release the folio lock and wake its waiters
 * @folio: a folio locked by the caller
 *
 * The release pairs with the next locker's acquire: it sees every store
 * made under the lock (metadata moved by migration, copied contents).
 */
void folio_unlock(struct folio *folio)
{
	unsigned long old;
	struct folio_wait_bucket *b;

	old = __atomic_fetch_and(&folio->flags, ~(1UL << PG_locked), __ATOMIC_RELEASE);
	VM_BUG_ON_FOLIO(!(old & (1UL << PG_locked)), folio);
	if (!(old & (1UL << PG_waiters)))
		return;
	b = folio_waitqueue(folio);
	host_mutex_lock(&b->lock);
	folio_wake(b, folio);
	host_mutex_unlock(&b->lock);
}

void unlock_page(struct page *page)
{
	folio_unlock(page_folio(page));
}

/*
 * Sleep until the holder of @folio's lock releases it, once.  Called with
 * b->lock held.  If @ptl is given, it is dropped once this task is queued.
 */
static void folio_wait_unlock_once(struct folio_wait_bucket *b,
				   struct folio *folio, spinlock_t *ptl)
{
	struct folio_sleeper s;
	bool locked;

	folio_announce_waiter(folio);
	locked = test_bit_acquire(PG_locked, &folio->flags);
	if (locked)
		folio_sleeper_queue(b, &s, folio);
	if (ptl)
		spin_unlock(ptl);
	if (locked)
		folio_sleeper_wait(b, &s);
}

/**
 * folio_wait_locked() - sleep until @folio is unlocked, without locking it
 * @folio: the folio
 *
 * Returns when the folio is seen unlocked or the unlock that was awaited
 * has happened: the folio may be locked again by then.
 */
void folio_wait_locked(struct folio *folio)
{
	struct folio_wait_bucket *b;

	if (!folio_test_locked(folio))
		return;
	b = folio_waitqueue(folio);
	host_mutex_lock(&b->lock);
	folio_wait_unlock_once(b, folio, NULL);
	host_mutex_unlock(&b->lock);
}

/**
 * migration_entry_wait_on_locked() - wait for a migration to finish
 * @entry: a migration entry just read under @ptl
 * @ptl: the PTE (or PMD) lock, held on entry, released before sleeping
 *
 * Migration entries exist only while their folio is locked, so the
 * migration is over when the folio is unlocked.  The task is queued before
 * @ptl is dropped, so that unlock cannot slip in between.  No reference is
 * taken: the wait ends at that unlock, whatever becomes of the folio next,
 * and the caller retries the access.
 */
void migration_entry_wait_on_locked(swp_entry_t entry, spinlock_t *ptl)
{
	struct folio *folio = pfn_swap_entry_folio(entry);
	struct folio_wait_bucket *b = folio_waitqueue(folio);

	host_mutex_lock(&b->lock);
	folio_wait_unlock_once(b, folio, ptl);
	host_mutex_unlock(&b->lock);
}

/**
 * model_folio_sleepers() - how many tasks are asleep on @folio
 * @folio: the folio
 *
 * For tests that must know a task has gone to sleep before they go on.
 */
unsigned int model_folio_sleepers(struct folio *folio)
{
	struct folio_wait_bucket *b = folio_waitqueue(folio);
	struct folio_sleeper *s;
	unsigned int n = 0;

	host_mutex_lock(&b->lock);
	hlist_for_each_entry(s, &b->sleepers, node)
		n += s->folio == folio;
	host_mutex_unlock(&b->lock);
	return n;
}

/* Drop the lock a fault runs under: the VMA lock or mmap_lock (read). */
static void release_fault_lock(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		vma_end_read(vmf->vma);
	else
		mmap_read_unlock(vmf->vma->vm_mm);
}

/**
 * __folio_lock_or_retry() - lock a folio for a fault, or ask for a retry
 * @folio: the folio (its trylock failed)
 * @vmf: the fault
 *
 * Return: 0 with the folio locked, or VM_FAULT_RETRY with the fault's lock
 * released (after waiting for the folio, unless FAULT_FLAG_RETRY_NOWAIT).
 */
vm_fault_t __folio_lock_or_retry(struct folio *folio, struct vm_fault *vmf)
{
	unsigned int flags = vmf->flags;

	if ((flags & FAULT_FLAG_ALLOW_RETRY) && !(flags & FAULT_FLAG_TRIED)) {
		if (flags & FAULT_FLAG_RETRY_NOWAIT)
			return VM_FAULT_RETRY;
		release_fault_lock(vmf);
		folio_wait_locked(folio);
		return VM_FAULT_RETRY;
	}
	__folio_lock(folio);
	return 0;
}

/**
 * filemap_get_folio() - look a folio up in a page cache
 * @mapping: the address space
 * @index: page index
 *
 * Return: the folio with a reference, or ERR_PTR(-ENOENT).
 */
struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	/* A folio being freed has refcount 0 and is refused by the try-get. */
	folio = xa_load(&mapping->i_pages, index);
	if (folio && (xa_is_value(folio) || !folio_try_get(folio)))
		folio = NULL;
	return folio ? folio : ERR_PTR(-ENOENT);
}

/**
 * filemap_map_pages() - map the cached pages of [@start_pgoff, @end_pgoff]
 * @vmf: the read fault (its VMA is a file VMA; the range lies inside it and
 *	inside one page table, which exists)
 * @start_pgoff: first file page
 * @end_pgoff: last file page
 *
 * Only what can be had without waiting is mapped: a page that is locked
 * (e.g. under migration), not up to date, beyond the end of the file, or
 * whose PTE is not empty is skipped.  Each page is mapped with the VMA's
 * protection (read-only in a private mapping) and keeps the lookup's
 * reference for the mapping.
 *
 * Return: VM_FAULT_NOPAGE if the faulting address was mapped, else 0.
 */
vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
			     pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct address_space *mapping = vma->vm_file->f_mapping;
	pgoff_t size = DIV_ROUND_UP(i_size_read(mapping->host), PAGE_SIZE);
	unsigned long addr;
	vm_fault_t ret = 0;
	struct folio *folio;
	pgoff_t index;
	pte_t *first;

	if (end_pgoff >= size)
		end_pgoff = size - 1;
	if (!size || start_pgoff > end_pgoff)
		return 0;
	addr = vma->vm_start + ((start_pgoff - vma->vm_pgoff) << PAGE_SHIFT);
	first = pte_offset_map_lock(mm, vmf->pmd, addr, &vmf->ptl);
	if (!first)
		return 0;
	vmf->pte = first;
	for (index = start_pgoff; index <= end_pgoff;
	     index++, vmf->pte++, addr += PAGE_SIZE) {
		folio = filemap_get_folio(mapping, index);
		if (IS_ERR(folio))
			continue;
		if (!folio_trylock(folio)) {
			folio_put(folio);
			continue;
		}
		if (folio->mapping != mapping || !folio_test_uptodate(folio) ||
		    !pte_none(ptep_get(vmf->pte))) {
			folio_unlock(folio);
			folio_put(folio);
			continue;
		}
		folio_add_file_rmap_pte(folio, &folio->page, vma);
		inc_mm_counter(mm, mm_counter_file(folio));
		set_pte_at(mm, addr, vmf->pte,
			   pte_mkyoung(mk_pte(&folio->page, vma->vm_page_prot)));
		update_mmu_cache(vma, addr, vmf->pte);
		if (addr == (vmf->address & PAGE_MASK))
			ret = VM_FAULT_NOPAGE;
		folio_unlock(folio);
	}
	pte_unmap_unlock(first, vmf->ptl);
	vmf->pte = NULL;
	return ret;
}
