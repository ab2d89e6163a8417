// SPDX-License-Identifier: GPL-2.0
/*
 * model_memcontrol.c - memcg charges follow a folio through migration.
 */
#include "harness.h"
#include <linux/memcontrol.h>
#include <model/fail.h>

static void test_memcg_charge_follows_folio(void **state)
{
	struct fx *f = *state;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_memcg_charge_follows_folio),
	};

	return T_RUN(tests);
}
