// SPDX-License-Identifier: GPL-2.0
/*
 * model_page_alloc.c - the model's page allocator (model/page_alloc.c): boot,
 * order-0 and PMD-order allocations and their refcounts, exhausting RAM and
 * merging 2 MiB blocks back, concurrent allocators, failure injection.  The
 * suite boots a 64 MiB machine, small enough to exhaust.
 */
#include "harness.h"
#include <linux/slab.h>
#include <model/fail.h>

/* Booting again is a no-op with the same machine, refused with another. */
static void test_boot_idempotent(void **state)
{
	struct devmig_config same = { .ram_bytes = 64UL << 20 };
	struct devmig_config other = { .ram_bytes = 128UL << 20 };
	struct devmig_config no_ad = { .ram_bytes = 64UL << 20, .no_migration_ad = 1 };
	struct devmig_config one_cpu = { .ram_bytes = 64UL << 20, .nr_cpus = 1 };
	struct devmig_config too_many_cpus = { .nr_cpus = NR_CPUS + 1 };

	(void)state;
	assert_int_equal(devmig_boot(&same), 0);
	assert_int_equal(devmig_boot(&other), -EBUSY);
	assert_int_equal(devmig_boot(&no_ad), -EBUSY);
	assert_int_equal(devmig_boot(&one_cpu), -EBUSY);
	assert_int_equal(devmig_boot(&too_many_cpus), -EINVAL);
	assert_int_equal(model_nr_cpus, NR_CPUS);
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

int main(void)
{
	static const struct devmig_config cfg = { .ram_bytes = 64UL << 20 };
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_boot_idempotent),
		FX_TEST_PROC(test_alloc_free_refcount),
		FX_TEST_PROC(test_alloc_pmd_order_folio),
		FX_TEST_PROC(test_alloc_exhaust_and_merge),
		FX_TEST_PROC(test_alloc_concurrent),
		FX_TEST_PROC(test_alloc_failure_injection),
		FX_TEST_PROC(test_alloc_per_cpu_lists),
	};

	t_boot_config = &cfg;
	return T_RUN(tests);
}
