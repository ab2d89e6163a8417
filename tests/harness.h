/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - what every test suite of tests/ shares: a fixture with a model
 * process and two mirror devices, helpers that read the CPU page table the
 * way the kernel would, data patterns checked through the software CPU, and
 * the invariant check that ends every test.
 *
 * Each .c file under tests/ is its own cmocka binary; this header is
 * included by each (it is not a test suite itself, so it is not a .c file).
 */
#ifndef _DEVMIG_TEST_HARNESS_H
#define _DEVMIG_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/*
 * glibc's <setjmp.h> (needed by cmocka) defines __always_inline its own
 * way; the shadow kernel headers define the kernel's.
 */
#undef __always_inline

#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/hmm.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mm_inline.h>
#include <linux/mmu_notifier.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <asm/tlbflush.h>
#include "internal.h"

#include <host/host.h>

#include "devmig.h"
#include "hmm_dmirror.h"
#include "wait_for.h"
#include "warn.h"

#define T_NPAGES	1024UL		/* hmm-tests' default buffer: 4 MiB */
#define T_INTS_PER_PAGE	(PAGE_SIZE / sizeof(int))
#define T_RW		(DEVMIG_PROT_READ | DEVMIG_PROT_WRITE)

/* Small chunks keep chunk creation and eviction visible in tests. */
#define T_CHUNK_BYTES	(4UL << 20)

struct fx {
	struct devmig_proc *proc;
	struct mm_struct *mm;
	struct dmirror_device *dev[2];
	struct dmirror *mirror[2];
	int type;
	bool count_pages;	/* teardown: no page leaked since setup */
	unsigned long free0;	/* free pages at setup */
};

/* ------------------------------------------------------------------------
 * Invariants: checked after every test, any violation fails it.
 */

static inline void fx_report_violation(const char *msg, void *arg)
{
	(void)arg;
	print_error("invariant violated: %s\n", msg);
}

static inline void assert_invariants(void)
{
	unsigned long bad = devmig_check_invariants(fx_report_violation, NULL);

	assert_int_equal(bad, 0);
}

/* The last violation the checker reported to t_record_violation(). */
static char t_last_violation[256];

static inline void t_record_violation(const char *msg, void *arg)
{
	(void)arg;
	host_snprintf(t_last_violation, sizeof(t_last_violation), "%s", msg);
}

/*
 * A test that planted a bug: the checker finds @n violations (at least
 * one when @n is 0), the last one's description containing @needle; a
 * stale message from an earlier check cannot satisfy it.
 */
static inline void t_expect_violations(unsigned long n, const char *needle)
{
	unsigned long got;

	t_last_violation[0] = 0;
	got = devmig_check_invariants(t_record_violation, NULL);
	if (n)
		assert_int_equal(got, n);
	else
		assert_true(got >= 1);
	assert_non_null(strstr(t_last_violation, needle));
}

/* ------------------------------------------------------------------------
 * Fixture.
 */

/*
 * A watchdog: a migration bug can make a CPU access refault forever (a
 * migrate_to_ram that never migrates), which would hang the whole suite.
 * Each test gets DEVMIG_TEST_TIMEOUT seconds (default 600, sanitizers
 * included); past that the binary aborts, naming the cause.
 */
static unsigned long long t_wd_started;	/* ns; 0: no test running */
static int t_wd_stop;
static struct host_thread t_wd_thread;

static inline void *t_watchdog(void *arg)
{
	const char *env = host_getenv("DEVMIG_TEST_TIMEOUT");
	unsigned long long limit = 600;

	(void)arg;
	if (env && *env >= '0' && *env <= '9') {
		limit = 0;
		while (*env >= '0' && *env <= '9')
			limit = limit * 10 + (unsigned long long)(*env++ - '0');
	}
	limit *= 1000000000ULL;
	while (!__atomic_load_n(&t_wd_stop, __ATOMIC_ACQUIRE)) {
		unsigned long long t0 = __atomic_load_n(&t_wd_started,
							__ATOMIC_ACQUIRE);

		if (t0 && host_clock_ns() - t0 > limit)
			host_abort(__FILE__, __LINE__,
				   "test timed out (DEVMIG_TEST_TIMEOUT): "
				   "a livelock or a deadlock");
		host_sleep_ns(50 * 1000 * 1000);
	}
	return NULL;
}

/* The machine a suite boots (NULL: the defaults); set before T_RUN(). */
static const struct devmig_config *t_boot_config;

static inline int fx_group_setup(void **state)
{
	(void)state;
	__atomic_store_n(&t_wd_stop, 0, __ATOMIC_RELEASE);
	if (host_thread_create(&t_wd_thread, t_watchdog, NULL))
		return -1;
	return devmig_boot(t_boot_config);
}

static inline int fx_group_teardown(void **state)
{
	(void)state;
	devmig_shutdown();
	__atomic_store_n(&t_wd_stop, 1, __ATOMIC_RELEASE);
	host_thread_join(&t_wd_thread, NULL);
	return 0;
}

static inline void fx_open_devices(struct fx *f, int type)
{
	struct dmirror_device_config cfg = {
		.type = type,
		.chunk_bytes = T_CHUNK_BYTES,
	};
	int i;

	f->type = type;
	for (i = 0; i < 2; i++) {
		assert_int_equal(dmirror_device_create(&cfg, &f->dev[i]), 0);
		assert_int_equal(dmirror_open(f->dev[i], &f->mirror[i]), 0);
	}
}

/*
 * What every fixture starts with: the watchdog armed for this test, and a
 * process.  With @count_pages, the free pages are counted first, for
 * teardown to find them all free again.
 */
static inline struct fx *fx_new(bool count_pages)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	__atomic_store_n(&t_wd_started, host_clock_ns(), __ATOMIC_RELEASE);
	model_warn_take(NULL, 0);	/* a failed test's are reported */
	model_race_disarm();		/* a failed test's may not have run */
	if (count_pages) {
		lru_add_drain_all();
		f->count_pages = true;
		f->free0 = model_nr_free_pages();
	}
	f->proc = devmig_proc_create();
	assert_non_null(f->proc);
	f->mm = devmig_proc_mm(f->proc);
	return f;
}

static inline int fx_setup_type(void **state, int type)
{
	struct fx *f = fx_new(false);

	fx_open_devices(f, type);
	*state = f;
	return 0;
}

static inline int fx_setup_private(void **state)
{
	return fx_setup_type(state, HMM_DMIRROR_MEMORY_DEVICE_PRIVATE);
}

static inline int fx_setup_coherent(void **state)
{
	return fx_setup_type(state, HMM_DMIRROR_MEMORY_DEVICE_COHERENT);
}

/*
 * The model's own suites: a process and no device, and a teardown that
 * also finds every page the test allocated free again once it has exited.
 */
static inline int fx_setup_proc(void **state)
{
	*state = fx_new(true);
	return 0;
}

/*
 * Teardown checks that no WARN fired and nothing leaked: the model's invariants hold with the
 * process still alive, closing the mirrors (which evicts device memory)
 * leaves no device page in use, and the invariants hold again at the end.
 */
static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	struct dmirror_device_stats st;
	int i;

	assert_no_warn();
	assert_invariants();
	for (i = 0; i < 2; i++) {
		if (f->mirror[i])
			dmirror_close(f->mirror[i]);
		f->mirror[i] = NULL;
	}
	for (i = 0; i < 2; i++) {
		if (!f->dev[i])
			continue;
		dmirror_device_stats(f->dev[i], &st);
		assert_int_equal(st.in_use, 0);
	}
	assert_invariants();
	for (i = 0; i < 2; i++) {
		if (f->dev[i])
			dmirror_device_destroy(f->dev[i]);
		f->dev[i] = NULL;
	}
	devmig_proc_exit(f->proc);
	assert_invariants();
	assert_no_warn();
	if (f->count_pages) {
		lru_add_drain_all();
		assert_int_equal(model_nr_free_pages(), f->free0);
	}
	test_free(f);
	__atomic_store_n(&t_wd_started, 0, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Run only the tests whose names match DEVMIG_TEST_FILTER (a cmocka
 * pattern, * and ? wildcards), when it is set: handy when one test fails.
 * The group is named after the suite's file ("roundtrip" for
 * tests/roundtrip.c), which names it in TAP and JUnit output.
 */
static inline int t_run(const char *file, const struct CMUnitTest *tests,
			size_t n)
{
	const char *filter = host_getenv("DEVMIG_TEST_FILTER");
	char name[64];
	size_t len = strlen(file);

	if (len > 2 && !strcmp(file + len - 2, ".c"))
		len -= 2;
	host_snprintf(name, sizeof(name), "%.*s", (int)len, file);
	if (filter && *filter)
		cmocka_set_test_filter(filter);
	return _cmocka_run_group_tests(name, tests, n, fx_group_setup,
				       fx_group_teardown);
}

#define T_RUN(tests)	\
	t_run(__FILE_NAME__, tests, sizeof(tests) / sizeof((tests)[0]))

#define FX_TEST(fn)	cmocka_unit_test_setup_teardown(fn, fx_setup_private, \
							fx_teardown)
#define FX_TEST_PROC(fn)	cmocka_unit_test_setup_teardown(fn, fx_setup_proc, \
							fx_teardown)
/* The same test on coherent memory, under a name of its own. */
#define FX_TEST_COHERENT(fn)						\
	{ .name = #fn "_coherent", .test_func = fn,			\
	  .setup_func = fx_setup_coherent, .teardown_func = fx_teardown }

/* ------------------------------------------------------------------------
 * Memory and data.
 */

static inline unsigned long t_map(struct fx *f, unsigned long npages,
				  int prot)
{
	long addr = devmig_mmap(f->proc, npages << PAGE_SHIFT, prot,
				DEVMIG_MAP_PRIVATE);

	assert_true(addr > 0);
	return addr;
}

/*
 * A fresh buffer for a command's @ptr.  MIGRATE_TO_DEV writes the device's
 * view of the range there, so it must never be the migrated range itself
 * (the write would fault the pages straight back).
 */
static inline unsigned long t_scratch(struct devmig_proc *proc,
				      unsigned long npages)
{
	long addr = devmig_mmap(proc, npages << PAGE_SHIFT, T_RW,
				DEVMIG_MAP_PRIVATE);

	assert_true(addr > 0);
	return addr;
}

/* "init i": int value base + i at index i, as hmm-tests writes buffers. */
static inline void t_fill(unsigned long addr, unsigned long npages, int base)
{
	int buf[T_INTS_PER_PAGE];
	unsigned long p, i;

	for (p = 0; p < npages; p++) {
		for (i = 0; i < T_INTS_PER_PAGE; i++)
			buf[i] = base + (int)(p * T_INTS_PER_PAGE + i);
		assert_int_equal(devmig_store(addr + (p << PAGE_SHIFT), buf,
					      PAGE_SIZE), 0);
	}
}

/* One value stored or loaded through the software CPU. */
static inline void t_store_byte(unsigned long addr, unsigned char v)
{
	assert_int_equal(devmig_store(addr, &v, 1), 0);
}

static inline unsigned char t_load_byte(unsigned long addr)
{
	unsigned char v = 0xee;

	assert_int_equal(devmig_load(addr, &v, 1), 0);
	return v;
}

static inline void t_store_long(unsigned long addr, unsigned long v)
{
	assert_int_equal(devmig_store(addr, &v, sizeof(v)), 0);
}

static inline unsigned long t_load_long(unsigned long addr)
{
	unsigned long v = 0;

	assert_int_equal(devmig_load(addr, &v, sizeof(v)), 0);
	return v;
}

/* Number of ints in [addr, +npages) that differ from "init base + i". */
static inline unsigned long t_mismatches(unsigned long addr,
					 unsigned long npages, int base)
{
	int buf[T_INTS_PER_PAGE];
	unsigned long p, i, bad = 0;

	for (p = 0; p < npages; p++) {
		assert_int_equal(devmig_load(addr + (p << PAGE_SHIFT), buf,
					     PAGE_SIZE), 0);
		for (i = 0; i < T_INTS_PER_PAGE; i++)
			bad += buf[i] != base + (int)(p * T_INTS_PER_PAGE + i);
	}
	return bad;
}

/* Number of non-zero bytes in [addr, +npages), read through the CPU. */
static inline unsigned long t_nonzero(unsigned long addr, unsigned long npages)
{
	unsigned char buf[PAGE_SIZE];
	unsigned long p, i, bad = 0;

	for (p = 0; p < npages; p++) {
		assert_int_equal(devmig_load(addr + (p << PAGE_SHIFT), buf,
					     PAGE_SIZE), 0);
		for (i = 0; i < PAGE_SIZE; i++)
			bad += buf[i] != 0;
	}
	return bad;
}

/* The same check on a page's bytes, without going through any mapping. */
static inline unsigned long t_page_mismatches(struct page *page,
					      unsigned long index, int base)
{
	int buf[T_INTS_PER_PAGE];
	unsigned long i, bad = 0;

	memcpy_from_page((char *)buf, page, 0, PAGE_SIZE);
	for (i = 0; i < T_INTS_PER_PAGE; i++)
		bad += buf[i] != base + (int)(index * T_INTS_PER_PAGE + i);
	return bad;
}

static inline unsigned long t_faults(void)
{
	struct devmig_task_stats st;

	devmig_task_stats(&st);
	return st.faults;
}

static inline struct dmirror_device_stats t_dstats(struct dmirror_device *d)
{
	struct dmirror_device_stats st;

	dmirror_device_stats(d, &st);
	return st;
}

static inline int t_cmd(struct dmirror *m, unsigned int command,
			unsigned long addr, unsigned long ptr,
			unsigned long npages, struct hmm_dmirror_cmd *out)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = addr, .ptr = ptr, .npages = npages,
	};
	int ret = dmirror_ioctl(m, command, &cmd);

	if (out)
		*out = cmd;
	return ret;
}

/* ------------------------------------------------------------------------
 * The CPU page table as the kernel sees it.
 */

enum t_kind {
	T_NONE,			/* no page table or pte_none */
	T_PRESENT,		/* present, not the zero page */
	T_ZERO,			/* present, the shared zero page */
	T_MIG_READ,
	T_MIG_READ_EXCL,
	T_MIG_WRITE,
	T_DEV_READ,		/* device-private entries */
	T_DEV_WRITE,
	T_DEV_EXCL,		/* device-exclusive entries, either kind */
	T_OTHER,
};

/* The PTE mapping @addr, read under its lock; 0 when no table exists. */
static inline pte_t t_pte(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = __pte(0);
	spinlock_t *ptl;
	pmd_t *pmd;
	pte_t *ptep;

	mmap_read_lock(mm);
	pmd = mm_find_pmd(mm, addr);
	if (!pmd || pmd_none(pmdp_get(pmd)))
		goto out;
	ptep = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!ptep)
		goto out;
	pte = ptep_get(ptep);
	pte_unmap_unlock(ptep, ptl);
out:
	mmap_read_unlock(mm);
	return pte;
}

/* The PMD entry covering @addr, read under mmap_lock; 0 when none. */
static inline pmd_t t_pmd(struct mm_struct *mm, unsigned long addr)
{
	pmd_t pmd = __pmd(0);
	pmd_t *pmdp;

	mmap_read_lock(mm);
	pmdp = mm_find_pmd(mm, addr);
	if (pmdp)
		pmd = pmdp_get(pmdp);
	mmap_read_unlock(mm);
	return pmd;
}

static inline enum t_kind t_kind_of(pte_t pte)
{
	swp_entry_t e;

	if (pte_none(pte))
		return T_NONE;
	if (pte_present(pte))
		return is_zero_pfn(pte_pfn(pte)) ? T_ZERO : T_PRESENT;
	e = pte_to_swp_entry(pte);
	if (is_writable_migration_entry(e))
		return T_MIG_WRITE;
	if (is_readable_exclusive_migration_entry(e))
		return T_MIG_READ_EXCL;
	if (is_readable_migration_entry(e))
		return T_MIG_READ;
	if (is_writable_device_private_entry(e))
		return T_DEV_WRITE;
	if (is_device_private_entry(e))
		return T_DEV_READ;
	if (is_device_exclusive_entry(e))
		return T_DEV_EXCL;
	return T_OTHER;
}

static inline enum t_kind t_kind(struct mm_struct *mm, unsigned long addr)
{
	return t_kind_of(t_pte(mm, addr));
}

/* The page a present PTE or a pfn swap entry names; NULL otherwise. */
static inline struct page *t_page_of(pte_t pte)
{
	swp_entry_t e;

	if (pte_none(pte))
		return NULL;
	if (pte_present(pte))
		return pfn_to_page(pte_pfn(pte));
	e = pte_to_swp_entry(pte);
	if (is_migration_entry(e) || is_device_private_entry(e) ||
	    is_device_exclusive_entry(e))
		return pfn_to_page(swp_offset_pfn(e));
	return NULL;
}

static inline struct page *t_page(struct mm_struct *mm, unsigned long addr)
{
	return t_page_of(t_pte(mm, addr));
}

/*
 * The state of a page after everything settled: per-CPU LRU batches are
 * drained first so LRU membership and references are exact.
 */
struct t_pstate {
	int ref;
	int map;
	bool locked;
	bool lru;
	bool anon_excl;
};

static inline struct t_pstate t_state(struct page *page)
{
	struct folio *folio = page_folio(page);
	struct t_pstate s;

	lru_add_drain_all();
	s.ref = folio_ref_count(folio);
	s.map = folio_mapcount(folio);
	s.locked = folio_test_locked(folio);
	s.lru = folio_test_lru(folio);
	s.anon_excl = PageAnon(page) && PageAnonExclusive(page);
	return s;
}

/* A mapped, settled order-0 anon page: what every test expects at the end. */
static inline void assert_settled_anon(struct page *page, int mappings,
				       bool on_lru)
{
	struct t_pstate s = t_state(page);

	assert_int_equal(s.ref, mappings);
	assert_int_equal(s.map, mappings);
	assert_false(s.locked);
	assert_int_equal(s.lru, on_lru);
}

/*
 * Replace the PTE mapping @addr with @pte under its lock and flush it, as a
 * half-done migration, aging or writeback would leave it; returns the PTE
 * it replaced.  The page table must exist.
 */
static inline pte_t t_set_pte(struct fx *f, unsigned long addr, pte_t pte)
{
	spinlock_t *ptl;
	pte_t *ptep, old;

	mmap_read_lock(f->mm);
	ptep = pte_offset_map_lock(f->mm, mm_find_pmd(f->mm, addr), addr, &ptl);
	assert_non_null(ptep);
	old = ptep_get(ptep);
	set_pte_at(f->mm, addr, ptep, pte);
	flush_tlb_page(vma_lookup(f->mm, addr), addr);
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);
	return old;
}

/* A settled order-0 anon page mapped @mapcount times, on the LRU. */
static inline void assert_anon_page(struct page *page, int mapcount,
				    bool exclusive)
{
	assert_true(PageAnon(page));
	assert_settled_anon(page, mapcount, true);
	assert_int_equal(PageAnonExclusive(page), exclusive);
}

/* Every page of [addr, +npages) is a @kind entry; returns how many are. */
static inline unsigned long t_count_kind(struct mm_struct *mm,
					 unsigned long addr,
					 unsigned long npages,
					 enum t_kind kind)
{
	unsigned long i, n = 0;

	for (i = 0; i < npages; i++)
		n += t_kind(mm, addr + (i << PAGE_SHIFT)) == kind;
	return n;
}

/*
 * Map @folio (order 0, fresh) at @addr of @mm the way an anonymous write
 * fault would, by hand, for tests of the pieces underneath (rmap, TLB, page
 * walk).  The caller holds mmap_lock; returns the PTE with its lock held.
 */
static inline pte_t *map_by_hand(struct mm_struct *mm, unsigned long addr,
				 struct folio *folio, spinlock_t **ptlp)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = p4d_alloc(mm, pgd, addr);
	pud_t *pud = pud_alloc(mm, p4d, addr);
	pmd_t *pmd = pmd_alloc(mm, pud, addr);
	pte_t *pte;
	pte_t entry;

	assert_non_null(vma);
	assert_non_null(pmd);
	assert_int_equal(pte_alloc(mm, pmd), 0);
	assert_int_equal(anon_vma_prepare(vma), 0);
	assert_int_equal(mem_cgroup_charge(folio, mm, GFP_KERNEL), 0);
	__folio_mark_uptodate(folio);
	pte = pte_offset_map_lock(mm, pmd, addr, ptlp);
	assert_non_null(pte);
	assert_true(pte_none(ptep_get(pte)));
	entry = pte_mkwrite(pte_mkdirty(mk_pte(&folio->page, vma->vm_page_prot)), vma);
	inc_mm_counter(mm, MM_ANONPAGES);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	set_pte_at(mm, addr, pte, entry);
	return pte;
}

/*
 * Drive one migrate_vma_setup() on [start, end) of @mm as a test driver
 * would: the VMA is looked up and mmap_lock held by the caller.
 */
static inline struct vm_area_struct *t_vma(struct mm_struct *mm,
					   unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	assert_non_null(vma);
	return vma;
}

/* ------------------------------------------------------------------------
 * Acting as the driver: one migration of the fixture's process driven by
 * hand, the way a device driver calls the API.
 */

/* Fill @args for a migration of [start, end) of @vma; nothing is called. */
static inline void t_mig_args(struct migrate_vma *args,
			      struct vm_area_struct *vma, unsigned long start,
			      unsigned long end, unsigned long *src,
			      unsigned long *dst, unsigned long flags,
			      void *owner)
{
	memset(args, 0, sizeof(*args));
	args->vma = vma;
	args->start = start;
	args->end = end;
	args->src = src;
	args->dst = dst;
	args->flags = flags;
	args->pgmap_owner = owner;
}

/* Up to a THP's worth of slots. */
#define T_MIG_SLOTS	HPAGE_PMD_NR

struct t_mig {
	struct migrate_vma args;
	unsigned long src[T_MIG_SLOTS];
	unsigned long dst[T_MIG_SLOTS];
};

/*
 * migrate_vma_setup() over [addr, +npages) with @flags and @owner; the
 * mmap_lock is taken for read and stays held until t_mig_finish() (or the
 * test drops it).  Returns what setup returned.
 */
static inline int t_mig_setup(struct fx *f, struct t_mig *m,
			      unsigned long addr, unsigned long npages,
			      unsigned long flags, void *owner)
{
	assert_true(npages <= T_MIG_SLOTS);
	memset(m->src, 0, sizeof(m->src));
	memset(m->dst, 0, sizeof(m->dst));
	mmap_read_lock(f->mm);
	t_mig_args(&m->args, t_vma(f->mm, addr), addr,
		   addr + (npages << PAGE_SHIFT), m->src, m->dst, flags, owner);
	return migrate_vma_setup(&m->args);
}

/*
 * Give every selected slot a page of @dev holding a copy of its source (or
 * zeroes), as the mirror's MIGRATE_TO_DEV does.
 */
static inline void t_mig_fill_device(struct t_mig *m,
				     struct dmirror_device *dev)
{
	unsigned long i;

	for (i = 0; i < m->args.npages; i++) {
		struct page *spage = migrate_pfn_to_page(m->src[i]);
		struct page *dpage;

		if (!(m->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dpage = dmirror_device_alloc_page(dev);
		assert_non_null(dpage);
		if (spage)
			copy_highpage(dmirror_device_backing_page(dpage), spage);
		m->dst[i] = migrate_pfn(page_to_pfn(dpage));
	}
}

/* migrate_vma_pages(), migrate_vma_finalize(), and the mmap_lock dropped. */
static inline void t_mig_finish(struct fx *f, struct t_mig *m)
{
	migrate_vma_pages(&m->args);
	migrate_vma_finalize(&m->args);
	mmap_read_unlock(f->mm);
}

/* ------------------------------------------------------------------------
 * Mirroring by hmm_range_fault(), as a driver does: an interval notifier
 * that counts its invalidations, and the retry loop around the call.
 */

struct t_mni {
	struct mmu_interval_notifier mni;
	int invalidations;
	int last_event;
	unsigned long seq;	/* the last invalidation's sequence */
};

static inline bool t_mni_invalidate(struct mmu_interval_notifier *mni,
			     const struct mmu_notifier_range *range,
			     unsigned long cur_seq)
{
	struct t_mni *t = container_of(mni, struct t_mni, mni);

	t->invalidations++;
	t->last_event = range->event;
	t->seq = cur_seq;
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops t_mni_ops = {
	.invalidate = t_mni_invalidate,
};

static inline int t_hmm(struct fx *f, struct t_mni *t, unsigned long start,
			unsigned long npages, unsigned long *pfns,
			unsigned long default_flags, unsigned long mask)
{
	struct hmm_range range = {
		.notifier = &t->mni,
		.start = start,
		.end = start + npages * PAGE_SIZE,
		.hmm_pfns = pfns,
		.default_flags = default_flags,
		.pfn_flags_mask = mask,
	};
	int ret, tries = 0;

	/*
	 * Like a driver: a fault that invalidates the range (a CoW of the
	 * zero page, say) makes the next pass report -EBUSY; start again.
	 */
	do {
		range.notifier_seq = mmu_interval_read_begin(&t->mni);
		mmap_read_lock(f->mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(f->mm);
	} while (ret == -EBUSY && ++tries < 16);
	return ret;
}

/* ------------------------------------------------------------------------
 * Processes: the test's CPU is a task of one process at a time.
 */

/* Become a task of @proc (leaving the current one). */
static inline void t_switch(struct devmig_proc *proc)
{
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(proc), 0);
}

/* @gone (a forked child, say) exits; the test goes on as a task of @back. */
static inline void t_exit_switch(struct devmig_proc *gone,
				 struct devmig_proc *back)
{
	devmig_task_leave();
	devmig_proc_exit(gone);
	assert_int_equal(devmig_task_enter(back), 0);
}

#endif /* _DEVMIG_TEST_HARNESS_H */
