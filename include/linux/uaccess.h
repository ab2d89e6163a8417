/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uaccess.h - copying between kernel buffers and user memory of `current`.
 * The user side goes through the software CPU (page tables, TLB, faults):
 * model/cpu.c.  Both return the number of bytes NOT copied.  Each call is a
 * failure site (linux/fault-inject.h, FAULT_COPY): failing it copies
 * nothing, as the kernel's fail_usercopy does.
 */
#ifndef _LINUX_UACCESS_H
#define _LINUX_UACCESS_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/fault-inject.h>

unsigned long copy_to_user_at(void __user *to, const void *from,
			      unsigned long n, struct fault_site *site);
unsigned long copy_from_user_at(void *to, const void __user *from,
				unsigned long n, struct fault_site *site);
#define copy_to_user(to, from, n)	\
	copy_to_user_at(to, from, n, FAULT_SITE(FAULT_COPY, "copy_to_user"))
#define copy_from_user(to, from, n)	\
	copy_from_user_at(to, from, n, FAULT_SITE(FAULT_COPY, "copy_from_user"))

#define access_ok(addr, size)	((void)(addr), (void)(size), 1)

#endif /* _LINUX_UACCESS_H */
