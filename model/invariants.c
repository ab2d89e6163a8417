// SPDX-License-Identifier: GPL-2.0
/*
 * invariants.c - devmig_check_invariants(): recount, from the page tables,
 * what every page's counters should say, and compare.
 *
 * Pass 1 walks every VMA of every mm and counts, per pfn, the PTEs and
 * device-private entries mapping it (they hold a reference and a map count
 * each) and the device-exclusive entries (a reference, no map count), and
 * per mm the RSS each counter should show.  Any migration entry is a
 * violation: outside a migration none may exist.
 *
 * Pass 2 visits every initialised page and compares: refcount against
 * mappings + known pins + page-cache/swap-cache references + references of
 * per-CPU LRU-add batches; map count against mappings; LRU membership of
 * mapped system pages (on a list, or queued in a batch) and PG_lru against
 * actual list membership; mapped anon pages uptodate; the page lock; free pages unmapped with refcount
 * 0.  Nothing is drained: the checker changes no state.
 *
 * Large folios are checked as a whole: each page's map count against the
 * PTEs mapping it, the entire map count against the huge PMDs mapping the
 * folio, the folio's map count against both, and its one refcount against
 * all mappings.  hugetlb folios are mapped whole by the PMDs of hugetlb
 * VMAs only, are on no LRU and count in mm->hugetlb_usage, not in RSS; a
 * free one sits in the pool with refcount 0.  The huge zero folio, like the zero page, is nobody's and
 * is only checked not to be mapped writable.  Pages nobody maps and that are not anon (page tables,
 * slab, driver-private kernel pages) are the kernel's own and not checked.
 *
 * Precondition: quiescent model (no fault, migration or munmap in flight);
 * the walk reads page tables without their locks.
 */
#include <linux/mm.h>
#include "internal.h"
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/memremap.h>
#include <linux/pagemap.h>
#include <linux/hugetlb.h>
#include <model/model.h>
#include <model/process.h>
#include <devmig.h>

/* Per-pfn counts found in page tables. */
struct inv_count {
	unsigned long pfn_plus_one;	/* 0: empty slot */
	unsigned long maps;		/* PTEs + device-private entries */
	unsigned long exclusive;	/* device-exclusive entries */
	unsigned long pmds;		/* huge PMDs (counted at the head pfn) */
};

struct inv_state {
	void (*report)(const char *msg, void *arg);
	void *arg;
	unsigned long violations;
	struct inv_count *table;
	unsigned long size;		/* power of two */
	unsigned long used;
	bool oom;
};

static __printf(2, 3) void inv_report(struct inv_state *st, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	st->violations++;
	if (!st->report)
		return;
	va_start(ap, fmt);
	host_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->report(msg, st->arg);
}

static unsigned long inv_hash(unsigned long pfn, unsigned long size)
{
	return (pfn * 0x9E3779B97F4A7C15UL) & (size - 1);
}

static struct inv_count *inv_slot(struct inv_state *st, unsigned long pfn,
				  bool create);

static bool inv_grow(struct inv_state *st)
{
	struct inv_count *old = st->table;
	unsigned long old_size = st->size, i;

	st->size = old_size ? old_size * 2 : 1024;
	/* The checker is no site of the model: injection must not blind it. */
	st->table = kvcalloc(st->size, sizeof(*st->table),
			     GFP_KERNEL | __GFP_NOFAIL);
	if (!st->table) {
		st->table = old;
		st->size = old_size;
		return false;
	}
	st->used = 0;
	for (i = 0; i < old_size; i++) {
		struct inv_count *n;

		if (!old[i].pfn_plus_one)
			continue;
		n = inv_slot(st, old[i].pfn_plus_one - 1, true);
		n->maps = old[i].maps;
		n->exclusive = old[i].exclusive;
		n->pmds = old[i].pmds;
	}
	kvfree(old);
	return true;
}

static struct inv_count *inv_slot(struct inv_state *st, unsigned long pfn,
				  bool create)
{
	unsigned long i;

	if (create && (st->used + 1) * 2 > st->size && !inv_grow(st)) {
		st->oom = true;
		return NULL;
	}
	if (!st->size)
		return NULL;
	for (i = inv_hash(pfn, st->size);; i = (i + 1) & (st->size - 1)) {
		struct inv_count *c = &st->table[i];

		if (c->pfn_plus_one == pfn + 1)
			return c;
		if (!c->pfn_plus_one) {
			if (!create)
				return NULL;
			c->pfn_plus_one = pfn + 1;
			st->used++;
			return c;
		}
	}
}

static void inv_count_map(struct inv_state *st, unsigned long pfn,
			  bool exclusive)
{
	struct inv_count *c = inv_slot(st, pfn, true);

	if (!c)
		return;
	if (exclusive)
		c->exclusive++;
	else
		c->maps++;
}

/* One mm's walk. */
struct inv_mm {
	struct inv_state *st;
	struct mm_struct *mm;
	long rss[NR_MM_COUNTERS];
	long hugetlb;		/* pages mapped by hugetlb PMDs */
};

static void inv_check_nonpresent(struct inv_mm *im, unsigned long addr,
				 pte_t pte)
{
	struct inv_state *st = im->st;
	swp_entry_t entry = pte_to_swp_entry(pte);
	unsigned long pfn;
	struct page *page;

	if (!non_swap_entry(entry)) {
		inv_report(st, "mm %p addr %#lx: swap entry %#lx but the model has no swap",
			   im->mm, addr, entry.val);
		return;
	}
	if (is_migration_entry(entry)) {
		pfn = swp_offset_pfn(entry);
		inv_report(st, "mm %p addr %#lx: migration entry for pfn %#lx outside a migration",
			   im->mm, addr, pfn);
		if (model_pfn_initialized(pfn))
			im->rss[mm_counter(pfn_folio(pfn))]++;
		return;
	}
	if (!is_device_private_entry(entry) && !is_device_exclusive_entry(entry))
		return;	/* poison, markers: nothing to count */
	pfn = swp_offset_pfn(entry);
	if (!model_pfn_initialized(pfn)) {
		inv_report(st, "mm %p addr %#lx: %s entry names pfn %#lx, which has no live page",
			   im->mm, addr, is_device_private_entry(entry) ?
			   "device-private" : "device-exclusive", pfn);
		return;
	}
	page = pfn_to_page(pfn);
	if (is_device_private_entry(entry)) {
		if (!is_device_private_page(page))
			inv_report(st, "mm %p addr %#lx: device-private entry names pfn %#lx, not a device-private page",
				   im->mm, addr, pfn);
		else if (page_ref_count(page) <= 0)
			inv_report(st, "mm %p addr %#lx: device-private entry names free page pfn %#lx",
				   im->mm, addr, pfn);
		else if (percpu_ref_is_dying(&page->pgmap->ref))
			inv_report(st, "mm %p addr %#lx: device-private entry names pfn %#lx of a dead pgmap",
				   im->mm, addr, pfn);
	}
	inv_count_map(st, pfn, is_device_exclusive_entry(entry));
	im->rss[mm_counter(page_folio(page))]++;
}

static void inv_check_present(struct inv_mm *im, struct vm_area_struct *vma,
			      unsigned long addr, pte_t pte)
{
	struct inv_state *st = im->st;
	struct page *page = vm_normal_page(vma, addr, pte);
	struct folio *folio;

	if (!page) {
		if (is_zero_pfn(pte_pfn(pte)) && pte_write(pte))
			inv_report(st, "mm %p addr %#lx: zero page mapped writable",
				   im->mm, addr);
		return;
	}
	if (!model_pfn_initialized(page_to_pfn(page))) {
		inv_report(st, "mm %p addr %#lx: PTE maps pfn %#lx, which has no live page",
			   im->mm, addr, page_to_pfn(page));
		return;
	}
	folio = page_folio(page);
	im->rss[mm_counter(folio)]++;
	inv_count_map(st, page_to_pfn(page), false);
	/* A writable private anon PTE means nobody else may see the page. */
	if (pte_write(pte) && folio_test_anon(folio) &&
	    !(vma->vm_flags & VM_SHARED) && !PageAnonExclusive(page))
		inv_report(st, "mm %p addr %#lx: writable PTE of a non-exclusive anon page pfn %#lx",
			   im->mm, addr, page_to_pfn(page));
}

/* A huge PMD: the huge zero folio read-only, or a whole anon THP. */
static void inv_check_huge_pmd(struct inv_mm *im, unsigned long addr, pmd_t pmd)
{
	struct inv_state *st = im->st;
	struct folio *folio = pmd_folio(pmd);
	struct inv_count *c;

	if (is_huge_zero_pmd(pmd)) {
		if (pmd_write(pmd))
			inv_report(st, "mm %p addr %#lx: huge zero folio mapped writable",
				   im->mm, addr);
		return;
	}
	if (!folio_test_pmd_mappable(folio) || !folio_test_anon(folio) ||
	    pmd_pfn(pmd) != folio_pfn(folio)) {
		inv_report(st, "mm %p addr %#lx: huge PMD maps pfn %#lx, not the head of an anon THP",
			   im->mm, addr, pmd_pfn(pmd));
		return;
	}
	im->rss[mm_counter(folio)] += HPAGE_PMD_NR;
	if (pmd_write(pmd) && !PageAnonExclusive(&folio->page))
		inv_report(st, "mm %p addr %#lx: writable huge PMD of a non-exclusive THP pfn %#lx",
			   im->mm, addr, folio_pfn(folio));
	c = inv_slot(st, folio_pfn(folio), true);
	if (c)
		c->pmds++;
}

/* A PMD of a hugetlb VMA: a whole hugetlb folio, or nothing. */
static void inv_check_hugetlb_pmd(struct inv_mm *im, unsigned long addr,
				  pmd_t pmd)
{
	struct inv_state *st = im->st;
	struct folio *folio;
	struct inv_count *c;

	if (!pmd_present(pmd) || !pmd_leaf(pmd)) {
		inv_report(st, "mm %p addr %#lx: hugetlb VMA holds PMD %#lx, not a huge page",
			   im->mm, addr, pmd_val(pmd));
		return;
	}
	folio = pfn_folio(pmd_pfn(pmd));
	if (!folio_test_hugetlb(folio) || pmd_pfn(pmd) != folio_pfn(folio)) {
		inv_report(st, "mm %p addr %#lx: hugetlb PMD maps pfn %#lx, not the head of a hugetlb folio",
			   im->mm, addr, pmd_pfn(pmd));
		return;
	}
	im->hugetlb += HPAGE_PMD_NR;
	if (pmd_write(pmd) &&
	    (!folio_test_anon(folio) || !PageAnonExclusive(&folio->page)))
		inv_report(st, "mm %p addr %#lx: writable PMD of a non-exclusive hugetlb folio pfn %#lx",
			   im->mm, addr, folio_pfn(folio));
	c = inv_slot(st, folio_pfn(folio), true);
	if (c)
		c->pmds++;
}

static void inv_walk_vma(struct inv_mm *im, struct vm_area_struct *vma)
{
	struct mm_struct *mm = im->mm;
	unsigned long addr, next;

	for (addr = vma->vm_start; addr < vma->vm_end; addr = next) {
		pmd_t *pmd = mm_find_pmd(mm, addr);
		pmd_t pmdval;
		pte_t *pte;

		next = pmd_addr_end(addr, vma->vm_end);
		if (!pmd)
			continue;
		pmdval = pmdp_get(pmd);
		if (pmd_none(pmdval))
			continue;
		if (is_vm_hugetlb_page(vma)) {
			inv_check_hugetlb_pmd(im, addr, pmdval);
			continue;
		}
		if (pmd_leaf(pmdval) || !pmd_present(pmdval)) {
			if (pmd_present(pmdval) && pmd_trans_huge(pmdval) &&
			    addr == (addr & PMD_MASK))
				inv_check_huge_pmd(im, addr, pmdval);
			continue;
		}
		pte = pte_offset_map(pmd, addr);
		for (; addr < next; addr += PAGE_SIZE, pte++) {
			pte_t val = ptep_get(pte);

			if (pte_none(val))
				continue;
			if (pte_present(val))
				inv_check_present(im, vma, addr, val);
			else
				inv_check_nonpresent(im, addr, val);
		}
	}
}

static int inv_walk_mm(struct mm_struct *mm, void *arg)
{
	static const char *const names[NR_MM_COUNTERS] = {
		"file", "anon", "swap", "shmem",
	};
	struct inv_mm im = { .st = arg, .mm = mm };
	struct vm_area_struct *vma;
	int i;

	list_for_each_entry(vma, &mm->mmap, vm_list)
		inv_walk_vma(&im, vma);
	for (i = 0; i < NR_MM_COUNTERS; i++) {
		long have = atomic_long_read(&mm->rss_stat[i]);

		if (have != im.rss[i])
			inv_report(im.st, "mm %p: RSS counter %s is %ld, page tables hold %ld",
				   mm, i < (int)ARRAY_SIZE(names) ? names[i] : "?",
				   have, im.rss[i]);
	}
	if (atomic_long_read(&mm->hugetlb_usage) != im.hugetlb)
		inv_report(im.st, "mm %p: hugetlb usage is %ld, page tables hold %ld",
			   mm, atomic_long_read(&mm->hugetlb_usage), im.hugetlb);
	return 0;
}

/*
 * A large folio against the page tables: per-page map counts against PTEs,
 * the entire map count against huge PMDs, and one refcount for all.
 */
static void inv_check_large(struct inv_state *st, struct folio *folio, long refs)
{
	unsigned long pfn = folio_pfn(folio), ptes = 0, excl = 0, pmds = 0;
	unsigned long pins, batched, i, nr = folio_nr_pages(folio);
	struct inv_count *c;
	long expected;

	for (i = 0; i < nr; i++) {
		unsigned long maps;

		c = inv_slot(st, pfn + i, false);
		maps = c ? c->maps : 0;
		ptes += maps;
		excl += c ? c->exclusive : 0;
		pmds += c ? c->pmds : 0;
		if (atomic_read(&folio_page(folio, i)->_mapcount) + 1 != (int)maps)
			inv_report(st, "pfn %#lx: page map count %d but %lu PTEs map it",
				   pfn + i, atomic_read(&folio_page(folio, i)->_mapcount) + 1,
				   maps);
	}
	if (atomic_read(&folio->_entire_mapcount) + 1 != (int)pmds)
		inv_report(st, "pfn %#lx: entire map count %d but %lu huge PMDs map it",
			   pfn, atomic_read(&folio->_entire_mapcount) + 1, pmds);
	if (folio_mapcount(folio) != (int)(ptes + pmds))
		inv_report(st, "pfn %#lx: large folio map count %d but %lu PTEs and %lu PMDs map it",
			   pfn, folio_mapcount(folio), ptes, pmds);
	batched = folio_is_zone_device(folio) ? 0 : model_lru_batched(folio);
	if (folio_test_hugetlb(folio) && (ptes || excl))
		inv_report(st, "pfn %#lx: hugetlb folio mapped by %lu PTEs, %lu exclusive entries",
			   pfn, ptes, excl);
	if (ptes + pmds && !folio_is_zone_device(folio) && !folio_test_lru(folio) &&
	    !batched && !folio_test_hugetlb(folio))
		inv_report(st, "pfn %#lx: mapped large folio neither on an LRU nor in an LRU batch",
			   pfn);
	/* Kernel-internal large allocations: not ours to judge. */
	if (!ptes && !pmds && !excl && !folio_test_anon(folio))
		return;
	pins = model_gup_pinned_refs(folio);
	if (pins == ULONG_MAX)
		return;
	expected = folio_expected_ref_count(folio) - folio_mapcount(folio);
	expected += ptes + pmds + excl + pins + batched;
	if (refs != expected)
		inv_report(st, "pfn %#lx: large folio refcount %ld, expected %ld (%lu PTEs, %lu PMDs, %lu exclusive entries, %lu pin refs, %lu LRU-batch refs)",
			   pfn, refs, expected, ptes, pmds, excl, pins, batched);
}

static void inv_check_page(struct inv_state *st, unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);
	struct inv_count *c;
	struct folio *folio;
	unsigned long maps, excl, pins, batched;
	long expected, refs;

	if (PageTail(page))
		return;
	folio = page_folio(page);
	refs = folio_ref_count(folio);
	c = inv_slot(st, pfn, false);
	maps = c ? c->maps : 0;
	excl = c ? c->exclusive : 0;

	if (folio_test_locked(folio))
		inv_report(st, "pfn %#lx: folio left locked (refcount %ld)",
			   pfn, refs);
	if (!folio_is_zone_device(folio) &&
	    folio_test_lru(folio) != model_lru_contains(folio))
		inv_report(st, "pfn %#lx: PG_lru %s but the folio is %s an LRU list",
			   pfn, folio_test_lru(folio) ? "set" : "clear",
			   model_lru_contains(folio) ? "on" : "not on");
	if (refs == 0) {
		if (maps || excl)
			inv_report(st, "pfn %#lx: free page still mapped (%lu mappings, %lu exclusive entries)",
				   pfn, maps, excl);
		if (!folio_test_large(folio) && folio_mapcount(folio))
			inv_report(st, "pfn %#lx: free page with map count %d",
				   pfn, folio_mapcount(folio));
		return;
	}
	if (refs < 0) {
		inv_report(st, "pfn %#lx: negative refcount %ld", pfn, refs);
		return;
	}
	if (is_zero_pfn(pfn) || is_huge_zero_folio(folio))
		return;
	if (folio_test_large(folio)) {
		inv_check_large(st, folio, refs);
		return;
	}
	/* Kernel-internal pages: not ours to judge. */
	if (!maps && !excl && !folio_test_anon(folio) &&
	    !folio_is_device_private(folio))
		return;

	if (folio_mapcount(folio) != (int)maps)
		inv_report(st, "pfn %#lx: map count %d but %lu page-table entries map it",
			   pfn, folio_mapcount(folio), maps);
	/*
	 * A mapped anon folio holds data that was written (or zeroed) before
	 * it was mapped: swap-out (add_to_swap()) BUGs on one not uptodate.
	 */
	if ((maps || excl) && folio_test_anon(folio) &&
	    !folio_test_uptodate(folio))
		inv_report(st, "pfn %#lx: mapped anon page not uptodate", pfn);
	batched = folio_is_zone_device(folio) ? 0 : model_lru_batched(folio);
	/* Kernel pages a driver inserted (VM_MIXEDMAP) are on no LRU. */
	if (maps && !folio_is_zone_device(folio) && !folio_test_lru(folio) &&
	    !batched && (folio_test_anon(folio) || folio->mapping))
		inv_report(st, "pfn %#lx: mapped system page neither on an LRU nor in an LRU batch",
			   pfn);

	pins = model_gup_pinned_refs(folio);
	if (pins == ULONG_MAX)
		return;		/* pin table overflowed: refcount unknown */
	/* Cache references: what folio_expected_ref_count() adds to maps. */
	expected = folio_expected_ref_count(folio) - folio_mapcount(folio);
	expected += maps + excl + pins + batched;
	if (refs != expected)
		inv_report(st, "pfn %#lx: refcount %ld, expected %ld (%lu mappings, %lu exclusive entries, %lu pin refs, %lu LRU-batch refs, %ld cache refs)%s",
			   pfn, refs, expected, maps, excl, pins, batched,
			   expected - (long)(maps + excl + pins + batched),
			   maps || excl ? "" : " - unmapped page still referenced");
}

/**
 * devmig_check_invariants() - verify the model's page state
 * @report: called once per violation with a description (may be NULL)
 * @arg: passed to @report
 *
 * Context: no migration, fault or address-space change in flight.
 * Return: the number of violations found.
 */
unsigned long devmig_check_invariants(void (*report)(const char *msg,
						     void *arg),
				      void *arg)
{
	struct inv_state st = { .report = report, .arg = arg };
	unsigned long pfn;

	model_for_each_mm(inv_walk_mm, &st);
	if (st.oom) {
		inv_report(&st, "invariant checker: out of memory, results incomplete");
		goto out;
	}
	for (pfn = model_next_initialized_pfn(0); pfn < max_pfn;
	     pfn = model_next_initialized_pfn(pfn + 1))
		inv_check_page(&st, pfn);
	/* The LRU lists' own bookkeeping (flags, lists, counts). */
	st.violations += model_lru_check(report, arg);
out:
	kvfree(st.table);
	return st.violations;
}
