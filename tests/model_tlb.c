// SPDX-License-Identifier: GPL-2.0
/*
 * model_tlb.c - the software CPUs' TLBs: a flush reaches other tasks and
 * waits for one in an access, short ranges are flushed page by page,
 * ptep_clear_flush() against a plain clear, and a stale translation used
 * until the flush.
 */
#include "harness.h"
#include <model/tlb.h>

static void test_tlb_flush_reaches_other_task(void **state)
{
	struct fx *f = *state;
	struct task_struct *t1 = host_calloc(1, sizeof(*t1));
	struct task_struct *t2 = host_calloc(1, sizeof(*t2));
	struct task_struct *t3 = host_calloc(1, sizeof(*t3));
	struct devmig_proc *other = devmig_proc_create();
	struct model_tlb_entry e;
	unsigned long addr = 0x7f0000000000UL;

	model_task_init(t1, "t1");
	model_task_init(t2, "t2");
	model_task_init(t3, "t3");
	model_tlb_attach(t1, f->mm);
	model_tlb_attach(t2, f->mm);
	model_tlb_attach(t3, devmig_proc_mm(other));
	model_tlb_fill(&t2->tlb, addr, 0x42, MODEL_TLB_WRITE);
	model_tlb_fill(&t2->tlb, addr + PAGE_SIZE, 0x43, 0);
	model_tlb_fill(&t3->tlb, addr, 0x99, 0);
	assert_true(model_tlb_lookup(&t2->tlb, addr, &e));
	assert_int_equal(e.pfn, 0x42);

	/* Flushed from t1's side: t2's entry goes, t3 (another mm) keeps its own. */
	flush_tlb_mm_range(f->mm, addr, addr + PAGE_SIZE, PAGE_SHIFT, false);
	assert_false(model_tlb_lookup(&t2->tlb, addr, &e));
	assert_true(model_tlb_lookup(&t2->tlb, addr + PAGE_SIZE, &e));
	assert_true(model_tlb_lookup(&t3->tlb, addr, &e));
	assert_int_equal(t2->tlb.shootdowns, 1);

	flush_tlb_mm(f->mm);
	assert_false(model_tlb_lookup(&t2->tlb, addr + PAGE_SIZE, &e));

	model_tlb_detach(t1);
	model_tlb_detach(t2);
	model_tlb_detach(t3);
	devmig_proc_exit(other);
	host_free(t1);
	host_free(t2);
	host_free(t3);
}

struct flusher {
	struct host_thread thread;
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long addr;
	int done;
};

static void *flusher_fn(void *arg)
{
	struct flusher *fl = arg;

	model_set_current(fl->task);
	flush_tlb_mm_range(fl->mm, fl->addr, fl->addr + PAGE_SIZE, PAGE_SHIFT,
			   false);
	__atomic_store_n(&fl->done, 1, __ATOMIC_RELEASE);
	model_set_current(NULL);
	return NULL;
}

/*
 * A flush skips a TLB that caches nothing, but not one whose task is in an
 * access: that task may be walking the old page table, with nothing cached
 * yet.  The flush returns only once the access is over.
 */
static void test_tlb_flush_waits_for_access(void **state)
{
	struct fx *f = *state;
	struct task_struct *t1 = host_calloc(1, sizeof(*t1));
	struct task_struct *t2 = host_calloc(1, sizeof(*t2));
	struct flusher fl = {
		.task = t1, .mm = f->mm, .addr = 0x7f0000000000UL,
	};

	model_task_init(t1, "t1");
	model_task_init(t2, "t2");
	model_tlb_attach(t1, f->mm);
	model_tlb_attach(t2, f->mm);

	/* t2 idle with an empty TLB: nothing to wait for. */
	assert_int_equal(host_thread_create(&fl.thread, flusher_fn, &fl), 0);
	host_thread_join(&fl.thread, NULL);
	assert_int_equal(fl.done, 1);

	/* t2 in an access, its TLB still empty: the flush waits for it. */
	fl.done = 0;
	spin_lock(&t2->tlb.lock);
	assert_int_equal(host_thread_create(&fl.thread, flusher_fn, &fl), 0);
	host_sleep_ns(50 * 1000 * 1000);
	assert_int_equal(__atomic_load_n(&fl.done, __ATOMIC_ACQUIRE), 0);
	spin_unlock(&t2->tlb.lock);
	host_thread_join(&fl.thread, NULL);
	assert_int_equal(fl.done, 1);

	model_tlb_detach(t1);
	model_tlb_detach(t2);
	host_free(t1);
	host_free(t2);
}

/*
 * A range shorter than the TLB is flushed slot by slot: every page of it
 * goes, an entry for another page in the same slot stays; a long range
 * reaches that one too.
 */
static void test_tlb_flush_short_range(void **state)
{
	struct fx *f = *state;
	struct task_struct *t = host_calloc(1, sizeof(*t));
	unsigned long addr = 0x7f0000000000UL;
	unsigned long alias = addr + MODEL_TLB_ENTRIES * PAGE_SIZE;
	struct model_tlb_entry e;

	model_task_init(t, "t");
	model_tlb_attach(t, f->mm);
	model_tlb_fill(&t->tlb, addr, 0x40, 0);
	model_tlb_fill(&t->tlb, addr + 3 * PAGE_SIZE, 0x43, 0);
	model_tlb_fill(&t->tlb, addr + 5 * PAGE_SIZE, 0x45, 0);
	model_tlb_fill(&t->tlb, alias + PAGE_SIZE, 0x81, 0);

	flush_tlb_mm_range(f->mm, addr, addr + 4 * PAGE_SIZE, PAGE_SHIFT, false);
	assert_false(model_tlb_lookup(&t->tlb, addr, &e));
	assert_false(model_tlb_lookup(&t->tlb, addr + 3 * PAGE_SIZE, &e));
	assert_true(model_tlb_lookup(&t->tlb, addr + 5 * PAGE_SIZE, &e));
	/* In the slot of addr + 1 page, but not a page of the range. */
	assert_true(model_tlb_lookup(&t->tlb, alias + PAGE_SIZE, &e));
	assert_int_equal(e.pfn, 0x81);
	assert_int_equal(t->tlb.shootdowns, 2);

	flush_tlb_mm_range(f->mm, addr + 4 * PAGE_SIZE, alias + 2 * PAGE_SIZE,
			   PAGE_SHIFT, false);
	assert_false(model_tlb_lookup(&t->tlb, addr + 5 * PAGE_SIZE, &e));
	assert_false(model_tlb_lookup(&t->tlb, alias + PAGE_SIZE, &e));
	assert_int_equal(t->tlb.shootdowns, 4);
	model_tlb_detach(t);
	host_free(t);
}

/* ptep_clear_flush() shoots the translation down; ptep_get_and_clear() not. */
static void test_ptep_clear_flush_vs_plain_clear(void **state)
{
	struct fx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, 2 * PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	struct task_struct *t = host_calloc(1, sizeof(*t));
	struct folio *a = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct folio *b = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct vm_area_struct *vma;
	struct model_tlb_entry e;
	spinlock_t *ptl;
	pte_t *ptep, old;

	model_task_init(t, "cpu");
	model_tlb_attach(t, f->mm);
	mmap_read_lock(f->mm);
	vma = vma_lookup(f->mm, addr);
	ptep = map_by_hand(f->mm, addr, a, &ptl);
	pte_unmap_unlock(ptep, ptl);
	ptep = map_by_hand(f->mm, addr + PAGE_SIZE, b, &ptl);
	/* Both translations cached by the task. */
	model_tlb_fill(&t->tlb, addr, folio_pfn(a), MODEL_TLB_WRITE);
	model_tlb_fill(&t->tlb, addr + PAGE_SIZE, folio_pfn(b), MODEL_TLB_WRITE);

	old = ptep_get_and_clear(f->mm, addr + PAGE_SIZE, ptep);
	assert_true(model_tlb_lookup(&t->tlb, addr + PAGE_SIZE, &e));	/* stale */
	set_pte_at(f->mm, addr + PAGE_SIZE, ptep, old);
	ptep--;
	old = ptep_clear_flush(vma, addr, ptep);
	assert_false(model_tlb_lookup(&t->tlb, addr, &e));
	assert_true(pte_present(old));
	set_pte_at(f->mm, addr, ptep, old);
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);
	model_tlb_detach(t);
	host_free(t);
}

/*
 * Change a PTE behind the CPU's back: with no flush the CPU keeps using the
 * old translation; after the flush it sees the new one.
 */
static void test_tlb_stale_until_flush(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct devmig_task_stats st0, st1;
	struct vm_area_struct *vma;
	struct page *other;
	pte_t *ptep, old;
	spinlock_t *ptl;
	pmd_t *pmd;

	t_store_long(a, 0x01d);
	other = alloc_page(GFP_KERNEL);
	assert_non_null(other);
	*(unsigned long *)page_address(other) = 0x7e7;

	mmap_read_lock(f->mm);
	vma = vma_lookup(f->mm, a);
	pmd = mm_find_pmd(f->mm, a);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	old = ptep_get(ptep);
	set_pte_at(f->mm, a, ptep, mk_pte(other, vma->vm_page_prot));
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);

	devmig_task_stats(&st0);
	assert_int_equal(t_load_long(a), 0x01d);	/* stale */
	devmig_task_stats(&st1);
	assert_int_equal(st1.tlb_hits, st0.tlb_hits + 1);
	assert_int_equal(st1.faults, st0.faults);

	flush_tlb_range(vma, a, a + PAGE_SIZE);
	assert_int_equal(t_load_long(a), 0x7e7);	/* fresh */
	devmig_task_stats(&st0);
	assert_int_equal(st0.tlb_misses, st1.tlb_misses + 1);

	/* Restore, flush, and the old page is back. */
	t_set_pte(f, a, old);
	assert_int_equal(t_load_long(a), 0x01d);
	__free_page(other);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_tlb_flush_reaches_other_task),
		FX_TEST_PROC(test_tlb_flush_waits_for_access),
		FX_TEST_PROC(test_tlb_flush_short_range),
		FX_TEST_PROC(test_ptep_clear_flush_vs_plain_clear),
		FX_TEST_PROC(test_tlb_stale_until_flush),
	};

	return T_RUN(tests);
}
