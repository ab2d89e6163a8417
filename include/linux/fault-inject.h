/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fault-inject.h - failure points, named by their call sites
 * (model/fault-inject.c).
 *
 * Every API of the model that can fail for want of a resource (the
 * allocators of slab.h, vmalloc.h and gfp.h, page tables, anon_vmas, the
 * memcg charge, copies to and from user memory, the host resources behind
 * device memory, and a driver's own should_fail() points) is a macro that hands the
 * function a struct fault_site made at the call site, much as the kernel's
 * alloc_hooks() hands its allocators a code tag.  A site is named
 * "caller:api", e.g. "migrate_vma_insert_page:mem_cgroup_charge": the name
 * stays when lines move, and the caller needs no edit.  All sites of a
 * program sit in the "fault_sites" section, so a test can list them and
 * tell which ones it never reached (api/devmig.h, devmig_fault_*()).
 *
 * A driver keeps the kernel's one way to fail its own allocations:
 * DECLARE_FAULT_ATTR() and should_fail(), tuned in the kernel through
 * debugfs; here each should_fail() call is a site like any allocation.
 */
#ifndef _LINUX_FAULT_INJECT_H
#define _LINUX_FAULT_INJECT_H

#include <linux/types.h>

/* What a site's failure stands for (also include/model/fail.h's classes). */
enum fault_class {
	FAULT_KMALLOC = 1,	/* slab and vmalloc allocations */
	FAULT_PAGE,		/* the page allocator */
	FAULT_PGTABLE,		/* page-table pages */
	FAULT_ANON_VMA,		/* anon_vma and anon_vma_chain */
	FAULT_MEMCG,		/* mem_cgroup_charge() */
	FAULT_DRIVER,		/* a driver's should_fail() */
	FAULT_COPY,		/* copy_to_user(), copy_from_user() */
	FAULT_HOST,		/* a host resource (protecting device memory) */
	FAULT_NR_CLASSES
};

struct fault_site {
	const char *func;	/* the caller, __func__ */
	const char *api;	/* what it calls: "kzalloc", "pte_alloc", ... */
	const char *file;
	unsigned int line;	/* to tell apart two calls of one function */
	unsigned int class;	/* enum fault_class */
	unsigned int id;	/* index in the registry, set when it is built */
};

/*
 * FAULT_SITE() - this call site, registered in the "fault_sites" section.
 * Pointers go to the section (not the sites), so that its entries are one
 * size whatever the compiler pads sites with.
 */
#define FAULT_SITE(cls, api_name) ({					\
	static struct fault_site __fsite = {				\
		__func__, api_name, __FILE__, __LINE__, cls, 0		\
	};								\
	static struct fault_site *const __fsite_ptr			\
		__attribute__((section("fault_sites"), used)) = &__fsite; \
	&__fsite;							\
})

/* Nonzero while a test records sites or has armed a failure. */
extern int fault_inject_active;

bool __fault_site_hit(struct fault_site *site, bool can_fail);

/*
 * fault_site_fails() - one attempt at @site; true if it must fail.  A call
 * that cannot fail (__GFP_NOFAIL) passes @can_fail false: it still counts
 * as reaching the site.  A NULL @site (a nested call of the API's own
 * implementation) is no site.
 */
static inline bool fault_site_fails(struct fault_site *site, bool can_fail)
{
	/* Acquire: the registry and the armed site are published before. */
	if (__builtin_expect(!__atomic_load_n(&fault_inject_active,
					      __ATOMIC_ACQUIRE), 1) || !site)
		return false;
	return __fault_site_hit(site, can_fail);
}

struct fault_attr {
	unsigned long failed;	/* failures this attribute has caused */
};

#define FAULT_ATTR_INITIALIZER	{ .failed = 0 }
#define DECLARE_FAULT_ATTR(name) struct fault_attr name = FAULT_ATTR_INITIALIZER

/* True if the allocation of @size bytes at this point must fail. */
bool should_fail_at(struct fault_attr *attr, ssize_t size,
		    struct fault_site *site);
#define should_fail(attr, size) \
	should_fail_at(attr, size, FAULT_SITE(FAULT_DRIVER, "should_fail"))

#endif /* _LINUX_FAULT_INJECT_H */
