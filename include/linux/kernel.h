/* SPDX-License-Identifier: GPL-2.0 */
/* kernel.h - the kernel's grab bag of small helpers (model). */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/string.h>
#include <linux/container_of.h>
#include <linux/minmax.h>
#include <linux/limits.h>
#include <linux/math.h>
#include <linux/bits.h>
#include <linux/export.h>

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))

#define u64_to_user_ptr(x)	((void __user *)(uintptr_t)(x))

#define might_sleep()		do { } while (0)
#define cond_resched()		do { } while (0)
#define cpu_relax()		host_cpu_relax()
#define lockdep_assert_held(l)	do { (void)(l); } while (0)

#endif /* _LINUX_KERNEL_H */
