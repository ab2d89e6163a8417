/* SPDX-License-Identifier: GPL-2.0 */
/* compiler.h - attributes, branch hints and single-copy accesses (model). */
#ifndef _LINUX_COMPILER_H
#define _LINUX_COMPILER_H

#include <linux/types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define __always_unused		__attribute__((__unused__))
#define __maybe_unused		__attribute__((__unused__))
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __cold			__attribute__((__cold__))
#define __noreturn		__attribute__((__noreturn__))
#define __init
#define __exit
#define __user
#define __iomem
#define __rcu
#define __force
#define __bitwise
#define __read_mostly
#define __ref
#define fallthrough		__attribute__((__fallthrough__))
#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#define barrier()		__asm__ __volatile__("" ::: "memory")

/*
 * READ_ONCE/WRITE_ONCE are relaxed atomic accesses here, not volatile ones:
 * the kernel uses them exactly where it tolerates a concurrent writer, and
 * ThreadSanitizer must agree that those accesses are intended races.
 */
#define READ_ONCE(x)							\
({									\
	__typeof__(((void)0, (x))) __ro_val;	/* unqualified */	\
	__atomic_load(&(x), &__ro_val, __ATOMIC_RELAXED);		\
	__ro_val;							\
})
#define WRITE_ONCE(x, val)						\
do {									\
	__typeof__(x) __wo_val = (val);					\
	__atomic_store(&(x), &__wo_val, __ATOMIC_RELAXED);		\
} while (0)

#ifdef __SANITIZE_THREAD__
/*
 * ThreadSanitizer does not model fences.  A read-modify-write of one shared
 * word is a stronger barrier that it does understand: every barrier then
 * synchronises with the previous one, in one total order.
 */
extern unsigned long model_barrier_word;
#define __model_barrier(order)	((void)__atomic_fetch_add(&model_barrier_word, 0, order))
#define smp_mb()		__model_barrier(__ATOMIC_SEQ_CST)
#define smp_rmb()		__model_barrier(__ATOMIC_ACQ_REL)
#define smp_wmb()		__model_barrier(__ATOMIC_ACQ_REL)
#else
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#ifdef __x86_64__
/* x86: taking a spinlock is a locked exchange, already a full barrier. */
#define smp_mb__after_spinlock()	barrier()
#else
#define smp_mb__after_spinlock()	smp_mb()
#endif
#define smp_mb__before_atomic()	smp_mb()
#define smp_mb__after_atomic()	smp_mb()
#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n(p, (v), __ATOMIC_RELEASE)

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define static_assert(expr, ...) _Static_assert(expr, #expr)

#endif /* _LINUX_COMPILER_H */
