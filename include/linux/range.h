/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_RANGE_H
#define _LINUX_RANGE_H

#include <linux/types.h>

/* An inclusive range [start, end]. */
struct range {
	u64 start, end;
};

/* Number of bytes covered; both ends count. */
static inline u64 range_len(const struct range *range)
{
	u64 last_minus_first = range->end - range->start;

	return last_minus_first + 1;
}

#endif /* _LINUX_RANGE_H */
