/* SPDX-License-Identifier: GPL-2.0 */
/* printk.h - kernel log output, printed through the host. */
#ifndef _LINUX_PRINTK_H
#define _LINUX_PRINTK_H

#include <linux/compiler.h>
#include <host/host.h>

#define KERN_EMERG	""
#define KERN_ERR	""
#define KERN_WARNING	""
#define KERN_NOTICE	""
#define KERN_INFO	""
#define KERN_DEBUG	""
#define KERN_CONT	""

/*
 * Messages below this level are dropped.  0 prints errors only, 1 adds
 * warnings, 2 info, 3 debug.  Set by model_boot() from DEVMIG_LOGLEVEL.
 */
extern int model_loglevel;

__printf(2, 3) void model_printk(int level, const char *fmt, ...);

#define printk(fmt, ...)	model_printk(2, fmt, ##__VA_ARGS__)
#define pr_emerg(fmt, ...)	model_printk(0, fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)	model_printk(0, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	model_printk(1, fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...)	model_printk(2, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	model_printk(2, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	model_printk(3, fmt, ##__VA_ARGS__)
#define pr_cont(fmt, ...)	model_printk(2, fmt, ##__VA_ARGS__)

#define __pr_once(fn, fmt, ...)					\
({								\
	static bool __printed;					\
	if (!__atomic_exchange_n(&__printed, true, __ATOMIC_RELAXED))	\
		fn(fmt, ##__VA_ARGS__);				\
})
#define pr_warn_once(fmt, ...)	__pr_once(pr_warn, fmt, ##__VA_ARGS__)
#define pr_err_once(fmt, ...)	__pr_once(pr_err, fmt, ##__VA_ARGS__)
#define pr_info_once(fmt, ...)	__pr_once(pr_info, fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...) pr_warn(fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...) pr_err(fmt, ##__VA_ARGS__)

#endif /* _LINUX_PRINTK_H */
