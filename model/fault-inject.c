// SPDX-License-Identifier: GPL-2.0
/*
 * fault-inject.c - failure injection (lib/fault-inject.c): every failure
 * point of the model and of its drivers is a named call site
 * (linux/fault-inject.h).  This file keeps the registry of those sites,
 * counts how often each is reached, and decides which attempt fails: one
 * named site (its n-th attempt, or every one: api/devmig.h), or a class by
 * count (model/fail.h).  A driver's should_fail() is one more site.
 *
 * The fast path, when nothing is recorded or armed, is one load in
 * fault_site_fails().
 */
#include <linux/kernel.h>
#include <linux/fault-inject.h>
#include <linux/string.h>
#include <model/fail.h>
#include <host/host.h>
#include "devmig.h"

int fault_inject_active;

/* The section FAULT_SITE() fills, bounded by the linker. */
extern struct fault_site *const __start_fault_sites[];
extern struct fault_site *const __stop_fault_sites[];

static const char *const class_names[FAULT_NR_CLASSES] = {
	[FAULT_KMALLOC] = "kmalloc", [FAULT_PAGE] = "page",
	[FAULT_PGTABLE] = "pgtable", [FAULT_ANON_VMA] = "anon_vma",
	[FAULT_MEMCG] = "memcg", [FAULT_DRIVER] = "driver",
	[FAULT_COPY] = "copy", [FAULT_HOST] = "host",
};

/* One named site: one call, or the copies of one inline function's call. */
struct site_entry {
	struct fault_site *site;	/* the first copy */
	char *name;
	unsigned long hits;		/* since the last record/arm */
	unsigned long failable;		/* hits that could fail */
};

static struct {
	struct site_entry *sites;
	unsigned int nr;
	unsigned int *order;		/* ids in the order first reached */
	unsigned int nr_reached;
	unsigned int armed;		/* id + 1; 0: none */
	unsigned long armed_first;	/* attempts first.. */
	unsigned long armed_last;	/* ..last fail */
	unsigned long fired;
	bool recording;
} reg;

/* The class API of model/fail.h: per class, a countdown or always. */
static unsigned long class_countdown[FAULT_NR_CLASSES];
static bool class_always[FAULT_NR_CLASSES];
static bool class_fired;

static int site_cmp(const struct fault_site *a, const struct fault_site *b)
{
	int c = strcmp(a->func, b->func);

	if (!c)
		c = strcmp(a->api, b->api);
	if (!c)
		c = strcmp(a->file, b->file);
	if (!c)
		c = (int)a->line - (int)b->line;
	return c;
}

/*
 * Sort the section's sites by caller, API, file and line; merge the copies
 * of one call (an inline function of a header, emitted in several units);
 * name the rest "caller:api", and "caller:api#2", "#3"... for further calls
 * of one API in one caller, in the order of the source.
 */
static void registry_build(void)
{
	unsigned long n = __stop_fault_sites - __start_fault_sites;
	struct fault_site **s = host_calloc(n ? n : 1, sizeof(*s));
	unsigned long i, j, dup = 1;

	BUG_ON(!s);
	for (i = 0; i < n; i++) {
		struct fault_site *x = __start_fault_sites[i];

		for (j = i; j > 0 && site_cmp(s[j - 1], x) > 0; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
	reg.sites = host_calloc(n ? n : 1, sizeof(*reg.sites));
	reg.order = host_calloc(n ? n : 1, sizeof(*reg.order));
	BUG_ON(!reg.sites || !reg.order);
	for (i = 0; i < n; i++) {
		struct fault_site *x = s[i];
		struct site_entry *e;
		char buf[160];

		if (reg.nr && !site_cmp(reg.sites[reg.nr - 1].site, x)) {
			x->id = reg.nr;
			continue;
		}
		e = &reg.sites[reg.nr];
		if (reg.nr && !strcmp(e[-1].site->func, x->func) &&
		    !strcmp(e[-1].site->api, x->api))
			dup++;
		else
			dup = 1;
		if (dup > 1)
			host_snprintf(buf, sizeof(buf), "%s:%s#%lu", x->func,
				      x->api, dup);
		else
			host_snprintf(buf, sizeof(buf), "%s:%s", x->func, x->api);
		e->name = host_malloc(strlen(buf) + 1);
		BUG_ON(!e->name);
		memcpy(e->name, buf, strlen(buf) + 1);
		e->site = x;
		x->id = ++reg.nr;
	}
	host_free(s);
}

static void registry_get(void)
{
	if (!reg.sites)
		registry_build();
}

static void update_active(void)
{
	bool on = READ_ONCE(reg.recording) || READ_ONCE(reg.armed);
	int c;

	registry_get();

	for (c = 0; c < FAULT_NR_CLASSES; c++)
		on = on || class_countdown[c] || class_always[c];
	__atomic_store_n(&fault_inject_active, on, __ATOMIC_RELEASE);
}

static void counts_clear(void)
{
	unsigned int i;

	for (i = 0; i < reg.nr; i++) {
		WRITE_ONCE(reg.sites[i].hits, 0);
		WRITE_ONCE(reg.sites[i].failable, 0);
	}
	WRITE_ONCE(reg.nr_reached, 0);
	WRITE_ONCE(reg.fired, 0);
}

/* One attempt of class @c; true if it is the armed one. */
static bool class_tick(unsigned int c)
{
	unsigned long n = __atomic_load_n(&class_countdown[c], __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&class_countdown[c], &n, n - 1,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return n == 1;
	}
	return READ_ONCE(class_always[c]);
}

bool __fault_site_hit(struct fault_site *site, bool can_fail)
{
	struct site_entry *e;
	unsigned long nth;
	bool fail;

	/* A site of another module (a shared library's caller). */
	if (!site->id)
		return can_fail && (class_tick(site->class) | class_tick(0));
	e = &reg.sites[site->id - 1];
	if (__atomic_fetch_add(&e->hits, 1, __ATOMIC_RELAXED) == 0)
		WRITE_ONCE(reg.order[__atomic_fetch_add(&reg.nr_reached, 1,
							__ATOMIC_RELAXED)],
			   site->id - 1);
	if (!can_fail)
		return false;
	nth = __atomic_add_fetch(&e->failable, 1, __ATOMIC_RELAXED);
	fail = READ_ONCE(reg.armed) == site->id &&
	       nth >= READ_ONCE(reg.armed_first) &&
	       nth <= READ_ONCE(reg.armed_last);
	/* Both classes count the attempt, whichever fails it. */
	if (class_tick(site->class) | class_tick(0))
		fail = true;
	if (fail) {
		__atomic_fetch_add(&reg.fired, 1, __ATOMIC_RELAXED);
		WRITE_ONCE(class_fired, true);
	}
	return fail;
}

bool should_fail_at(struct fault_attr *attr, ssize_t size,
		    struct fault_site *site)
{
	(void)size;
	if (!fault_site_fails(site, true))
		return false;
	__atomic_fetch_add(&attr->failed, 1, __ATOMIC_RELAXED);
	return true;
}

/* ------------------------------------------------------------------------
 * By class (model/fail.h).
 */

void model_fail_nth(enum model_fail_site site, unsigned long n)
{
	WRITE_ONCE(class_countdown[site], n);
	WRITE_ONCE(class_fired, false);
	update_active();
}

void model_fail_every(enum model_fail_site site, bool on)
{
	WRITE_ONCE(class_always[site], on);
	WRITE_ONCE(class_fired, false);
	update_active();
}

void model_fail_reset(void)
{
	int i;

	for (i = 0; i < FAULT_NR_CLASSES; i++) {
		WRITE_ONCE(class_countdown[i], 0);
		WRITE_ONCE(class_always[i], false);
	}
	WRITE_ONCE(class_fired, false);
	WRITE_ONCE(reg.armed, 0);
	WRITE_ONCE(reg.recording, false);
	update_active();
}

bool model_fail_fired(void)
{
	return READ_ONCE(class_fired);
}

/* ------------------------------------------------------------------------
 * By name (api/devmig.h).
 */

unsigned int devmig_fault_nr_sites(void)
{
	registry_get();
	return reg.nr;
}

int devmig_fault_site_info(unsigned int id, struct devmig_fault_site *info)
{
	struct site_entry *e;

	registry_get();
	if (id >= reg.nr)
		return -EINVAL;
	e = &reg.sites[id];
	info->name = e->name;
	info->file = e->site->file;
	info->line = e->site->line;
	info->class_name = e->site->class < FAULT_NR_CLASSES ?
			   class_names[e->site->class] : "?";
	info->hits = READ_ONCE(e->hits);
	info->failable_hits = READ_ONCE(e->failable);
	return 0;
}

int devmig_fault_find(const char *name)
{
	unsigned int i;

	registry_get();
	for (i = 0; i < reg.nr; i++)
		if (!strcmp(reg.sites[i].name, name))
			return i;
	return -ENOENT;
}

void devmig_fault_record(void)
{
	registry_get();
	counts_clear();
	WRITE_ONCE(reg.armed, 0);
	WRITE_ONCE(reg.recording, true);
	update_active();
}

int devmig_fault_arm(unsigned int id, unsigned long first, unsigned long count)
{
	registry_get();
	if (id >= reg.nr || !first || !count)
		return -EINVAL;
	counts_clear();
	WRITE_ONCE(reg.armed_first, first);
	WRITE_ONCE(reg.armed_last, first + count - 1 < first ? -1UL :
				   first + count - 1);
	WRITE_ONCE(reg.armed, id + 1);
	WRITE_ONCE(reg.recording, true);
	update_active();
	return 0;
}

void devmig_fault_stop(void)
{
	WRITE_ONCE(reg.armed, 0);
	WRITE_ONCE(reg.recording, false);
	update_active();
}

unsigned int devmig_fault_reached(unsigned int *ids, unsigned int max)
{
	unsigned int i, n = READ_ONCE(reg.nr_reached);

	for (i = 0; i < n && i < max; i++)
		ids[i] = READ_ONCE(reg.order[i]);
	return n;
}

unsigned long devmig_fault_fired(void)
{
	return READ_ONCE(reg.fired);
}
