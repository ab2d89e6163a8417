/* SPDX-License-Identifier: GPL-2.0 */
/* jiffies.h - a 1000 Hz tick read from the host's monotonic clock. */
#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H

#include <linux/types.h>
#include <host/host.h>

#define HZ	1000

#define jiffies	((unsigned long)(host_clock_ns() / 1000000ULL))

static inline unsigned long msecs_to_jiffies(unsigned int m)
{
	return m;
}

static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return j;
}

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)

#endif /* _LINUX_JIFFIES_H */
