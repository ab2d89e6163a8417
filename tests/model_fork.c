// SPDX-License-Identifier: GPL-2.0
/*
 * model_fork.c - fork: copy-on-write of anonymous pages, shared anonymous
 * memory (shmem), pinned pages copied at once, stores racing fork and
 * mprotect, a stable snapshot, allocation failures during fork and faults.
 */
#include "harness.h"
#include <model/fail.h>

static void test_cow_after_fork(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 2, T_RW);
	struct devmig_proc *child;
	struct mm_struct *cmm;
	struct page *page, *cpage;

	t_store_long(a, 0xAAAA);
	/* Page 1 stays the zero page: shared too, without a reference. */
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0);
	page = t_page(f->mm, a);

	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	cmm = devmig_proc_mm(child);
	/* Shared, write-protected in both, counted in both. */
	assert_ptr_equal(t_page(cmm, a), page);
	assert_false(pte_write(t_pte(f->mm, a)));
	assert_false(pte_write(t_pte(cmm, a)));
	assert_anon_page(page, 2, false);
	assert_int_equal(get_mm_counter(cmm, MM_ANONPAGES), 1);
	assert_invariants();

	/* The child writes: it gets its own copy, the parent keeps A. */
	t_switch(child);
	assert_int_equal(t_load_long(a), 0xAAAA);
	t_store_long(a, 0xBBBB);
	cpage = t_page(cmm, a);
	assert_ptr_not_equal(cpage, page);
	assert_anon_page(cpage, 1, true);
	t_store_long(a + PAGE_SIZE, 0xCCCC);
	t_switch(f->proc);

	assert_int_equal(t_load_long(a), 0xAAAA);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0);
	/* The parent is the last mapper: it reuses the page, no copy. */
	assert_anon_page(page, 1, false);
	t_store_long(a, 0xDDDD);
	assert_ptr_equal(t_page(f->mm, a), page);
	assert_anon_page(page, 1, true);

	t_switch(child);
	assert_int_equal(t_load_long(a), 0xBBBB);
	t_switch(f->proc);
	assert_invariants();
	devmig_proc_exit(child);
	assert_invariants();
}

/* Shared anonymous memory is shmem: not anonymous, shared across fork. */
static void test_shared_anon_is_shmem(void **state)
{
	struct fx *f = *state;
	long a = devmig_mmap(f->proc, 2 * PAGE_SIZE, T_RW, DEVMIG_MAP_SHARED);
	struct devmig_proc *child;
	struct vm_area_struct *vma;
	struct page *page;

	assert_true(a > 0);
	mmap_read_lock(f->mm);
	vma = vma_lookup(f->mm, a);
	assert_false(vma_is_anonymous(vma));
	assert_true(vma->vm_flags & VM_SHARED);
	mmap_read_unlock(f->mm);

	/* Even a read fault maps a real page (no zero page in shmem). */
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0);
	assert_false(is_zero_pfn(pte_pfn(t_pte(f->mm, a + PAGE_SIZE))));
	t_store_long(a, 0x5a5a);
	page = t_page(f->mm, a);
	assert_false(PageAnon(page));
	assert_int_equal(get_mm_counter(f->mm, MM_SHMEMPAGES), 2);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);
	lru_add_drain_all();
	assert_int_equal(page_ref_count(page), 2);	/* cache + mapping */
	assert_invariants();

	/* The child shares the same pages: writes are seen both ways. */
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	t_switch(child);
	assert_int_equal(t_load_long(a), 0x5a5a);
	t_store_long(a + 8, 0xc0c0);
	assert_ptr_equal(t_page(devmig_proc_mm(child), a), page);
	t_switch(f->proc);
	assert_int_equal(t_load_long(a + 8), 0xc0c0);
	assert_invariants();
	devmig_proc_exit(child);
	/* Unmapping part of it: the other page and the data stay. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(t_load_long(a), 0x5a5a);
	assert_invariants();
}

/* A page pinned while exclusive is copied at fork, not shared. */
static void test_fork_copies_pinned_page(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct devmig_proc *child;
	struct page *pinned, *page;

	t_store_long(a, 0x1234);
	assert_int_equal(pin_user_pages(a, 1, FOLL_WRITE | FOLL_LONGTERM,
					&pinned), 1);
	page = t_page(f->mm, a);
	assert_ptr_equal(pinned, page);

	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_ptr_not_equal(t_page(devmig_proc_mm(child), a), page);
	assert_true(PageAnonExclusive(page));
	assert_true(pte_write(t_pte(f->mm, a)));
	assert_int_equal(*(unsigned long *)page_address(
			 t_page(devmig_proc_mm(child), a)), 0x1234);
	assert_invariants();
	unpin_user_page(pinned);
	devmig_proc_exit(child);
	assert_invariants();
}

#define RACE_THREADS	4
#define RACE_ITERS	3000

struct racer {
	struct devmig_proc *proc;
	unsigned long addr;
	int errors;
	int ret;
};

static void *racer_fn(void *arg)
{
	struct racer *r = arg;
	unsigned long i, v;

	r->ret = devmig_task_enter(r->proc);
	if (r->ret)
		return NULL;
	for (i = 1; i <= RACE_ITERS; i++) {
		if (devmig_store(r->addr + (i % 2) * 64, &i, sizeof(i)) ||
		    devmig_load(r->addr + (i % 2) * 64, &v, sizeof(v)) ||
		    v != i)
			r->errors++;
	}
	devmig_task_leave();
	return NULL;
}

static void test_stores_race_fork_and_mprotect(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, RACE_THREADS, T_RW);
	struct racer r[RACE_THREADS];
	struct host_thread th[RACE_THREADS];
	int i, n;

	for (i = 0; i < RACE_THREADS; i++) {
		r[i] = (struct racer){ .proc = f->proc,
				       .addr = a + i * PAGE_SIZE };
		assert_int_equal(host_thread_create(&th[i], racer_fn, &r[i]), 0);
	}
	for (n = 0; n < 20; n++) {
		struct devmig_proc *child = devmig_proc_fork(f->proc);

		assert_non_null(child);
		devmig_proc_exit(child);
		assert_int_equal(devmig_mprotect(f->proc, a,
						 RACE_THREADS * PAGE_SIZE, T_RW),
				 0);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		assert_int_equal(host_thread_join(&th[i], NULL), 0);
		assert_int_equal(r[i].ret, 0);
		assert_int_equal(r[i].errors, 0);
		assert_int_equal(t_load_long(a + i * PAGE_SIZE + 64),
				 RACE_ITERS - 1);
	}
	assert_invariants();
}

/*
 * fork() while another CPU keeps storing: the child's copy is a snapshot
 * that never changes afterwards (the parent's writable translations are
 * flushed before fork returns, so later stores fault and copy).
 */
struct writer {
	struct devmig_proc *proc;
	unsigned long addr;
	int stop;
	int stores;
	int ret;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	unsigned long i = 1;

	w->ret = devmig_task_enter(w->proc);
	if (w->ret)
		return NULL;
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		if (devmig_store(w->addr, &i, sizeof(i)) == 0) {
			i++;
			__atomic_store_n(&w->stores, (int)i, __ATOMIC_RELEASE);
		}
	}
	devmig_task_leave();
	return NULL;
}

static void test_fork_snapshot_is_stable(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW), v1, v2;
	struct writer w = { .proc = f->proc, .addr = a };
	struct devmig_proc *child;
	struct host_thread th;
	struct page *cpage;
	int n;

	t_store_long(a, 0);
	assert_int_equal(host_thread_create(&th, writer_fn, &w), 0);
	assert_true(t_wait_flag(&w.stores));
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	cpage = t_page(devmig_proc_mm(child), a);
	v1 = __atomic_load_n((unsigned long *)page_address(cpage),
			     __ATOMIC_ACQUIRE);
	/* Wait until the writer has stored well past the fork. */
	for (n = 0; n < 20000 &&
	     __atomic_load_n(&w.stores, __ATOMIC_ACQUIRE) < (int)v1 + 1000;
	     n++)
		host_sleep_ns(100 * 1000);
	v2 = __atomic_load_n((unsigned long *)page_address(cpage),
			     __ATOMIC_ACQUIRE);
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(host_thread_join(&th, NULL), 0);
	assert_int_equal(w.ret, 0);
	assert_int_equal(v1, v2);
	/* The writer went on, in a page of its own. */
	assert_true(t_load_long(a) > v2);
	assert_ptr_not_equal(t_page(f->mm, a), cpage);
	devmig_proc_exit(child);
	assert_invariants();
}

static void test_alloc_failures_fork_and_faults(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 8, T_RW), n;
	int i, failed = 0;
	bool fired;

	for (i = 0; i < 4; i++)
		t_store_long(a + i * PAGE_SIZE, 100 + i);
	for (n = 1; n < 500; n++) {
		struct devmig_proc *child;
		int ret;

		/* The n-th allocation from here on fails. */
		model_fail_nth(MODEL_FAIL_ANY, n);
		child = devmig_proc_fork(f->proc);
		ret = devmig_store(a + (4 + n % 4) * PAGE_SIZE, &n, sizeof(n));
		fired = model_fail_fired();
		model_fail_reset();
		assert_true(ret == 0 || ret == -ENOMEM);
		if (!child || ret)
			failed++;
		if (child) {
			t_switch(child);
			for (i = 0; i < 4; i++)
				assert_int_equal(t_load_long(a + i * PAGE_SIZE),
						 100 + i);
			t_switch(f->proc);
			devmig_proc_exit(child);
		}
		for (i = 0; i < 4; i++)
			assert_int_equal(t_load_long(a + i * PAGE_SIZE), 100 + i);
		assert_invariants();
		if (!fired)
			break;
	}
	/* Every allocation site was failed once, then a clean run. */
	assert_true(n < 500);
	assert_true(failed > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_cow_after_fork),
		FX_TEST_PROC(test_fork_copies_pinned_page),
		FX_TEST_PROC(test_shared_anon_is_shmem),
		FX_TEST_PROC(test_stores_race_fork_and_mprotect),
		FX_TEST_PROC(test_fork_snapshot_is_stable),
		FX_TEST_PROC(test_alloc_failures_fork_and_faults),
	};

	return T_RUN(tests);
}
