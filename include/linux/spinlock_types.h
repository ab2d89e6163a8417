/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_SPINLOCK_TYPES_H
#define _LINUX_SPINLOCK_TYPES_H

/*
 * A test-and-set lock word.  Acquire on lock and release on unlock are what
 * ThreadSanitizer keys its happens-before on, so data protected by a
 * spinlock is race-free to it exactly when it is in the kernel.
 */
typedef struct spinlock {
	unsigned int locked;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	{ .locked = 0 }
#define DEFINE_SPINLOCK(name)		spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

#endif /* _LINUX_SPINLOCK_TYPES_H */
