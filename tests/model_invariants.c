// SPDX-License-Identifier: GPL-2.0
/*
 * model_invariants.c - the invariant checker itself: it must catch a leaked
 * reference, a folio left locked, wrong RSS counters and map counts.
 */
#include "harness.h"

static void test_invariants_catch_leaked_reference(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct page *page;

	t_store_long(a, 1);
	assert_invariants();
	/* A FOLL_GET reference nobody accounts for. */
	assert_int_equal(get_user_pages(a, 1, 0, &page), 1);
	/* One more than expected, however many LRU-batch references. */
	t_expect_violations(1, "refcount ");
	assert_null(strstr(t_last_violation, "unmapped"));
	/* Drained: the mapping and the leaked reference are all there is. */
	lru_add_drain_all();
	assert_int_equal(page_ref_count(page), 2);
	t_expect_violations(1, "refcount 2, expected 1");
	put_page(page);
	assert_invariants();

	/* A reference surviving munmap is still caught. */
	get_page(page);
	assert_int_equal(devmig_munmap(f->proc, a, PAGE_SIZE), 0);
	t_expect_violations(1, "unmapped page still referenced");
	put_page(page);
	assert_invariants();
}

static void test_invariants_catch_leftover_lock(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct folio *folio;

	t_store_long(a, 1);
	folio = page_folio(t_page(f->mm, a));
	folio_lock(folio);
	t_expect_violations(1, "left locked");
	folio_unlock(folio);
	assert_invariants();
}

static void test_invariants_catch_rss_and_mapcount(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct page *page;

	t_store_long(a, 1);
	page = t_page(f->mm, a);
	inc_mm_counter(f->mm, MM_ANONPAGES);
	t_expect_violations(1, "RSS counter anon is 2");
	dec_mm_counter(f->mm, MM_ANONPAGES);
	atomic_inc(&page->_mapcount);
	t_expect_violations(0, "map");
	atomic_dec(&page->_mapcount);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_invariants_catch_leaked_reference),
		FX_TEST_PROC(test_invariants_catch_leftover_lock),
		FX_TEST_PROC(test_invariants_catch_rss_and_mapcount),
	};

	return T_RUN(tests);
}
