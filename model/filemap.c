// SPDX-License-Identifier: GPL-2.0
/*
 * filemap.c - the folio lock and waiting on it (mm/filemap.c).
 *
 * PG_locked is taken with an acquire test-and-set and released with a
 * release clear.  Sleepers wait on a hashed bucket (a host mutex and
 * condition) and announce themselves with PG_waiters before their last
 * check of PG_locked.  Both the announcement and the unlock are atomic
 * read-modify-writes of the same flags word, so either the unlocker sees
 * PG_waiters and wakes the bucket, or the sleeper sees the folio unlocked
 * and does not sleep: no wake-up is lost.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/swapops.h>
#include <linux/xarray.h>
#include <host/host.h>

#define FOLIO_WAIT_TABLE_BITS	8
#define FOLIO_WAIT_TABLE_SIZE	(1 << FOLIO_WAIT_TABLE_BITS)

struct folio_wait_bucket {
	struct host_mutex lock;		/* zero bytes: statically initialised */
	struct host_cond cond;
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

/*
 * Sleep in @b until @folio is unlocked; if @take, lock it.  Called and
 * returns with b->lock held.
 */
static void folio_wait_bit(struct folio_wait_bucket *b, struct folio *folio,
			   bool take)
{
	for (;;) {
		folio_announce_waiter(folio);
		if (take ? folio_trylock(folio) :
			   !test_bit_acquire(PG_locked, &folio->flags))
			return;
		host_cond_wait(&b->cond, &b->lock);
	}
}

/* __folio_lock() - sleep until @folio can be locked, then lock it. */
void __folio_lock(struct folio *folio)
{
	struct folio_wait_bucket *b = folio_waitqueue(folio);

	host_mutex_lock(&b->lock);
	folio_wait_bit(b, folio, true);
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
	/* Waiters still sleeping set it again before they re-check. */
	clear_bit(PG_waiters, &folio->flags);
	host_cond_broadcast(&b->cond);
	host_mutex_unlock(&b->lock);
}

void unlock_page(struct page *page)
{
	folio_unlock(page_folio(page));
}

/* folio_wait_locked() - sleep until @folio is not locked (without locking it). */
void folio_wait_locked(struct folio *folio)
{
	struct folio_wait_bucket *b;

	if (!folio_test_locked(folio))
		return;
	b = folio_waitqueue(folio);
	host_mutex_lock(&b->lock);
	folio_wait_bit(b, folio, false);
	host_mutex_unlock(&b->lock);
}

/**
 * migration_entry_wait_on_locked() - wait for a migration to finish
 * @entry: a migration entry just read under @ptl
 * @ptl: the PTE (or PMD) lock, held on entry, released before sleeping
 *
 * Migration entries exist only while their folio is locked, so the
 * migration is over when the folio is unlocked.  Registering as a waiter
 * before dropping @ptl means the unlock cannot slip in between; no
 * reference is taken, so the folio may even be freed meanwhile, and then
 * the wait simply ends.
 */
void migration_entry_wait_on_locked(swp_entry_t entry, spinlock_t *ptl)
{
	struct folio *folio = pfn_swap_entry_folio(entry);
	struct folio_wait_bucket *b = folio_waitqueue(folio);

	host_mutex_lock(&b->lock);
	folio_announce_waiter(folio);
	spin_unlock(ptl);
	folio_wait_bit(b, folio, false);
	host_mutex_unlock(&b->lock);
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
