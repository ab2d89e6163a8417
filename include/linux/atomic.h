/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic.h - atomic_t, atomic_long_t and atomic64_t over the compiler's
 * __atomic builtins.  Value-returning read-modify-writes are fully ordered and
 * plain ones relaxed, as the kernel documents them (atomic_t.txt).
 */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

#include <linux/types.h>
#include <linux/compiler.h>

#define ATOMIC_INIT(i)	{ (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

#define __MODEL_ATOMIC_OPS(pfx, atype, t)				\
static inline t pfx##_read(const atype *v)				\
{ return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }		\
static inline t pfx##_read_acquire(const atype *v)			\
{ return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE); }		\
static inline void pfx##_set(atype *v, t i)				\
{ __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_set_release(atype *v, t i)			\
{ __atomic_store_n(&v->counter, i, __ATOMIC_RELEASE); }		\
static inline void pfx##_add(t i, atype *v)				\
{ __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_sub(t i, atype *v)				\
{ __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_inc(atype *v) { pfx##_add(1, v); }		\
static inline void pfx##_dec(atype *v) { pfx##_sub(1, v); }		\
static inline t pfx##_add_return(t i, atype *v)			\
{ return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_sub_return(t i, atype *v)			\
{ return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_fetch_add(t i, atype *v)				\
{ return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_fetch_sub(t i, atype *v)				\
{ return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_inc_return(atype *v) { return pfx##_add_return(1, v); } \
static inline t pfx##_dec_return(atype *v) { return pfx##_sub_return(1, v); } \
static inline bool pfx##_inc_and_test(atype *v)			\
{ return pfx##_add_return(1, v) == 0; }					\
static inline bool pfx##_dec_and_test(atype *v)			\
{ return pfx##_sub_return(1, v) == 0; }					\
static inline bool pfx##_sub_and_test(t i, atype *v)			\
{ return pfx##_sub_return(i, v) == 0; }					\
static inline bool pfx##_add_negative(t i, atype *v)			\
{ return pfx##_add_return(i, v) < 0; }					\
static inline t pfx##_xchg(atype *v, t i)				\
{ return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_cmpxchg(atype *v, t old, t new)			\
{									\
	__atomic_compare_exchange_n(&v->counter, &old, new, false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);\
	return old;							\
}									\
static inline bool pfx##_try_cmpxchg(atype *v, t *old, t new)		\
{									\
	return __atomic_compare_exchange_n(&v->counter, old, new, false,\
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED); \
}									\
/* Add @a unless the value is @u; true if it added. */			\
static inline bool pfx##_add_unless(atype *v, t a, t u)		\
{									\
	t c = pfx##_read(v);						\
	do {								\
		if (c == u)						\
			return false;					\
	} while (!pfx##_try_cmpxchg(v, &c, c + a));			\
	return true;							\
}									\
static inline bool pfx##_inc_not_zero(atype *v)			\
{ return pfx##_add_unless(v, 1, 0); }

__MODEL_ATOMIC_OPS(atomic, atomic_t, int)
__MODEL_ATOMIC_OPS(atomic_long, atomic_long_t, long)
__MODEL_ATOMIC_OPS(atomic64, atomic64_t, s64)

#endif /* _LINUX_ATOMIC_H */
