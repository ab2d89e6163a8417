/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fault-inject.h - failure points of a driver's own (model/fault-inject.c).
 *
 * A driver declares a struct fault_attr with DECLARE_FAULT_ATTR() and asks
 * should_fail() before an allocation the mm does not see (a page of its own
 * device memory).  In the kernel each attribute is tuned through debugfs;
 * in the model they all belong to the MODEL_FAIL_DRIVER class that tests arm
 * with model_fail_nth() and model_fail_every() (model/fail.h).
 */
#ifndef _LINUX_FAULT_INJECT_H
#define _LINUX_FAULT_INJECT_H

#include <linux/types.h>

struct fault_attr {
	unsigned long failed;	/* failures this attribute has caused */
};

#define FAULT_ATTR_INITIALIZER	{ .failed = 0 }
#define DECLARE_FAULT_ATTR(name) struct fault_attr name = FAULT_ATTR_INITIALIZER

/* True if the allocation of @size bytes at this point must fail. */
bool should_fail(struct fault_attr *attr, ssize_t size);

#endif /* _LINUX_FAULT_INJECT_H */
