// SPDX-License-Identifier: GPL-2.0
/*
 * swap.c - LRU lists, per-CPU LRU-add batches and the folio free path
 * (mm/swap.c).
 *
 * One lruvec holds every LRU list (one node, no cgroup split).  Adding a
 * folio to an LRU first queues it in the calling task's CPU batch, which
 * holds a reference until the batch is drained onto the lists: that is why
 * a folio can be "not yet on the LRU" with one extra reference, and why
 * migration drains the batches before isolating.
 */
#include <linux/cache.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/mm_inline.h>
#include <linux/pagevec.h>
#include <linux/swap.h>
#include <linux/sched.h>
#include <linux/memcontrol.h>
#include <model/model.h>
#include <host/host.h>
#include "internal.h"

struct lruvec {
	spinlock_t lru_lock;
	struct list_head lists[NR_LRU_LISTS];
	unsigned long nr[NR_LRU_LISTS];
};

static struct lruvec the_lruvec = {
	.lists = {
		LIST_HEAD_INIT(the_lruvec.lists[0]),
		LIST_HEAD_INIT(the_lruvec.lists[1]),
		LIST_HEAD_INIT(the_lruvec.lists[2]),
		LIST_HEAD_INIT(the_lruvec.lists[3]),
		LIST_HEAD_INIT(the_lruvec.lists[4]),
	},
};

/* A CPU's batch of folios waiting to be added to the LRU. */
struct cpu_fbatch {
	spinlock_t lock;
	struct folio_batch lru_add;
} ____cacheline_aligned_in_smp;

static struct cpu_fbatch cpu_fbatches[NR_CPUS];
static int lru_disable_count;

/* Put @folio on its LRU list (lru_lock held). */
static void lruvec_add_folio(struct lruvec *lruvec, struct folio *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	list_add(&folio->lru, &lruvec->lists[lru]);
	lruvec->nr[lru] += folio_nr_pages(folio);
	folio_set_lru_linked(folio);
}

/* Take @folio off its LRU list (lru_lock held). */
static void lruvec_del_folio(struct lruvec *lruvec, struct folio *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	list_del(&folio->lru);
	lruvec->nr[lru] -= folio_nr_pages(folio);
	folio_clear_lru_linked(folio);
}

/**
 * model_lru_del() - remove a folio that had PG_lru from its list
 * @folio: a folio whose PG_lru the caller has just test-and-cleared
 *
 * For folio_isolate_lru() (vmscan.c): whoever clears PG_lru owns the list
 * removal.
 */
void model_lru_del(struct folio *folio)
{
	spin_lock(&the_lruvec.lru_lock);
	lruvec_del_folio(&the_lruvec, folio);
	spin_unlock(&the_lruvec.lru_lock);
}

/* Move a batch onto the LRU, then drop the batch's references. */
static void folio_batch_move_lru(struct folio_batch *fbatch)
{
	unsigned int i;

	spin_lock(&the_lruvec.lru_lock);
	for (i = 0; i < folio_batch_count(fbatch); i++) {
		struct folio *folio = fbatch->folios[i];

		VM_BUG_ON_FOLIO(folio_test_lru(folio), folio);
		/* Set under the lru lock: isolation clears it, then unlinks. */
		folio_set_lru(folio);
		lruvec_add_folio(&the_lruvec, folio);
	}
	spin_unlock(&the_lruvec.lru_lock);
	for (i = 0; i < folio_batch_count(fbatch); i++)
		folio_put(fbatch->folios[i]);
	folio_batch_reinit(fbatch);
}

/* Take a CPU's batch out from under its lock, then move it. */
static void drain_cpu(unsigned int cpu)
{
	struct cpu_fbatch *fb = &cpu_fbatches[cpu];
	struct folio_batch local;

	spin_lock(&fb->lock);
	/* Most drains find the batch empty: leave without copying it. */
	if (!folio_batch_count(&fb->lru_add)) {
		spin_unlock(&fb->lock);
		return;
	}
	local = fb->lru_add;
	folio_batch_reinit(&fb->lru_add);
	spin_unlock(&fb->lock);
	folio_batch_move_lru(&local);
}

/**
 * folio_add_lru() - queue a folio for its LRU list
 * @folio: a folio not on an LRU, with a reference held by the caller
 *
 * Takes a reference for the batch; the folio reaches the list (PG_lru set)
 * when this CPU's batch is full or drained.  Large folios, and all folios
 * while LRU caching is disabled, go straight to the list.
 */
void folio_add_lru(struct folio *folio)
{
	struct cpu_fbatch *fb = &cpu_fbatches[current->cpu];
	struct folio_batch local;
	bool move;

	VM_BUG_ON_FOLIO(folio_test_active(folio) && folio_test_unevictable(folio), folio);
	VM_BUG_ON_FOLIO(folio_test_lru(folio), folio);
	VM_BUG_ON_FOLIO(folio_is_zone_device(folio), folio);

	folio_get(folio);
	spin_lock(&fb->lock);
	move = !folio_batch_add(&fb->lru_add, folio) || folio_test_large(folio) ||
	       READ_ONCE(lru_disable_count);
	if (move) {
		local = fb->lru_add;
		folio_batch_reinit(&fb->lru_add);
	}
	spin_unlock(&fb->lock);
	if (move)
		folio_batch_move_lru(&local);
}

/**
 * folio_add_lru_vma() - folio_add_lru() for a folio just mapped in @vma
 * @folio: the folio
 * @vma: the VMA; mlocked VMAs put the folio on the unevictable list
 */
void folio_add_lru_vma(struct folio *folio, struct vm_area_struct *vma)
{
	if (unlikely((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)) {
		folio_set_mlocked(folio);
		folio_set_unevictable(folio);
	}
	folio_add_lru(folio);
}

/* lru_add_drain() - move this CPU's batched folios onto the LRU. */
void lru_add_drain(void)
{
	drain_cpu(current->cpu);
}

/*
 * lru_add_drain_all() - move every CPU's batched folios onto the LRU.
 * The kernel queues work on each CPU and waits; here the batches are
 * reachable directly under their locks.
 */
void lru_add_drain_all(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		drain_cpu(cpu);
}

void lru_cache_disable(void)
{
	__atomic_fetch_add(&lru_disable_count, 1, __ATOMIC_SEQ_CST);
	lru_add_drain_all();
}

void lru_cache_enable(void)
{
	__atomic_fetch_sub(&lru_disable_count, 1, __ATOMIC_SEQ_CST);
}

void folio_mark_accessed(struct folio *folio)
{
	if (!folio_test_referenced(folio))
		folio_set_referenced(folio);
}

void folio_deactivate(struct folio *folio)
{
	(void)folio;
}

/*
 * Remove a dying folio from its LRU (refcount 0: nobody can isolate it
 * concurrently, isolation needs a reference).
 */
static void page_cache_release(struct folio *folio)
{
	if (folio_test_lru(folio)) {
		spin_lock(&the_lruvec.lru_lock);
		lruvec_del_folio(&the_lruvec, folio);
		__folio_clear_lru(folio);
		spin_unlock(&the_lruvec.lru_lock);
	}
	if (unlikely(folio_test_mlocked(folio)))
		__folio_clear_mlocked(folio);
	__folio_clear_unevictable(folio);
	__folio_clear_active(folio);
}

/**
 * __folio_put() - free a folio whose refcount has just reached zero
 * @folio: the folio
 *
 * ZONE_DEVICE folios go back to their driver (free_zone_device_folio()),
 * hugetlb folios to their pool (free_huge_folio()); others leave the LRU, are uncharged and return to the page allocator.
 */
void __folio_put(struct folio *folio)
{
	if (unlikely(folio_is_zone_device(folio))) {
		free_zone_device_folio(folio);
		return;
	}
	if (folio_test_hugetlb(folio)) {
		free_huge_folio(folio);
		return;
	}
	page_cache_release(folio);
	mem_cgroup_uncharge(folio);
	free_unref_page(&folio->page, folio_order(folio));
}

/**
 * folios_put_refs() - drop references on a batch of folios
 * @folios: the batch; emptied
 * @refs: references to drop per folio, or NULL for one each
 */
void folios_put_refs(struct folio_batch *folios, unsigned int *refs)
{
	unsigned int i;

	for (i = 0; i < folios->nr; i++)
		folio_put_refs(folios->folios[i], refs ? refs[i] : 1);
	folio_batch_reinit(folios);
}

void folios_put(struct folio_batch *folios)
{
	folios_put_refs(folios, NULL);
}

void release_pages(struct page **pages, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (pages[i])
			put_page(pages[i]);
}

/**
 * model_lru_batched() - references @folio holds from LRU-add batches
 * @folio: any folio
 *
 * For the invariant checker: these references are transient and explained.
 */
unsigned int model_lru_batched(struct folio *folio)
{
	unsigned int cpu, i, n = 0;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct cpu_fbatch *fb = &cpu_fbatches[cpu];

		spin_lock(&fb->lock);
		for (i = 0; i < fb->lru_add.nr; i++)
			n += fb->lru_add.folios[i] == folio;
		spin_unlock(&fb->lock);
	}
	return n;
}

/**
 * model_lru_contains() - true if @folio is linked on one of the LRU lists
 * @folio: any folio
 *
 * O(1): the lists keep a model-only flag on their members, which
 * model_lru_check() verifies against the lists themselves.
 */
bool model_lru_contains(struct folio *folio)
{
	return folio_test_lru_linked(folio);
}

/**
 * model_lru_check() - walk the LRU lists and verify their bookkeeping
 * @report: called once per problem found (may be NULL)
 * @arg: for @report
 *
 * Every linked folio must carry the linked flag, be on the list its flags
 * select, and the per-list page counts must add up.
 *
 * Return: the number of problems.
 */
unsigned long model_lru_check(void (*report)(const char *msg, void *arg), void *arg)
{
	unsigned long bad = 0, nr;
	struct folio *folio;
	char msg[128];
	int lru;

	spin_lock(&the_lruvec.lru_lock);
	for (lru = 0; lru < NR_LRU_LISTS; lru++) {
		nr = 0;
		list_for_each_entry(folio, &the_lruvec.lists[lru], lru) {
			nr += folio_nr_pages(folio);
			if (folio_test_lru_linked(folio) && (int)folio_lru_list(folio) == lru)
				continue;
			bad++;
			if (report) {
				host_snprintf(msg, sizeof(msg),
					      "lru: pfn %#lx on list %d: flags %#lx",
					      folio_pfn(folio), lru, folio->flags);
				report(msg, arg);
			}
		}
		if (nr != the_lruvec.nr[lru]) {
			bad++;
			if (report) {
				host_snprintf(msg, sizeof(msg),
					      "lru: list %d holds %lu pages, counted %lu",
					      lru, nr, the_lruvec.nr[lru]);
				report(msg, arg);
			}
		}
	}
	spin_unlock(&the_lruvec.lru_lock);
	return bad;
}

void model_lru_shutdown(void)
{
	int lru, cpu;

	for (lru = 0; lru < NR_LRU_LISTS; lru++) {
		INIT_LIST_HEAD(&the_lruvec.lists[lru]);
		the_lruvec.nr[lru] = 0;
	}
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		folio_batch_init(&cpu_fbatches[cpu].lru_add);
}
