/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bug.h - assertions.  BUG() aborts the process, as an oops would stop the
 * kernel.  WARN*() print and count; every hit is counted (a *_ONCE prints
 * only the first), and the test harness fails a test during which one fired
 * unless the test says it expects it (model_warn_take()).
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/printk.h>
#include <host/host.h>

/* Number of WARN*() that fired since boot. */
extern unsigned long model_warn_count;
__printf(4, 5) void model_warn(const char *file, int line, bool print,
			       const char *fmt, ...);
/*
 * model_warn_take() - how many WARN*() fired since the last call; the first
 * one's "file:line: message" is copied to @msg (@len bytes, may be 0).
 */
unsigned long model_warn_take(char *msg, unsigned long len);
/*
 * model_warn_expect() - the next @n WARN*() are provoked on purpose: they
 * print as "expected WARNING" without a backtrace (and are still counted).
 */
void model_warn_expect(unsigned long n);

#define BUG()	host_abort(__FILE__, __LINE__, "BUG")

#define BUG_ON(cond)							\
do {									\
	if (unlikely(cond))						\
		host_abort(__FILE__, __LINE__, "BUG_ON(" #cond ")");	\
} while (0)

#define WARN_ON(cond)							\
({									\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		model_warn(__FILE__, __LINE__, true, "%s", #cond);	\
	unlikely(__ret_warn);						\
})

#define WARN(cond, fmt, ...)						\
({									\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		model_warn(__FILE__, __LINE__, true, fmt, ##__VA_ARGS__); \
	unlikely(__ret_warn);						\
})

#define WARN_ON_ONCE(cond)						\
({									\
	static bool __warned;						\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		model_warn(__FILE__, __LINE__,				\
			   !__atomic_exchange_n(&__warned, true,	\
						__ATOMIC_RELAXED),	\
			   "%s", #cond);				\
	unlikely(__ret_warn);						\
})

#define WARN_ONCE(cond, fmt, ...)					\
({									\
	static bool __warned;						\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		model_warn(__FILE__, __LINE__,				\
			   !__atomic_exchange_n(&__warned, true,	\
						__ATOMIC_RELAXED),	\
			   fmt, ##__VA_ARGS__);				\
	unlikely(__ret_warn);						\
})

#endif /* _LINUX_BUG_H */
