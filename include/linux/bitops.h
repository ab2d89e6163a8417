/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bitops.h - bit operations on unsigned long words.  The atomic ones are
 * __atomic read-modify-writes; the __ (non-atomic) ones still use relaxed
 * atomic loads and stores, so a legitimate lockless reader racing with them
 * is not mistaken for a bug by ThreadSanitizer (a lost update would still
 * show up in the state).
 */
#ifndef _LINUX_BITOPS_H
#define _LINUX_BITOPS_H

#include <linux/types.h>
#include <linux/bits.h>

#define BIT_WORD(nr)	((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)	(1UL << ((nr) % BITS_PER_LONG))

static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_RELAXED) >>
		(nr % BITS_PER_LONG)) & 1;
}

static inline bool test_bit_acquire(long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_ACQUIRE) >>
		(nr % BITS_PER_LONG)) & 1;
}

static inline void set_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

/* Acquire semantics: the winner sees everything the last unlocker wrote. */
static inline bool test_and_set_bit_lock(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_ACQUIRE) & BIT_MASK(nr);
}

static inline void clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELEASE);
}

static inline void __set_bit(long nr, volatile unsigned long *addr)
{
	volatile unsigned long *w = &addr[BIT_WORD(nr)];

	__atomic_store_n(w, __atomic_load_n(w, __ATOMIC_RELAXED) | BIT_MASK(nr),
			 __ATOMIC_RELAXED);
}

static inline void __clear_bit(long nr, volatile unsigned long *addr)
{
	volatile unsigned long *w = &addr[BIT_WORD(nr)];

	__atomic_store_n(w, __atomic_load_n(w, __ATOMIC_RELAXED) & ~BIT_MASK(nr),
			 __ATOMIC_RELAXED);
}

static inline unsigned long __ffs(unsigned long word)
{
	return __builtin_ctzl(word);
}

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline int ilog2_ul(unsigned long x)
{
	return 63 - __builtin_clzl(x);
}
#define ilog2(n)	ilog2_ul(n)
#define order_base_2(n)	((n) > 1 ? ilog2_ul((n) - 1) + 1 : 0)
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))

#endif /* _LINUX_BITOPS_H */
