/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model/model.h - the model machine: boot, shutdown and enumeration of its
 * state for the invariant checker.  Not kernel API: the kernel does these
 * things in boot code and debugging tools.
 */
#ifndef _MODEL_MODEL_H
#define _MODEL_MODEL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/page-flags.h>

struct mm_struct;
struct page;

#include <model/boot.h>

/* RAM pfns are [model_ram_start_pfn, model_ram_end_pfn). */
extern unsigned long model_ram_start_pfn;
extern unsigned long model_ram_end_pfn;

/*
 * model_pfn_initialized() - true if @pfn has an initialised struct page:
 * RAM, or a pfn of a ZONE_DEVICE range created by memremap_pages() and not
 * yet removed.
 */
bool model_pfn_initialized(unsigned long pfn);
/*
 * model_next_initialized_pfn() - the first pfn >= @pfn that has an
 * initialised struct page, or max_pfn: scans of every page skip the holes.
 */
unsigned long model_next_initialized_pfn(unsigned long pfn);
/* Free order-0 pages available (system RAM). */
unsigned long model_nr_free_pages(void);
/* anon_vmas freed to rmap.c's free list, kept for reuse (slab objects). */
long model_anon_vmas_cached(void);

/*
 * All mms, for the invariant checker.  fork.c registers an mm when it is
 * created and unregisters it before freeing it.
 */
void model_mm_register(struct mm_struct *mm);
void model_mm_unregister(struct mm_struct *mm);
/*
 * model_for_each_mm() - call @fn on every registered mm, under the mm list
 * lock (so @fn must not create or free mms); stops at a non-zero return.
 */
int model_for_each_mm(int (*fn)(struct mm_struct *mm, void *arg), void *arg);

struct folio;
/* References @folio holds from per-CPU LRU-add batches (transient). */
unsigned int model_lru_batched(struct folio *folio);
/* True if @folio is linked on an LRU list (O(1)). */
bool model_lru_contains(struct folio *folio);
/*
 * Walk the LRU lists once and check their bookkeeping (membership flags,
 * which list, page counts); returns the number of problems, each reported.
 */
unsigned long model_lru_check(void (*report)(const char *msg, void *arg), void *arg);

/*
 * model_swap_cache_add() - put a locked anon folio into the swap cache at
 * @entry's slot, as if it had been swapped out and back in: the cache holds
 * a reference per page and folio_mapping() returns the swap cache.  For
 * tests of the paths that meet swap-cache folios.  0 or -errno.
 */
int model_swap_cache_add(struct folio *folio, swp_entry_t entry);

/*
 * model_folio_sleepers() - tasks asleep on @folio (its lock or its unlock):
 * lets a test wait until another thread has really gone to sleep.
 */
unsigned int model_folio_sleepers(struct folio *folio);

/*
 * Boot-time hooks of the model's files, called by model_boot() once
 * physical memory exists and undone by model_shutdown(): the resource tree
 * (resource.c), the huge zero folio (huge_memory.c), the LRU (swap.c).
 */
void model_resource_boot(unsigned long ram_start_pfn, unsigned long ram_end_pfn);
void model_resource_shutdown(void);
void model_thp_boot(void);
void model_thp_shutdown(void);
void model_lru_shutdown(void);

/* swap.c: unlink a folio whose PG_lru the caller just cleared. */
void model_lru_del(struct folio *folio);

/* memremap.c: first ZONE_DEVICE pfn >= @pfn, or max_pfn. */
unsigned long model_next_device_pfn(unsigned long pfn);

/* First pfn of the physical window handed out to device memory. */
extern unsigned long model_device_start_pfn;

/* rmap.c: the anon_vma of an anon folio, without checking that it is mapped. */
static inline struct anon_vma *folio_anon_vma_raw(const struct folio *folio)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);

	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return NULL;
	return (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
}

/* rmap.c: requeue a VMA on its anon_vmas after a split or merge moved it. */
void anon_vma_vma_moved(struct vm_area_struct *vma);

/*
 * hung_task.c: the detector of CPUs stuck in one access (refaulting, or
 * asleep on a migration entry) past DEVMIG_HUNG_TASK_SECS.  start/stop at
 * boot/shutdown; begin/refault/end around each software-CPU access; exit
 * when a thread stops being a CPU.
 */
void model_hung_task_start(void);
void model_hung_task_stop(void);
void model_hung_task_begin(struct mm_struct *mm, unsigned long addr, bool write);
void model_hung_task_refault(void);
void model_hung_task_end(void);
void model_hung_task_exit(void);

/* Log level for pr_*(): see linux/printk.h. */
extern int model_loglevel;
/* The CPUs tasks are spread over (devmig_config.nr_cpus), <= NR_CPUS. */
extern unsigned int model_nr_cpus;

#endif /* _MODEL_MODEL_H */
