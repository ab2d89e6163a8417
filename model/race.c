// SPDX-License-Identifier: GPL-2.0
/*
 * race.c - race points (model/race.h): the one armed action, and which
 * pass of which point runs it.
 *
 * The kernel has no such thing: its races are found by stress and by
 * luck.  The model's tests force them instead, by running what another
 * thread would do at the exact point of a kernel path where it matters
 * (a huge PMD zapped between a page walk's check and its callback, a PTE
 * table gone when it is locked).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <model/race.h>

int race_point_armed;

/* Written by model_race_arm() before race_point_armed publishes them. */
static struct {
	const char *name;		/* "caller:what" */
	unsigned long nth;
	unsigned long passes;		/* of the point since arming */
	bool (*action)(void *arg);
	void *arg;
	bool fired;
} armed;

static bool race_point_is(const struct race_point *rp, const char *name)
{
	size_t n = strlen(rp->func);

	return !strncmp(name, rp->func, n) && name[n] == ':' &&
	       !strcmp(name + n + 1, rp->what);
}

bool __race_point_pass(const struct race_point *rp)
{
	if (!race_point_is(rp, armed.name) ||
	    __atomic_add_fetch(&armed.passes, 1, __ATOMIC_RELAXED) != armed.nth)
		return false;
	/* One pass runs the action, once: it may pass points itself. */
	__atomic_store_n(&race_point_armed, 0, __ATOMIC_RELAXED);
	WRITE_ONCE(armed.fired, true);
	return armed.action(armed.arg);
}

int model_race_arm(const char *name, unsigned long nth,
		   bool (*action)(void *arg), void *arg)
{
	if (!name || !action || !nth)
		return -EINVAL;
	model_race_disarm();
	armed.name = name;
	armed.nth = nth;
	armed.passes = 0;
	armed.action = action;
	armed.arg = arg;
	WRITE_ONCE(armed.fired, false);
	/* Release: a pass that sees the point armed sees the fields above. */
	__atomic_store_n(&race_point_armed, 1, __ATOMIC_RELEASE);
	return 0;
}

void model_race_disarm(void)
{
	__atomic_store_n(&race_point_armed, 0, __ATOMIC_RELEASE);
}

bool model_race_fired(void)
{
	return READ_ONCE(armed.fired);
}
