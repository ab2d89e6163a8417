/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wait_for.h - a test waiting, with a bound, for another thread to reach the
 * point the test needs before it goes on.  Tests force their orders with
 * these instead of sleeping and hoping.
 */
#ifndef _TESTS_WAIT_FOR_H
#define _TESTS_WAIT_FOR_H

#include <linux/types.h>
#include <model/model.h>
#include <host/host.h>

/*
 * How long a test waits for another thread to reach a point it forces: far
 * beyond any real delay, even on a loaded machine, and well below the
 * watchdog, so that a thread that never gets there fails the test instead.
 */
#define T_WAIT_NS	(20ULL * 1000 * 1000 * 1000)

/* Wait until @n tasks sleep on @folio; false if they never do. */
static inline bool t_wait_sleepers(struct folio *folio, unsigned int n)
{
	unsigned long long t0 = host_clock_ns();

	while (model_folio_sleepers(folio) < n) {
		if (host_clock_ns() - t0 > T_WAIT_NS)
			return false;
		host_yield();
	}
	return true;
}

/* Wait until *@flag (set by another thread) is non-zero; false if never. */
static inline bool t_wait_flag(int *flag)
{
	unsigned long long t0 = host_clock_ns();

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (host_clock_ns() - t0 > T_WAIT_NS)
			return false;
		host_yield();
	}
	return true;
}

#endif /* _TESTS_WAIT_FOR_H */
