/* SPDX-License-Identifier: GPL-2.0 */
/*
 * overflow.h - arithmetic that reports wrapping instead of hiding it, for
 * sizes computed from untrusted input (an ioctl's page count).  Each macro
 * stores the (possibly wrapped) result in *@d and is true on overflow.
 */
#ifndef _LINUX_OVERFLOW_H
#define _LINUX_OVERFLOW_H

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

/*
 * check_shl_overflow() - *@d = @a << @s, true if a bit of @a is lost or @s
 * is not smaller than the width of *@d.  For unsigned @a and *@d.
 */
#define check_shl_overflow(a, s, d)					\
({									\
	typeof(a) __a = (a);						\
	typeof(*(d)) *__d = (d);					\
	unsigned int __s = (s);						\
	bool __lost = __s >= 8 * sizeof(*__d);				\
									\
	*__d = __lost ? 0 : (typeof(*__d))__a << __s;			\
	__lost || (*__d >> __s) != __a;					\
})

#endif /* _LINUX_OVERFLOW_H */
