// SPDX-License-Identifier: GPL-2.0
/*
 * printk.c - the kernel log and warnings (kernel/printk, lib/bug.c).
 * Messages go to the host's stderr; warnings are also counted and the first
 * one kept, so that the test harness fails the test that hit a WARN the
 * kernel would have printed, naming it.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <host/host.h>
#include <devmig.h>

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

/*
 * The first warning since the last model_warn_take(), for the test that
 * caused it; pending counts them.  The lock orders a warning against a
 * take on another thread.
 */
static DEFINE_SPINLOCK(warn_lock);
static unsigned long warn_pending;
static unsigned long warn_expected;
static char warn_first[160];

void model_warn_expect(unsigned long n)
{
	spin_lock(&warn_lock);
	warn_expected = n;
	spin_unlock(&warn_lock);
}

/*
 * Whether a WARN at @file:@line has shown its backtrace before.  The first
 * says where the site is reached from; repeating it (a script that warns
 * on purpose at every step, a fuzz run's thousands) costs a symbolizer
 * process each time and says nothing new.  Sites past the table's size are
 * always shown.
 */
static bool warn_site_seen(const char *file, int line)
{
	static struct { const char *file; int line; } seen[64];
	static DEFINE_SPINLOCK(seen_lock);
	bool found = false;
	unsigned int i;

	spin_lock(&seen_lock);
	for (i = 0; i < ARRAY_SIZE(seen) && seen[i].file; i++) {
		if (seen[i].file == file && seen[i].line == line) {
			found = true;
			break;
		}
	}
	if (!found && i < ARRAY_SIZE(seen)) {
		seen[i].file = file;
		seen[i].line = line;
	}
	spin_unlock(&seen_lock);
	return found;
}

void model_warn(const char *file, int line, bool print, const char *fmt, ...)
{
	char msg[sizeof(warn_first)];
	unsigned long expected;
	va_list ap;
	int n;

	n = host_snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	host_vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';

	__atomic_fetch_add(&model_warn_count, 1, __ATOMIC_RELAXED);
	spin_lock(&warn_lock);
	if (!warn_pending++)
		strscpy(warn_first, msg, sizeof(warn_first));
	expected = warn_expected;
	if (expected)
		warn_expected--;
	spin_unlock(&warn_lock);
	if (print && READ_ONCE(model_loglevel) >= 0) {
		host_printf("%sWARNING: %s\n", expected ? "expected " : "", msg);
		/* As the kernel's WARN: where it came from, not just where. */
		if (!expected && READ_ONCE(model_loglevel) >= 1 &&
		    !warn_site_seen(file, line))
			host_backtrace();
	}
}

unsigned long devmig_warnings(void)
{
	return __atomic_load_n(&model_warn_count, __ATOMIC_RELAXED);
}

unsigned long model_warn_take(char *msg, unsigned long len)
{
	unsigned long n;

	spin_lock(&warn_lock);
	n = warn_pending;
	warn_pending = 0;
	if (len)
		strscpy(msg, n ? warn_first : "", len);
	spin_unlock(&warn_lock);
	return n;
}
