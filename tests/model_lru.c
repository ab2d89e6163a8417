// SPDX-License-Identifier: GPL-2.0
/*
 * model_lru.c - LRU isolation and putback (model/swap.c).
 */
#include "harness.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_lru_isolate_putback),
	};

	return T_RUN(tests);
}
