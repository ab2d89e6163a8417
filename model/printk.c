// SPDX-License-Identifier: GPL-2.0
/*
 * printk.c - the kernel log and warnings (kernel/printk, lib/bug.c).
 * Messages go to the host's stderr; warnings are also counted, so that a
 * test can fail on a WARN the kernel would have printed.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <host/host.h>

int model_loglevel = 1;
unsigned long model_warn_count;

void model_printk(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > READ_ONCE(model_loglevel))
		return;
	va_start(ap, fmt);
	host_vprintf(fmt, ap);
	va_end(ap);
}

void model_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&model_warn_count, 1, __ATOMIC_RELAXED);
	if (READ_ONCE(model_loglevel) >= 0) {
		host_printf("WARNING: %s:%d: %s\n", file, line, cond);
		/* As the kernel's WARN: where it came from, not just where. */
		if (READ_ONCE(model_loglevel) >= 1)
			host_backtrace();
	}
}
