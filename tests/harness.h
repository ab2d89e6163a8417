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
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mm_inline.h>
#include <linux/mmu_notifier.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
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

static inline int fx_group_setup(void **state)
{
	(void)state;
	__atomic_store_n(&t_wd_stop, 0, __ATOMIC_RELEASE);
	if (host_thread_create(&t_wd_thread, t_watchdog, NULL))
		return -1;
	return devmig_boot(NULL);
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

static inline int fx_setup_type(void **state, int type)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	__atomic_store_n(&t_wd_started, host_clock_ns(), __ATOMIC_RELEASE);
	model_warn_take(NULL, 0);	/* a failed test's are reported */
	f->proc = devmig_proc_create();
	assert_non_null(f->proc);
	f->mm = devmig_proc_mm(f->proc);
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

#endif /* _DEVMIG_TEST_HARNESS_H */
