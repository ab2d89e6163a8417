// SPDX-License-Identifier: GPL-2.0
/*
 * page_alloc.c - physical memory and the page allocator (mm/page_alloc.c,
 * mm/mm_init.c), and booting the model machine.
 *
 * Physical memory is one host reservation, the direct map: the bytes of pfn
 * N are at model_direct_map + N * PAGE_SIZE.  Below RAM a 2 MiB hole keeps
 * pfn 0 from being a real page; above RAM a window of physical addresses is
 * left for request_free_mem_region().  Only RAM (and, later, device-coherent
 * ranges) is accessible; device-private ranges stay PROT_NONE, so a CPU
 * access to one traps as it would on hardware.  struct pages sit in a
 * second reservation indexed by pfn (vmemmap).
 *
 * The allocator serves order 0 and HPAGE_PMD_ORDER.  Free RAM is kept as
 * 2 MiB blocks on the order-9 list and as single pages on the order-0 list;
 * a block is split when order 0 runs dry, and re-formed as soon as all its
 * 512 pages are free again, so both orders stay O(1).
 *
 * Order-0 pages pass through per-CPU lists, as the kernel's per_cpu_pages:
 * a CPU frees to and allocates from its own list, last in first out, so it
 * reuses the pages still in its cache, and takes the zone lock once per
 * batch rather than once per page.  A page on such a list is free (PG_buddy,
 * counted by model_nr_free_pages()), but its block cannot re-form until the
 * list gives it back: past a high mark, or when the zone runs dry (the
 * kernel's drain_all_pages() before it gives up).
 */
#include <linux/cache.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/gfp.h>
#include <linux/swap.h>
#include <linux/memcontrol.h>
#include <linux/slab.h>
#include <model/boot.h>
#include <model/model.h>
#include <host/host.h>
#include <devmig.h>
#include "internal.h"

#define MODEL_DEFAULT_RAM		(2UL << 30)
#define MODEL_DEVICE_WINDOW		(16UL << 30)
#define MODEL_RAM_START_PFN		(PMD_SIZE >> PAGE_SHIFT)
#define PAGES_PER_BLOCK			(1UL << HPAGE_PMD_ORDER)

struct page *vmemmap;
unsigned char *model_direct_map;
unsigned long max_pfn;
unsigned long zero_pfn;
unsigned long model_ram_start_pfn;
unsigned long model_ram_end_pfn;
unsigned long model_device_start_pfn;

static struct devmig_config boot_cfg;
static bool booted;
static size_t vmemmap_bytes;
static size_t direct_map_bytes;

/* The zone: free lists and their counters, under zone_lock. */
static spinlock_t zone_lock;
static struct list_head free_order0;
static struct list_head free_blocks;
static unsigned long nr_free;			/* pages, both lists */
static unsigned short *block_free;		/* order-0 free pages per block */

#define PCP_BATCH		63	/* pages moved to or from the zone at once */
#define PCP_HIGH		(4 * PCP_BATCH)

/* A CPU's free order-0 pages, linked through buddy_list, under ->lock. */
struct per_cpu_pages {
	spinlock_t lock;
	int count;
	struct list_head list;
} ____cacheline_aligned_in_smp;

static struct per_cpu_pages pcp_lists[NR_CPUS];

static inline unsigned long pfn_block(unsigned long pfn)
{
	return (pfn - model_ram_start_pfn) >> HPAGE_PMD_ORDER;
}

static inline struct page *block_head(unsigned long block)
{
	return pfn_to_page(model_ram_start_pfn + (block << HPAGE_PMD_ORDER));
}

static void set_page_zone(struct page *page, enum zone_type zone)
{
	page->flags &= ~(ZONES_MASK << ZONES_PGSHIFT);
	page->flags |= (unsigned long)zone << ZONES_PGSHIFT;
}

/* Split a free 2 MiB block into 512 free order-0 pages (zone_lock held). */
static void split_block(struct page *head)
{
	unsigned long i;

	list_del(&head->buddy_list);
	for (i = 0; i < PAGES_PER_BLOCK; i++) {
		head[i].private = 0;
		list_add_tail(&head[i].buddy_list, &free_order0);
	}
	block_free[pfn_block(page_to_pfn(head))] = PAGES_PER_BLOCK;
}

/* All 512 pages of the block are free again: make it one block (zone_lock held). */
static void merge_block(unsigned long block)
{
	struct page *head = block_head(block);
	unsigned long i;

	for (i = 0; i < PAGES_PER_BLOCK; i++)
		list_del(&head[i].buddy_list);
	head->private = HPAGE_PMD_ORDER;
	/*
	 * A block that was just in use goes first: its memory is warm, and
	 * host-backed already, where a never-used block would cost the host a
	 * page fault per page on first touch (the kernel's lists are LIFO too).
	 */
	list_add(&head->buddy_list, &free_blocks);
	block_free[block] = 0;
}

/* A page's state while free, on a CPU's list or the zone's. */
static void set_page_free(struct page *page)
{
	/* One store: pfn scanners read a page's flags without a reference. */
	WRITE_ONCE(page->flags, (READ_ONCE(page->flags) & (ZONES_MASK << ZONES_PGSHIFT)) |
				(1UL << PG_buddy));
	page->mapping = NULL;
	page->private = 0;
}

/* Into the zone's order-0 list (zone_lock held). */
static void put_free(struct page *page)
{
	unsigned long block = pfn_block(page_to_pfn(page));

	set_page_free(page);
	list_add(&page->buddy_list, &free_order0);
	if (++block_free[block] == PAGES_PER_BLOCK)
		merge_block(block);
}

/* Move up to @n order-0 pages from the zone to @list; returns how many. */
static int zone_take_batch(struct list_head *list, int n)
{
	int taken = 0;

	spin_lock(&zone_lock);
	while (taken < n) {
		struct page *page;

		if (list_empty(&free_order0)) {
			if (list_empty(&free_blocks))
				break;
			split_block(list_first_entry(&free_blocks, struct page,
						     buddy_list));
		}
		page = list_first_entry(&free_order0, struct page, buddy_list);
		list_move_tail(&page->buddy_list, list);
		block_free[pfn_block(page_to_pfn(page))]--;
		taken++;
	}
	nr_free -= taken;
	spin_unlock(&zone_lock);
	return taken;
}

static struct page *take_block(void)
{
	struct page *page = NULL;

	spin_lock(&zone_lock);
	if (!list_empty(&free_blocks)) {
		page = list_first_entry(&free_blocks, struct page, buddy_list);
		list_del(&page->buddy_list);
		nr_free -= PAGES_PER_BLOCK;
	}
	spin_unlock(&zone_lock);
	return page;
}

/* An order-0 page from this CPU's list, refilled from the zone when empty. */
static struct page *pcp_take(void)
{
	struct per_cpu_pages *pcp = &pcp_lists[smp_processor_id()];
	struct page *page = NULL;

	spin_lock(&pcp->lock);
	if (!pcp->count)
		pcp->count = zone_take_batch(&pcp->list, PCP_BATCH);
	if (pcp->count) {
		page = list_first_entry(&pcp->list, struct page, buddy_list);
		list_del(&page->buddy_list);
		pcp->count--;
	}
	spin_unlock(&pcp->lock);
	return page;
}

/* Give the zone the @n coldest pages of @pcp (its lock held). */
static void pcp_release(struct per_cpu_pages *pcp, int n)
{
	int i;

	spin_lock(&zone_lock);
	for (i = 0; i < n && pcp->count; i++, pcp->count--) {
		struct page *page = list_last_entry(&pcp->list, struct page,
						    buddy_list);

		list_del(&page->buddy_list);
		put_free(page);
	}
	nr_free += i;
	spin_unlock(&zone_lock);
}

/* Every CPU's list back to the zone, so that blocks can re-form. */
static void drain_all_pages(void)
{
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &pcp_lists[cpu];

		spin_lock(&pcp->lock);
		pcp_release(pcp, pcp->count);
		spin_unlock(&pcp->lock);
	}
}

static struct page *take_free(unsigned int order)
{
	struct page *page = order ? take_block() : pcp_take();

	if (!page) {
		drain_all_pages();
		page = order ? take_block() : pcp_take();
	}
	return page;
}

/* A freshly allocated page's state: what callers may rely on. */
static void prep_new_page(struct page *page)
{
	WRITE_ONCE(page->flags, READ_ONCE(page->flags) & (ZONES_MASK << ZONES_PGSHIFT));
	INIT_LIST_HEAD(&page->lru);
	page->mapping = NULL;
	page->index = 0;
	page->private = 0;
	atomic_set(&page->_mapcount, -1);
	page->memcg_data = 0;
}

static void prep_compound(struct page *head, unsigned int order)
{
	struct folio *folio = (struct folio *)head;
	unsigned long i, nr = 1UL << order;

	for (i = 1; i < nr; i++) {
		prep_new_page(&head[i]);
		set_page_count(&head[i], 0);
		WRITE_ONCE(head[i].compound_head, (unsigned long)head | 1);
	}
	__set_bit(PG_head, &head->flags);
	/* The order lives in the low byte of the first tail page's flags. */
	folio->_flags_1 = (head[1].flags & (ZONES_MASK << ZONES_PGSHIFT)) | order;
	folio->_folio_nr_pages = nr;
	atomic_set(&folio->_large_mapcount, -1);
	atomic_set(&folio->_entire_mapcount, -1);
	atomic_set(&folio->_nr_pages_mapped, 0);
	atomic_set(&folio->_pincount, 0);
}

/**
 * alloc_pages() - allocate 2^@order physically contiguous pages
 * @gfp: GFP_* flags; __GFP_ZERO zeroes them, __GFP_COMP makes a large folio
 * @order: 0 or HPAGE_PMD_ORDER
 *
 * Return: the first page with refcount 1, or NULL when RAM is exhausted,
 * the order is not served, or the call's site was made to fail.
 */
struct page *alloc_pages_at(gfp_t gfp, unsigned int order,
			    struct fault_site *site)
{
	struct page *page;

	if (WARN_ON_ONCE(!booted))
		return NULL;
	if (order != 0 && order != HPAGE_PMD_ORDER)
		return NULL;
	if (fault_site_fails(site, !(gfp & __GFP_NOFAIL)))
		return NULL;
	page = take_free(order);
	if (!page) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("page allocation failure: order %u\n", order);
		return NULL;
	}
	prep_new_page(page);
	set_page_count(page, 1);
	if (order && (gfp & __GFP_COMP))
		prep_compound(page, order);
	else if (order) {
		unsigned long i;

		for (i = 1; i < (1UL << order); i++) {
			prep_new_page(&page[i]);
			set_page_count(&page[i], 1);
		}
	}
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	return page;
}

/**
 * folio_alloc() - allocate a folio
 * @gfp: GFP_* flags
 * @order: 0 or HPAGE_PMD_ORDER
 *
 * Return: a folio with refcount 1, unlocked, not on an LRU, no mapping; or
 * NULL.
 */
struct folio *folio_alloc_at(gfp_t gfp, unsigned int order,
			     struct fault_site *site)
{
	struct page *page = alloc_pages_at(gfp | (order ? __GFP_COMP : 0),
					   order, site);

	return page ? page_folio(page) : NULL;
}

unsigned long __get_free_pages_at(gfp_t gfp, unsigned int order,
				  struct fault_site *site)
{
	struct page *page = alloc_pages_at(gfp, order, site);

	return page ? (unsigned long)page_address(page) : 0;
}

/*
 * The kernel's bad_page(): a page reaching the allocator still mapped,
 * locked, on an LRU or owned by somebody is a refcounting bug elsewhere.
 */
static void check_free_page(struct page *page)
{
	const unsigned long bad = (1UL << PG_locked) | (1UL << PG_lru) |
				  (1UL << PG_writeback) | (1UL << PG_buddy) |
				  (1UL << PG_table) | (1UL << PG_private) |
				  (1UL << PG_lru_linked) |
				  (1UL << PG_swapcache);

	if (WARN(atomic_read(&page->_mapcount) != -1 || page_ref_count(page) ||
		 (READ_ONCE(page->flags) & bad) || page->memcg_data,
		 "BUG: bad page state: pfn %#lx flags %#lx mapcount %d refcount %d memcg %#lx\n",
		 page_to_pfn(page), page->flags, atomic_read(&page->_mapcount),
		 page_ref_count(page), page->memcg_data))
		atomic_set(&page->_mapcount, -1);
}

/* Onto this CPU's list; past the high mark its coldest batch goes back. */
static void pcp_put(struct page *page)
{
	struct per_cpu_pages *pcp = &pcp_lists[smp_processor_id()];

	set_page_free(page);
	spin_lock(&pcp->lock);
	list_add(&page->buddy_list, &pcp->list);
	if (++pcp->count > PCP_HIGH)
		pcp_release(pcp, PCP_BATCH);
	spin_unlock(&pcp->lock);
}

/**
 * free_unref_page() - give pages whose refcount reached 0 back to RAM
 * @page: the first page (a folio's head page); off every LRU, unmapped,
 *	uncharged
 * @order: their order
 */
void free_unref_page(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	VM_BUG_ON_PAGE(is_zone_device_page(page), page);
	VM_BUG_ON_PAGE(page_to_pfn(page) < model_ram_start_pfn ||
		       page_to_pfn(page) + nr > model_ram_end_pfn, page);
	if (order) {
		__clear_bit(PG_head, &page->flags);
		for (i = 1; i < nr; i++) {
			WRITE_ONCE(page[i].compound_head, 0);
			page[i].mapping = NULL;
			WRITE_ONCE(page[i].flags,
				   READ_ONCE(page[i].flags) & (ZONES_MASK << ZONES_PGSHIFT));
		}
	}
	/* Anon and KSM mapping pointers are cleared at free, not at unmap. */
	page->mapping = NULL;
	for (i = 0; i < nr; i++)
		check_free_page(&page[i]);
	if (!order) {
		pcp_put(page);
		return;
	}
	spin_lock(&zone_lock);
	for (i = 0; i < nr; i++)
		put_free(&page[i]);
	nr_free += nr;
	spin_unlock(&zone_lock);
}

/**
 * __free_pages() - drop a reference to pages from alloc_pages()
 * @page: the first page
 * @order: the order they were allocated with
 *
 * Frees them when the reference was the last one.
 */
void __free_pages(struct page *page, unsigned int order)
{
	if (PageHead(page)) {
		folio_put(page_folio(page));
		return;
	}
	if (order) {
		unsigned long i;

		/* Non-compound: each page has its own count; free them all. */
		for (i = 1; i < (1UL << order); i++)
			if (page_ref_dec_and_test(&page[i]))
				free_unref_page(&page[i], 0);
	}
	put_page(page);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page((void *)addr), order);
}

unsigned long model_nr_free_pages(void)
{
	unsigned long n = READ_ONCE(nr_free);
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		n += READ_ONCE(pcp_lists[cpu].count);
	return n;
}

/**
 * devmig_mem_usage() - RAM pages and slab objects handed out
 * @usage: filled in
 *
 * Pages waiting in the per-CPU LRU batches hold a reference there: the
 * batches are drained first.  anon_vmas kept on rmap.c's free list count
 * as free, as in a slab cache.
 */
void devmig_mem_usage(struct devmig_mem_usage *usage)
{
	lru_add_drain_all();
	usage->pages = (model_ram_end_pfn - model_ram_start_pfn) -
		       model_nr_free_pages();
	usage->slab_objects = slab_objects_in_use() - model_anon_vmas_cached();
}

bool model_pfn_initialized(unsigned long pfn)
{
	if (pfn >= model_ram_start_pfn && pfn < model_ram_end_pfn)
		return true;
	if (pfn < model_device_start_pfn || pfn >= max_pfn)
		return false;
	/* memremap_pages() sets the zone of the pages it creates. */
	return is_zone_device_page(pfn_to_page(pfn));
}

/**
 * model_next_initialized_pfn() - first pfn at or after @pfn with a struct page
 * @pfn: where to start
 *
 * Lets a scan of all pages skip the holes of the physical address space:
 * for (pfn = model_next_initialized_pfn(0); pfn < max_pfn;
 *      pfn = model_next_initialized_pfn(pfn + 1)).
 *
 * Return: the pfn, or max_pfn if there is none.
 */
unsigned long model_next_initialized_pfn(unsigned long pfn)
{
	if (pfn < model_ram_start_pfn)
		return model_ram_start_pfn;
	if (pfn < model_ram_end_pfn)
		return pfn;
	return model_next_device_pfn(max(pfn, model_device_start_pfn));
}

static void init_ram(void)
{
	unsigned long pfn, block, nblocks;
	int cpu;

	spin_lock_init(&zone_lock);
	INIT_LIST_HEAD(&free_order0);
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		spin_lock_init(&pcp_lists[cpu].lock);
		pcp_lists[cpu].count = 0;
		INIT_LIST_HEAD(&pcp_lists[cpu].list);
	}
	INIT_LIST_HEAD(&free_blocks);
	nblocks = (model_ram_end_pfn - model_ram_start_pfn) >> HPAGE_PMD_ORDER;
	block_free = host_calloc(nblocks, sizeof(*block_free));
	BUG_ON(!block_free);
	for (pfn = model_ram_start_pfn; pfn < model_ram_end_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);

		set_page_zone(page, ZONE_NORMAL);
		page->flags |= 1UL << PG_buddy;
		atomic_set(&page->_mapcount, -1);
		set_page_count(page, 0);
	}
	for (block = 0; block < nblocks; block++) {
		struct page *head = block_head(block);

		head->private = HPAGE_PMD_ORDER;
		list_add_tail(&head->buddy_list, &free_blocks);
	}
	nr_free = nblocks * PAGES_PER_BLOCK;
}

static void init_zero_page(void)
{
	struct page *page = alloc_pages_at(GFP_KERNEL | __GFP_ZERO | __GFP_NOFAIL, 0, NULL);

	BUG_ON(!page);
	__SetPageReserved(page);
	zero_pfn = page_to_pfn(page);
}

/**
 * model_boot() - bring the machine up
 * @cfg: the configuration (api/devmig.h), or NULL for the defaults
 *
 * Return: 0 (also when already booted with the same configuration),
 * -EBUSY if booted with another one, -ENOMEM if the host refused memory.
 */
int model_boot(const struct devmig_config *cfg)
{
	struct devmig_config c = { 0 };
	const char *env;
	unsigned long ram;

	if (cfg)
		c = *cfg;
	if (!c.ram_bytes)
		c.ram_bytes = MODEL_DEFAULT_RAM;
	c.ram_bytes = ALIGN(c.ram_bytes, PMD_SIZE);
	if (!c.nr_cpus)
		c.nr_cpus = NR_CPUS;
	if (c.nr_cpus < 0 || c.nr_cpus > NR_CPUS)
		return -EINVAL;
	/* Field by field: padding bytes of a struct copy are unspecified. */
	if (booted)
		return (c.ram_bytes != boot_cfg.ram_bytes ||
			!c.no_migration_ad != !boot_cfg.no_migration_ad ||
			c.thp_mode != boot_cfg.thp_mode ||
			c.nr_cpus != boot_cfg.nr_cpus) ? -EBUSY : 0;

	if (devmig_set_thp_mode(c.thp_mode))
		return -EINVAL;
	model_nr_cpus = (unsigned int)c.nr_cpus;
	env = host_getenv("DEVMIG_LOGLEVEL");
	if (env && env[0] >= '0' && env[0] <= '9')
		model_loglevel = env[0] - '0';

	ram = c.ram_bytes;
	model_ram_start_pfn = MODEL_RAM_START_PFN;
	model_ram_end_pfn = model_ram_start_pfn + (ram >> PAGE_SHIFT);
	model_device_start_pfn = ALIGN(model_ram_end_pfn, PUD_SIZE >> PAGE_SHIFT);
	max_pfn = model_device_start_pfn + (MODEL_DEVICE_WINDOW >> PAGE_SHIFT);

	vmemmap_bytes = max_pfn * sizeof(struct page);
	vmemmap = host_mem_reserve(vmemmap_bytes);
	if (!vmemmap)
		return -ENOMEM;
	direct_map_bytes = max_pfn << PAGE_SHIFT;
	model_direct_map = host_mem_reserve(direct_map_bytes);
	if (!model_direct_map ||
	    host_mem_protect(vmemmap, vmemmap_bytes, HOST_PROT_RW) ||
	    host_mem_protect(__va(PFN_PHYS(model_ram_start_pfn)), ram, HOST_PROT_RW)) {
		if (model_direct_map)
			host_mem_release(model_direct_map, direct_map_bytes);
		host_mem_release(vmemmap, vmemmap_bytes);
		vmemmap = NULL;
		model_direct_map = NULL;
		return -ENOMEM;
	}

	/*
	 * A benchmark asks for RAM and its struct pages to be backed now, so
	 * that no host page fault lands in what it times.
	 */
	if (c.prefault) {
		host_mem_populate(&vmemmap[model_ram_start_pfn],
				  (ram >> PAGE_SHIFT) * sizeof(struct page));
		host_mem_populate(__va(PFN_PHYS(model_ram_start_pfn)), ram);
	}
	swap_migration_ad_supported = !c.no_migration_ad;
	init_ram();
	booted = true;
	boot_cfg = c;
	init_zero_page();
	model_thp_boot();
	model_resource_boot(model_ram_start_pfn, model_ram_end_pfn);
	return 0;
}

bool model_booted(void)
{
	return booted;
}

/* model_shutdown() - forget the machine; every process must be gone. */
void model_shutdown(void)
{
	int cpu;

	if (!booted)
		return;
	model_lru_shutdown();
	model_thp_shutdown();
	model_hugetlb_shutdown();
	model_resource_shutdown();
	host_big_trim();
	host_mem_release(model_direct_map, direct_map_bytes);
	host_mem_release(vmemmap, vmemmap_bytes);
	host_free(block_free);
	block_free = NULL;
	vmemmap = NULL;
	model_direct_map = NULL;
	max_pfn = 0;
	nr_free = 0;
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		pcp_lists[cpu].count = 0;
	booted = false;
}
