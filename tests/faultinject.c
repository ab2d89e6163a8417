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

/*
 * Mapping a device page into a hole (migrate_vma_insert_page()) needs a
 * page table, the VMA's anon_vma and a memcg charge.  When one of them
 * cannot be had, the slot stops migrating, the hole stays a hole, the
 * destination is freed, and the same migration then succeeds.
 */
static void test_fail_hole_insertion(void **state)
{
	static const enum model_fail_site sites[] = {
		MODEL_FAIL_PGTABLE, MODEL_FAIL_ANON_VMA, MODEL_FAIL_MEMCG,
	};
	struct fx *f = *state;
	unsigned long s;

	for (s = 0; s < ARRAY_SIZE(sites); s++) {
		/* A fresh VMA: no page table under it, no anon_vma yet. */
		unsigned long big = t_map(f, 2 * PTRS_PER_PTE, T_RW);
		unsigned long buf = ALIGN(big, PMD_SIZE);
		int fail;

		for (fail = 1; fail >= 0; fail--) {
			unsigned long src = 0, dst = 0;
			struct migrate_vma args = {
				.start = buf, .end = buf + PAGE_SIZE,
				.src = &src, .dst = &dst,
				.pgmap_owner = f->dev[0],
			};
			struct page *dpage;

			mmap_read_lock(f->mm);
			args.vma = t_vma(f->mm, buf);
			assert_int_equal(migrate_vma_setup(&args), 0);
			assert_int_equal(src, MIGRATE_PFN_MIGRATE);
			dpage = dmirror_device_alloc_page(f->dev[0]);
			assert_non_null(dpage);
			dst = migrate_pfn(page_to_pfn(dpage));
			model_fail_every(sites[s], fail);
			migrate_vma_pages(&args);
			assert_int_equal(model_fail_fired(), fail);
			model_fail_reset();
			assert_int_equal(src, fail ? 0 : MIGRATE_PFN_MIGRATE);
			migrate_vma_finalize(&args);
			mmap_read_unlock(f->mm);
			assert_invariants();
			assert_int_equal(t_kind(f->mm, buf),
					 fail ? T_NONE : T_DEV_WRITE);
			assert_int_equal(t_dstats(f->dev[0]).in_use, !fail);
		}
		assert_int_equal(t_nonzero(buf, 1), 0);
		assert_int_equal(devmig_munmap(f->proc, big,
					       2 * PTRS_PER_PTE * PAGE_SIZE), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_fail_any_allocation),
		FX_TEST(test_fail_page_allocation),
		FX_TEST(test_fail_driver_allocation),
		FX_TEST(test_fail_hole_insertion),
	};

	return T_RUN(tests);
}
