/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_LIMITS_H
#define _LINUX_LIMITS_H

#define ULONG_MAX	(~0UL)
#define LONG_MAX	((long)(ULONG_MAX >> 1))
#define LONG_MIN	(-LONG_MAX - 1)
#define UINT_MAX	(~0U)
#define INT_MAX		((int)(UINT_MAX >> 1))
#define INT_MIN		(-INT_MAX - 1)
#define U64_MAX		((u64)~0ULL)
#define U32_MAX		((u32)~0U)

#endif /* _LINUX_LIMITS_H */
