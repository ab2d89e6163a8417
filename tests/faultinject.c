// SPDX-License-Identifier: GPL-2.0
/*
 * faultinject.c - every allocation a migration makes can fail, one at a
 * time (model/fail.h, SQLite style): the n-th allocation of the round trip
 * fails, for n = 1, 2, ... until a run completes without reaching the armed
 * allocation.  Whatever the ioctls answer, afterwards the data is intact,
 * no device page leaks and the model's invariants hold: a failed allocation
 * only leaves its page where it was (doc/CONTRACT.md, "Invariants").
 * Failing sites by name, one by one over every scenario, is the injection
 * walk's (`devmig inject`, scripts/inject-walk.sh); here the named-site API
 * itself and the insertion path are tested.
 */
#include <linux/slab.h>
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
 * page table, the VMA's anon_vma and a memcg charge: three sites, found by
 * the names their callers give them (linux/fault-inject.h).  When one of
 * them fails, the slot stops migrating, the hole stays a hole, the
 * destination is freed, and the same migration then succeeds.
 */
static void test_fail_hole_insertion(void **state)
{
	static const char *const sites[] = {
		"migrate_vma_alloc_pmd:pte_alloc",
		"migrate_vma_insert_page:anon_vma_prepare",
		"migrate_vma_insert_page:mem_cgroup_charge",
	};
	struct fx *f = *state;
	unsigned long s;

	for (s = 0; s < ARRAY_SIZE(sites); s++) {
		/* A fresh VMA: no page table under it, no anon_vma yet. */
		unsigned long big = t_map(f, 2 * PTRS_PER_PTE, T_RW);
		unsigned long buf = ALIGN(big, PMD_SIZE);
		int id = devmig_fault_find(sites[s]);
		int fail;

		assert_true(id >= 0);
		for (fail = 1; fail >= 0; fail--) {
			unsigned long src = 0, dst = 0;
			struct migrate_vma args = {
				.start = buf, .end = buf + PAGE_SIZE,
				.src = &src, .dst = &dst,
				.pgmap_owner = f->dev[0],
			};
			struct devmig_fault_site info;
			struct page *dpage;

			mmap_read_lock(f->mm);
			args.vma = t_vma(f->mm, buf);
			assert_int_equal(migrate_vma_setup(&args), 0);
			assert_int_equal(src, MIGRATE_PFN_MIGRATE);
			dpage = dmirror_device_alloc_page(f->dev[0]);
			assert_non_null(dpage);
			dst = migrate_pfn(page_to_pfn(dpage));
			if (fail)
				assert_int_equal(devmig_fault_arm(id, 1, -1UL), 0);
			else
				devmig_fault_record();
			migrate_vma_pages(&args);
			/* Reached either way; failed exactly when armed. */
			assert_int_equal(devmig_fault_site_info(id, &info), 0);
			assert_true(info.failable_hits >= 1);
			assert_int_equal(devmig_fault_fired(), fail);
			devmig_fault_stop();
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

/* Two sites of this file: kzalloc() as any caller makes one. */
static void *f_alloc(gfp_t gfp)
{
	return kzalloc(64, gfp);
}

/*
 * The registry: names are unique and say caller and API; a second call of
 * one API in one function gets "#2"; arming attempt 2 fails the second
 * call only; a __GFP_NOFAIL call reaches its site and never fails.
 */
static void test_named_sites(void **state)
{
	unsigned int i, j, n = devmig_fault_nr_sites();
	struct devmig_fault_site a, b;
	void *p[3];
	int id;

	(void)state;
	assert_true(n > 10);
	for (i = 0; i < n; i++) {
		assert_int_equal(devmig_fault_site_info(i, &a), 0);
		assert_non_null(strchr(a.name, ':'));
		for (j = i + 1; j < n; j++) {
			assert_int_equal(devmig_fault_site_info(j, &b), 0);
			assert_string_not_equal(a.name, b.name);
		}
	}
	assert_true(devmig_fault_find("wp_page_copy:vma_alloc_folio#2") >= 0);
	assert_int_equal(devmig_fault_find("no_such_caller:kzalloc"),
			 -ENOENT);

	id = devmig_fault_find("f_alloc:kzalloc");
	assert_true(id >= 0);
	assert_int_equal(devmig_fault_arm(id, 2, 1), 0);
	for (i = 0; i < 3; i++)
		p[i] = f_alloc(GFP_KERNEL);
	assert_non_null(p[0]);
	assert_null(p[1]);
	assert_non_null(p[2]);
	assert_int_equal(devmig_fault_fired(), 1);
	kfree(p[0]);
	kfree(p[2]);

	assert_int_equal(devmig_fault_arm(id, 1, -1UL), 0);
	p[0] = f_alloc(GFP_KERNEL | __GFP_NOFAIL);
	assert_non_null(p[0]);
	assert_int_equal(devmig_fault_fired(), 0);
	assert_int_equal(devmig_fault_site_info(id, &a), 0);
	assert_int_equal(a.hits, 1);
	assert_int_equal(a.failable_hits, 0);
	devmig_fault_stop();
	kfree(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_fail_any_allocation),
		FX_TEST(test_fail_page_allocation),
		FX_TEST(test_fail_driver_allocation),
		FX_TEST(test_fail_hole_insertion),
		FX_TEST(test_named_sites),
	};

	return T_RUN(tests);
}
