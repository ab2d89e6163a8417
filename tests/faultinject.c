// SPDX-License-Identifier: GPL-2.0
/*
 * faultinject.c - every allocation a migration makes can fail, one at a
 * time (model/fail.h, SQLite style): the n-th allocation of the round trip
 * fails, for n = 1, 2, ... until a run completes without reaching the armed
 * allocation.  Whatever the ioctls answer, afterwards the data is intact,
 * no device page leaks and the model's invariants hold: a failed allocation
 * only leaves its page where it was (doc/CONTRACT.md, "Invariants").
 */
#include <model/fail.h>

#include "harness.h"

#define F_NPAGES	16UL
#define F_MAX_RUNS	5000

/* One round trip with failures armed; returns whether a failure fired. */
static bool f_round_trip(struct fx *f, unsigned long buf, unsigned long view,
			 enum model_fail_site site, unsigned long n)
{
	unsigned long i;
	bool fired;
	long v;

	model_fail_nth(site, n);
	/* Errors are allowed here; only the state afterwards is judged. */
	t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf, view, F_NPAGES,
	      NULL);
	t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf, view,
	      F_NPAGES / 2, NULL);
	/* The CPU pulls back the rest, failures still armed. */
	for (i = F_NPAGES / 2; i < F_NPAGES; i++)
		devmig_load(buf + (i << PAGE_SHIFT), &v, sizeof(v));
	fired = model_fail_fired();
	model_fail_reset();
	return fired;
}

static void f_run_site(void **state, enum model_fail_site site)
{
	struct fx *f = *state;
	unsigned long n, buf, view;
	bool fired = true;

	for (n = 1; fired && n < F_MAX_RUNS; n++) {
		buf = t_map(f, F_NPAGES, T_RW);
		view = t_map(f, F_NPAGES, T_RW);
		t_fill(buf, F_NPAGES, (int)n);

		fired = f_round_trip(f, buf, view, site, n);

		assert_invariants();
		/* Everything reads back, faulting home whatever is away. */
		assert_int_equal(t_mismatches(buf, F_NPAGES, (int)n), 0);
		assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
		assert_int_equal(devmig_munmap(f->proc, buf,
					       F_NPAGES << PAGE_SHIFT), 0);
		assert_int_equal(devmig_munmap(f->proc, view,
					       F_NPAGES << PAGE_SHIFT), 0);
	}
	/* The loop ended because a run got through every allocation. */
	assert_false(fired);
	assert_true(n > 2);
}

static void test_fail_any_allocation(void **state)
{
	f_run_site(state, MODEL_FAIL_ANY);
}

static void test_fail_page_allocation(void **state)
{
	f_run_site(state, MODEL_FAIL_PAGE);
}

static void test_fail_driver_allocation(void **state)
{
	f_run_site(state, MODEL_FAIL_DRIVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_fail_any_allocation),
		FX_TEST(test_fail_page_allocation),
		FX_TEST(test_fail_driver_allocation),
	};

	return T_RUN(tests);
}
