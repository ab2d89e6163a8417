// SPDX-License-Identifier: GPL-2.0
/*
 * model_core.c - the core of the userspace mm on its own: page allocator and
 * refcounts, x86-64 entry encodings, rmap with try_to_migrate() and
 * remove_migration_ptes() on a page mapped by hand, LRU isolation, the folio
 * lock across threads, TLB shootdown across tasks, the xarray, MMU notifier
 * delivery, ZONE_DEVICE page life cycle, page walks and memcg charges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* glibc's setjmp.h defines this its own way; the shadow headers the kernel's. */
#undef __always_inline

#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/pagewalk.h>
#include <linux/memremap.h>
#include <linux/mmu_notifier.h>
#include <linux/memcontrol.h>
#include <linux/xarray.h>
#include <linux/ioport.h>
#include <linux/slab.h>
#include <asm/tlbflush.h>
#include <model/model.h>
#include <model/fail.h>
#include <model/tlb.h>
#include <host/host.h>
#include "../mm/internal.h"
#include "devmig.h"
#include "wait_for.h"
#include "warn.h"

#define RW	(DEVMIG_PROT_READ | DEVMIG_PROT_WRITE)

struct corefx {
	struct devmig_proc *proc;
	struct mm_struct *mm;
	unsigned long free0;
};

static int group_setup(void **state)
{
	struct devmig_config cfg = { .ram_bytes = 64UL << 20 };

	(void)state;
	return devmig_boot(&cfg);
}

static int setup(void **state)
{
	struct corefx *f = host_calloc(1, sizeof(*f));

	if (!f)
		return -1;
	model_fail_reset();
	model_warn_take(NULL, 0);	/* a failed test's are reported */
	lru_add_drain_all();
	f->free0 = model_nr_free_pages();
	f->proc = devmig_proc_create();
	if (!f->proc)
		return -1;
	f->mm = devmig_proc_mm(f->proc);
	*state = f;
	return 0;
}

static void report(const char *msg, void *arg)
{
	(void)arg;
	print_message("invariant: %s\n", msg);
}

/* The checker must agree with what the test built by hand; nothing leaks. */
static int teardown(void **state)
{
	struct corefx *f = *state;
	unsigned long bad = devmig_check_invariants(report, NULL);

	devmig_proc_exit(f->proc);
	bad += t_warnings();
	lru_add_drain_all();
	if (model_nr_free_pages() != f->free0) {
		print_error("%ld pages leaked\n", (long)(f->free0 - model_nr_free_pages()));
		bad++;
	}
	model_fail_reset();
	host_free(f);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * Page allocator.
 */

/* Booting again is a no-op with the same machine, refused with another. */
static void test_boot_idempotent(void **state)
{
	struct devmig_config same = { .ram_bytes = 64UL << 20 };
	struct devmig_config other = { .ram_bytes = 128UL << 20 };
	struct devmig_config no_ad = { .ram_bytes = 64UL << 20, .no_migration_ad = 1 };

	(void)state;
	assert_int_equal(devmig_boot(&same), 0);
	assert_int_equal(devmig_boot(&other), -EBUSY);
	assert_int_equal(devmig_boot(&no_ad), -EBUSY);
	assert_true(model_booted());
	assert_true(swap_migration_ad_supported);
	assert_int_equal(model_ram_end_pfn - model_ram_start_pfn, (64UL << 20) >> PAGE_SHIFT);
	assert_true(model_pfn_initialized(zero_pfn));
	assert_true(is_zero_pfn(zero_pfn));
	assert_null(memchr_inv(page_address(pfn_to_page(zero_pfn)), 0, PAGE_SIZE));
}

static void test_alloc_free_refcount(void **state)
{
	unsigned long before = model_nr_free_pages();
	struct page *page;
	struct folio *folio;
	unsigned char *p;

	(void)state;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	assert_non_null(page);
	assert_int_equal(page_ref_count(page), 1);
	assert_int_equal(page_mapcount(page), 0);
	assert_false(PageLRU(page));
	assert_false(PageLocked(page));
	assert_false(is_zone_device_page(page));
	assert_null(page->mapping);
	assert_int_equal(model_nr_free_pages(), before - 1);
	p = page_address(page);
	assert_null(memchr_inv(p, 0, PAGE_SIZE));
	p[0] = 0xa5;
	p[PAGE_SIZE - 1] = 0x5a;
	assert_ptr_equal(pfn_to_page(page_to_pfn(page)), page);
	assert_ptr_equal(virt_to_page(p + 100), page);

	folio = page_folio(page);
	folio_get(folio);
	folio_put(folio);
	assert_int_equal(model_nr_free_pages(), before - 1);
	assert_int_equal(((unsigned char *)page_address(page))[0], 0xa5);
	folio_put(folio);
	assert_int_equal(model_nr_free_pages(), before);
	assert_int_equal(page_ref_count(page), 0);
	assert_false(folio_try_get(folio));
	assert_null(folio_get_nontail_page(page));
}

static void test_alloc_pmd_order_folio(void **state)
{
	struct folio *folio;
	unsigned long i;

	(void)state;
	folio = folio_alloc(GFP_KERNEL, HPAGE_PMD_ORDER);
	assert_non_null(folio);
	assert_true(folio_test_large(folio));
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	assert_int_equal(folio_nr_pages(folio), HPAGE_PMD_NR);
	assert_int_equal(folio_pfn(folio) % HPAGE_PMD_NR, 0);
	for (i = 1; i < HPAGE_PMD_NR; i++) {
		struct page *tail = folio_page(folio, i);

		assert_true(PageTail(tail));
		assert_ptr_equal(page_folio(tail), folio);
		assert_int_equal(page_ref_count(tail), 0);
	}
	assert_true(PageTransCompound(folio_page(folio, 3)));
	assert_false(folio_mapped(folio));
	/* Only anon THPs can be split; this folio is nobody's: refused. */
	folio_lock(folio);
	assert_int_equal(split_folio(folio), -EBUSY);
	folio_unlock(folio);
	folio_put(folio);
	assert_false(PageTail(folio_page(folio, 1)));
	/* The free path found nothing wrong with the head or the tails. */
	assert_no_warn();
}

/*
 * Exhaust RAM with single pages, then free them: the 2 MiB blocks must
 * re-form so a PMD-order allocation succeeds again.
 */
static void test_alloc_exhaust_and_merge(void **state)
{
	unsigned long n = model_nr_free_pages(), i;
	struct page **pages = host_calloc(n, sizeof(*pages));

	(void)state;
	assert_non_null(pages);
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		assert_non_null(pages[i]);
	}
	assert_int_equal(model_nr_free_pages(), 0);
	assert_null(alloc_page(GFP_KERNEL | __GFP_NOWARN));
	assert_null(folio_alloc(GFP_KERNEL | __GFP_NOWARN, HPAGE_PMD_ORDER));
	for (i = 0; i < n; i++)
		__free_page(pages[n - 1 - i]);
	assert_int_equal(model_nr_free_pages(), n);
	{
		struct folio *big = folio_alloc(GFP_KERNEL, HPAGE_PMD_ORDER);

		assert_non_null(big);
		folio_put(big);
	}
	host_free(pages);
}

/*
 * Freed single pages wait on the freeing CPU's list (per_cpu_pages), where
 * that CPU takes them back first; when the zone runs dry, another CPU's
 * allocation drains every list rather than fail, and a 2 MiB block with
 * pages on a list re-forms for a PMD-order allocation.
 */
static void test_alloc_per_cpu_lists(void **state)
{
	unsigned long n = model_nr_free_pages(), i, nfreed = 0, block = ULONG_MAX;
	unsigned long block_pfn;
	struct page **pages = host_calloc(n, sizeof(*pages));
	struct task_struct *t1 = host_calloc(1, sizeof(*t1));
	struct task_struct *t2 = host_calloc(1, sizeof(*t2));
	struct task_struct *self = current;
	struct page *again;
	struct folio *big;

	(void)state;
	assert_non_null(pages);
	model_task_init(t1, "t1");
	model_task_init(t2, "t2");
	t1->cpu = 1;
	t2->cpu = 2;
	model_set_current(t1);
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		assert_non_null(pages[i]);
	}
	assert_null(alloc_page(GFP_KERNEL | __GFP_NOWARN));

	/* LIFO on t1's CPU: the page freed last comes back first. */
	__free_page(pages[1]);
	__free_page(pages[0]);
	assert_int_equal(model_nr_free_pages(), 2);
	assert_ptr_equal(alloc_page(GFP_KERNEL), pages[0]);
	assert_ptr_equal(alloc_page(GFP_KERNEL), pages[1]);

	/* The one free page is on t1's list: t2 gets it all the same. */
	__free_page(pages[0]);
	model_set_current(t2);
	again = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	assert_ptr_equal(again, pages[0]);

	/* A whole block freed on t1: its pages on t1's list, some back in the zone. */
	for (i = 2; i < n && block == ULONG_MAX; i++)
		if (page_to_pfn(pages[i]) % HPAGE_PMD_NR == 0 &&
		    i + HPAGE_PMD_NR <= n &&
		    page_to_pfn(pages[i + HPAGE_PMD_NR - 1]) ==
		    page_to_pfn(pages[i]) + HPAGE_PMD_NR - 1)
			block = i;
	assert_true(block != ULONG_MAX);
	block_pfn = page_to_pfn(pages[block]);
	model_set_current(t1);
	for (i = block; i < block + HPAGE_PMD_NR; i++) {
		__free_page(pages[i]);
		pages[i] = NULL;
		nfreed++;
	}
	assert_int_equal(model_nr_free_pages(), nfreed);
	model_set_current(t2);
	big = folio_alloc(GFP_KERNEL | __GFP_NOWARN, HPAGE_PMD_ORDER);
	assert_non_null(big);
	assert_int_equal(folio_pfn(big), block_pfn);
	assert_int_equal(model_nr_free_pages(), 0);
	folio_put(big);

	model_set_current(self);
	pages[0] = again;
	for (i = 0; i < n; i++)
		if (pages[i])
			__free_page(pages[i]);
	assert_int_equal(model_nr_free_pages(), n);
	host_free(t1);
	host_free(t2);
	host_free(pages);
}

struct alloc_worker {
	struct host_thread t;
	unsigned int seed;
	bool ok;
};

/* Allocate, write, check and free pages in a loop, mixing in PMD folios. */
static void *alloc_worker_fn(void *arg)
{
	struct alloc_worker *w = arg;
	struct page *held[64] = { NULL };
	unsigned int i, r = w->seed;

	w->ok = true;
	for (i = 0; i < 20000; i++) {
		unsigned int slot;

		r = r * 1103515245 + 12345;
		slot = (r >> 16) % 64;
		if (held[slot]) {
			if (*(unsigned int *)page_address(held[slot]) != slot + w->seed)
				w->ok = false;
			__free_page(held[slot]);
			held[slot] = NULL;
		} else if ((r >> 8) % 97 == 0) {
			struct folio *big = folio_alloc(GFP_KERNEL | __GFP_NOWARN,
							HPAGE_PMD_ORDER);

			if (big)
				folio_put(big);
		} else {
			held[slot] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
			if (held[slot])
				*(unsigned int *)page_address(held[slot]) = slot + w->seed;
		}
	}
	for (i = 0; i < 64; i++)
		if (held[i])
			__free_page(held[i]);
	return NULL;
}

/* The zone lock keeps the free lists and counters right under contention. */
static void test_alloc_concurrent(void **state)
{
	unsigned long before = model_nr_free_pages();
	struct alloc_worker w[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		w[i].seed = 1000 * (i + 1);
		assert_int_equal(host_thread_create(&w[i].t, alloc_worker_fn, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		host_thread_join(&w[i].t, NULL);
		assert_true(w[i].ok);
	}
	assert_int_equal(model_nr_free_pages(), before);
}

static void test_alloc_failure_injection(void **state)
{
	struct page *a, *b, *c;
	void *k;

	(void)state;
	model_fail_nth(MODEL_FAIL_PAGE, 2);
	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	c = alloc_page(GFP_KERNEL);
	assert_non_null(a);
	assert_null(b);
	assert_non_null(c);
	assert_true(model_fail_fired());
	__free_page(a);
	__free_page(c);

	model_fail_every(MODEL_FAIL_KMALLOC, true);
	assert_null(kmalloc(16, GFP_KERNEL));
	k = kmalloc(16, GFP_KERNEL | __GFP_NOFAIL);
	assert_non_null(k);
	kfree(k);
	model_fail_reset();
	k = kzalloc(32, GFP_KERNEL);
	assert_non_null(k);
	assert_null(memchr_inv(k, 0, 32));
	kfree(k);
}

/* ------------------------------------------------------------------------
 * x86-64 entry encodings.
 */

static void test_swap_entry_roundtrip_every_type(void **state)
{
	static const unsigned long offsets[] = {
		0, 1, 0x12345, SWP_PFN_MASK, SWP_PFN_MASK | SWP_MIG_YOUNG | SWP_MIG_DIRTY,
		(1UL << 50) - 2,
	};
	unsigned int type;
	size_t i;

	(void)state;
	/*
	 * The top offset is left out: its complement is zero, so with type 0
	 * the entry would encode as an empty PTE.  Swap-size limits keep real
	 * offsets below it.
	 */
	assert_true(pte_none(swp_entry_to_pte(swp_entry(0, (1UL << 50) - 1))));
	for (type = 0; type < 32; type++) {
		for (i = 0; i < ARRAY_SIZE(offsets); i++) {
			swp_entry_t e = swp_entry(type, offsets[i]), back;
			pte_t pte = swp_entry_to_pte(e);
			unsigned long raw = pte_val(pte);

			assert_int_equal(swp_type(e), type);
			assert_int_equal(swp_offset(e), offsets[i]);
			/* Type in bits 59-63, complemented offset in 9-58. */
			assert_int_equal(raw >> 59, type);
			assert_int_equal((~raw >> 9) & ((1UL << 50) - 1), offsets[i]);
			assert_int_equal(raw & (_PAGE_PRESENT | _PAGE_PSE | _PAGE_PROTNONE), 0);
			assert_false(pte_present(pte));
			assert_false(pte_none(pte));
			assert_true(is_swap_pte(pte));
			back = pte_to_swp_entry(pte);
			assert_int_equal(back.val, e.val);
			/* Software bits ride along without changing the entry. */
			pte = pte_swp_mksoft_dirty(pte_swp_mkuffd_wp(pte_swp_mkexclusive(pte)));
			assert_true(pte_swp_soft_dirty(pte));
			assert_true(pte_swp_uffd_wp(pte));
			assert_true(pte_swp_exclusive(pte));
			assert_int_equal(pte_val(pte) & 0xe, 0xe);
			assert_int_equal(pte_to_swp_entry(pte).val, e.val);
		}
	}
	assert_int_equal(MAX_SWAPFILES, 23);
	assert_int_equal(SWP_HWPOISON, 23);
	assert_int_equal(SWP_MIGRATION_READ, 24);
	assert_int_equal(SWP_MIGRATION_READ_EXCLUSIVE, 25);
	assert_int_equal(SWP_MIGRATION_WRITE, 26);
	assert_int_equal(SWP_DEVICE_WRITE, 27);
	assert_int_equal(SWP_DEVICE_READ, 28);
	assert_int_equal(SWP_DEVICE_EXCLUSIVE_WRITE, 29);
	assert_int_equal(SWP_DEVICE_EXCLUSIVE_READ, 30);
	assert_int_equal(SWP_PTE_MARKER, 31);
	assert_int_equal(SWP_PFN_BITS, 34);
}

static void test_special_entry_predicates(void **state)
{
	unsigned long pfn = 0x2345678;
	swp_entry_t w = make_writable_migration_entry(pfn);
	swp_entry_t r = make_readable_migration_entry(pfn);
	swp_entry_t x = make_readable_exclusive_migration_entry(pfn);
	swp_entry_t dw = make_writable_device_private_entry(pfn);
	swp_entry_t dr = make_readable_device_private_entry(pfn);
	swp_entry_t ew = make_writable_device_exclusive_entry(pfn);

	(void)state;
	assert_true(is_migration_entry(w) && is_writable_migration_entry(w));
	assert_true(is_migration_entry(r) && is_readable_migration_entry(r));
	assert_true(is_readable_exclusive_migration_entry(x));
	assert_false(is_writable_migration_entry(x) || is_readable_migration_entry(x));
	assert_true(is_device_private_entry(dw) && is_writable_device_private_entry(dw));
	assert_true(is_device_private_entry(dr) && !is_writable_device_private_entry(dr));
	assert_false(is_device_private_entry(w) || is_migration_entry(dw));
	assert_true(is_device_exclusive_entry(ew) && is_writable_device_exclusive_entry(ew));
	assert_true(non_swap_entry(w) && non_swap_entry(dw) && !non_swap_entry(swp_entry(3, 9)));
	assert_true(is_pfn_swap_entry(dr) && !is_pfn_swap_entry(swp_entry(3, 9)));
	assert_int_equal(swp_offset_pfn(w), pfn);
	assert_int_equal(swp_offset_pfn(pte_to_swp_entry(swp_entry_to_pte(dr))), pfn);
	assert_true(is_pte_marker(make_pte_marker(PTE_MARKER_UFFD_WP)));
	assert_int_equal(pte_marker_get(make_pte_marker_entry(PTE_MARKER_POISONED)),
			 PTE_MARKER_POISONED);
}

static void test_migration_entry_ad_bits(void **state)
{
	bool saved = swap_migration_ad_supported;
	swp_entry_t e;

	(void)state;
	swap_migration_ad_supported = true;
	e = make_migration_entry_dirty(make_migration_entry_young(
		make_writable_migration_entry(0x1234)));
	assert_true(is_migration_entry_young(e));
	assert_true(is_migration_entry_dirty(e));
	assert_int_equal(swp_offset_pfn(e), 0x1234);
	e = pte_to_swp_entry(swp_entry_to_pte(e));
	assert_true(is_migration_entry_young(e) && is_migration_entry_dirty(e));
	assert_true(is_writable_migration_entry(e));

	/* Switched off (L1TF-limited swap size): nothing is recorded. */
	swap_migration_ad_supported = false;
	e = make_migration_entry_dirty(make_migration_entry_young(
		make_writable_migration_entry(0x1234)));
	assert_false(is_migration_entry_young(e));
	assert_false(is_migration_entry_dirty(e));
	assert_int_equal(swp_offset(e), 0x1234);
	swap_migration_ad_supported = saved;
}

static void test_present_pte_bits(void **state)
{
	unsigned long pfn = 0x1abcd;
	pte_t pte = pfn_pte(pfn, PAGE_COPY), none_pte;

	(void)state;
	assert_true(pte_present(pte));
	assert_false(pte_write(pte));
	assert_int_equal(pte_pfn(pte), pfn);
	assert_int_equal((pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT, pfn);
	pte = pte_mkwrite(pte_mkdirty(pte), NULL);
	assert_true(pte_write(pte) && pte_dirty(pte) && pte_soft_dirty(pte));
	pte = pte_mkuffd_wp(pte);
	assert_true(pte_uffd_wp(pte));
	assert_false(pte_write(pte));
	assert_int_equal(pte_val(pte_mkold(pte_mkyoung(pte))) & _PAGE_ACCESSED, 0);
	assert_int_equal(pte_val(pte) & (1UL << 11), 1UL << 11);	/* soft-dirty: bit 11 */
	assert_int_equal(pte_val(pte) & (1UL << 10), 1UL << 10);	/* uffd-wp: bit 10 */

	/* PROT_NONE: present to the kernel, frame stored inverted (L1TF). */
	none_pte = pfn_pte(pfn, PAGE_NONE);
	assert_true(pte_present(none_pte));
	assert_true(pte_protnone(none_pte));
	assert_int_equal(pte_pfn(none_pte), pfn);
	assert_int_equal((~pte_val(none_pte) & PTE_PFN_MASK) >> PAGE_SHIFT, pfn);
	/* pte_modify() across the line re-inverts the frame. */
	assert_int_equal(pte_pfn(pte_modify(none_pte, PAGE_SHARED)), pfn);
	assert_int_equal(pte_pfn(pte_modify(pte, PAGE_NONE)), pfn);
	assert_true(pte_none(__pte(_PAGE_DIRTY | _PAGE_ACCESSED)));
}

/* ------------------------------------------------------------------------
 * A page mapped by hand: rmap, try_to_migrate, remove_migration_ptes.
 */

static pte_t *map_by_hand(struct mm_struct *mm, unsigned long addr,
			  struct folio *folio, spinlock_t **ptlp)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = p4d_alloc(mm, pgd, addr);
	pud_t *pud = pud_alloc(mm, p4d, addr);
	pmd_t *pmd = pmd_alloc(mm, pud, addr);
	pte_t *pte;
	pte_t entry;

	assert_non_null(vma);
	assert_non_null(pmd);
	assert_int_equal(pte_alloc(mm, pmd), 0);
	assert_int_equal(anon_vma_prepare(vma), 0);
	assert_int_equal(mem_cgroup_charge(folio, mm, GFP_KERNEL), 0);
	__folio_mark_uptodate(folio);
	pte = pte_offset_map_lock(mm, pmd, addr, ptlp);
	assert_non_null(pte);
	assert_true(pte_none(ptep_get(pte)));
	entry = pte_mkwrite(pte_mkdirty(mk_pte(&folio->page, vma->vm_page_prot)), vma);
	inc_mm_counter(mm, MM_ANONPAGES);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	set_pte_at(mm, addr, pte, entry);
	return pte;
}

static pte_t read_pte(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = pmd_offset(pud_offset(p4d_offset(pgd_offset(mm, addr), addr), addr),
				addr);

	return ptep_get(pte_offset_kernel(pmd, addr));
}

static void test_rmap_migrate_roundtrip(void **state)
{
	struct corefx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, RW, DEVMIG_MAP_PRIVATE);
	struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	spinlock_t *ptl;
	pte_t *ptep, pte;
	swp_entry_t entry;

	assert_true((long)addr > 0);
	assert_non_null(folio);
	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, folio, &ptl);
	pte_unmap_unlock(ptep, ptl);

	assert_true(folio_test_anon(folio));
	assert_true(folio_test_swapbacked(folio));
	assert_true(PageAnonExclusive(&folio->page));
	assert_int_equal(folio_mapcount(folio), 1);
	assert_int_equal(folio->index, addr >> PAGE_SHIFT);
	assert_ptr_equal(folio_anon_vma(folio), vma_lookup(f->mm, addr)->anon_vma);
	/* The mapping reference is the allocation reference; + the LRU batch. */
	assert_int_equal(folio_ref_count(folio), 2);
	lru_add_drain();
	assert_int_equal(folio_ref_count(folio), 1);
	assert_true(folio_test_lru(folio));

	folio_get(folio);
	folio_lock(folio);
	try_to_migrate(folio, 0);
	assert_false(folio_mapped(folio));
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	pte = read_pte(f->mm, addr);
	assert_true(is_swap_pte(pte));
	entry = pte_to_swp_entry(pte);
	assert_true(is_writable_migration_entry(entry));
	assert_int_equal(swp_offset_pfn(entry), folio_pfn(folio));
	assert_true(is_migration_entry_dirty(entry));
	/* Shared now: the entry says whether it was exclusive, the page not. */
	assert_false(PageAnonExclusive(&folio->page));
	assert_ptr_equal(pfn_swap_entry_folio(entry), folio);

	remove_migration_ptes(folio, folio, 0);
	pte = read_pte(f->mm, addr);
	assert_true(pte_present(pte));
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	assert_int_equal(pte_pfn(pte), folio_pfn(folio));
	assert_int_equal(folio_mapcount(folio), 1);
	assert_int_equal(folio_ref_count(folio), 2);
	assert_true(PageAnonExclusive(&folio->page));
	folio_unlock(folio);
	folio_put(folio);
	mmap_read_unlock(f->mm);
}

/* Migrate the hand-mapped page's identity to a new folio and remap it there. */
static void test_rmap_migrate_to_new_folio(void **state)
{
	struct corefx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, RW, DEVMIG_MAP_PRIVATE);
	struct folio *src = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct folio *dst = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	unsigned long free_before;
	spinlock_t *ptl;
	pte_t *ptep, pte;

	assert_non_null(src);
	assert_non_null(dst);
	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, src, &ptl);
	pte_unmap_unlock(ptep, ptl);
	memset(folio_address(src), 0x77, PAGE_SIZE);
	lru_add_drain();

	folio_lock(src);
	assert_true(folio_isolate_lru(src));
	try_to_migrate(src, 0);
	assert_false(folio_mapped(src));
	folio_lock(dst);
	/* A stray reference makes the exact count check refuse the move. */
	folio_get(src);
	assert_int_equal(folio_migrate_mapping(NULL, dst, src, 0), -EAGAIN);
	assert_null(dst->mapping);
	folio_put(src);
	assert_int_equal(folio_migrate_mapping(NULL, dst, src, 0), MIGRATEPAGE_SUCCESS);
	folio_migrate_flags(dst, src);
	folio_copy(dst, src);
	assert_ptr_equal(dst->mapping, src->mapping);
	assert_int_equal(dst->index, src->index);
	assert_ptr_equal(folio_memcg(dst), root_mem_cgroup);
	assert_null(folio_memcg(src));
	assert_true(folio_test_uptodate(dst));

	folio_add_lru(dst);
	remove_migration_ptes(src, dst, 0);
	pte = read_pte(f->mm, addr);
	assert_int_equal(pte_pfn(pte), folio_pfn(dst));
	assert_true(pte_write(pte));
	assert_int_equal(folio_mapcount(dst), 1);
	folio_unlock(src);
	free_before = model_nr_free_pages();
	folio_put(src);		/* the isolation reference: the last one */
	assert_int_equal(model_nr_free_pages(), free_before + 1);
	folio_unlock(dst);
	folio_put(dst);
	assert_int_equal(*(unsigned char *)folio_address(dst), 0x77);
	mmap_read_unlock(f->mm);
}

/*
 * A folio in the swap cache: folio_mapping() is the swap cache, its slot
 * moves to the new folio with the cache's reference, and folio_free_swap()
 * then takes it out.
 */
static void test_swap_cache_folio_migrates(void **state)
{
	struct corefx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, RW, DEVMIG_MAP_PRIVATE);
	struct folio *src = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct folio *dst = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	swp_entry_t entry = swp_entry(1, 0x345);
	struct address_space *mapping;
	spinlock_t *ptl;
	pte_t *ptep;

	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, src, &ptl);
	pte_unmap_unlock(ptep, ptl);
	lru_add_drain();
	folio_lock(src);
	assert_int_equal(model_swap_cache_add(src, make_writable_migration_entry(1)), -EINVAL);
	assert_int_equal(model_swap_cache_add(src, entry), 0);
	assert_true(folio_test_swapcache(src));
	mapping = folio_mapping(src);
	assert_ptr_equal(mapping, &swapper_space);
	assert_int_equal(folio_index(src), 0x345);
	assert_int_equal(folio_expected_ref_count(src), 2);	/* cache + map */
	assert_int_equal(folio_ref_count(src), 2);

	assert_true(folio_isolate_lru(src));
	try_to_migrate(src, 0);
	assert_false(folio_mapped(src));
	folio_lock(dst);
	assert_int_equal(folio_migrate_mapping(mapping, dst, src, 0), MIGRATEPAGE_SUCCESS);
	folio_migrate_flags(dst, src);
	assert_ptr_equal(xa_load(&swapper_space.i_pages, 0x345), dst);
	assert_true(folio_test_swapcache(dst));
	assert_false(folio_test_swapcache(src));
	assert_int_equal(folio_ref_count(dst), 2);	/* ours + the cache's */
	assert_int_equal(folio_ref_count(src), 1);	/* the isolation's */
	folio_copy(dst, src);

	folio_add_lru(dst);
	remove_migration_ptes(src, dst, 0);
	folio_unlock(src);
	folio_put(src);
	assert_true(folio_free_swap(dst));
	assert_false(folio_test_swapcache(dst));
	assert_true(folio_test_dirty(dst));
	assert_null(folio_mapping(dst));
	assert_null(xa_load(&swapper_space.i_pages, 0x345));
	assert_false(folio_free_swap(dst));
	folio_unlock(dst);
	folio_put(dst);
	assert_int_equal(folio_ref_count(dst), 2);	/* the mapping + the LRU batch */
	mmap_read_unlock(f->mm);
}

/* A possibly pinned exclusive page keeps its mapping. */
static void test_try_to_migrate_respects_pins(void **state)
{
	struct corefx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, RW, DEVMIG_MAP_PRIVATE);
	struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	spinlock_t *ptl;
	pte_t *ptep;

	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, folio, &ptl);
	pte_unmap_unlock(ptep, ptl);
	lru_add_drain();
	folio_ref_add(folio, GUP_PIN_COUNTING_BIAS);
	assert_true(folio_maybe_dma_pinned(folio));
	folio_lock(folio);
	try_to_migrate(folio, 0);
	assert_true(folio_mapped(folio));
	assert_true(pte_present(read_pte(f->mm, addr)));
	assert_true(PageAnonExclusive(&folio->page));
	folio_unlock(folio);
	folio_ref_sub(folio, GUP_PIN_COUNTING_BIAS);
	mmap_read_unlock(f->mm);
}

/* ------------------------------------------------------------------------
 * LRU.
 */

static void test_lru_isolate_putback(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);

	(void)state;
	folio_add_lru(folio);
	assert_int_equal(model_lru_batched(folio), 1);
	assert_int_equal(folio_ref_count(folio), 2);
	/* Still in the batch: not on a list, cannot be isolated. */
	assert_false(folio_test_lru(folio));
	assert_false(folio_isolate_lru(folio));
	lru_add_drain_all();
	assert_int_equal(model_lru_batched(folio), 0);
	assert_true(folio_test_lru(folio));
	assert_true(model_lru_contains(folio));
	assert_int_equal(folio_ref_count(folio), 1);

	assert_true(folio_isolate_lru(folio));
	assert_false(folio_test_lru(folio));
	assert_false(model_lru_contains(folio));
	assert_int_equal(folio_ref_count(folio), 2);
	assert_false(folio_isolate_lru(folio));

	folio_putback_lru(folio);
	assert_int_equal(folio_ref_count(folio), 2);	/* ours + the batch's */
	lru_add_drain();
	assert_true(model_lru_contains(folio));
	/* Freeing takes it off the list. */
	folio_put(folio);
	assert_false(model_lru_contains(folio));
}

/* ------------------------------------------------------------------------
 * Folio lock.
 */

struct lock_waiter {
	struct folio *folio;
	bool acquired;
	bool wait_only;
};

static void *lock_waiter_fn(void *arg)
{
	struct lock_waiter *w = arg;

	if (w->wait_only) {
		folio_wait_locked(w->folio);
	} else {
		folio_lock(w->folio);
	}
	__atomic_store_n(&w->acquired, true, __ATOMIC_RELEASE);
	if (!w->wait_only)
		folio_unlock(w->folio);
	return NULL;
}

static void test_folio_lock_contention(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);
	struct lock_waiter w[2] = { { .folio = folio }, { .folio = folio, .wait_only = true } };
	struct host_thread t[2];
	int i;

	(void)state;
	folio_lock(folio);
	assert_false(folio_trylock(folio));
	for (i = 0; i < 2; i++)
		assert_int_equal(host_thread_create(&t[i], lock_waiter_fn, &w[i]), 0);
	assert_true(t_wait_sleepers(folio, 2));
	for (i = 0; i < 2; i++)
		assert_false(__atomic_load_n(&w[i].acquired, __ATOMIC_ACQUIRE));
	assert_true(folio_test_waiters(folio));
	folio_unlock(folio);
	for (i = 0; i < 2; i++) {
		host_thread_join(&t[i], NULL);
		assert_true(w[i].acquired);
	}
	assert_false(folio_test_locked(folio));
	assert_true(folio_trylock(folio));
	folio_unlock(folio);
	folio_put(folio);
}

/* ------------------------------------------------------------------------
 * TLB.
 */

static void test_tlb_flush_reaches_other_task(void **state)
{
	struct corefx *f = *state;
	struct task_struct *t1 = host_calloc(1, sizeof(*t1));
	struct task_struct *t2 = host_calloc(1, sizeof(*t2));
	struct task_struct *t3 = host_calloc(1, sizeof(*t3));
	struct devmig_proc *other = devmig_proc_create();
	struct model_tlb_entry e;
	unsigned long addr = 0x7f0000000000UL;

	model_task_init(t1, "t1");
	model_task_init(t2, "t2");
	model_task_init(t3, "t3");
	model_tlb_attach(t1, f->mm);
	model_tlb_attach(t2, f->mm);
	model_tlb_attach(t3, devmig_proc_mm(other));
	model_tlb_fill(&t2->tlb, addr, 0x42, MODEL_TLB_WRITE);
	model_tlb_fill(&t2->tlb, addr + PAGE_SIZE, 0x43, 0);
	model_tlb_fill(&t3->tlb, addr, 0x99, 0);
	assert_true(model_tlb_lookup(&t2->tlb, addr, &e));
	assert_int_equal(e.pfn, 0x42);

	/* Flushed from t1's side: t2's entry goes, t3 (another mm) keeps its own. */
	flush_tlb_mm_range(f->mm, addr, addr + PAGE_SIZE, PAGE_SHIFT, false);
	assert_false(model_tlb_lookup(&t2->tlb, addr, &e));
	assert_true(model_tlb_lookup(&t2->tlb, addr + PAGE_SIZE, &e));
	assert_true(model_tlb_lookup(&t3->tlb, addr, &e));
	assert_int_equal(t2->tlb.shootdowns, 1);

	flush_tlb_mm(f->mm);
	assert_false(model_tlb_lookup(&t2->tlb, addr + PAGE_SIZE, &e));

	model_tlb_detach(t1);
	model_tlb_detach(t2);
	model_tlb_detach(t3);
	devmig_proc_exit(other);
	host_free(t1);
	host_free(t2);
	host_free(t3);
}

/*
 * A range shorter than the TLB is flushed slot by slot: every page of it
 * goes, an entry for another page in the same slot stays; a long range
 * reaches that one too.
 */
static void test_tlb_flush_short_range(void **state)
{
	struct corefx *f = *state;
	struct task_struct *t = host_calloc(1, sizeof(*t));
	unsigned long addr = 0x7f0000000000UL;
	unsigned long alias = addr + MODEL_TLB_ENTRIES * PAGE_SIZE;
	struct model_tlb_entry e;

	model_task_init(t, "t");
	model_tlb_attach(t, f->mm);
	model_tlb_fill(&t->tlb, addr, 0x40, 0);
	model_tlb_fill(&t->tlb, addr + 3 * PAGE_SIZE, 0x43, 0);
	model_tlb_fill(&t->tlb, addr + 5 * PAGE_SIZE, 0x45, 0);
	model_tlb_fill(&t->tlb, alias + PAGE_SIZE, 0x81, 0);

	flush_tlb_mm_range(f->mm, addr, addr + 4 * PAGE_SIZE, PAGE_SHIFT, false);
	assert_false(model_tlb_lookup(&t->tlb, addr, &e));
	assert_false(model_tlb_lookup(&t->tlb, addr + 3 * PAGE_SIZE, &e));
	assert_true(model_tlb_lookup(&t->tlb, addr + 5 * PAGE_SIZE, &e));
	/* In the slot of addr + 1 page, but not a page of the range. */
	assert_true(model_tlb_lookup(&t->tlb, alias + PAGE_SIZE, &e));
	assert_int_equal(e.pfn, 0x81);
	assert_int_equal(t->tlb.shootdowns, 2);

	flush_tlb_mm_range(f->mm, addr + 4 * PAGE_SIZE, alias + 2 * PAGE_SIZE,
			   PAGE_SHIFT, false);
	assert_false(model_tlb_lookup(&t->tlb, addr + 5 * PAGE_SIZE, &e));
	assert_false(model_tlb_lookup(&t->tlb, alias + PAGE_SIZE, &e));
	assert_int_equal(t->tlb.shootdowns, 4);
	model_tlb_detach(t);
	host_free(t);
}

/*
 * folio_migrate_flags(): the state flags are copied, active moves (the
 * source loses it), and nothing else appears on the destination.
 */
static void test_folio_migrate_flags(void **state)
{
	struct corefx *f = *state;
	struct folio *src = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	struct folio *dst = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	const unsigned long copied = (1UL << PG_referenced) | (1UL << PG_uptodate) |
				     (1UL << PG_workingset) | (1UL << PG_checked) |
				     (1UL << PG_mappedtodisk) | (1UL << PG_dirty) |
				     (1UL << PG_young) | (1UL << PG_idle) |
				     (1UL << PG_readahead);
	unsigned long before;

	assert_non_null(src);
	assert_non_null(dst);
	/* The charge moves with the flags (each call moves it once). */
	assert_int_equal(mem_cgroup_charge(src, f->mm, GFP_KERNEL), 0);
	/* As a migration has them: both locked, neither on an LRU. */
	folio_lock(src);
	folio_lock(dst);
	src->flags |= copied | (1UL << PG_active);
	before = dst->flags;
	folio_migrate_flags(dst, src);
	assert_int_equal(dst->flags, before | copied | (1UL << PG_active));
	assert_true((src->flags & copied) == copied);
	assert_false(folio_test_active(src));
	assert_ptr_equal(folio_memcg(dst), root_mem_cgroup);
	assert_null(folio_memcg(src));

	/* From a source with none of them, nothing is set. */
	dst->flags = before;
	src->flags &= ~copied;
	folio_migrate_flags(src, dst);
	folio_migrate_flags(dst, src);
	assert_int_equal(dst->flags, before);
	folio_unlock(src);
	folio_unlock(dst);
	folio_put(src);
	folio_put(dst);
}

/* ptep_clear_flush() shoots the translation down; ptep_get_and_clear() not. */
static void test_ptep_clear_flush_vs_plain_clear(void **state)
{
	struct corefx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, 2 * PAGE_SIZE, RW, DEVMIG_MAP_PRIVATE);
	struct task_struct *t = host_calloc(1, sizeof(*t));
	struct folio *a = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct folio *b = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct vm_area_struct *vma;
	struct model_tlb_entry e;
	spinlock_t *ptl;
	pte_t *ptep, old;

	model_task_init(t, "cpu");
	model_tlb_attach(t, f->mm);
	mmap_read_lock(f->mm);
	vma = vma_lookup(f->mm, addr);
	ptep = map_by_hand(f->mm, addr, a, &ptl);
	pte_unmap_unlock(ptep, ptl);
	ptep = map_by_hand(f->mm, addr + PAGE_SIZE, b, &ptl);
	/* Both translations cached by the task. */
	model_tlb_fill(&t->tlb, addr, folio_pfn(a), MODEL_TLB_WRITE);
	model_tlb_fill(&t->tlb, addr + PAGE_SIZE, folio_pfn(b), MODEL_TLB_WRITE);

	old = ptep_get_and_clear(f->mm, addr + PAGE_SIZE, ptep);
	assert_true(model_tlb_lookup(&t->tlb, addr + PAGE_SIZE, &e));	/* stale */
	set_pte_at(f->mm, addr + PAGE_SIZE, ptep, old);
	ptep--;
	old = ptep_clear_flush(vma, addr, ptep);
	assert_false(model_tlb_lookup(&t->tlb, addr, &e));
	assert_true(pte_present(old));
	set_pte_at(f->mm, addr, ptep, old);
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);
	model_tlb_detach(t);
	host_free(t);
}

/* ------------------------------------------------------------------------
 * XArray.
 */

static void test_xarray(void **state)
{
	static const unsigned long idx[] = { 0, 1, 63, 64, 4095, 1UL << 20,
					     1UL << 40, ULONG_MAX };
	struct xarray xa;
	unsigned long index, seen[ARRAY_SIZE(idx)];
	unsigned int n = 0;
	void *entry;
	size_t i;

	(void)state;
	xa_init(&xa);
	assert_true(xa_empty(&xa));
	for (i = 0; i < ARRAY_SIZE(idx); i++)
		assert_null(xa_store(&xa, idx[i], xa_mk_value(i), GFP_KERNEL));
	for (i = 0; i < ARRAY_SIZE(idx); i++)
		assert_int_equal(xa_to_value(xa_load(&xa, idx[i])), i);
	assert_null(xa_load(&xa, 2));
	assert_null(xa_load(&xa, (1UL << 40) + 1));
	/* Replacing returns the old entry. */
	assert_int_equal(xa_to_value(xa_store(&xa, 63, xa_mk_value(100), GFP_KERNEL)), 2);

	xa_for_each_range(&xa, index, entry, 1, 1UL << 20)
		seen[n++] = index;
	assert_int_equal(n, 5);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 63);
	assert_int_equal(seen[4], 1UL << 20);	/* last is inclusive */
	n = 0;
	xa_for_each(&xa, index, entry)
		n++;
	assert_int_equal(n, ARRAY_SIZE(idx));

	assert_int_equal(xa_to_value(xa_erase(&xa, 64)), 3);
	assert_null(xa_load(&xa, 64));
	assert_null(xa_erase(&xa, 64));

	/* Tagged pointers keep two bits. */
	entry = xa_tag_pointer(&xa, 3);
	assert_int_equal(xa_pointer_tag(entry), 3);
	assert_ptr_equal(xa_untag_pointer(entry), &xa);

	/* A node allocation failure is reported as an error entry. */
	model_fail_every(MODEL_FAIL_KMALLOC, true);
	entry = xa_store(&xa, 7UL << 50, &xa, GFP_KERNEL);
	model_fail_reset();
	assert_true(xa_is_err(entry));
	assert_int_equal(xa_err(entry), -ENOMEM);
	assert_null(xa_load(&xa, 7UL << 50));

	for (i = 0; i < ARRAY_SIZE(idx); i++)
		xa_erase(&xa, idx[i]);
	assert_true(xa_empty(&xa));
	xa_store(&xa, 12345, &xa, GFP_KERNEL);
	xa_destroy(&xa);
	assert_true(xa_empty(&xa));
}

/* ------------------------------------------------------------------------
 * MMU notifiers.
 */

struct t_notifier {
	struct mmu_notifier mn;
	int starts, ends, releases;
	struct mmu_notifier_range last;
};

static int t_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct t_notifier *t = container_of(mn, struct t_notifier, mn);

	t->starts++;
	t->last = *range;
	return 0;
}

static void t_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct t_notifier *t = container_of(mn, struct t_notifier, mn);

	(void)range;
	t->ends++;
}

static void t_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	(void)mm;
	container_of(mn, struct t_notifier, mn)->releases++;
}

static const struct mmu_notifier_ops t_mn_ops = {
	.invalidate_range_start = t_start,
	.invalidate_range_end = t_end,
	.release = t_release,
};

struct t_interval {
	struct mmu_interval_notifier mni;
	int calls;
	unsigned long seq;
};

static bool t_invalidate(struct mmu_interval_notifier *mni,
			 const struct mmu_notifier_range *range,
			 unsigned long cur_seq)
{
	struct t_interval *t = container_of(mni, struct t_interval, mni);

	(void)range;
	t->calls++;
	t->seq = cur_seq;
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops t_mni_ops = {
	.invalidate = t_invalidate,
};

static void test_notifier_delivery(void **state)
{
	struct corefx *f = *state;
	struct t_notifier tn = { .mn.ops = &t_mn_ops };
	struct t_interval ti = { 0 };
	struct mmu_notifier_range range;
	unsigned long seq;
	int owner;

	assert_int_equal(mmu_notifier_register(&tn.mn, f->mm), 0);
	assert_int_equal(mmu_interval_notifier_insert(&ti.mni, f->mm, 0x100000,
						      0x10000, &t_mni_ops), 0);
	seq = mmu_interval_read_begin(&ti.mni);
	assert_false(mmu_interval_read_retry(&ti.mni, seq));

	/* Outside the interval: whole-mm subscriber only. */
	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_MIGRATE, 0, f->mm,
				      0x200000, 0x201000, &owner);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	assert_int_equal(tn.starts, 1);
	assert_int_equal(tn.ends, 1);
	assert_int_equal(tn.last.event, MMU_NOTIFY_MIGRATE);
	assert_ptr_equal(tn.last.owner, &owner);
	assert_true(mmu_notifier_range_blockable(&tn.last));
	assert_int_equal(ti.calls, 0);
	assert_false(mmu_interval_read_retry(&ti.mni, seq));

	/* Overlapping the interval's last page. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0x10f000, 0x111000);
	mmu_notifier_invalidate_range_start(&range);
	assert_int_equal(ti.calls, 1);
	assert_int_equal(ti.seq & 1, 1);	/* odd while in progress */
	assert_true(mmu_interval_check_retry(&ti.mni, seq));
	mmu_notifier_invalidate_range_end(&range);
	assert_true(mmu_interval_read_retry(&ti.mni, seq));
	assert_null(tn.last.owner);
	seq = mmu_interval_read_begin(&ti.mni);
	assert_false(mmu_interval_read_retry(&ti.mni, seq));

	/* Ending exactly where the interval starts does not overlap. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0xff000, 0x100000);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	assert_int_equal(ti.calls, 1);

	mmu_interval_notifier_remove(&ti.mni);
	mmu_notifier_unregister(&tn.mn, f->mm);
	assert_int_equal(tn.releases, 1);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0x100000, 0x101000);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	assert_int_equal(tn.starts, 3);
	assert_int_equal(ti.calls, 1);
}

struct t_reader {
	struct t_interval *ti;
	bool done;
};

static void *reader_fn(void *arg)
{
	struct t_reader *r = arg;

	mmu_interval_read_begin(&r->ti->mni);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* read_begin() waits while an invalidation of its interval is in progress. */
static void test_interval_read_begin_waits(void **state)
{
	struct corefx *f = *state;
	struct t_interval ti = { 0 };
	struct t_reader r = { .ti = &ti };
	struct mmu_notifier_range range;
	struct host_thread t;

	assert_int_equal(mmu_interval_notifier_insert(&ti.mni, f->mm, 0x100000,
						      PAGE_SIZE, &t_mni_ops), 0);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0, ULONG_MAX);
	mmu_notifier_invalidate_range_start(&range);
	assert_int_equal(host_thread_create(&t, reader_fn, &r), 0);
	host_sleep_ns(30 * 1000 * 1000);
	assert_false(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
	mmu_notifier_invalidate_range_end(&range);
	host_thread_join(&t, NULL);
	assert_true(r.done);
	mmu_interval_notifier_remove(&ti.mni);
}

/* ------------------------------------------------------------------------
 * ZONE_DEVICE.
 */

static int t_freed;
static struct page *t_freed_page;

static void t_page_free(struct page *page)
{
	t_freed++;
	t_freed_page = page;
	assert_null(page->mapping);
	assert_int_equal(page_ref_count(page), 0);
}

static vm_fault_t t_migrate_to_ram(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_SIGBUS;
}

static const struct dev_pagemap_ops t_pgmap_ops = {
	.page_free = t_page_free,
	.migrate_to_ram = t_migrate_to_ram,
};

static void test_device_private_page_life(void **state)
{
	struct dev_pagemap *pgmap = host_calloc(1, sizeof(*pgmap));
	struct resource *res = request_free_mem_region(&iomem_resource, 4UL << 20, "t");
	unsigned long pfn, first;
	struct page *page;
	int owner, loglevel;

	(void)state;
	assert_false(IS_ERR(res));
	assert_int_equal(region_intersects(res->start, resource_size(res),
					   IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE),
			 REGION_DISJOINT);
	pgmap->type = MEMORY_DEVICE_PRIVATE;
	pgmap->range.start = res->start;
	pgmap->range.end = res->start + (4UL << 20) - 1;
	pgmap->nr_range = 1;
	pgmap->ops = &t_pgmap_ops;
	/*
	 * No owner: refused with the kernel's warning.  The test expects it:
	 * it is counted and checked, and kept out of the log.
	 */
	loglevel = model_loglevel;
	model_loglevel = -1;
	assert_int_equal(PTR_ERR(memremap_pages(pgmap, 0)), -EINVAL);
	model_loglevel = loglevel;
	t_expect_warn(1, "Missing owner");
	print_message("expected warning (memremap_pages() without an owner): "
		      "counted, not printed\n");
	pgmap->owner = &owner;
	assert_false(IS_ERR(memremap_pages(pgmap, 0)));

	first = PHYS_PFN(res->start);
	for (pfn = first; pfn < first + 1024; pfn++) {
		page = pfn_to_page(pfn);
		assert_true(is_device_private_page(page));
		assert_true(PageReserved(page));
		assert_int_equal(page_ref_count(page), 0);
		assert_ptr_equal(page->pgmap, pgmap);
		assert_true(model_pfn_initialized(pfn));
	}
	assert_int_equal(model_next_initialized_pfn(model_ram_end_pfn), first);
	assert_int_equal(model_next_initialized_pfn(first + 1023), first + 1023);
	assert_ptr_equal(get_dev_pagemap(first + 5, NULL), pgmap);
	put_dev_pagemap(pgmap);

	page = pfn_to_page(first + 7);
	zone_device_page_init(page);
	assert_int_equal(page_ref_count(page), 1);
	assert_true(PageLocked(page));
	/* A free device page cannot be grabbed; an allocated one can. */
	assert_null(folio_get_nontail_page(pfn_to_page(first + 8)));
	unlock_page(page);
	put_page(page);
	assert_int_equal(t_freed, 1);
	assert_ptr_equal(t_freed_page, page);

	memunmap_pages(pgmap);
	assert_false(model_pfn_initialized(first));
	assert_true(model_next_initialized_pfn(first) > first + 1023);
	assert_null(get_dev_pagemap(first, NULL));
	release_mem_region(res->start, resource_size(res));
	host_free(pgmap);
}

/* ------------------------------------------------------------------------
 * Page walk and memcg.
 */

struct t_walk {
	unsigned long holes, hole_bytes, pmds;
	bool gap_seen;
};

static int t_hole(unsigned long start, unsigned long end, int depth,
		  struct mm_walk *walk)
{
	struct t_walk *t = walk->private;

	(void)depth;
	t->holes++;
	t->hole_bytes += end - start;
	if (!walk->vma)
		t->gap_seen = true;
	return 0;
}

static int t_pmd(pmd_t *pmd, unsigned long start, unsigned long end,
		 struct mm_walk *walk)
{
	struct t_walk *t = walk->private;

	(void)pmd; (void)start; (void)end;
	t->pmds++;
	return 0;
}

static const struct mm_walk_ops t_walk_ops = {
	.pmd_entry = t_pmd,
	.pte_hole = t_hole,
	.walk_lock = PGWALK_RDLOCK,
};

static void test_walk_page_range(void **state)
{
	struct corefx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, 4 * PAGE_SIZE, RW, DEVMIG_MAP_PRIVATE);
	struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct t_walk t = { 0 };
	spinlock_t *ptl;
	pte_t *ptep;

	mmap_read_lock(f->mm);
	assert_int_equal(walk_page_range(f->mm, addr, addr, &t_walk_ops, &t), -EINVAL);
	assert_int_equal(walk_page_range(f->mm, addr, addr + 4 * PAGE_SIZE, &t_walk_ops, &t), 0);
	assert_int_equal(t.pmds, 0);
	assert_int_equal(t.hole_bytes, 4 * PAGE_SIZE);
	assert_false(t.gap_seen);

	ptep = map_by_hand(f->mm, addr + PAGE_SIZE, folio, &ptl);
	pte_unmap_unlock(ptep, ptl);
	memset(&t, 0, sizeof(t));
	/* One page past the VMA end: that part has no VMA. */
	assert_int_equal(walk_page_range(f->mm, addr, addr + 5 * PAGE_SIZE, &t_walk_ops, &t), 0);
	assert_true(t.pmds >= 1);
	assert_true(t.gap_seen);
	mmap_read_unlock(f->mm);
}

static void test_memcg_charge_follows_folio(void **state)
{
	struct corefx *f = *state;
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);
	long usage = atomic_long_read(&root_mem_cgroup->usage);
	struct mem_cgroup small = { .limit = 0 };

	assert_int_equal(mem_cgroup_charge(folio, f->mm, GFP_KERNEL), 0);
	assert_ptr_equal(folio_memcg(folio), root_mem_cgroup);
	assert_int_equal(atomic_long_read(&root_mem_cgroup->usage), usage + 1);
	assert_int_equal(atomic_long_read(&f->mm->memcg_charged), 1);
	folio_put(folio);	/* freeing uncharges */
	assert_int_equal(atomic_long_read(&root_mem_cgroup->usage), usage);

	/* A full group refuses; so does the armed failure site. */
	small.limit = 1;
	atomic_long_set(&small.usage, 1);
	f->mm->memcg = &small;
	folio = folio_alloc(GFP_KERNEL, 0);
	assert_int_equal(mem_cgroup_charge(folio, f->mm, GFP_KERNEL), -ENOMEM);
	f->mm->memcg = NULL;
	model_fail_nth(MODEL_FAIL_MEMCG, 1);
	assert_int_equal(mem_cgroup_charge(folio, f->mm, GFP_KERNEL), -ENOMEM);
	assert_null(folio_memcg(folio));
	folio_put(folio);
}

/* test_rwsem_writer_not_starved: a writer thread and its progress. */
struct rw_writer {
	struct rw_semaphore *sem;
	struct host_thread th;
	int done;
};

static void *rw_writer_main(void *arg)
{
	struct rw_writer *w = arg;

	down_write(w->sem);
	up_write(w->sem);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * As the kernel's rw_semaphore, a waiting writer stops new readers: with a
 * reader holding the lock and a writer queued behind it, another read
 * attempt fails instead of joining (a stream of readers would starve the
 * writer otherwise); the writer gets the lock as soon as the holder leaves.
 */
static void test_rwsem_writer_not_starved(void **state)
{
	struct rw_semaphore sem;
	struct rw_writer w = { .sem = &sem };
	unsigned long long t0;
	bool queued = false;

	(void)state;
	init_rwsem(&sem);
	down_read(&sem);
	assert_int_equal(host_thread_create(&w.th, rw_writer_main, &w), 0);
	/* Until the writer queues, a second reader still gets in. */
	t0 = host_clock_ns();
	while (!queued && host_clock_ns() - t0 < 10ULL * 1000000000ULL) {
		if (down_read_trylock(&sem))
			up_read(&sem);
		else
			queued = true;
	}
	assert_true(queued);
	assert_false(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	up_read(&sem);
	assert_int_equal(host_thread_join(&w.th, NULL), 0);
	assert_true(w.done);
	assert_true(down_read_trylock(&sem));
	up_read(&sem);
}

#define CORE_TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_idempotent),
		CORE_TEST(test_alloc_free_refcount),
		CORE_TEST(test_alloc_pmd_order_folio),
		CORE_TEST(test_alloc_exhaust_and_merge),
		CORE_TEST(test_alloc_per_cpu_lists),
		CORE_TEST(test_alloc_concurrent),
		CORE_TEST(test_alloc_failure_injection),
		cmocka_unit_test(test_swap_entry_roundtrip_every_type),
		cmocka_unit_test(test_special_entry_predicates),
		cmocka_unit_test(test_migration_entry_ad_bits),
		cmocka_unit_test(test_present_pte_bits),
		CORE_TEST(test_rmap_migrate_roundtrip),
		CORE_TEST(test_rmap_migrate_to_new_folio),
		CORE_TEST(test_swap_cache_folio_migrates),
		CORE_TEST(test_try_to_migrate_respects_pins),
		CORE_TEST(test_lru_isolate_putback),
		CORE_TEST(test_folio_lock_contention),
		CORE_TEST(test_tlb_flush_reaches_other_task),
		CORE_TEST(test_tlb_flush_short_range),
		CORE_TEST(test_folio_migrate_flags),
		CORE_TEST(test_ptep_clear_flush_vs_plain_clear),
		CORE_TEST(test_xarray),
		CORE_TEST(test_notifier_delivery),
		CORE_TEST(test_interval_read_begin_waits),
		CORE_TEST(test_device_private_page_life),
		CORE_TEST(test_walk_page_range),
		CORE_TEST(test_memcg_charge_follows_folio),
		CORE_TEST(test_rwsem_writer_not_starved),
	};

	return cmocka_run_group_tests_name("model_core", tests, group_setup,
					   NULL);
}
