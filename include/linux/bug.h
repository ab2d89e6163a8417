/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bug.h - assertions.  BUG() aborts the process, as an oops would stop the
 * kernel.  WARN*() print and count: tests read model_warn_count to fail on a
 * warning the kernel would have printed.
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/printk.h>
#include <host/host.h>

/* Number of WARN*() that fired since boot (tests assert on it). */
extern unsigned long model_warn_count;
void model_warn(const char *file, int line, const char *cond);

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
		model_warn(__FILE__, __LINE__, #cond);			\
	unlikely(__ret_warn);						\
})

#define WARN(cond, fmt, ...)						\
({									\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn)) {					\
		pr_warn(fmt, ##__VA_ARGS__);				\
		model_warn(__FILE__, __LINE__, #cond);			\
	}								\
	unlikely(__ret_warn);						\
})

#define WARN_ON_ONCE(cond)						\
({									\
	static bool __warned;						\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn) &&					\
	    !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED))	\
		model_warn(__FILE__, __LINE__, #cond);			\
	unlikely(__ret_warn);						\
})

#define WARN_ONCE(cond, fmt, ...)					\
({									\
	static bool __warned;						\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn) &&					\
	    !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED)) {	\
		pr_warn(fmt, ##__VA_ARGS__);				\
		model_warn(__FILE__, __LINE__, #cond);			\
	}								\
	unlikely(__ret_warn);						\
})

#endif /* _LINUX_BUG_H */
