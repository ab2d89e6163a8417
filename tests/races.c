// SPDX-License-Identifier: GPL-2.0
/*
 * races.c - migrations meeting other activity: the PTE changing between
 * setup and pages (migrate_vma_pages() loses the race and leaves the slot
 * consistent), a CPU access waiting on a migration entry, concurrent
 * migrations of one range to two devices, munmap racing with a device read
 * (hmm.anon_teardown), CPU faults racing with device release, a THP
 * zapped or split under collect.
 *
 * Other CPUs are host threads that enter the model process as tasks.  They
 * never assert (cmocka's assertions belong to the main thread): they record
 * what they saw and the main thread checks it after joining them.  Where
 * the window is inside a kernel path, a race point (model/race.h) runs the
 * other CPU there: the race happens every run.
 */
#include <host/host.h>

#include "harness.h"

struct r_task {
	struct host_thread th;
	struct devmig_proc *proc;
	void (*fn)(struct r_task *task);
	/* inputs */
	unsigned long addr;
	unsigned long npages;
	unsigned long ptr;
	struct dmirror *mirror;
	unsigned long delay_ns;
	int rounds;
	int base;
	/* outputs */
	int ret;
	int errors;
	unsigned long value;
	int done;		/* read and written with __atomic builtins */
};

static void *r_task_main(void *arg)
{
	struct r_task *t = arg;

	t->ret = devmig_task_enter(t->proc);
	if (!t->ret) {
		t->fn(t);
		devmig_task_leave();
	}
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void r_start(struct r_task *t, struct fx *f,
		    void (*fn)(struct r_task *task))
{
	t->proc = f->proc;
	t->fn = fn;
	t->done = 0;
	assert_int_equal(host_thread_create(&t->th, r_task_main, t), 0);
}

static void r_join(struct r_task *t)
{
	assert_int_equal(host_thread_join(&t->th, NULL), 0);
}

static int r_done(struct r_task *t)
{
	return __atomic_load_n(&t->done, __ATOMIC_ACQUIRE);
}

/* A cheap deterministic generator for delays. */
static unsigned long r_rand(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return *seed >> 33;
}

static void r_store_pattern(struct r_task *t)
{
	int buf[T_INTS_PER_PAGE];
	unsigned long i;

	for (i = 0; i < T_INTS_PER_PAGE; i++)
		buf[i] = t->base + (int)i;
	t->ret = devmig_store(t->addr, buf, PAGE_SIZE);
}

/*
 * Setup selects a hole and the zero page; before pages runs, another CPU
 * writes to both, so each PTE is a fresh anonymous page.  The insertion must
 * back off: slot loses MIGRATE, the destination is freed, the CPU's page
 * and data stay.
 */
static void test_pages_loses_race(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 3, T_RW);
	struct t_mig m;
	struct r_task t[2] = { 0 };
	unsigned long i;
	int val;

	/* Page 0 a hole, page 1 the zero page, page 2 untouched too. */
	assert_int_equal(devmig_load(buf + PAGE_SIZE, &val, sizeof(val)), 0);

	assert_int_equal(t_mig_setup(f, &m, buf, 3, MIGRATE_VMA_SELECT_SYSTEM,
				     f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 3);
	t_mig_fill_device(&m, f->dev[0]);

	/* The other CPU changes pages 0 and 1 under the migration. */
	for (i = 0; i < 2; i++) {
		t[i].addr = buf + i * PAGE_SIZE;
		t[i].base = 1000 * (int)(i + 1);
		r_start(&t[i], f, r_store_pattern);
		r_join(&t[i]);
		assert_int_equal(t[i].ret, 0);
	}
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_PRESENT);

	migrate_vma_pages(&m.args);
	assert_false(m.src[0] & MIGRATE_PFN_MIGRATE);
	assert_false(m.src[1] & MIGRATE_PFN_MIGRATE);
	assert_true(m.src[2] & MIGRATE_PFN_MIGRATE);
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);

	/* Losers: CPU pages, untouched; their device pages freed. */
	for (i = 0; i < 2; i++) {
		unsigned long addr = buf + i * PAGE_SIZE;
		int got[T_INTS_PER_PAGE];
		unsigned long j, bad = 0;

		assert_int_equal(t_kind(f->mm, addr), T_PRESENT);
		assert_settled_anon(t_page(f->mm, addr), 1, true);
		assert_int_equal(devmig_load(addr, got, PAGE_SIZE), 0);
		for (j = 0; j < T_INTS_PER_PAGE; j++)
			bad += got[j] != 1000 * (int)(i + 1) + (int)j;
		assert_int_equal(bad, 0);
	}
	/* The winner: inserted into the hole. */
	assert_int_equal(t_kind(f->mm, buf + 2 * PAGE_SIZE), T_DEV_WRITE);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 1);
	assert_int_equal(t_dstats(f->dev[0]).cfree, 2);
}

static void r_load_word(struct r_task *t)
{
	unsigned long v = 0;

	t->ret = devmig_load(t->addr, &v, sizeof(v));
	t->value = v;
}

/*
 * A CPU touching a page under migration waits on its migration entry until
 * finalize, then completes against wherever the page went (here, device
 * memory, from which its access brings it back).
 */
static void test_cpu_waits_for_migration(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct t_mig m;
	struct r_task t = { 0 };
	unsigned long want = 0x1122334455667788UL;

	assert_int_equal(devmig_store(buf, &want, sizeof(want)), 0);
	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				     f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);

	t.addr = buf;
	r_start(&t, f, r_load_word);
	/* Asleep: the page is locked under a migration entry. */
	assert_true(t_wait_sleepers(page_folio(migrate_pfn_to_page(m.src[0])), 1));
	assert_false(r_done(&t));

	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);

	r_join(&t);
	assert_int_equal(t.ret, 0);
	assert_int_equal(t.value, want);
	/*
	 * At least one migrate_to_ram: more when the CPU retried while
	 * finalize still held the new page locked (the handler's trylock
	 * fails, it returns 0 and the access faults again).
	 */
	assert_true(t_dstats(f->dev[0]).migrate_to_ram >= 1);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram_sigbus, 0);
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
}

/*
 * A CPU asleep on a migration entry holds no reference to the folio, so the
 * unlock that ends the migration must end its wait, even if the page is
 * freed, reused and locked by its next owner before the CPU runs again.
 * Here the test itself is that next owner and keeps the page locked until
 * the CPU has finished its access.
 */
static void test_migration_waiter_outlives_folio(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct t_mig m;
	struct r_task t = { 0 };
	unsigned long want = 0x5a5a12345678a5a5UL;
	struct page *old, *held[64];
	struct folio *reused = NULL;
	int i, n;

	assert_int_equal(devmig_store(buf, &want, sizeof(want)), 0);
	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				     f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	old = migrate_pfn_to_page(m.src[0]);

	t.addr = buf;
	r_start(&t, f, r_load_word);
	assert_true(t_wait_sleepers(page_folio(old), 1));

	/* The migration ends; the source page goes back to the allocator. */
	lru_add_drain_all();
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(page_ref_count(old), 0);

	/* Allocate until the source page comes back, and lock it. */
	for (n = 0; n < (int)ARRAY_SIZE(held) && !reused; n++) {
		held[n] = alloc_page(GFP_HIGHUSER_MOVABLE);
		assert_non_null(held[n]);
		if (held[n] == old)
			reused = page_folio(held[n]);
	}
	assert_non_null(reused);
	folio_lock(reused);

	/* The CPU's wait ended with the migration: it does not wait on us. */
	assert_true(t_wait_flag(&t.done));
	assert_int_equal(model_folio_sleepers(reused), 0);
	folio_unlock(reused);
	r_join(&t);
	for (i = 0; i < n; i++)
		__free_page(held[i]);
	assert_int_equal(t.ret, 0);
	assert_int_equal(t.value, want);
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
}

/* Phases of test_stale_tlb: 1 the TLB is warm, 2 setup is done. */
static int r_phase;

static void r_warm_then_store(struct r_task *t)
{
	unsigned long v;

	/* Cache the translation in this task's TLB. */
	t->ret = devmig_load(t->addr, &v, sizeof(v));
	__atomic_store_n(&r_phase, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r_phase, __ATOMIC_ACQUIRE) != 2)
		host_sleep_ns(1000 * 1000);
	if (!t->ret)
		t->ret = devmig_store(t->addr, &t->value, sizeof(t->value));
}

/*
 * A CPU that cached the translation before setup must not write through it
 * afterwards: collect flushes the TLB, so the store faults and waits on the
 * migration entry, and lands on the page's new home.  A missing flush would
 * let it write the old page, and the write would be lost.
 */
static void test_stale_tlb(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct t_mig m;
	struct r_task t = { 0 };
	unsigned long old = 0x0101010101010101UL, got = 0;

	assert_int_equal(devmig_store(buf, &old, sizeof(old)), 0);
	__atomic_store_n(&r_phase, 0, __ATOMIC_RELEASE);
	t.addr = buf;
	t.value = 0x2222222222222222UL;
	r_start(&t, f, r_warm_then_store);
	while (__atomic_load_n(&r_phase, __ATOMIC_ACQUIRE) != 1)
		host_sleep_ns(1000 * 1000);

	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				     f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	__atomic_store_n(&r_phase, 2, __ATOMIC_RELEASE);
	/* The store faulted and sleeps on the migration entry. */
	assert_true(t_wait_sleepers(page_folio(migrate_pfn_to_page(m.src[0])), 1));
	assert_false(r_done(&t));

	/* The device copies what the page holds now. */
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);

	r_join(&t);
	assert_int_equal(t.ret, 0);
	assert_int_equal(devmig_load(buf, &got, sizeof(got)), 0);
	assert_int_equal(got, t.value);
}

static void r_migrate_rounds(struct r_task *t)
{
	struct hmm_dmirror_cmd cmd;
	int r, ret;

	for (r = 0; r < t->rounds; r++) {
		cmd = (struct hmm_dmirror_cmd){
			.addr = t->addr, .ptr = t->ptr, .npages = t->npages,
		};
		ret = dmirror_ioctl(t->mirror, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd);
		/* Losing pages to the other device makes the read-back fail. */
		if (ret && ret != -ENOENT)
			t->errors++;
		cmd = (struct hmm_dmirror_cmd){
			.addr = t->addr, .ptr = t->ptr, .npages = t->npages,
		};
		if (dmirror_ioctl(t->mirror, HMM_DMIRROR_MIGRATE_TO_SYS, &cmd))
			t->errors++;
	}
}

/* Two devices migrate the same range back and forth at the same time. */
static void test_concurrent_migrations(void **state)
{
	struct fx *f = *state;
	unsigned long npages = 128;
	unsigned long buf = t_map(f, npages, T_RW);
	struct r_task t[2] = { 0 };
	unsigned long on_dev;
	int i;

	t_fill(buf, npages, 77);
	for (i = 0; i < 2; i++) {
		t[i].addr = buf;
		t[i].npages = npages;
		t[i].ptr = t_map(f, npages, T_RW);
		t[i].mirror = f->mirror[i];
		t[i].rounds = 20;
		r_start(&t[i], f, r_migrate_rounds);
	}
	for (i = 0; i < 2; i++) {
		r_join(&t[i]);
		assert_int_equal(t[i].ret, 0);
		assert_int_equal(t[i].errors, 0);
	}
	assert_invariants();
	/* Each page is exactly one place; whatever is left is still ours. */
	on_dev = t_dstats(f->dev[0]).in_use + t_dstats(f->dev[1]).in_use;
	assert_int_equal(on_dev + t_count_kind(f->mm, buf, npages, T_PRESENT),
			 npages);
	assert_int_equal(t_mismatches(buf, npages, 77), 0);
}

/*
 * The device writes and reads back its own pages while another CPU moves
 * them to that same device and back.  Its page table must never keep (or
 * regain) an entry for a page the migration is replacing: a WRITE through
 * the old page after the copy is lost, and a fault that read the range
 * before the migration must not store what it found after it.
 */
/* The migrator r_device_write_rounds() keeps writing under. */
static struct r_task *r_migrator;

static void r_device_write_rounds(struct r_task *t)
{
	int buf[T_INTS_PER_PAGE];
	unsigned long rd = t->ptr + (t->npages << PAGE_SHIFT);
	unsigned long p, i;
	int r;

	/* At least t->rounds, and on until the migrations are over. */
	for (r = 0; r < t->rounds || !r_done(r_migrator); r++) {
		int base = t->base + r * 1000;

		for (p = 0; p < t->npages; p++) {
			for (i = 0; i < T_INTS_PER_PAGE; i++)
				buf[i] = base + (int)(p * T_INTS_PER_PAGE + i);
			if (devmig_store(t->ptr + (p << PAGE_SHIFT), buf,
					 PAGE_SIZE))
				t->errors++;
		}
		if (t_cmd(t->mirror, HMM_DMIRROR_WRITE, t->addr, t->ptr,
			  t->npages, NULL) ||
		    t_cmd(t->mirror, HMM_DMIRROR_READ, t->addr, rd, t->npages,
			  NULL)) {
			t->errors++;
			continue;
		}
		for (p = 0; p < t->npages; p++) {
			if (devmig_load(rd + (p << PAGE_SHIFT), buf, PAGE_SIZE)) {
				t->errors++;
				continue;
			}
			for (i = 0; i < T_INTS_PER_PAGE; i++)
				t->value += buf[i] !=
					    base + (int)(p * T_INTS_PER_PAGE + i);
		}
	}
	/* What the main thread will find there. */
	t->base += (r - 1) * 1000;
}

static void r_migrate_back_and_forth(struct r_task *t)
{
	int r, ret;

	for (r = 0; r < t->rounds; r++) {
		ret = t_cmd(t->mirror, HMM_DMIRROR_MIGRATE_TO_DEV, t->addr,
			    t->ptr, t->npages, NULL);
		if (ret && ret != -ENOENT)
			t->errors++;
		if (t_cmd(t->mirror, HMM_DMIRROR_MIGRATE_TO_SYS, t->addr,
			  t->ptr, t->npages, NULL))
			t->errors++;
	}
}

static void test_device_write_races_own_migration(void **state)
{
	struct fx *f = *state;
	unsigned long npages = 4;
	unsigned long buf = t_map(f, npages, T_RW);
	struct r_task w = { 0 }, m = { 0 };

	w.addr = buf;
	w.npages = npages;
	w.ptr = t_map(f, 2 * npages, T_RW);
	w.mirror = f->mirror[0];
	w.rounds = 20;
	w.base = 5;
	m.addr = buf;
	m.npages = npages;
	m.ptr = t_scratch(f->proc, npages);
	m.mirror = f->mirror[0];
	m.rounds = 2000;
	r_migrator = &m;
	r_start(&m, f, r_migrate_back_and_forth);
	r_start(&w, f, r_device_write_rounds);
	r_join(&w);
	r_join(&m);
	assert_int_equal(w.ret, 0);
	assert_int_equal(m.ret, 0);
	assert_int_equal(w.errors, 0);
	assert_int_equal(m.errors, 0);
	assert_int_equal(w.value, 0);	/* ints read back wrong */
	assert_int_equal(t_mismatches(buf, npages, w.base), 0);
}

static void r_unmap_later(struct r_task *t)
{
	host_sleep_ns(t->delay_ns);
	t->ret = devmig_munmap(t->proc, t->addr, t->npages << PAGE_SHIFT);
}

/*
 * hmm.anon_teardown: a thread unmaps the second half of the buffer while
 * the device reads all of it.  Any error is acceptable; success must come
 * with complete, correct data.
 */
static void test_anon_teardown(void **state)
{
	struct fx *f = *state;
	unsigned long seed = 12345;
	int c;

	for (c = 0; c < 10; c++) {
		unsigned long buf = t_map(f, T_NPAGES, T_RW);
		unsigned long view = t_map(f, T_NPAGES, T_RW);
		struct hmm_dmirror_cmd cmd;
		struct r_task t = { 0 };
		int ret;

		t_fill(buf, T_NPAGES, c);
		t.addr = buf + (T_NPAGES / 2) * PAGE_SIZE;
		t.npages = T_NPAGES / 2;
		t.delay_ns = r_rand(&seed) % 32000;
		r_start(&t, f, r_unmap_later);
		ret = t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view,
			    T_NPAGES, &cmd);
		r_join(&t);
		assert_int_equal(t.ret, 0);
		if (!ret) {
			assert_int_equal(cmd.cpages, T_NPAGES);
			assert_int_equal(cmd.faults, 1);
			assert_int_equal(t_mismatches(view, T_NPAGES, c), 0);
		}
		assert_int_equal(t_count_kind(f->mm, t.addr, t.npages, T_NONE),
				 t.npages);
		assert_int_equal(t_mismatches(buf, T_NPAGES / 2, c), 0);
		assert_invariants();
	}
}

static void r_fault_all(struct r_task *t)
{
	int buf[T_INTS_PER_PAGE];
	unsigned long p, i;

	for (p = 0; p < t->npages; p++) {
		if (devmig_load(t->addr + (p << PAGE_SHIFT), buf, PAGE_SIZE)) {
			t->errors++;
			continue;
		}
		for (i = 0; i < T_INTS_PER_PAGE; i++)
			t->value += buf[i] != t->base +
					(int)(p * T_INTS_PER_PAGE + i);
	}
}

/* CPU faults and device release pull the same pages back at once. */
static void test_faults_race_release(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	struct r_task t = { 0 };

	t_fill(buf, T_NPAGES, 9);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_map(f, T_NPAGES, T_RW), T_NPAGES, NULL), 0);
	t.addr = buf;
	t.npages = T_NPAGES;
	t.base = 9;
	r_start(&t, f, r_fault_all);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_RELEASE, buf, buf, 1,
			       NULL), 0);
	r_join(&t);
	assert_int_equal(t.ret, 0);
	assert_int_equal(t.errors, 0);
	assert_int_equal(t.value, 0);	/* mismatching ints seen */
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_PRESENT),
			 T_NPAGES);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 9), 0);
}

static void r_fault_then_wait(struct r_task *t)
{
	unsigned long i;
	int v = t->base;

	/* The new pages go into this CPU's LRU-add batch. */
	for (i = 0; i < t->npages && !t->ret; i++)
		t->ret = devmig_store(t->addr + (i << PAGE_SHIFT), &v,
				      sizeof(v));
	__atomic_store_n(&r_phase, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r_phase, __ATOMIC_ACQUIRE) != 2)
		host_sleep_ns(1000 * 1000);
}

/*
 * Pages another CPU just faulted in sit in that CPU's LRU-add batch, not
 * on the LRU: collect drains every CPU's batches (once for all of them)
 * before isolating, or the pages would silently stay behind.
 */
static void test_collect_drains_other_cpus(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 3, T_RW);
	unsigned long isolated = buf + 2 * PAGE_SIZE;
	struct t_mig m;
	unsigned long i;
	struct r_task t = { 0 };
	struct folio *ifolio;
	int got = 0;

	__atomic_store_n(&r_phase, 0, __ATOMIC_RELEASE);
	t.addr = buf;
	t.npages = 2;
	t.base = 0x5a5a;
	r_start(&t, f, r_fault_then_wait);
	while (__atomic_load_n(&r_phase, __ATOMIC_ACQUIRE) != 1)
		host_sleep_ns(1000 * 1000);
	assert_int_equal(t.ret, 0);
	for (i = 0; i < 2; i++)
		assert_false(folio_test_lru(page_folio(t_page(f->mm,
						buf + (i << PAGE_SHIFT)))));
	/*
	 * Page 2, faulted here and isolated by someone else: off the LRU
	 * even after the drain page 0 causes; it is refused without a
	 * second drain.
	 */
	t_fill(isolated, 1, 0x77);
	ifolio = page_folio(t_page(f->mm, isolated));
	lru_add_drain();
	assert_true(folio_isolate_lru(ifolio));

	assert_int_equal(t_mig_setup(f, &m, buf, 3, MIGRATE_VMA_SELECT_SYSTEM,
				     f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	assert_int_equal(m.src[2], 0);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	__atomic_store_n(&r_phase, 2, __ATOMIC_RELEASE);
	r_join(&t);

	for (i = 0; i < 2; i++) {
		unsigned long addr = buf + (i << PAGE_SHIFT);

		assert_int_equal(t_kind(f->mm, addr), T_DEV_WRITE);
		assert_int_equal(devmig_load(addr, &got, sizeof(got)), 0);
		assert_int_equal(got, 0x5a5a);
	}
	assert_ptr_equal(page_folio(t_page(f->mm, isolated)), ifolio);
	assert_false(folio_test_lru(ifolio));
	folio_putback_lru(ifolio);
	assert_settled_anon(&ifolio->page, 1, true);
	assert_int_equal(t_mismatches(isolated, 1, 0x77), 0);
}

/* A 2 MiB-aligned THP, filled with t_fill()'s pattern from @base. */
static unsigned long r_map_thp(struct fx *f, int base)
{
	unsigned long buf = t_map(f, HPAGE_PMD_NR, T_RW);
	pmd_t pmd;

	assert_int_equal(buf & ~HPAGE_PMD_MASK, 0);
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_HUGEPAGE), 0);
	t_fill(buf, HPAGE_PMD_NR, base);
	pmd = t_pmd(f->mm, buf);
	assert_true(pmd_trans_huge(pmd));
	assert_false(is_huge_zero_pmd(pmd));
	return buf;
}

/* The CPU r_zap_action() runs: MADV_DONTNEED of [addr, +npages). */
static struct r_task r_zapper;

static void r_madvise_dontneed(struct r_task *t)
{
	t->ret = devmig_madvise(t->proc, t->addr, t->npages << PAGE_SHIFT,
				DEVMIG_MADV_DONTNEED);
}

/*
 * A race action (model/race.h): another CPU zaps r_zapper's range now,
 * under mmap_lock for read as the walker holds it, and is done before the
 * walker goes on.
 */
static bool r_zap_action(void *arg)
{
	r_start(&r_zapper, arg, r_madvise_dontneed);
	r_join(&r_zapper);
	return false;
}

/*
 * Collect meets a THP that another CPU zaps whole (MADV_DONTNEED) at the
 * race point @point, after the walk found its PMD present: collect must
 * see the empty PMD and offer the 2 MiB as holes to fill, without
 * touching the folio that went.
 */
static void r_collect_thp_zapped_at(struct fx *f, const char *point)
{
	unsigned long buf = r_map_thp(f, 0x31);
	struct folio *thp = pmd_folio(t_pmd(f->mm, buf));
	unsigned long i, bad = 0;
	struct t_mig m;

	r_zapper = (struct r_task){ .addr = buf, .npages = HPAGE_PMD_NR };
	folio_get(thp);		/* to look at it after the zap */
	assert_int_equal(model_race_arm(point, 1, r_zap_action, f), 0);
	assert_int_equal(t_mig_setup(f, &m, buf, HPAGE_PMD_NR,
				     MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]), 0);
	assert_true(model_race_fired());
	assert_int_equal(r_zapper.ret, 0);
	assert_true(pmd_none(t_pmd(f->mm, buf)));

	/* Every slot a hole of an anonymous VMA: MIGRATE, no page. */
	assert_int_equal(m.args.npages, HPAGE_PMD_NR);
	assert_int_equal(m.args.cpages, HPAGE_PMD_NR);
	for (i = 0; i < HPAGE_PMD_NR; i++)
		bad += m.src[i] != MIGRATE_PFN_MIGRATE;
	assert_int_equal(bad, 0);
	/* Collect took nothing of the THP: only our reference is left. */
	assert_int_equal(folio_ref_count(thp), 1);
	assert_false(folio_mapped(thp));
	assert_false(folio_test_locked(thp));
	folio_put(thp);

	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_count_kind(f->mm, buf, HPAGE_PMD_NR, T_DEV_WRITE),
			 HPAGE_PMD_NR);
	assert_int_equal(t_dstats(f->dev[0]).in_use, HPAGE_PMD_NR);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), HPAGE_PMD_NR);
	/* The zap's zeroes come back from the device, not the THP's bytes. */
	assert_int_equal(t_nonzero(buf, HPAGE_PMD_NR), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
}

/* Zapped between the walk's pmd_none() check and ->pmd_entry. */
static void test_collect_thp_zapped_before_pmd_entry(void **state)
{
	r_collect_thp_zapped_at(*state, "visit_pmd:pmd_entry");
}

/*
 * Zapped between collect's unlocked look at the huge PMD and its locked
 * one: it looks again and finds the PMD empty.
 */
static void test_collect_thp_zapped_before_pmd_lock(void **state)
{
	r_collect_thp_zapped_at(*state, "migrate_vma_prepare_pmd:pmd_lock");
}

/*
 * Another CPU zaps one page of the THP (MADV_DONTNEED), which splits its
 * PMD, between collect's unlocked look at the huge PMD and its locked one.
 * Collect looks again and walks the PTEs: the zapped page is a hole to
 * fill; the other 511 are pages of a large folio, which stay (as in 6.12,
 * only the THP collect splits itself is migrated page by page).
 */
static void test_collect_thp_split_before_pmd_lock(void **state)
{
	struct fx *f = *state;
	unsigned long buf = r_map_thp(f, 0x57), hole = buf + 3 * PAGE_SIZE;
	unsigned long i, bad = 0;
	struct t_mig m;

	r_zapper = (struct r_task){ .addr = hole, .npages = 1 };
	assert_int_equal(model_race_arm("migrate_vma_prepare_pmd:pmd_lock", 1,
					r_zap_action, f), 0);
	assert_int_equal(t_mig_setup(f, &m, buf, HPAGE_PMD_NR,
				     MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]), 0);
	assert_true(model_race_fired());
	assert_int_equal(r_zapper.ret, 0);

	assert_int_equal(m.args.npages, HPAGE_PMD_NR);
	assert_int_equal(m.args.cpages, 1);
	for (i = 0; i < HPAGE_PMD_NR; i++)
		bad += m.src[i] != (i == 3 ? MIGRATE_PFN_MIGRATE : 0);
	assert_int_equal(bad, 0);

	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_kind(f->mm, hole), T_DEV_WRITE);
	assert_int_equal(t_count_kind(f->mm, buf, HPAGE_PMD_NR, T_PRESENT),
			 HPAGE_PMD_NR - 1);
	assert_true(folio_test_large(page_folio(t_page(f->mm, buf))));
	assert_int_equal(t_dstats(f->dev[0]).in_use, 1);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), HPAGE_PMD_NR);
	/* The pages kept their bytes; the hole reads back as zeroes. */
	assert_int_equal(t_mismatches(buf, 3, 0x57), 0);
	assert_int_equal(t_mismatches(hole + PAGE_SIZE, HPAGE_PMD_NR - 4,
				      0x57 + 4 * (int)T_INTS_PER_PAGE), 0);
	assert_int_equal(t_nonzero(hole, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_pages_loses_race),
		FX_TEST(test_migration_waiter_outlives_folio),
		FX_TEST(test_cpu_waits_for_migration),
		FX_TEST(test_stale_tlb),
		FX_TEST(test_concurrent_migrations),
		FX_TEST(test_device_write_races_own_migration),
		FX_TEST(test_anon_teardown),
		FX_TEST(test_faults_race_release),
		FX_TEST(test_collect_drains_other_cpus),
		FX_TEST(test_collect_thp_zapped_before_pmd_entry),
		FX_TEST(test_collect_thp_zapped_before_pmd_lock),
		FX_TEST(test_collect_thp_split_before_pmd_lock),
	};

	return T_RUN(tests);
}
