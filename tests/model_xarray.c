// SPDX-License-Identifier: GPL-2.0
/*
 * model_xarray.c - the xarray (lib/xarray.c's API as the model provides it).
 */
#include "harness.h"
#include <linux/xarray.h>
#include <model/fail.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_xarray),
	};

	return T_RUN(tests);
}
