/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagemap.h - the folio lock (model/filemap.c) and page-cache helpers.
 *
 * PG_locked is a sleeping bit lock.  Sleepers wait on one of a table of
 * wait queues hashed by folio and set PG_waiters first, so an unlock only
 * takes the queue's lock when somebody may be waiting.
 */
#ifndef _LINUX_PAGEMAP_H
#define _LINUX_PAGEMAP_H

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/highmem.h>

/* Acquire: the new holder sees what the previous holder wrote. */
static inline bool folio_trylock(struct folio *folio)
{
	return likely(!test_and_set_bit_lock(PG_locked, &folio->flags));
}

void __folio_lock(struct folio *folio);
int __folio_lock_killable(struct folio *folio);
void folio_unlock(struct folio *folio);
void folio_wait_locked(struct folio *folio);
vm_fault_t __folio_lock_or_retry(struct folio *folio, struct vm_fault *vmf);

static inline void folio_lock(struct folio *folio)
{
	might_sleep();
	if (!folio_trylock(folio))
		__folio_lock(folio);
}

static inline int folio_lock_killable(struct folio *folio)
{
	if (!folio_trylock(folio))
		return __folio_lock_killable(folio);
	return 0;
}

static inline bool trylock_page(struct page *page)
{
	return folio_trylock(page_folio(page));
}

static inline void lock_page(struct page *page)
{
	folio_lock(page_folio(page));
}

void unlock_page(struct page *page);

/*
 * Lock for a fault: 0 with the folio locked, or VM_FAULT_RETRY with the
 * fault's locks (mmap_lock or the VMA lock) dropped if the fault allows it.
 */
static inline vm_fault_t folio_lock_or_retry(struct folio *folio,
					     struct vm_fault *vmf)
{
	might_sleep();
	/* The uncontended case needs no help from the fault. */
	return folio_trylock(folio) ? 0 : __folio_lock_or_retry(folio, vmf);
}

static inline void wait_on_page_locked(struct page *page)
{
	folio_wait_locked(page_folio(page));
}

static inline void folio_wait_writeback(struct folio *folio)
{
	(void)folio;
}

static inline struct address_space *folio_file_mapping(struct folio *folio)
{
	return folio->mapping;
}

struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index);

#endif /* _LINUX_PAGEMAP_H */
