/* SPDX-License-Identifier: GPL-2.0 */
/*
 * threads.h - the number of CPUs (the kernel's CONFIG_NR_CPUS): in the
 * model, the slots for per-CPU data; a task's CPU is one of them.
 */
#ifndef _LINUX_THREADS_H
#define _LINUX_THREADS_H

#define NR_CPUS		16

#endif /* _LINUX_THREADS_H */
