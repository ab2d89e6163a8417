// SPDX-License-Identifier: GPL-2.0
/*
 * model_folio_lock.c - the folio lock across threads: a waiter sleeps until
 * the holder unlocks (model/filemap.c).
 */
#include "harness.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_folio_lock_contention),
	};

	return T_RUN(tests);
}
