// SPDX-License-Identifier: GPL-2.0
/*
 * model_memremap.c - ZONE_DEVICE: memremap_pages(), the life of a
 * device-private page from initialisation to page_free(), and the pgmap's
 * per-CPU reference count.
 */
#include "harness.h"
#include <linux/ioport.h>

static int t_freed;
static struct page *t_freed_page;

static void t_page_free(struct page *page)
{
	t_freed++;
	t_freed_page = page;
	assert_null(page->mapping);
	assert_int_equal(page_ref_count(page), 0);
}

static vm_fault_t t_migrate_to_ram(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_SIGBUS;
}

static const struct dev_pagemap_ops t_pgmap_ops = {
	.page_free = t_page_free,
	.migrate_to_ram = t_migrate_to_ram,
};

static void test_device_private_page_life(void **state)
{
	struct dev_pagemap *pgmap = host_calloc(1, sizeof(*pgmap));
	struct resource *res = request_free_mem_region(&iomem_resource, 4UL << 20, "t");
	unsigned long pfn, first;
	struct page *page;
	int owner, loglevel;

	(void)state;
	assert_false(IS_ERR(res));
	assert_int_equal(region_intersects(res->start, resource_size(res),
					   IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE),
			 REGION_DISJOINT);
	pgmap->type = MEMORY_DEVICE_PRIVATE;
	pgmap->range.start = res->start;
	pgmap->range.end = res->start + (4UL << 20) - 1;
	pgmap->nr_range = 1;
	pgmap->ops = &t_pgmap_ops;
	/*
	 * No owner: refused with the kernel's warning.  The test expects it:
	 * it is counted and checked, and kept out of the log.
	 */
	loglevel = model_loglevel;
	model_loglevel = -1;
	assert_int_equal(PTR_ERR(memremap_pages(pgmap, 0)), -EINVAL);
	model_loglevel = loglevel;
	t_expect_warn(1, "Missing owner");
	print_message("expected warning (memremap_pages() without an owner): "
		      "counted, not printed\n");
	pgmap->owner = &owner;
	assert_false(IS_ERR(memremap_pages(pgmap, 0)));

	first = PHYS_PFN(res->start);
	for (pfn = first; pfn < first + 1024; pfn++) {
		page = pfn_to_page(pfn);
		assert_true(is_device_private_page(page));
		assert_true(PageReserved(page));
		assert_int_equal(page_ref_count(page), 0);
		assert_ptr_equal(page->pgmap, pgmap);
		assert_true(model_pfn_initialized(pfn));
	}
	assert_int_equal(model_next_initialized_pfn(model_ram_end_pfn), first);
	assert_int_equal(model_next_initialized_pfn(first + 1023), first + 1023);
	assert_ptr_equal(get_dev_pagemap(first + 5, NULL), pgmap);
	put_dev_pagemap(pgmap);

	page = pfn_to_page(first + 7);
	zone_device_page_init(page);
	assert_int_equal(page_ref_count(page), 1);
	assert_true(PageLocked(page));
	/* A free device page cannot be grabbed; an allocated one can. */
	assert_null(folio_get_nontail_page(pfn_to_page(first + 8)));
	unlock_page(page);
	put_page(page);
	assert_int_equal(t_freed, 1);
	assert_ptr_equal(t_freed_page, page);

	memunmap_pages(pgmap);
	assert_false(model_pfn_initialized(first));
	assert_true(model_next_initialized_pfn(first) > first + 1023);
	assert_null(get_dev_pagemap(first, NULL));
	release_mem_region(res->start, resource_size(res));
	host_free(pgmap);
}

static int t_released;

static void t_ref_release(struct percpu_ref *ref)
{
	(void)ref;
	t_released++;
}

static void t_on_cpu(struct task_struct *t, const char *name, int cpu)
{
	model_task_init(t, name);
	t->cpu = cpu;
	model_set_current(t);
}

/*
 * References taken on one CPU and dropped on another: no CPU's own count
 * says anything, the kill sums them, live gets fail from the kill on, and
 * the release runs once, when the last reference goes.
 */
static void test_percpu_ref_across_cpus(void **state)
{
	struct percpu_ref *ref = host_calloc(1, sizeof(*ref));
	struct task_struct *t1 = host_calloc(1, sizeof(*t1));
	struct task_struct *t2 = host_calloc(1, sizeof(*t2));
	struct task_struct *self = current;

	(void)state;
	t_released = 0;
	assert_int_equal(percpu_ref_init(ref, t_ref_release, 0, GFP_KERNEL), 0);
	t_on_cpu(t1, "t1", 1);
	assert_true(percpu_ref_tryget_live(ref));
	percpu_ref_get_many(ref, 2);
	t_on_cpu(t2, "t2", 2);
	percpu_ref_put_many(ref, 2);
	assert_int_equal(t_released, 0);

	percpu_ref_kill(ref);
	assert_true(percpu_ref_is_dying(ref));
	assert_false(percpu_ref_tryget_live(ref));
	assert_int_equal(t_released, 0);
	model_set_current(t1);
	percpu_ref_put(ref);
	assert_int_equal(t_released, 1);

	model_set_current(self);
	percpu_ref_exit(ref);
	host_free(t1);
	host_free(t2);
	host_free(ref);
}

struct ref_user {
	struct host_thread thread;
	struct percpu_ref *ref;
	int cpu;
	int *users;		/* users still holding their first reference */
	long live_gets;
};

/* Take and drop references on two CPUs in turn until a get fails. */
static void *ref_user_fn(void *arg)
{
	struct ref_user *u = arg;
	struct task_struct *t = host_calloc(1, sizeof(*t));
	unsigned long i;

	t_on_cpu(t, "user", u->cpu);
	for (i = 0; i < 1000000 && percpu_ref_tryget_live(u->ref); i++) {
		__atomic_fetch_add(&u->live_gets, 1, __ATOMIC_RELAXED);
		t->cpu = u->cpu ^ 1;
		percpu_ref_put(u->ref);
		t->cpu = u->cpu;
	}
	__atomic_sub_fetch(u->users, 1, __ATOMIC_SEQ_CST);
	percpu_ref_put(u->ref);
	model_set_current(NULL);
	host_free(t);
	return NULL;
}

static int t_users;
static int t_users_at_release;

static void t_ref_release_checked(struct percpu_ref *ref)
{
	(void)ref;
	t_users_at_release = __atomic_load_n(&t_users, __ATOMIC_SEQ_CST);
	t_released++;
}

/*
 * A kill while two CPUs take and drop references, some of them counted
 * on the other CPU: the release runs exactly once, after both users have
 * dropped their last reference.
 */
static void test_percpu_ref_kill_races_users(void **state)
{
	struct percpu_ref *ref = host_calloc(1, sizeof(*ref));
	struct ref_user u[2];
	int round, i;

	(void)state;
	for (round = 0; round < 50; round++) {
		t_released = 0;
		t_users_at_release = -1;
		assert_int_equal(percpu_ref_init(ref, t_ref_release_checked, 0,
						 GFP_KERNEL), 0);
		t_users = 2;
		for (i = 0; i < 2; i++) {
			u[i] = (struct ref_user){
				.ref = ref, .cpu = 2 * i + 2, .users = &t_users,
			};
			/* Each user's first reference, taken here on our CPU. */
			percpu_ref_get_many(ref, 1);
			assert_int_equal(host_thread_create(&u[i].thread,
							    ref_user_fn, &u[i]), 0);
		}
		while (!__atomic_load_n(&u[0].live_gets, __ATOMIC_RELAXED) ||
		       !__atomic_load_n(&u[1].live_gets, __ATOMIC_RELAXED))
			host_yield();
		percpu_ref_kill(ref);
		for (i = 0; i < 2; i++)
			host_thread_join(&u[i].thread, NULL);
		assert_int_equal(t_released, 1);
		assert_int_equal(t_users_at_release, 0);
		percpu_ref_exit(ref);
	}
	host_free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_device_private_page_life),
		FX_TEST_PROC(test_percpu_ref_across_cpus),
		FX_TEST_PROC(test_percpu_ref_kill_races_users),
	};

	return T_RUN(tests);
}
