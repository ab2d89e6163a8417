// SPDX-License-Identifier: GPL-2.0
/*
 * dmirror.c - the mirror device of libdevmig.
 *
 * A pretend device that mirrors a process's address space, with the
 * behaviour of the kernel's lib/test_hmm.c as seen through its uapi: it reads
 * and writes process memory through its own page table (filled by
 * hmm_range_fault() and kept coherent by an interval notifier), migrates
 * anonymous memory into device memory of its own with migrate_vma_*(), gives
 * it back on request, on CPU faults (migrate_to_ram) and when its memory goes
 * away (migrate_device_range() and friends).
 *
 * Device memory is ZONE_DEVICE memory created chunk by chunk with
 * memremap_pages().  A device-private page cannot be touched by the CPU, so,
 * as test_hmm does, each allocated private page gets a system "backing" page
 * that holds its bytes; a device-coherent page holds its own bytes.
 *
 * Locking, outermost first:
 *	mmap_lock of the mirrored mm
 *	  mdevice->mirrors_lock		(list of open mirrors)
 *	    dmirror->mutex		(the device page table's contents)
 *	      mdevice->lock		(free list and counters, a spinlock)
 *	mdevice->evict_lock		(eviction; never under mmap_lock)
 *	  mdevice->devmem_lock		(chunk array; also under mmap_lock on
 *					 the allocation path)
 *	    mdevice->lock
 *
 * Deliberate differences from test_hmm, all in favour of a model that must
 * not corrupt itself where the kernel module would merely oops:
 *  - a device-private page of this device reported by hmm_range_fault() is
 *    stored in the device page table as its backing page (test_hmm stores
 *    the device page itself, which has no kernel mapping);
 *  - when a page leaves device memory, its entry is erased from every mirror
 *    of this device on the same mm, not only from the mirror that migrated it
 *    (test_hmm leaves other mirrors pointing at a freed backing page); each
 *    mirror remembers where it departed so, and a device access there
 *    counts in dmirror_device_stats().stale_lookups: from that access on,
 *    test_hmm's results are those of a freed page;
 *  - our own migrations move the notifier sequence (test_hmm's callback
 *    returns before it does), so a device fault that raced with one
 *    retries instead of storing a page the migration replaced, and a page
 *    migrating to this device is forgotten before it is copied, so no
 *    device WRITE can land in the old page after the copy (both found by
 *    tests/stress.c: device writes were lost);
 *  - there is no character device: a mirror is an anonymous-inode file
 *    (its mmap() is dmirror_mmap(), its last close dmirror_close()).
 */
#include <linux/mm.h>
#include <linux/hmm.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/jiffies.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include <linux/fs.h>
#include <linux/err.h>

#include <linux/fault-inject.h>

#include "hmm_dmirror.h"

/* Largest piece of a range handled at once: the on-stack pfn arrays. */
#define DMIRROR_PIECE_PAGES	64UL
/* The chunk array grows by this many slots at a time. */
#define DMIRROR_CHUNKS_STEP	16
/* Eviction walks a chunk this many pfns at a time (bounds its arrays). */
#define DMIRROR_EVICT_BATCH	1024UL
/* Eviction passes over a chunk being removed before waiting for it. */
#define DMIRROR_EVICT_PASSES	4

/*
 * Device page-table entries are page pointers with a 2-bit tag.  Tag 0 means
 * read-only; ATOMIC marks a page obtained for exclusive (atomic) access.
 */
#define DPT_XA_TAG_ATOMIC	1UL
#define DPT_XA_TAG_WRITE	3UL

struct dmirror_device;

struct dmirror_chunk {
	struct dev_pagemap pagemap;
	struct dmirror_device *mdevice;
	struct resource *res;
	unsigned long in_use;	/* allocated pages; under mdevice->lock */
	bool removing;		/* freed pages must not go back on the list */
};

struct dmirror_device {
	int type;
	unsigned long chunk_pages;
	unsigned int max_chunks;	/* 0: no limit */

	/*
	 * evict_lock serialises the two eviction paths (close and chunk
	 * removal), so chunks are freed only under it.  devmem_lock protects
	 * the chunk array and is never held while waiting for a page: an
	 * allocator may block on it with destination pages locked.
	 */
	struct mutex evict_lock;
	struct mutex devmem_lock;
	struct dmirror_chunk **chunks;
	unsigned int nr_chunks;
	unsigned int chunk_capacity;

	struct mutex mirrors_lock;	/* protects the mirror list */
	struct list_head mirrors;

	spinlock_t lock;		/* protects what follows */
	struct page *free_pages;	/* linked through zone_device_data */
	unsigned long calloc;
	unsigned long cfree;
	unsigned long in_use;
	unsigned long alloc_failures;
	unsigned long migrate_to_ram;
	unsigned long migrate_to_ram_sigbus;
	unsigned long stale_lookups;
};

struct dmirror {
	struct dmirror_device *mdevice;
	struct file *file;		/* the open file; mappings hold it too */
	struct mmu_interval_notifier notifier;
	struct mutex mutex;		/* protects pt and stale */
	struct xarray pt;		/* virtual page number -> tagged page */
	/*
	 * Page numbers whose entry a sibling mirror's migration took away
	 * while test_hmm's mirror would still name the old page there, with
	 * that entry's tag as the value.
	 */
	struct xarray stale;
	struct list_head link;		/* in mdevice->mirrors */
};

/* A temporary notifier that only watches one SNAPSHOT piece. */
struct dmirror_snap_notifier {
	struct mmu_interval_notifier notifier;
	struct dmirror *dmirror;
};

static const struct dev_pagemap_ops dmirror_devmem_ops;

static bool dmirror_is_private(const struct dmirror_device *mdevice)
{
	return mdevice->type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
}

static unsigned long dmirror_select_flags(const struct dmirror_device *mdevice)
{
	return dmirror_is_private(mdevice) ? MIGRATE_VMA_SELECT_DEVICE_PRIVATE :
					     MIGRATE_VMA_SELECT_DEVICE_COHERENT;
}

static struct dmirror_chunk *dmirror_page_to_chunk(struct page *page)
{
	return container_of(page->pgmap, struct dmirror_chunk, pagemap);
}

/* The instance a device page of ours belongs to, through its chunk. */
static struct dmirror_device *dmirror_page_to_device(struct page *page)
{
	struct dmirror_chunk *chunk = dmirror_page_to_chunk(page);

	return chunk->mdevice;
}

/*
 * The page whose bytes stand for @page: private device memory is not
 * addressable by the CPU, so its data lives in a backing system page.
 */
static struct page *dmirror_backing(struct page *page)
{
	if (is_device_private_page(page))
		return page->zone_device_data;
	return page;
}

/* ------------------------------------------------------------------------
 * Device memory: chunks, the free list, page_free.
 */

static int dmirror_grow_chunk_array(struct dmirror_device *mdevice)
{
	struct dmirror_chunk **chunks;
	unsigned int capacity;

	if (mdevice->nr_chunks < mdevice->chunk_capacity)
		return 0;
	capacity = mdevice->chunk_capacity + DMIRROR_CHUNKS_STEP;
	chunks = krealloc(mdevice->chunks, capacity * sizeof(*chunks),
			  GFP_KERNEL);
	if (!chunks)
		return -ENOMEM;
	mdevice->chunks = chunks;
	mdevice->chunk_capacity = capacity;
	return 0;
}

/*
 * dmirror_add_chunk() - create one more chunk of device memory and put all
 * its pages on the free list.  Fails with -ENOSPC once the configured limit
 * is reached, which is how tests exhaust device memory.
 */
static int dmirror_add_chunk(struct dmirror_device *mdevice)
{
	unsigned long size = mdevice->chunk_pages << PAGE_SHIFT;
	struct dmirror_chunk *chunk;
	unsigned long pfn, first, last;
	void *addr;
	int ret;

	chunk = kzalloc(sizeof(*chunk), GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;

	mutex_lock(&mdevice->devmem_lock);
	if (mdevice->max_chunks && mdevice->nr_chunks >= mdevice->max_chunks) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	ret = dmirror_grow_chunk_array(mdevice);
	if (ret)
		goto err_unlock;

	/*
	 * Both kinds take a free physical range here; a real coherent device
	 * would name the range its memory occupies instead.
	 */
	chunk->res = request_free_mem_region(&iomem_resource, size,
					     "hmm_dmirror");
	if (IS_ERR_OR_NULL(chunk->res)) {
		ret = chunk->res ? PTR_ERR(chunk->res) : -ENOMEM;
		goto err_unlock;
	}
	chunk->mdevice = mdevice;
	chunk->pagemap.type = dmirror_is_private(mdevice) ?
			      MEMORY_DEVICE_PRIVATE : MEMORY_DEVICE_COHERENT;
	chunk->pagemap.range.start = chunk->res->start;
	chunk->pagemap.range.end = chunk->res->start + size - 1;
	chunk->pagemap.nr_range = 1;
	chunk->pagemap.ops = &dmirror_devmem_ops;
	chunk->pagemap.owner = mdevice;

	addr = memremap_pages(&chunk->pagemap, numa_node_id());
	if (IS_ERR_OR_NULL(addr)) {
		ret = addr ? PTR_ERR(addr) : -EFAULT;
		goto err_region;
	}
	mdevice->chunks[mdevice->nr_chunks++] = chunk;

	/*
	 * Still under devmem_lock: a removal that detaches this chunk must
	 * find its pages on the free list, not have them pushed afterwards.
	 */
	first = chunk->pagemap.range.start >> PAGE_SHIFT;
	last = first + mdevice->chunk_pages;
	spin_lock(&mdevice->lock);
	for (pfn = last; pfn-- > first;) {
		struct page *page = pfn_to_page(pfn);

		page->zone_device_data = mdevice->free_pages;
		mdevice->free_pages = page;
	}
	spin_unlock(&mdevice->lock);
	mutex_unlock(&mdevice->devmem_lock);
	return 0;

err_region:
	release_mem_region(chunk->res->start, resource_size(chunk->res));
err_unlock:
	mutex_unlock(&mdevice->devmem_lock);
	kfree(chunk);
	return ret;
}

/* Device page allocations, as a test may make them fail. */
static DECLARE_FAULT_ATTR(dmirror_fail_devmem);

/* Take a page off the free list. */
static struct page *dmirror_pop_free(struct dmirror_device *mdevice)
{
	struct page *page = NULL;

	spin_lock(&mdevice->lock);
	if (mdevice->free_pages) {
		page = mdevice->free_pages;
		mdevice->free_pages = page->zone_device_data;
		mdevice->calloc++;
		mdevice->in_use++;
		dmirror_page_to_chunk(page)->in_use++;
	}
	spin_unlock(&mdevice->lock);
	return page;
}

/*
 * dmirror_devmem_alloc_page() - allocate one device page.
 *
 * Returns the page as zone_device_page_init() leaves it (one reference,
 * locked) with a backing page attached for private memory, or NULL
 * when device memory (or system memory for the backing page) is exhausted.
 */
static struct page *dmirror_devmem_alloc_page(struct dmirror_device *mdevice)
{
	struct page *backing = NULL;
	struct page *dpage;

	if (dmirror_is_private(mdevice)) {
		/* Not zeroed: every user copies or clears it in full. */
		backing = alloc_page(GFP_HIGHUSER);
		if (!backing)
			goto fail;
		/* The mirror it is for, as test_hmm keeps it (none yet). */
		backing->zone_device_data = NULL;
	}

	/* The one failure point of our own (tests arm it). */
	if (should_fail(&dmirror_fail_devmem, PAGE_SIZE))
		goto fail;

	/*
	 * Another allocator may empty a chunk we just added before we get a
	 * page from it, so keep adding until one sticks or the limit hits.
	 */
	while (!(dpage = dmirror_pop_free(mdevice))) {
		if (dmirror_add_chunk(mdevice))
			goto fail;
	}

	zone_device_page_init(dpage);
	dpage->zone_device_data = backing;
	return dpage;

fail:
	if (backing)
		__free_page(backing);
	spin_lock(&mdevice->lock);
	mdevice->alloc_failures++;
	spin_unlock(&mdevice->lock);
	return NULL;
}

/*
 * page_free: the last reference to a device page is gone.  Its backing page
 * goes back to the system; the device page goes back on the free list unless
 * its chunk is being torn down.
 */
static void dmirror_devmem_free(struct page *page)
{
	struct dmirror_chunk *chunk = dmirror_page_to_chunk(page);
	struct dmirror_device *mdevice = chunk->mdevice;

	if (is_device_private_page(page) && page->zone_device_data)
		__free_page(page->zone_device_data);
	page->zone_device_data = NULL;

	spin_lock(&mdevice->lock);
	mdevice->in_use--;
	chunk->in_use--;
	if (!chunk->removing) {
		page->zone_device_data = mdevice->free_pages;
		mdevice->free_pages = page;
		mdevice->cfree++;
	}
	spin_unlock(&mdevice->lock);
}

/* ------------------------------------------------------------------------
 * The device page table.
 */

static void dmirror_pt_erase_range(struct dmirror *dmirror,
				   unsigned long first, unsigned long last)
{
	unsigned long index;
	void *entry;

	/*
	 * The table holds no page references: dropping an entry is all it
	 * takes, the notifier guarantees nobody uses a stale one.
	 */
	xa_for_each_range(&dmirror->pt, index, entry, first, last)
		xa_erase(&dmirror->pt, index);
	xa_for_each_range(&dmirror->stale, index, entry, first, last)
		xa_erase(&dmirror->stale, index);
}

/*
 * A device access found no entry at @index where test_hmm's mirror still
 * names a page a sibling's migration took (for a @write, one it may write):
 * count the departure.  Caller holds dmirror->mutex.
 */
static void dmirror_stale_lookup(struct dmirror *dmirror, unsigned long index,
				 bool write)
{
	void *stale = xa_load(&dmirror->stale, index);

	if (!stale || (write && xa_to_value(stale) != DPT_XA_TAG_WRITE))
		return;
	spin_lock(&dmirror->mdevice->lock);
	dmirror->mdevice->stale_lookups++;
	spin_unlock(&dmirror->mdevice->lock);
}

/*
 * An entry a migration to the device took from a mirror before copying its
 * page, kept until the pages step says whether the page moved.
 */
struct dmirror_saved_entry {
	struct list_head link;
	struct dmirror *dmirror;
	unsigned long index;
	void *entry;
};

/*
 * Forget, in every mirror of @mdevice on the migration's mm, the address of
 * each slot of @args that has a destination: the page it named is leaving
 * under a MIGRATE event that those mirrors ignore.  With @saved, what was
 * there is kept on that list, to be put back if the page stays.  test_hmm
 * forgets it only in @self (the migrating mirror, or the one that put a
 * faulting page on the device): the others are marked stale.  One pass per
 * mirror, under its mutex once, for the whole piece.
 */
static void dmirror_forget_pages(struct dmirror_device *mdevice,
				 struct migrate_vma *args,
				 struct list_head *saved, struct dmirror *self)
{
	struct mm_struct *mm = args->vma->vm_mm;
	unsigned long first = args->start >> PAGE_SHIFT, i;
	struct list_head *pos;

	mutex_lock(&mdevice->mirrors_lock);
	/*
	 * Plain list_for_each(): the _entry variant forms a struct dmirror
	 * pointer from the list head itself, which sits at an address no
	 * struct dmirror could have (UBSan's alignment check objects).
	 */
	list_for_each(pos, &mdevice->mirrors) {
		struct dmirror *dmirror = list_entry(pos, struct dmirror, link);

		if (dmirror->notifier.mm != mm)
			continue;
		mutex_lock(&dmirror->mutex);
		for (i = 0; i < args->npages; i++) {
			struct dmirror_saved_entry *se;
			void *old;

			if (!args->dst[i])
				continue;
			old = xa_erase(&dmirror->pt, first + i);
			if (old && dmirror != self)
				xa_store(&dmirror->stale, first + i,
					 xa_mk_value(xa_pointer_tag(old)),
					 GFP_KERNEL);
			/* Without memory to remember it, the entry is just gone. */
			se = old && saved ? kmalloc(sizeof(*se), GFP_KERNEL) : NULL;
			if (!se)
				continue;
			se->dmirror = dmirror;
			se->index = first + i;
			se->entry = old;
			list_add(&se->link, saved);
		}
		mutex_unlock(&dmirror->mutex);
	}
	mutex_unlock(&mdevice->mirrors_lock);
}

/*
 * After the pages step: the mirrors get back the entries of pages that did
 * not move (they still name the system page, which stays), as test_hmm's
 * mirrors, which ignore their own migrations, keep theirs.  A mirror
 * released meanwhile is no longer on the list and is skipped.
 */
static void dmirror_restore_refused(struct dmirror_device *mdevice,
				    struct migrate_vma *args,
				    struct list_head *saved)
{
	struct dmirror_saved_entry *se, *next;
	struct list_head *pos;

	mutex_lock(&mdevice->mirrors_lock);
	list_for_each_entry_safe(se, next, saved, link) {
		unsigned long i = se->index - (args->start >> PAGE_SHIFT);

		if (!(args->src[i] & MIGRATE_PFN_MIGRATE)) {
			list_for_each(pos, &mdevice->mirrors) {
				if (pos != &se->dmirror->link)
					continue;
				mutex_lock(&se->dmirror->mutex);
				if (!xa_insert(&se->dmirror->pt, se->index,
					       se->entry, GFP_KERNEL))
					xa_erase(&se->dmirror->stale,
						 se->index);
				mutex_unlock(&se->dmirror->mutex);
				break;
			}
		}
		list_del(&se->link);
		kfree(se);
	}
	mutex_unlock(&mdevice->mirrors_lock);
}

static int dmirror_pt_store(struct dmirror *dmirror, unsigned long addr,
			    struct page *page, unsigned long tag)
{
	void *old;

	old = xa_store(&dmirror->pt, addr >> PAGE_SHIFT,
		       xa_tag_pointer(page, tag), GFP_ATOMIC);
	if (xa_is_err(old))
		return xa_err(old);
	xa_erase(&dmirror->stale, addr >> PAGE_SHIFT);
	return 0;
}

/*
 * Copy [start, end) between the device page table and @buf: out of the
 * mirrored pages, or into them with @write (which needs writable entries).
 * Stops at the first page the device cannot access that way and returns
 * the number of pages copied.  Caller holds dmirror->mutex.
 */
static unsigned long dmirror_pt_copy(struct dmirror *dmirror,
				     unsigned long start, unsigned long end,
				     char *buf, bool write)
{
	unsigned long addr;
	unsigned long done = 0;

	for (addr = start; addr < end; addr += PAGE_SIZE, done++) {
		void *entry = xa_load(&dmirror->pt, addr >> PAGE_SHIFT);
		struct page *page = xa_untag_pointer(entry);

		if (!page) {
			dmirror_stale_lookup(dmirror, addr >> PAGE_SHIFT, write);
			break;
		}
		if (!write) {
			memcpy_from_page(buf + done * PAGE_SIZE, page, 0,
					 PAGE_SIZE);
			continue;
		}
		if (xa_pointer_tag(entry) != DPT_XA_TAG_WRITE)
			break;
		memcpy_to_page(page, 0, buf + done * PAGE_SIZE, PAGE_SIZE);
	}
	return done;
}

/* ------------------------------------------------------------------------
 * Coherence with the CPU page tables.
 */

static bool dmirror_interval_invalidate(struct mmu_interval_notifier *notifier,
					const struct mmu_notifier_range *range,
					unsigned long cur_seq)
{
	struct dmirror *dmirror = container_of(notifier, struct dmirror,
					       notifier);
	bool own_migration = range->event == MMU_NOTIFY_MIGRATE &&
			     range->owner == dmirror->mdevice;

	/* An invalidation that may not sleep gives up if the lock is busy. */
	if (!mmu_notifier_range_blockable(range)) {
		if (!mutex_trylock(&dmirror->mutex))
			return false;
	} else {
		mutex_lock(&dmirror->mutex);
	}

	/*
	 * The sequence moves even for our own migrations (test_hmm returns
	 * early and does not move it): a device fault that read the range
	 * before the migration must retry, not store a page that is gone.
	 */
	mmu_interval_set_seq(notifier, cur_seq);
	/*
	 * Our own migrations keep our entries right themselves: a page going
	 * to this device is forgotten before its copy and mapped after the
	 * pages step, a page leaving it is forgotten when its destination is
	 * chosen.  Tearing entries down here would also drop pages this
	 * device owns but is not migrating.
	 */
	if (!own_migration)
		/* Inclusive of the page at range->end, as test_hmm does. */
		dmirror_pt_erase_range(dmirror, range->start >> PAGE_SHIFT,
				       range->end >> PAGE_SHIFT);
	mutex_unlock(&dmirror->mutex);
	return true;
}

/*
 * One snapshot of @range: -EAGAIN if an invalidation raced with it (the
 * walk's own -EBUSY, or a sequence that moved before dmirror->mutex was
 * taken), 0 with the mutex held if it is current, or the walk's error.
 */
static int dmirror_hmm_snapshot(struct dmirror *dmirror,
				struct hmm_range *range)
{
	unsigned long seq = mmu_interval_read_begin(range->notifier);
	int ret;

	range->notifier_seq = seq;
	mmap_read_lock(dmirror->notifier.mm);
	ret = hmm_range_fault(range);
	mmap_read_unlock(dmirror->notifier.mm);
	if (ret == -EBUSY)
		return -EAGAIN;
	if (ret)
		return ret;
	mutex_lock(&dmirror->mutex);
	if (mmu_interval_read_retry(range->notifier, seq)) {
		mutex_unlock(&dmirror->mutex);
		return -EAGAIN;
	}
	return 0;
}

/*
 * Snapshot @range until the answer is still current under dmirror->mutex,
 * for at most HMM_RANGE_DEFAULT_TIMEOUT.  Returns 0 with dmirror->mutex
 * held, or a negative errno (-EBUSY once the time is spent) without it.
 */
static int dmirror_hmm_fault_locked(struct dmirror *dmirror,
				    struct hmm_range *range)
{
	unsigned long give_up = jiffies +
				msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	int ret;

	do {
		ret = dmirror_hmm_snapshot(dmirror, range);
	} while (ret == -EAGAIN && !time_after(jiffies, give_up));
	return ret == -EAGAIN ? -EBUSY : ret;
}

/* Store what hmm_range_fault() reported into the device page table. */
static int dmirror_pt_fill(struct dmirror *dmirror, struct hmm_range *range)
{
	unsigned long addr;
	unsigned long *pfn = range->hmm_pfns;
	int ret;

	for (addr = range->start; addr < range->end; addr += PAGE_SIZE, pfn++) {
		struct page *page;

		/* A faulting request never succeeds with a hole in it. */
		if (WARN_ON(!(*pfn & HMM_PFN_VALID) || (*pfn & HMM_PFN_ERROR)))
			return -EFAULT;
		if (WARN_ON((range->default_flags & HMM_PFN_REQ_WRITE) &&
			    !(*pfn & HMM_PFN_WRITE)))
			return -EFAULT;

		page = hmm_pfn_to_page(*pfn);
		if (is_device_private_page(page))
			page = dmirror_backing(page);
		ret = dmirror_pt_store(dmirror, addr, page,
				       (*pfn & HMM_PFN_WRITE) ?
				       DPT_XA_TAG_WRITE : 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* Fault [start, end) into the device page table (one "device fault"). */
static int dmirror_fault(struct dmirror *dmirror, unsigned long start,
			 unsigned long end, bool write)
{
	struct mm_struct *mm = dmirror->notifier.mm;
	unsigned long pfns[DMIRROR_PIECE_PAGES];
	struct hmm_range range = {
		.notifier = &dmirror->notifier,
		.hmm_pfns = pfns,
		.default_flags = HMM_PFN_REQ_FAULT |
				 (write ? HMM_PFN_REQ_WRITE : 0),
		.pfn_flags_mask = 0,
		.dev_private_owner = dmirror->mdevice,
	};
	unsigned long addr;
	int ret = 0;

	/* The mirrored process may be exiting; its page tables with it. */
	if (!mmget_not_zero(mm))
		return -EFAULT;

	for (addr = start; addr < end && !ret; addr = range.end) {
		range.start = addr;
		range.end = min(end, addr + (DMIRROR_PIECE_PAGES << PAGE_SHIFT));
		ret = dmirror_hmm_fault_locked(dmirror, &range);
		if (ret)
			break;
		ret = dmirror_pt_fill(dmirror, &range);
		mutex_unlock(&dmirror->mutex);
	}
	mmput(mm);
	return ret;
}

/* ------------------------------------------------------------------------
 * READ and WRITE.
 */

/*
 * READ (@write false) and WRITE: copy through the device page table, and
 * whenever it lacks a page, fault the rest of the range into it (one
 * "device fault" each time) and go on from the first missing page.
 */
static int dmirror_access(struct dmirror *dmirror, struct hmm_dmirror_cmd *cmd,
			  bool write)
{
	void __user *uptr = (void __user *)(unsigned long)cmd->ptr;
	unsigned long start = cmd->addr;
	unsigned long end = start + (cmd->npages << PAGE_SHIFT);
	unsigned long done = 0;
	char *bounce;
	int ret = 0;

	bounce = vmalloc(end - start);
	if (!bounce)
		return -ENOMEM;
	if (write && copy_from_user(bounce, uptr, end - start)) {
		ret = -EFAULT;
		goto out;
	}

	for (;;) {
		unsigned long from = start + (done << PAGE_SHIFT);

		mutex_lock(&dmirror->mutex);
		done += dmirror_pt_copy(dmirror, from, end,
					bounce + (done << PAGE_SHIFT), write);
		mutex_unlock(&dmirror->mutex);
		from = start + (done << PAGE_SHIFT);
		if (from == end)
			break;
		ret = dmirror_fault(dmirror, from, end, write);
		if (ret)
			break;
		cmd->faults++;
	}

	if (!ret && !write && copy_to_user(uptr, bounce, end - start))
		ret = -EFAULT;
out:
	cmd->cpages = done;
	vfree(bounce);
	return ret;
}

/*
 * The final step of MIGRATE_TO_DEV and EXCLUSIVE: hand the device's view of
 * the whole range back to the caller, so it can check what the device holds.
 * Every page must be present in the device page table (-ENOENT otherwise).
 */
static int dmirror_report_range(struct dmirror *dmirror,
				struct hmm_dmirror_cmd *cmd)
{
	unsigned long start = cmd->addr;
	unsigned long end = start + (cmd->npages << PAGE_SHIFT);
	unsigned long done;
	char *bounce;
	int ret = 0;

	bounce = vmalloc(end - start);
	if (!bounce)
		return -ENOMEM;
	mutex_lock(&dmirror->mutex);
	done = dmirror_pt_copy(dmirror, start, end, bounce, false);
	mutex_unlock(&dmirror->mutex);
	if (start + (done << PAGE_SHIFT) != end)
		ret = -ENOENT;
	else if (copy_to_user((void __user *)(unsigned long)cmd->ptr, bounce,
			      end - start))
		ret = -EFAULT;
	cmd->cpages = done;
	vfree(bounce);
	return ret;
}

/* ------------------------------------------------------------------------
 * Migration.
 */

/*
 * Choose and fill destinations for a system -> device migration: one device
 * page per selected slot, holding a copy of the source (or zeroes for a hole
 * or the zero page).  A slot we cannot serve simply stays where it is.
 */
static void dmirror_fill_device_dst(struct dmirror *dmirror,
				    struct migrate_vma *args,
				    struct list_head *saved)
{
	unsigned long i;

	for (i = 0; i < args->npages; i++) {
		struct page *spage = migrate_pfn_to_page(args->src[i]);
		struct page *dpage;

		args->dst[i] = 0;
		if (!(args->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		/* SELECT_SYSTEM never hands us device memory. */
		if (WARN_ON(spage && is_zone_device_page(spage)))
			continue;

		dpage = dmirror_devmem_alloc_page(dmirror->mdevice);
		if (!dpage)
			continue;
		if (is_device_private_page(dpage))
			dmirror_backing(dpage)->zone_device_data = dmirror;

		args->dst[i] = migrate_pfn(page_to_pfn(dpage));
		/*
		 * Remember writability for our own page table: from the source
		 * mapping, or from the VMA for a page that did not exist yet.
		 */
		if ((args->src[i] & MIGRATE_PFN_WRITE) ||
		    (!spage && (args->vma->vm_flags & VM_WRITE)))
			args->dst[i] |= MIGRATE_PFN_WRITE;
	}
	/*
	 * Our own MIGRATE event left our entries alone, so one may still name
	 * a source page: a device WRITE through it after the copies below
	 * would be lost.  Forget them first; a device access now faults and
	 * waits on the migration entry.
	 */
	dmirror_forget_pages(dmirror->mdevice, args, saved, dmirror);
	for (i = 0; i < args->npages; i++) {
		struct page *spage = migrate_pfn_to_page(args->src[i]);
		struct page *dpage = migrate_pfn_to_page(args->dst[i]);

		if (!dpage)
			continue;
		if (spage)
			copy_highpage(dmirror_backing(dpage), spage);
		else
			clear_highpage(dmirror_backing(dpage));
	}
}

/*
 * Between pages and finalize: both pages are still locked, so this is the
 * moment to point the device page table at the slots that did migrate.
 */
static int dmirror_map_migrated(struct dmirror *dmirror,
				struct migrate_vma *args)
{
	unsigned long i;
	int ret = 0;

	mutex_lock(&dmirror->mutex);
	for (i = 0; i < args->npages && !ret; i++) {
		struct page *dpage = migrate_pfn_to_page(args->dst[i]);

		if (!dpage || !(args->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		ret = dmirror_pt_store(dmirror, args->start + (i << PAGE_SHIFT),
				       dmirror_backing(dpage),
				       (args->dst[i] & MIGRATE_PFN_WRITE) ?
				       DPT_XA_TAG_WRITE : 0);
	}
	mutex_unlock(&dmirror->mutex);
	return ret;
}

/*
 * Choose and fill destinations for a device -> system migration (the ioctl
 * and the CPU fault alike): a fresh system page per selected device page,
 * with the device's bytes copied in.  The device forgets the address now,
 * since the migration's own MIGRATE event is one the mirrors ignore.  @self
 * is the one mirror test_hmm forgets it in (dmirror_forget_pages()).
 */
static void dmirror_fill_system_dst(struct dmirror_device *mdevice,
				    struct migrate_vma *args,
				    struct dmirror *self)
{
	unsigned long i;

	for (i = 0; i < args->npages; i++) {
		struct page *spage = migrate_pfn_to_page(args->src[i]);
		struct page *dpage;

		args->dst[i] = 0;
		if (!spage || !(args->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		if (WARN_ON(!is_device_private_page(spage) &&
			    !is_device_coherent_page(spage)))
			continue;

		dpage = alloc_page_vma(GFP_HIGHUSER_MOVABLE, args->vma,
				       args->start + (i << PAGE_SHIFT));
		if (!dpage)
			continue;
		lock_page(dpage);
		args->dst[i] = migrate_pfn(page_to_pfn(dpage));
		if (args->src[i] & MIGRATE_PFN_WRITE)
			args->dst[i] |= MIGRATE_PFN_WRITE;
	}
	dmirror_forget_pages(mdevice, args, NULL, self);
	for (i = 0; i < args->npages; i++) {
		struct page *spage = migrate_pfn_to_page(args->src[i]);
		struct page *dpage = migrate_pfn_to_page(args->dst[i]);

		if (dpage)
			copy_highpage(dpage, dmirror_backing(spage));
	}
}

static unsigned long dmirror_count_migrated(const struct migrate_vma *args)
{
	unsigned long i, n = 0;

	for (i = 0; i < args->npages; i++)
		if ((args->src[i] & MIGRATE_PFN_VALID) &&
		    (args->src[i] & MIGRATE_PFN_MIGRATE))
			n++;
	return n;
}

/*
 * dmirror_migrate_range() - migrate [start, end) piece by piece.
 * @to_device: system -> this device if true, this device -> system if false.
 *
 * Each piece lies in one VMA, which must be readable (-EINVAL otherwise,
 * leaving earlier pieces migrated).  A setup error ends the command.
 */
static int dmirror_migrate_range(struct dmirror *dmirror,
				 struct hmm_dmirror_cmd *cmd, bool to_device)
{
	struct dmirror_device *mdevice = dmirror->mdevice;
	struct mm_struct *mm = dmirror->notifier.mm;
	unsigned long start = cmd->addr;
	unsigned long end = start + (cmd->npages << PAGE_SHIFT);
	unsigned long src[DMIRROR_PIECE_PAGES];
	unsigned long dst[DMIRROR_PIECE_PAGES];
	unsigned long addr, next;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -EINVAL;

	mmap_read_lock(mm);
	for (addr = start; addr < end; addr = next) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		struct migrate_vma args = { 0 };

		if (!vma || !(vma->vm_flags & VM_READ)) {
			ret = -EINVAL;
			break;
		}
		next = min(end, addr + (DMIRROR_PIECE_PAGES << PAGE_SHIFT));
		next = min(next, vma->vm_end);

		args.vma = vma;
		args.start = addr;
		args.end = next;
		args.src = src;
		args.dst = dst;
		args.pgmap_owner = mdevice;
		args.flags = to_device ? MIGRATE_VMA_SELECT_SYSTEM :
					 dmirror_select_flags(mdevice);
		ret = migrate_vma_setup(&args);
		if (ret)
			break;

		if (to_device) {
			LIST_HEAD(saved);

			dmirror_fill_device_dst(dmirror, &args, &saved);
			migrate_vma_pages(&args);
			dmirror_restore_refused(mdevice, &args, &saved);
			ret = dmirror_map_migrated(dmirror, &args);
		} else {
			dmirror_fill_system_dst(mdevice, &args, dmirror);
			migrate_vma_pages(&args);
			cmd->cpages += dmirror_count_migrated(&args);
		}
		migrate_vma_finalize(&args);
		if (ret)
			break;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return ret;
}

/*
 * migrate_to_ram: the CPU touched one of our device-private pages.  Bring
 * exactly that page back.  The fault path holds a reference on it, which is
 * why it must be named as fault_page.
 */
static vm_fault_t dmirror_devmem_fault(struct vm_fault *vmf)
{
	struct dmirror_device *mdevice = dmirror_page_to_device(vmf->page);
	unsigned long src = 0, dst = 0;
	struct migrate_vma args = {
		.vma = vmf->vma,
		.start = vmf->address,
		.end = vmf->address + PAGE_SIZE,
		.src = &src,
		.dst = &dst,
		.pgmap_owner = mdevice,
		.flags = dmirror_select_flags(mdevice),
		.fault_page = vmf->page,
	};

	spin_lock(&mdevice->lock);
	mdevice->migrate_to_ram++;
	spin_unlock(&mdevice->lock);

	if (migrate_vma_setup(&args)) {
		spin_lock(&mdevice->lock);
		mdevice->migrate_to_ram_sigbus++;
		spin_unlock(&mdevice->lock);
		return VM_FAULT_SIGBUS;
	}
	/* test_hmm forgets the page in the mirror that put it there. */
	dmirror_fill_system_dst(mdevice, &args,
				dmirror_backing(vmf->page)->zone_device_data);
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	/*
	 * Not migrated (no memory, or someone else is migrating it): the CPU
	 * simply faults again.
	 */
	return 0;
}

static const struct dev_pagemap_ops dmirror_devmem_ops = {
	.migrate_to_ram = dmirror_devmem_fault,
	.page_free = dmirror_devmem_free,
};

/* ------------------------------------------------------------------------
 * SNAPSHOT.
 */

static unsigned char dmirror_prot_byte(struct dmirror *dmirror,
				       unsigned long entry)
{
	unsigned char prot;
	unsigned int order;
	struct page *page;

	if (entry & HMM_PFN_ERROR)
		return HMM_DMIRROR_PROT_ERROR;
	if (!(entry & HMM_PFN_VALID))
		return HMM_DMIRROR_PROT_NONE;

	page = hmm_pfn_to_page(entry);
	if (is_device_private_page(page))
		prot = dmirror_page_to_device(page) == dmirror->mdevice ?
		       HMM_DMIRROR_PROT_DEV_PRIVATE_LOCAL :
		       HMM_DMIRROR_PROT_DEV_PRIVATE_REMOTE;
	else if (is_device_coherent_page(page))
		prot = dmirror_page_to_device(page) == dmirror->mdevice ?
		       HMM_DMIRROR_PROT_DEV_COHERENT_LOCAL :
		       HMM_DMIRROR_PROT_DEV_COHERENT_REMOTE;
	else if (is_zero_pfn(page_to_pfn(page)))
		prot = HMM_DMIRROR_PROT_ZERO;
	else
		prot = 0;

	prot |= (entry & HMM_PFN_WRITE) ? HMM_DMIRROR_PROT_WRITE :
					  HMM_DMIRROR_PROT_READ;
	order = hmm_pfn_to_map_order(entry);
	if (order + PAGE_SHIFT == PMD_SHIFT)
		prot |= HMM_DMIRROR_PROT_PMD;
	else if (order + PAGE_SHIFT == PUD_SHIFT)
		prot |= HMM_DMIRROR_PROT_PUD;
	return prot;
}

static bool dmirror_snap_invalidate(struct mmu_interval_notifier *mni,
				    const struct mmu_notifier_range *range,
				    unsigned long cur_seq)
{
	struct dmirror_snap_notifier *snap =
		container_of(mni, struct dmirror_snap_notifier, notifier);

	/* Any change in the piece spoils the whole snapshot: just bump. */
	if (mmu_notifier_range_blockable(range))
		mutex_lock(&snap->dmirror->mutex);
	else if (!mutex_trylock(&snap->dmirror->mutex))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&snap->dmirror->mutex);
	return true;
}

static const struct mmu_interval_notifier_ops dmirror_snap_ops = {
	.invalidate = dmirror_snap_invalidate,
};

/* One piece: read the CPU page table without faulting, encode it. */
static int dmirror_snapshot_piece(struct dmirror *dmirror,
				  struct hmm_range *range, unsigned char *perm)
{
	struct dmirror_snap_notifier snap = { .dmirror = dmirror };
	unsigned long i, n = (range->end - range->start) >> PAGE_SHIFT;
	int ret;

	/* Our own notifier may be busy with unrelated ranges; watch this one. */
	ret = mmu_interval_notifier_insert(&snap.notifier,
					   dmirror->notifier.mm, range->start,
					   range->end - range->start,
					   &dmirror_snap_ops);
	if (ret)
		return ret;
	range->notifier = &snap.notifier;

	ret = dmirror_hmm_fault_locked(dmirror, range);
	if (!ret) {
		for (i = 0; i < n; i++)
			perm[i] = dmirror_prot_byte(dmirror,
						    range->hmm_pfns[i]);
		mutex_unlock(&dmirror->mutex);
	}
	mmu_interval_notifier_remove(&snap.notifier);
	return ret;
}

static int dmirror_snapshot(struct dmirror *dmirror, struct hmm_dmirror_cmd *cmd)
{
	struct mm_struct *mm = dmirror->notifier.mm;
	unsigned long start = cmd->addr;
	unsigned long end = start + (cmd->npages << PAGE_SHIFT);
	unsigned long pfns[DMIRROR_PIECE_PAGES];
	unsigned char perm[DMIRROR_PIECE_PAGES];
	struct hmm_range range = {
		.hmm_pfns = pfns,
		.default_flags = 0,
		.pfn_flags_mask = 0,
		.dev_private_owner = dmirror->mdevice,
	};
	unsigned long addr;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -EINVAL;

	for (addr = start; addr < end; addr = range.end) {
		unsigned long n;

		range.start = addr;
		range.end = min(end, addr + (DMIRROR_PIECE_PAGES << PAGE_SHIFT));
		ret = dmirror_snapshot_piece(dmirror, &range, perm);
		if (ret)
			break;
		n = (range.end - range.start) >> PAGE_SHIFT;
		if (copy_to_user((void __user *)(unsigned long)
				 (cmd->ptr + cmd->cpages), perm, n)) {
			ret = -EFAULT;
			break;
		}
		cmd->cpages += n;
	}
	mmput(mm);
	return ret;
}

/* ------------------------------------------------------------------------
 * EXCLUSIVE and CHECK_EXCLUSIVE.
 */

static int dmirror_exclusive(struct dmirror *dmirror,
			     struct hmm_dmirror_cmd *cmd)
{
	struct mm_struct *mm = dmirror->notifier.mm;
	unsigned long start = cmd->addr;
	unsigned long end = start + (cmd->npages << PAGE_SHIFT);
	struct page *pages[DMIRROR_PIECE_PAGES];
	unsigned long addr, next;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -EINVAL;

	mmap_read_lock(mm);
	for (addr = start; addr < end; addr = next) {
		unsigned long want, mapped = 0;
		int got, i;

		next = min(end, addr + (DMIRROR_PIECE_PAGES << PAGE_SHIFT));
		want = (next - addr) >> PAGE_SHIFT;
		got = make_device_exclusive_range(mm, addr, next, pages, NULL);

		/* Only a complete answer has every pages[] slot filled in. */
		if (got == (int)want) {
			mutex_lock(&dmirror->mutex);
			for (i = 0; i < got && !ret; i++) {
				if (!pages[i])
					continue;
				ret = dmirror_pt_store(dmirror,
						       addr + (i << PAGE_SHIFT),
						       pages[i],
						       DPT_XA_TAG_ATOMIC);
				if (!ret)
					mapped++;
			}
			mutex_unlock(&dmirror->mutex);
		}
		for (i = 0; i < got; i++) {
			if (pages[i]) {
				unlock_page(pages[i]);
				put_page(pages[i]);
			}
		}
		if (!ret && mapped < want)
			ret = -EBUSY;
		if (ret)
			break;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	if (ret)
		return ret;
	return dmirror_report_range(dmirror, cmd);
}

static int dmirror_check_exclusive(struct dmirror *dmirror,
				   struct hmm_dmirror_cmd *cmd)
{
	unsigned long first = cmd->addr >> PAGE_SHIFT;
	unsigned long last = first + cmd->npages - 1;
	unsigned long index;
	void *entry;
	int ret = 0;

	/* Only the entries the device holds, however large the range. */
	mutex_lock(&dmirror->mutex);
	xa_for_each_range(&dmirror->pt, index, entry, first, last) {
		if (xa_pointer_tag(entry) == DPT_XA_TAG_ATOMIC) {
			ret = -EPERM;
			break;
		}
	}
	mutex_unlock(&dmirror->mutex);
	return ret;
}

/* ------------------------------------------------------------------------
 * Eviction and chunk removal.
 */

/* Bring back one batch of a chunk's pfns, whoever maps them. */
static void dmirror_evict_batch(unsigned long first_pfn, unsigned long npages,
				unsigned long *src, unsigned long *dst)
{
	unsigned long i;

	memset(dst, 0, npages * sizeof(*dst));
	migrate_device_range(src, first_pfn, npages);
	for (i = 0; i < npages; i++) {
		struct page *spage = migrate_pfn_to_page(src[i]);
		struct page *dpage;

		if (!spage || !(src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		if (WARN_ON(!is_device_private_page(spage) &&
			    !is_device_coherent_page(spage)))
			continue;
		/*
		 * Nothing else can hold the data once the device memory goes,
		 * so this allocation is not allowed to fail.
		 */
		dpage = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOFAIL);
		lock_page(dpage);
		copy_highpage(dpage, dmirror_backing(spage));
		dst[i] = migrate_pfn(page_to_pfn(dpage));
		if (src[i] & MIGRATE_PFN_WRITE)
			dst[i] |= MIGRATE_PFN_WRITE;
	}
	migrate_device_pages(src, dst, npages);
	migrate_device_finalize(src, dst, npages);
}

static void dmirror_evict_chunk(struct dmirror_chunk *chunk)
{
	unsigned long first = chunk->pagemap.range.start >> PAGE_SHIFT;
	unsigned long npages = range_len(&chunk->pagemap.range) >> PAGE_SHIFT;
	unsigned long batch = min(npages, DMIRROR_EVICT_BATCH);
	unsigned long *src, *dst;
	unsigned long done;

	src = kvcalloc(batch, sizeof(*src), GFP_KERNEL | __GFP_NOFAIL);
	dst = kvcalloc(batch, sizeof(*dst), GFP_KERNEL | __GFP_NOFAIL);
	for (done = 0; done < npages; done += batch)
		dmirror_evict_batch(first + done, min(batch, npages - done),
				    src, dst);
	kvfree(src);
	kvfree(dst);
}

static unsigned long dmirror_chunk_in_use(struct dmirror_chunk *chunk)
{
	unsigned long n;

	spin_lock(&chunk->mdevice->lock);
	n = chunk->in_use;
	spin_unlock(&chunk->mdevice->lock);
	return n;
}

/* Close: move every page of the device back to system memory. */
static void dmirror_evict_all(struct dmirror_device *mdevice)
{
	unsigned int i;

	mutex_lock(&mdevice->evict_lock);
	for (i = 0;; i++) {
		struct dmirror_chunk *chunk = NULL;

		/* The array may be reallocated by an allocator meanwhile. */
		mutex_lock(&mdevice->devmem_lock);
		if (i < mdevice->nr_chunks)
			chunk = mdevice->chunks[i];
		mutex_unlock(&mdevice->devmem_lock);
		if (!chunk)
			break;
		dmirror_evict_chunk(chunk);
	}
	mutex_unlock(&mdevice->evict_lock);
}

/*
 * Remove every chunk: stop handing its pages out, evict what is in use,
 * wait for the last reference (memunmap_pages), give the range back.  A later
 * allocation starts a new chunk.
 */
static void dmirror_remove_chunks(struct dmirror_device *mdevice)
{
	struct dmirror_chunk **chunks;
	unsigned int i, nr;

	mutex_lock(&mdevice->evict_lock);
	mutex_lock(&mdevice->devmem_lock);
	chunks = mdevice->chunks;
	nr = mdevice->nr_chunks;
	mdevice->chunks = NULL;
	mdevice->nr_chunks = 0;
	mdevice->chunk_capacity = 0;
	spin_lock(&mdevice->lock);
	for (i = 0; i < nr; i++)
		chunks[i]->removing = true;
	/* Every chunk on the list is going, so the whole list goes. */
	mdevice->free_pages = NULL;
	spin_unlock(&mdevice->lock);
	mutex_unlock(&mdevice->devmem_lock);

	for (i = 0; i < nr; i++) {
		struct dmirror_chunk *chunk = chunks[i];

		int pass;

		/*
		 * A migration that allocated from this chunk just before it
		 * was detached may map its page after our pass: go again a
		 * few times.  A page still held after that is pinned by
		 * someone, and memunmap_pages() waits for them, as it would
		 * in the kernel.
		 */
		for (pass = 0; pass < DMIRROR_EVICT_PASSES; pass++) {
			dmirror_evict_chunk(chunk);
			if (!dmirror_chunk_in_use(chunk))
				break;
		}
		memunmap_pages(&chunk->pagemap);
		/* The region may be larger: it is rounded up to sections. */
		release_mem_region(chunk->res->start,
				   resource_size(chunk->res));
		kfree(chunk);
	}
	kfree(chunks);
	mutex_unlock(&mdevice->evict_lock);
}

/* ------------------------------------------------------------------------
 * Entry points (api/hmm_dmirror.h).
 */

/* Carry out one command on a private copy of the caller's arguments. */
static int dmirror_run(struct dmirror *dmirror, unsigned int command,
		       struct hmm_dmirror_cmd *cmd)
{
	int ret;

	switch (command) {
	case HMM_DMIRROR_READ:
		return dmirror_access(dmirror, cmd, false);
	case HMM_DMIRROR_WRITE:
		return dmirror_access(dmirror, cmd, true);
	case HMM_DMIRROR_MIGRATE_TO_DEV:
		ret = dmirror_migrate_range(dmirror, cmd, true);
		return ret ? ret : dmirror_report_range(dmirror, cmd);
	case HMM_DMIRROR_MIGRATE_TO_SYS:
		return dmirror_migrate_range(dmirror, cmd, false);
	case HMM_DMIRROR_SNAPSHOT:
		return dmirror_snapshot(dmirror, cmd);
	case HMM_DMIRROR_EXCLUSIVE:
		return dmirror_exclusive(dmirror, cmd);
	case HMM_DMIRROR_CHECK_EXCLUSIVE:
		return dmirror_check_exclusive(dmirror, cmd);
	case HMM_DMIRROR_RELEASE:
		dmirror_remove_chunks(dmirror->mdevice);
		return 0;
	}
	return -EINVAL;
}

int dmirror_ioctl(struct dmirror *dmirror, unsigned int command,
		  struct hmm_dmirror_cmd *ucmd)
{
	struct hmm_dmirror_cmd cmd;
	unsigned long size, end;
	int ret;

	if (!dmirror || !ucmd)
		return -EINVAL;
	cmd = *ucmd;
	cmd.cpages = 0;
	cmd.faults = 0;
	/*
	 * Page aligned, not empty, and a size that neither loses bits to the
	 * shift nor wraps around the address space: every command computes
	 * its end as addr + (npages << PAGE_SHIFT).
	 */
	if ((cmd.addr & ~PAGE_MASK) || !cmd.npages ||
	    check_shl_overflow(cmd.npages, PAGE_SHIFT, &size) ||
	    check_add_overflow(cmd.addr, size, &end))
		return -EINVAL;

	/* As with copy_to_user() of the kernel's ioctl: only on success. */
	ret = dmirror_run(dmirror, command, &cmd);
	if (!ret)
		*ucmd = cmd;
	return ret;
}

/*
 * The release of the file (its last reference gone: the opener's close and
 * every mapping of it): stop mirroring, then empty the whole device.
 */
static int dmirror_fops_release(struct inode *inode, struct file *file)
{
	struct dmirror *dmirror = file->private_data;
	struct dmirror_device *mdevice = dmirror->mdevice;

	(void)inode;
	mmu_interval_notifier_remove(&dmirror->notifier);
	mutex_lock(&mdevice->mirrors_lock);
	list_del(&dmirror->link);
	mutex_unlock(&mdevice->mirrors_lock);

	/* As test_hmm: closing any mirror empties the whole device. */
	dmirror_evict_all(mdevice);

	xa_destroy(&dmirror->pt);
	xa_destroy(&dmirror->stale);
	kfree(dmirror);
	return 0;
}

/*
 * mmap of the device file, as test_hmm's: a zeroed kernel page inserted at
 * every address (the VMA becomes VM_MIXEDMAP); the mapping holds the only
 * reference to each page, so they go with it.
 */
static int dmirror_map_zeroed_page(struct vm_area_struct *vma,
				   unsigned long addr)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int err;

	if (!page)
		return -ENOMEM;
	err = vm_insert_page(vma, addr, page);
	/* Mapped, the PTE holds a reference of its own; else the page goes. */
	put_page(page);
	return err;
}

static int dmirror_fops_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr;
	int err = 0;

	(void)file;
	for (addr = vma->vm_start; !err && addr < vma->vm_end;
	     addr += PAGE_SIZE)
		err = dmirror_map_zeroed_page(vma, addr);
	return err;
}

static const struct file_operations dmirror_fops = {
	.release	= dmirror_fops_release,
	.mmap		= dmirror_fops_mmap,
	.llseek		= default_llseek,
};

/* Every mirror follows its whole address space. */
static const struct mmu_interval_notifier_ops dmirror_notifier_ops = {
	.invalidate	= dmirror_interval_invalidate,
};

int dmirror_open(struct dmirror_device *mdevice, struct dmirror **out)
{
	struct dmirror *dmirror;
	struct file *file;
	int ret;

	if (!mdevice || !out || !current->mm)
		return -EINVAL;
	dmirror = kzalloc(sizeof(*dmirror), GFP_KERNEL);
	if (!dmirror)
		return -ENOMEM;
	dmirror->mdevice = mdevice;
	mutex_init(&dmirror->mutex);
	xa_init(&dmirror->pt);
	xa_init(&dmirror->stale);

	ret = mmu_interval_notifier_insert(&dmirror->notifier, current->mm, 0,
					   ULONG_MAX & PAGE_MASK,
					   &dmirror_notifier_ops);
	if (ret) {
		kfree(dmirror);
		return ret;
	}
	file = anon_inode_getfile("hmm_dmirror", &dmirror_fops, dmirror, 0);
	if (IS_ERR(file)) {
		mmu_interval_notifier_remove(&dmirror->notifier);
		kfree(dmirror);
		return PTR_ERR(file);
	}
	dmirror->file = file;
	mutex_lock(&mdevice->mirrors_lock);
	list_add(&dmirror->link, &mdevice->mirrors);
	mutex_unlock(&mdevice->mirrors_lock);
	*out = dmirror;
	return 0;
}

long dmirror_mmap_at(struct dmirror *dmirror, unsigned long hint,
		     unsigned long len, int prot, int flags)
{
	if (!dmirror || !current->mm)
		return -EINVAL;
	return (long)vm_mmap(dmirror->file, hint, len, prot, flags, 0);
}

long dmirror_mmap(struct dmirror *dmirror, unsigned long len, int prot,
		  int flags)
{
	return dmirror_mmap_at(dmirror, 0, len, prot, flags);
}

void dmirror_close(struct dmirror *dmirror)
{
	if (!dmirror)
		return;
	/* As close(): the release runs once no mapping holds the file. */
	fput(dmirror->file);
	flush_delayed_fput();
}

int dmirror_device_create(const struct dmirror_device_config *cfg,
			  struct dmirror_device **out)
{
	struct dmirror_device *mdevice;
	unsigned long chunk_bytes;
	int ret;

	if (!cfg || !out)
		return -EINVAL;
	if (cfg->type != HMM_DMIRROR_MEMORY_DEVICE_PRIVATE &&
	    cfg->type != HMM_DMIRROR_MEMORY_DEVICE_COHERENT)
		return -EINVAL;
	chunk_bytes = cfg->chunk_bytes ? cfg->chunk_bytes :
					 DMIRROR_DEFAULT_CHUNK_BYTES;
	if (chunk_bytes & ~PAGE_MASK)
		return -EINVAL;
	if (cfg->limit_bytes && cfg->limit_bytes < chunk_bytes)
		return -EINVAL;

	mdevice = kzalloc(sizeof(*mdevice), GFP_KERNEL);
	if (!mdevice)
		return -ENOMEM;
	mdevice->type = cfg->type;
	mdevice->chunk_pages = chunk_bytes >> PAGE_SHIFT;
	mdevice->max_chunks = cfg->limit_bytes / chunk_bytes;
	mutex_init(&mdevice->evict_lock);
	mutex_init(&mdevice->devmem_lock);
	mutex_init(&mdevice->mirrors_lock);
	INIT_LIST_HEAD(&mdevice->mirrors);
	spin_lock_init(&mdevice->lock);

	/* Like test_hmm at load time: the first chunk exists from the start. */
	ret = dmirror_add_chunk(mdevice);
	if (ret) {
		/* The chunk array may have grown before the chunk failed. */
		kfree(mdevice->chunks);
		kfree(mdevice);
		return ret;
	}
	*out = mdevice;
	return 0;
}

void dmirror_device_destroy(struct dmirror_device *mdevice)
{
	if (!mdevice)
		return;
	WARN_ON(!list_empty(&mdevice->mirrors));
	dmirror_remove_chunks(mdevice);
	kfree(mdevice);
}

void dmirror_device_stats(struct dmirror_device *mdevice,
			  struct dmirror_device_stats *stats)
{
	mutex_lock(&mdevice->devmem_lock);
	stats->chunks = mdevice->nr_chunks;
	mutex_unlock(&mdevice->devmem_lock);
	stats->chunk_pages = mdevice->chunk_pages;

	spin_lock(&mdevice->lock);
	stats->calloc = mdevice->calloc;
	stats->cfree = mdevice->cfree;
	stats->in_use = mdevice->in_use;
	stats->alloc_failures = mdevice->alloc_failures;
	stats->migrate_to_ram = mdevice->migrate_to_ram;
	stats->migrate_to_ram_sigbus = mdevice->migrate_to_ram_sigbus;
	stats->stale_lookups = mdevice->stale_lookups;
	spin_unlock(&mdevice->lock);
}

void *dmirror_device_owner(struct dmirror_device *mdevice)
{
	return mdevice;
}

int dmirror_device_type(struct dmirror_device *mdevice)
{
	return mdevice->type;
}

void *dmirror_device_alloc_page(struct dmirror_device *mdevice)
{
	struct page *dpage = dmirror_devmem_alloc_page(mdevice);

	/* Tests get defined contents, as the header promises. */
	if (dpage)
		clear_highpage(dmirror_backing(dpage));
	return dpage;
}

void *dmirror_device_backing_page(void *device_page)
{
	return dmirror_backing(device_page);
}

void dmirror_model_sizes(struct dmirror_model_sizes *sizes)
{
	sizes->struct_page = sizeof(struct page);
	sizes->pte = sizeof(pte_t);
	sizes->mpfn = sizeof(unsigned long);
	/* A tagged pointer in an xarray leaf slot. */
	sizes->device_pt_entry = sizeof(void *);
}
