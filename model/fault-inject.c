// SPDX-License-Identifier: GPL-2.0
/*
 * fault-inject.c - should_fail() (lib/fault-inject.c) for drivers: every
 * failure point a driver declares is one allocation of the MODEL_FAIL_DRIVER
 * class, so the tests' failure loops reach it like any kernel allocation.
 */
#include <linux/fault-inject.h>
#include <model/fail.h>

bool should_fail(struct fault_attr *attr, ssize_t size)
{
	(void)size;
	if (!model_should_fail(MODEL_FAIL_DRIVER))
		return false;
	__atomic_fetch_add(&attr->failed, 1, __ATOMIC_RELAXED);
	return true;
}
