/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uaccess.h - copying between kernel buffers and user memory of `current`.
 * The user side goes through the software CPU (page tables, TLB, faults):
 * model/cpu.c.  Both return the number of bytes NOT copied.
 */
#ifndef _LINUX_UACCESS_H
#define _LINUX_UACCESS_H

#include <linux/types.h>
#include <linux/compiler.h>

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);

#define access_ok(addr, size)	((void)(addr), (void)(size), 1)

#endif /* _LINUX_UACCESS_H */
