// SPDX-License-Identifier: GPL-2.0
/*
 * collect.c - every kind of entry the collect walk of migrate_vma_setup()
 * meets, driven directly as a device driver would: set up, look at src and
 * at the page states, then either provide destinations (device pages from a
 * mirror device's allocator) or none, run pages and finalize, and look again.
 *
 * Entries: a hole in an anonymous VMA, the zero page, a present system page
 * (writable dirty, writable clean, read-only), a device-private page of our
 * owner and of another owner, a page already being migrated, a page locked
 * by someone else, a page with an extra reference and a pinned page.
 */
#include "harness.h"
#include <asm/tlbflush.h>
#include <model/model.h>
#include <model/fail.h>

#define C_SLOTS	8		/* pages of the multi-page ranges */

/*
 * A whole migration over the page at @addr that must not select it: no slot,
 * and its PTE still @before, both while the migration is set up and after.
 */
static void c_expect_skipped(struct fx *f, unsigned long addr,
			     unsigned long flags, void *owner, pte_t before)
{
	struct t_mig m;

	assert_int_equal(t_mig_setup(f, &m, addr, 1, flags, owner), 0);
	assert_int_equal(m.args.npages, 1);
	assert_int_equal(m.args.cpages, 0);
	assert_int_equal(m.src[0], 0);
	assert_int_equal(pte_val(t_pte(f->mm, addr)), pte_val(before));
	t_mig_finish(f, &m);
	assert_int_equal(pte_val(t_pte(f->mm, addr)), pte_val(before));
}

/* A hole in an anonymous VMA is selected whatever the flags say. */
static void test_collect_hole(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	struct t_mig m;
	unsigned long i, calloc0 = t_dstats(f->dev[0]).calloc;
	struct page *dpage;

	assert_int_equal(t_mig_setup(f, &m, buf, 4, 0, f->dev[0]), 0);
	assert_int_equal(m.args.npages, 4);
	assert_int_equal(m.args.cpages, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(m.src[i], MIGRATE_PFN_MIGRATE);
		assert_int_equal(m.dst[i], 0);
	}
	/* Setup never touches a hole. */
	assert_int_equal(t_count_kind(f->mm, buf, 4, T_NONE), 4);

	/* Fill slots 1 and 2 only; 0 and 3 have no destination. */
	for (i = 1; i <= 2; i++) {
		dpage = dmirror_device_alloc_page(f->dev[0]);
		assert_non_null(dpage);
		m.dst[i] = migrate_pfn(page_to_pfn(dpage));
	}
	migrate_vma_pages(&m.args);
	assert_int_equal(m.src[0], 0);
	assert_int_equal(m.src[1], MIGRATE_PFN_MIGRATE);
	assert_int_equal(m.src[2], MIGRATE_PFN_MIGRATE);
	assert_int_equal(m.src[3], 0);
	/* Inserted already, still locked until finalize. */
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_DEV_WRITE);
	assert_true(PageLocked(migrate_pfn_to_page(m.dst[1])));
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);

	assert_int_equal(t_kind(f->mm, buf), T_NONE);
	assert_int_equal(t_kind(f->mm, buf + 3 * PAGE_SIZE), T_NONE);
	for (i = 1; i <= 2; i++) {
		struct page *page = t_page(f->mm, buf + i * PAGE_SIZE);
		struct t_pstate s;

		assert_ptr_equal(page, migrate_pfn_to_page(m.dst[i]));
		s = t_state(page);
		assert_int_equal(s.ref, 1);
		assert_int_equal(s.map, 1);
		assert_false(s.locked);
		assert_false(s.lru);
		assert_true(s.anon_excl);
		assert_ptr_equal(page->pgmap->owner,
				 dmirror_device_owner(f->dev[0]));
	}
	assert_int_equal(t_dstats(f->dev[0]).calloc - calloc0, 2);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 2);
	/* The CPU reads zeroes (faulting them back) and writes work. */
	assert_int_equal(t_nonzero(buf + PAGE_SIZE, 2), 0);
	t_fill(buf, 4, 3);
	assert_int_equal(t_mismatches(buf, 4, 3), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
}

/* The zero page: selected as a hole with SELECT_SYSTEM only. */
static void test_collect_zero_page(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct t_mig m;
	pte_t zero;
	int val = -1;

	assert_int_equal(devmig_load(buf, &val, sizeof(val)), 0);
	assert_int_equal(val, 0);
	zero = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(zero), T_ZERO);

	/* Not selected without SELECT_SYSTEM. */
	c_expect_skipped(f, buf, MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[0],
			 zero);

	/* Selected, and left in place by setup. */
	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	assert_int_equal(m.src[0], MIGRATE_PFN_MIGRATE);
	assert_int_equal(pte_val(t_pte(f->mm, buf)), pte_val(zero));
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);

	/* Replaced by a writable device-private entry (the VMA is writable). */
	assert_int_equal(t_kind(f->mm, buf), T_DEV_WRITE);
	assert_settled_anon(t_page(f->mm, buf), 1, false);
	assert_int_equal(t_nonzero(buf, 1), 0);
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
}

/*
 * A writable, dirty, anon-exclusive system page: every reference, mapping,
 * flag and lock the collect and unmap steps take and every one that
 * finalize gives back, step by step (doc/CONTRACT.md, "The life of a
 * page").
 */
static void test_collect_present_writable(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct mem_cgroup *memcg;
	struct page *spage, *dpage;
	struct t_pstate s;
	swp_entry_t e;
	struct t_mig m;
	pte_t pte;

	t_fill(buf, 1, 11);
	spage = t_page(f->mm, buf);
	assert_true(pte_dirty(t_pte(f->mm, buf)));
	s = t_state(spage);
	assert_int_equal(s.ref, 1);
	assert_int_equal(s.map, 1);
	assert_true(s.lru);
	assert_true(s.anon_excl);

	memcg = folio_memcg(page_folio(spage));
	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	assert_int_equal(m.src[0], migrate_pfn(page_to_pfn(spage)) |
				   MIGRATE_PFN_MIGRATE | MIGRATE_PFN_WRITE);
	/* Unmapped into a writable migration entry carrying the dirty bit. */
	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_MIG_WRITE);
	e = pte_to_swp_entry(pte);
	assert_int_equal(swp_offset_pfn(e), page_to_pfn(spage));
	s = t_state(spage);
	assert_int_equal(s.ref, 1);	/* the isolation reference */
	assert_int_equal(s.map, 0);
	assert_true(s.locked);
	assert_false(s.lru);
	assert_true(folio_test_dirty(page_folio(spage)));

	t_mig_fill_device(&m, f->dev[0]);
	dpage = migrate_pfn_to_page(m.dst[0]);
	migrate_vma_pages(&m.args);
	assert_true(m.src[0] & MIGRATE_PFN_MIGRATE);
	/* Metadata moved, nothing mapped yet. */
	assert_ptr_equal(dpage->mapping, spage->mapping);
	assert_int_equal(dpage->index, spage->index);
	/* And the flags and the charge (folio_migrate_flags()). */
	assert_true(folio_test_dirty(page_folio(dpage)));
	assert_true(folio_test_uptodate(page_folio(dpage)));
	assert_non_null(folio_memcg(page_folio(dpage)));
	assert_ptr_equal(folio_memcg(page_folio(dpage)), memcg);
	assert_int_equal(t_kind(f->mm, buf), T_MIG_WRITE);
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);

	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_DEV_WRITE);
	assert_ptr_equal(t_page_of(pte), dpage);
	s = t_state(dpage);
	assert_int_equal(s.ref, 1);
	assert_int_equal(s.map, 1);
	assert_false(s.locked);
	assert_true(s.anon_excl);
	assert_int_equal(t_page_mismatches(dmirror_device_backing_page(dpage),
					   0, 11), 0);
	/* Back through a CPU fault: the data follows. */
	assert_int_equal(t_mismatches(buf, 1, 11), 0);
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
	assert_settled_anon(t_page(f->mm, buf), 1, true);
}

/*
 * A writable but clean PTE (a page that came back from the device: the
 * entry it was rebuilt from had no dirty bit): collect records no dirty bit.
 */
static void test_collect_present_clean(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct t_mig m;
	pte_t pte;

	t_fill(buf, 1, 5);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf,
			       buf, 1, NULL), 0);
	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_true(pte_write(pte));
	if (pte_dirty(pte))
		skip();	/* the model records A/D: no clean PTE this way */

	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	assert_true(m.src[0] & MIGRATE_PFN_WRITE);
	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_MIG_WRITE);
	assert_false(is_migration_entry_dirty(pte_to_swp_entry(pte)));
	/* No destination: restored as it was, clean and writable. */
	t_mig_finish(f, &m);
	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_true(pte_write(pte));
	assert_false(pte_dirty(pte));
	assert_settled_anon(t_page(f->mm, buf), 1, true);
	assert_int_equal(t_mismatches(buf, 1, 5), 0);
}

/* A read-only anon-exclusive page: readable-exclusive entry, no WRITE. */
static void test_collect_present_readonly(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct page *spage;
	struct t_mig m;
	pte_t pte;

	t_fill(buf, 2, 21);
	assert_int_equal(devmig_mprotect(f->proc, buf, 2 * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	spage = t_page(f->mm, buf);
	assert_false(pte_write(t_pte(f->mm, buf)));
	assert_true(PageAnonExclusive(spage));

	assert_int_equal(t_mig_setup(f, &m, buf, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	assert_int_equal(m.src[0], migrate_pfn(page_to_pfn(spage)) |
				   MIGRATE_PFN_MIGRATE);
	assert_int_equal(t_kind(f->mm, buf), T_MIG_READ_EXCL);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);

	/* The VMA is read-only now: a readable device-private entry. */
	assert_int_equal(t_kind(f->mm, buf), T_DEV_READ);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_DEV_READ);
	assert_int_equal(t_mismatches(buf, 2, 21), 0);
	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_false(pte_write(pte));
	assert_settled_anon(t_page(f->mm, buf), 1, true);
}

/* Our own device-private page is selected only with the matching owner. */
static void test_collect_device_private_owner(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *dpage;
	struct t_mig m;
	pte_t before;

	t_fill(buf, 1, 31);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	before = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(before), T_DEV_WRITE);
	dpage = t_page_of(before);

	/* SELECT_SYSTEM never selects device memory. */
	c_expect_skipped(f, buf, MIGRATE_VMA_SELECT_SYSTEM, f->dev[0], before);

	/* Another owner's cookie: not ours to migrate. */
	c_expect_skipped(f, buf, MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[1],
			 before);

	/* The right owner: selected, writable, locked, unmapped. */
	assert_int_equal(t_mig_setup(f, &m, buf, 1,
				 MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[0]),
			 0);
	assert_int_equal(m.args.cpages, 1);
	assert_int_equal(m.src[0], migrate_pfn(page_to_pfn(dpage)) |
				   MIGRATE_PFN_MIGRATE | MIGRATE_PFN_WRITE);
	assert_int_equal(t_kind(f->mm, buf), T_MIG_WRITE);
	assert_true(PageLocked(dpage));
	assert_int_equal(t_state(dpage).map, 0);
	/* No destination: finalize restores the device-private entry. */
	t_mig_finish(f, &m);
	assert_int_equal(pte_val(t_pte(f->mm, buf)), pte_val(before));
	assert_settled_anon(dpage, 1, false);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 1);
	assert_int_equal(t_mismatches(buf, 1, 31), 0);
}

/* A device-private page of another device is left alone. */
static void test_collect_device_private_other_owner(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct t_mig m;
	pte_t before;

	t_fill(buf, 2, 41);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 2), 2, NULL), 0);
	before = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(before), T_DEV_WRITE);

	assert_int_equal(t_mig_setup(f, &m, buf, 2,
				 MIGRATE_VMA_SELECT_SYSTEM |
				 MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[0]),
			 0);
	assert_int_equal(m.args.npages, 2);
	assert_int_equal(m.args.cpages, 0);
	assert_int_equal(m.src[0], 0);
	assert_int_equal(m.src[1], 0);
	t_mig_finish(f, &m);
	assert_int_equal(pte_val(t_pte(f->mm, buf)), pte_val(before));
	assert_settled_anon(t_page_of(before), 1, false);
	/* Device 0's ioctl does not take device 1's pages either. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf,
			       buf, 2, NULL), 0);
	assert_int_equal(t_kind(f->mm, buf), T_DEV_WRITE);
	assert_int_equal(t_mismatches(buf, 2, 41), 0);
}

/* A page in the middle of another migration is not selected twice. */
static void test_collect_already_migrating(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct page *spage;
	struct t_mig m1, m2;
	struct migrate_vma *a2 = &m2.args;

	t_fill(buf, 2, 51);
	spage = t_page(f->mm, buf);
	assert_int_equal(t_mig_setup(f, &m1, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m1.args.cpages, 1);

	/* Second migration of both pages while the first holds page 0. */
	memset(&m2, 0, sizeof(m2));
	a2->vma = m1.args.vma;
	a2->start = buf;
	a2->end = buf + 2 * PAGE_SIZE;
	a2->src = m2.src;
	a2->dst = m2.dst;
	a2->flags = MIGRATE_VMA_SELECT_SYSTEM;
	a2->pgmap_owner = f->dev[1];
	assert_int_equal(migrate_vma_setup(a2), 0);
	assert_int_equal(a2->cpages, 1);
	assert_int_equal(m2.src[0], 0);
	assert_true(m2.src[1] & MIGRATE_PFN_MIGRATE);
	/* The first migration's entry is untouched. */
	assert_int_equal(t_kind(f->mm, buf), T_MIG_WRITE);
	assert_int_equal(swp_offset_pfn(pte_to_swp_entry(t_pte(f->mm, buf))),
			 page_to_pfn(spage));
	migrate_vma_pages(a2);
	migrate_vma_finalize(a2);

	t_mig_fill_device(&m1, f->dev[0]);
	t_mig_finish(f, &m1);
	assert_int_equal(t_kind(f->mm, buf), T_DEV_WRITE);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_PRESENT);
	assert_int_equal(t_mismatches(buf, 2, 51), 0);
}

/* A page whose lock someone else holds: trylock fails, slot 0, untouched. */
static void test_collect_locked_elsewhere(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *spage;
	pte_t before;

	t_fill(buf, 1, 61);
	spage = t_page(f->mm, buf);
	before = t_pte(f->mm, buf);
	lock_page(spage);
	c_expect_skipped(f, buf, MIGRATE_VMA_SELECT_SYSTEM, f->dev[0], before);
	assert_true(PageLocked(spage));
	unlock_page(spage);
	assert_settled_anon(spage, 1, true);
	assert_int_equal(t_mismatches(buf, 1, 61), 0);
}

/*
 * A page with an extra reference (get_page, as FOLL_GET would leave it):
 * collect takes it, the unmap pin check refuses it, and it is restored with
 * its mapping, its exclusivity and its data.
 */
static void test_collect_extra_reference(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct page *spage;
	struct t_pstate s;
	struct t_mig m;
	pte_t before;

	t_fill(buf, 2, 71);
	spage = t_page(f->mm, buf);
	before = t_pte(f->mm, buf);
	get_page(spage);

	assert_int_equal(t_mig_setup(f, &m, buf, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	/* Page 0 was refused by the pin check, page 1 is migrating. */
	assert_int_equal(m.args.cpages, 1);
	assert_int_equal(m.src[0], 0);
	assert_true(m.src[1] & MIGRATE_PFN_MIGRATE);
	assert_int_equal(pte_pfn(t_pte(f->mm, buf)), pte_pfn(before));
	assert_true(pte_write(t_pte(f->mm, buf)));
	s = t_state(spage);
	assert_false(s.locked);
	assert_int_equal(s.map, 1);
	assert_int_equal(s.ref, 2);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);

	assert_int_equal(pte_pfn(t_pte(f->mm, buf)), pte_pfn(before));
	s = t_state(spage);
	assert_int_equal(s.ref, 2);
	assert_int_equal(s.map, 1);
	assert_true(s.lru);
	assert_true(s.anon_excl);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_DEV_WRITE);
	assert_int_equal(t_page_mismatches(spage, 0, 71), 0);
	put_page(spage);
	assert_settled_anon(spage, 1, true);
	assert_int_equal(t_mismatches(buf, 2, 71), 0);
}

/*
 * A page pinned with FOLL_PIN: collect's try-share of the anon-exclusive
 * mapping fails and the PTE is written back untouched.
 */
static void test_collect_pinned(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *pinned = NULL;
	pte_t before;
	long got;

	t_fill(buf, 1, 81);
	before = t_pte(f->mm, buf);
	got = pin_user_pages_fast(buf, 1, FOLL_WRITE, &pinned);
	assert_int_equal(got, 1);
	assert_ptr_equal(pinned, t_page(f->mm, buf));
	assert_true(folio_maybe_dma_pinned(page_folio(pinned)));

	c_expect_skipped(f, buf, MIGRATE_VMA_SELECT_SYSTEM, f->dev[0], before);
	assert_true(PageAnonExclusive(pinned));
	assert_false(PageLocked(pinned));
	unpin_user_page(pinned);
	assert_settled_anon(pinned, 1, true);
	assert_int_equal(t_mismatches(buf, 1, 81), 0);
}

/*
 * A mix in one call, as hmm2.migrate_mixed step 6 sees it: zero page,
 * read-only page, two writable pages, and a page of the other device.
 */
static void test_collect_mixed_via_ioctl(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 6, T_RW);
	struct hmm_dmirror_cmd cmd;
	int val;

	/* Page 0 a hole, page 1 the zero page, page 2 read-only. */
	assert_int_equal(devmig_load(buf + PAGE_SIZE, &val, sizeof(val)), 0);
	t_fill(buf + 2 * PAGE_SIZE, 4, 91);
	assert_int_equal(devmig_mprotect(f->proc, buf + 2 * PAGE_SIZE,
					 PAGE_SIZE, DEVMIG_PROT_READ), 0);
	/* Page 5 goes to device 1 first. */
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + 5 * PAGE_SIZE, t_scratch(f->proc, 1), 1,
			       NULL), 0);

	/* Device 0 takes 1..4 (the mprotect split the VMA). */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + PAGE_SIZE, t_scratch(f->proc, 4), 4, &cmd), 0);
	assert_int_equal(cmd.cpages, 4);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_DEV_WRITE);
	assert_int_equal(t_kind(f->mm, buf + 2 * PAGE_SIZE), T_DEV_READ);
	assert_int_equal(t_kind(f->mm, buf + 3 * PAGE_SIZE), T_DEV_WRITE);
	assert_int_equal(t_kind(f->mm, buf + 4 * PAGE_SIZE), T_DEV_WRITE);
	/* Device 1's page is not device 0's: -ENOENT, left where it is. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + 5 * PAGE_SIZE, t_scratch(f->proc, 1), 1,
			       NULL), -ENOENT);
	assert_ptr_equal(t_page(f->mm, buf + 5 * PAGE_SIZE)->pgmap->owner,
			 dmirror_device_owner(f->dev[1]));
	assert_int_equal(t_kind(f->mm, buf), T_NONE);
}

/*
 * The PTE of a page that is not anon-exclusive (here shared with a fork
 * child) is cleared without a flush of its own: only the flush batched after
 * the walk keeps this CPU from using the translation it cached before.  A
 * load after the page moved must fault and bring the data back from the
 * device, not read the freed source through the stale entry.
 */
static void test_collect_flushes_shared_page(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct devmig_proc *child;
	unsigned long m2r;
	struct t_mig m;

	t_fill(buf, 2, 17);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_false(PageAnonExclusive(t_page(f->mm, buf)));
	assert_false(PageAnonExclusive(t_page(f->mm, buf + PAGE_SIZE)));
	/* This CPU caches both (read-only) translations. */
	assert_int_equal(t_mismatches(buf, 2, 17), 0);

	assert_int_equal(t_mig_setup(f, &m, buf, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	assert_int_equal(t_count_kind(f->mm, buf, 2, T_MIG_READ), 2);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_count_kind(f->mm, buf, 2, T_DEV_READ), 2);

	/* Both loads fault: the flush covered the whole range. */
	m2r = t_dstats(f->dev[0]).migrate_to_ram;
	assert_int_equal(t_mismatches(buf, 2, 17), 0);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, m2r + 2);
	assert_int_equal(t_count_kind(f->mm, buf, 2, T_PRESENT), 2);
	t_exit_switch(child, f->proc);
}

static pte_t c_old_clean(pte_t pte)
{
	return pte_mkclean(pte_mkold(pte));
}

/*
 * A migration entry remembers the accessed and dirty bits of the PTE it
 * replaced, and a page that stays gets them back: young and dirty for a
 * page just written, old and clean for one aged and cleaned since.
 */
static void test_collect_keeps_young_dirty(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	swp_entry_t e0, e1;
	struct t_mig m;
	pte_t pte;

	t_fill(buf, 2, 23);
	t_set_pte(f, buf + PAGE_SIZE, c_old_clean(t_pte(f->mm, buf + PAGE_SIZE)));
	pte = t_pte(f->mm, buf);
	assert_true(pte_young(pte) && pte_dirty(pte));
	pte = t_pte(f->mm, buf + PAGE_SIZE);
	assert_false(pte_young(pte) || pte_dirty(pte));

	assert_int_equal(t_mig_setup(f, &m, buf, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	e0 = pte_to_swp_entry(t_pte(f->mm, buf));
	e1 = pte_to_swp_entry(t_pte(f->mm, buf + PAGE_SIZE));
	assert_true(is_writable_migration_entry(e0));
	assert_true(is_migration_entry_young(e0));
	assert_true(is_migration_entry_dirty(e0));
	assert_true(is_writable_migration_entry(e1));
	assert_false(is_migration_entry_young(e1));
	assert_false(is_migration_entry_dirty(e1));
	/* No destinations: both pages stay, with their bits. */
	t_mig_finish(f, &m);

	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_true(pte_write(pte) && pte_young(pte) && pte_dirty(pte));
	pte = t_pte(f->mm, buf + PAGE_SIZE);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_true(pte_write(pte));
	assert_false(pte_young(pte) || pte_dirty(pte));
	assert_int_equal(t_mismatches(buf, 2, 23), 0);
}

/*
 * A device page with one reference nobody explains (a CPU fault on it that
 * is still in flight, in the kernel) gets one reference of slack in the
 * unmap pin check, as in 6.12: it is selected, and only the exact count of
 * the pages step refuses it.  A second stray reference is refused at setup.
 * Either way it stays where it was, with its data.
 */
static void test_collect_device_page_slack(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *dpage, *spage;
	struct t_mig m;
	pte_t before;

	t_fill(buf, 1, 29);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	before = t_pte(f->mm, buf);
	dpage = t_page_of(before);
	assert_int_equal(t_kind_of(before), T_DEV_WRITE);
	get_page(dpage);

	/* One stray reference: selected, then refused by the pages step. */
	assert_int_equal(t_mig_setup(f, &m, buf, 1,
				 MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[0]),
			 0);
	assert_int_equal(m.args.cpages, 1);
	assert_true(m.src[0] & MIGRATE_PFN_MIGRATE);
	assert_int_equal(t_kind(f->mm, buf), T_MIG_WRITE);
	spage = alloc_page(GFP_HIGHUSER);
	assert_non_null(spage);
	lock_page(spage);
	m.dst[0] = migrate_pfn(page_to_pfn(spage));
	migrate_vma_pages(&m.args);
	assert_false(m.src[0] & MIGRATE_PFN_MIGRATE);
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);
	assert_int_equal(pte_val(t_pte(f->mm, buf)), pte_val(before));
	assert_int_equal(t_state(dpage).ref, 2);

	/* Two stray references: refused by the unmap pin check already. */
	get_page(dpage);
	assert_int_equal(t_mig_setup(f, &m, buf, 1,
				 MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[0]),
			 0);
	assert_int_equal(m.args.cpages, 0);
	assert_int_equal(m.src[0], 0);
	t_mig_finish(f, &m);
	assert_int_equal(pte_val(t_pte(f->mm, buf)), pte_val(before));

	put_page(dpage);
	put_page(dpage);
	assert_settled_anon(dpage, 1, false);
	assert_int_equal(t_mismatches(buf, 1, 29), 0);
}

/* What an interval notifier saw of the migrations over its range. */
struct c_seen {
	struct mmu_interval_notifier sub;
	void *owner[8];
	unsigned long start[8], end[8];
	int nr;
};

static bool c_seen_invalidate(struct mmu_interval_notifier *sub,
			      const struct mmu_notifier_range *range,
			      unsigned long cur_seq)
{
	struct c_seen *seen = container_of(sub, struct c_seen, sub);

	mmu_interval_set_seq(sub, cur_seq);
	if (range->event == MMU_NOTIFY_MIGRATE && seen->nr < 8) {
		seen->start[seen->nr] = range->start;
		seen->end[seen->nr] = range->end;
		seen->owner[seen->nr++] = range->owner;
	}
	return true;
}

static const struct mmu_interval_notifier_ops c_seen_ops = {
	.invalidate = c_seen_invalidate,
};

/*
 * Both invalidations of a migration, collect's and the pages step's (which
 * maps new pages into holes), cover the pages they change and carry the
 * migrating device's owner: that is how its own mirror tells its
 * migrations from changes it must act on.
 */
static void test_collect_notifiers_carry_owner(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct c_seen seen = { .nr = 0 };
	struct t_mig m;

	assert_int_equal(mmu_interval_notifier_insert(&seen.sub, f->mm, buf,
						      2 * PAGE_SIZE,
						      &c_seen_ops), 0);
	assert_int_equal(t_mig_setup(f, &m, buf, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	assert_int_equal(seen.nr, 1);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_count_kind(f->mm, buf, 2, T_DEV_WRITE), 2);
	assert_int_equal(seen.nr, 2);
	assert_ptr_equal(seen.owner[0], f->dev[0]);
	assert_ptr_equal(seen.owner[1], f->dev[0]);
	/* Each covers every page it changes. */
	assert_int_equal(seen.start[0], buf);
	assert_int_equal(seen.end[0], buf + 2 * PAGE_SIZE);
	assert_int_equal(seen.start[1], buf);
	assert_int_equal(seen.end[1], buf + 2 * PAGE_SIZE);
	mmu_interval_notifier_remove(&seen.sub);
}

static pte_t c_soft_dirty(pte_t pte)
{
	return pte_mksoft_dirty(pte);
}

static pte_t c_uffd_wp(pte_t pte)
{
	return pte_mkuffd_wp(pte_clear_soft_dirty(pte));
}

static pte_t c_swp_bits(pte_t pte)
{
	return pte_swp_mkuffd_wp(pte_swp_mksoft_dirty(pte));
}

/*
 * Soft-dirty and uffd-wp survive a migration that does not happen: the
 * migration entry carries them, from a present PTE or a device-private
 * entry, and a page that stays gets them back.  Losing uffd-wp would let
 * a write through that userfaultfd wanted to see.
 */
static void test_collect_keeps_soft_dirty_uffd_wp(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 3, T_RW);
	struct t_mig m;
	pte_t pte;

	t_fill(buf, 3, 37);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + 2 * PAGE_SIZE, t_scratch(f->proc, 1), 1,
			       NULL), 0);
	t_set_pte(f, buf, c_soft_dirty(t_pte(f->mm, buf)));
	t_set_pte(f, buf + PAGE_SIZE, c_uffd_wp(t_pte(f->mm, buf + PAGE_SIZE)));
	t_set_pte(f, buf + 2 * PAGE_SIZE, c_swp_bits(t_pte(f->mm, buf + 2 * PAGE_SIZE)));

	assert_int_equal(t_mig_setup(f, &m, buf, 3, MIGRATE_VMA_SELECT_SYSTEM |
				 MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[0]),
			 0);
	assert_int_equal(m.args.cpages, 3);
	pte = t_pte(f->mm, buf);
	assert_true(pte_swp_soft_dirty(pte) && !pte_swp_uffd_wp(pte));
	pte = t_pte(f->mm, buf + PAGE_SIZE);
	assert_true(pte_swp_uffd_wp(pte) && !pte_swp_soft_dirty(pte));
	assert_int_equal(t_kind_of(pte), T_MIG_READ_EXCL);
	pte = t_pte(f->mm, buf + 2 * PAGE_SIZE);
	assert_true(pte_swp_soft_dirty(pte) && pte_swp_uffd_wp(pte));
	/* No destinations: everything stays, with its bits. */
	t_mig_finish(f, &m);

	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_true(pte_soft_dirty(pte) && !pte_uffd_wp(pte));
	pte = t_pte(f->mm, buf + PAGE_SIZE);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_true(pte_uffd_wp(pte) && !pte_write(pte));
	pte = t_pte(f->mm, buf + 2 * PAGE_SIZE);
	assert_int_equal(t_kind_of(pte), T_DEV_WRITE);
	assert_true(pte_swp_soft_dirty(pte) && pte_swp_uffd_wp(pte));
	assert_int_equal(t_mismatches(buf, 2, 37), 0);
	/* Page 2 is not read: a uffd-wp entry of ours stays unfaulted. */
}

/*
 * A range under an empty PMD (no page table at all) is one hole to the
 * walk: every page of it is selected and counted, and filled.
 */
static void test_collect_hole_pmd(void **state)
{
	struct fx *f = *state;
	unsigned long big = t_map(f, 2 * PTRS_PER_PTE, T_RW);
	unsigned long buf = ALIGN(big, PMD_SIZE);
	struct t_mig m;
	unsigned long i;

	assert_null(mm_find_pmd(f->mm, buf));
	/*
	 * One page: the count of the hole alone decides whether setup has
	 * anything to unmap (the unmap step recounts larger ones).
	 */
	assert_int_equal(t_mig_setup(f, &m, buf, 1, 0, f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	assert_int_equal(m.src[0], MIGRATE_PFN_MIGRATE);
	t_mig_finish(f, &m);
	assert_null(mm_find_pmd(f->mm, buf));

	assert_int_equal(t_mig_setup(f, &m, buf, C_SLOTS, 0, f->dev[0]), 0);
	assert_int_equal(m.args.npages, C_SLOTS);
	assert_int_equal(m.args.cpages, C_SLOTS);
	for (i = 0; i < C_SLOTS; i++)
		assert_int_equal(m.src[i], MIGRATE_PFN_MIGRATE);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_count_kind(f->mm, buf, C_SLOTS, T_DEV_WRITE),
			 C_SLOTS);
	assert_int_equal(t_nonzero(buf, C_SLOTS), 0);
}

/*
 * Empty PTEs inside a page table: selected and counted in an anonymous VMA,
 * never in a shared (shmem) one, whose holes belong to the page cache.
 */
static void test_collect_empty_ptes(void **state)
{
	struct fx *f = *state;
	unsigned long anon = t_map(f, 2, T_RW);
	long shm = devmig_mmap(f->proc, 2 * PAGE_SIZE, T_RW, DEVMIG_MAP_SHARED);
	struct t_mig m;

	t_fill(anon, 1, 43);
	assert_int_equal(t_kind(f->mm, anon + PAGE_SIZE), T_NONE);
	assert_non_null(mm_find_pmd(f->mm, anon + PAGE_SIZE));
	/* Alone, its count decides whether setup has anything to unmap. */
	assert_int_equal(t_mig_setup(f, &m, anon + PAGE_SIZE, 1,
				 MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	t_mig_finish(f, &m);
	assert_int_equal(t_mig_setup(f, &m, anon, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	assert_int_equal(m.src[1], MIGRATE_PFN_MIGRATE);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_count_kind(f->mm, anon, 2, T_DEV_WRITE), 2);
	assert_int_equal(t_mismatches(anon, 1, 43), 0);
	assert_int_equal(t_nonzero(anon + PAGE_SIZE, 1), 0);

	assert_true(shm > 0);
	t_fill(shm, 1, 47);
	assert_int_equal(t_kind(f->mm, shm + PAGE_SIZE), T_NONE);
	assert_int_equal(t_mig_setup(f, &m, shm, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.npages, 2);
	assert_int_equal(m.args.cpages, 1);	/* the shmem page itself */
	assert_int_equal(m.src[1], 0);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	/* Device memory holds no page cache: both stay as they were. */
	assert_int_equal(t_kind(f->mm, shm), T_PRESENT);
	assert_int_equal(t_kind(f->mm, shm + PAGE_SIZE), T_NONE);
	assert_int_equal(t_mismatches(shm, 1, 47), 0);
}

/*
 * From a fault handler, the faulting device page carries the fault path's
 * reference too: named as fault_page it is explained (with the device
 * slack on top), so one stray reference still passes the unmap check.
 */
static void test_collect_fault_page_reference(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *dpage;
	struct t_mig m;
	pte_t before;

	t_fill(buf, 1, 53);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	before = t_pte(f->mm, buf);
	dpage = t_page_of(before);
	get_page(dpage);	/* the fault path's */
	get_page(dpage);	/* a stray one */

	memset(&m, 0, sizeof(m));
	mmap_read_lock(f->mm);
	m.args.vma = t_vma(f->mm, buf);
	m.args.start = buf;
	m.args.end = buf + PAGE_SIZE;
	m.args.src = m.src;
	m.args.dst = m.dst;
	m.args.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
	m.args.pgmap_owner = f->dev[0];
	m.args.fault_page = dpage;
	assert_int_equal(migrate_vma_setup(&m.args), 0);
	assert_int_equal(m.args.cpages, 1);
	t_mig_finish(f, &m);
	assert_int_equal(pte_val(t_pte(f->mm, buf)), pte_val(before));
	put_page(dpage);
	put_page(dpage);
	assert_settled_anon(dpage, 1, false);
	assert_int_equal(t_mismatches(buf, 1, 53), 0);
}

/*
 * A driver may fill a hole (and the zero page) with a system page of its
 * own: it is mapped as an anonymous write fault would map it, writable and
 * dirty, on the LRU, charged and counted, with the driver's bytes.
 */
static void test_collect_hole_gets_system_page(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct page *page[2];
	struct t_mig m;
	unsigned long i;
	int val;

	/* Page 0 a hole, page 1 the zero page. */
	assert_int_equal(devmig_load(buf + PAGE_SIZE, &val, sizeof(val)), 0);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_ZERO);
	assert_int_equal(t_mig_setup(f, &m, buf, 2, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	for (i = 0; i < 2; i++) {
		page[i] = alloc_page(GFP_HIGHUSER_MOVABLE);
		assert_non_null(page[i]);
		lock_page(page[i]);
		memcpy_to_page(page[i], 0, (char *)&i, sizeof(i));
		m.dst[i] = migrate_pfn(page_to_pfn(page[i]));
	}
	t_mig_finish(f, &m);

	for (i = 0; i < 2; i++) {
		unsigned long addr = buf + (i << PAGE_SHIFT), got = ~0UL;
		pte_t pte = t_pte(f->mm, addr);

		assert_int_equal(t_kind_of(pte), T_PRESENT);
		assert_ptr_equal(t_page_of(pte), page[i]);
		assert_true(pte_write(pte) && pte_dirty(pte));
		assert_non_null(folio_memcg(page_folio(page[i])));
		assert_settled_anon(page[i], 1, true);
		assert_true(PageAnonExclusive(page[i]));
		assert_int_equal(devmig_load(addr, &got, sizeof(got)), 0);
		assert_int_equal(got, i);
	}
}

/*
 * A destination given for a slot that is not migrating is ignored: here
 * the zero page, which collect skips without MIGRATE_VMA_SELECT_SYSTEM,
 * keeps its mapping and the unused page is freed.
 */
static void test_collect_dst_for_skipped_slot(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	unsigned long in_use;
	struct page *dpage;
	struct t_mig m;
	int val;

	assert_int_equal(devmig_load(buf, &val, sizeof(val)), 0);
	assert_int_equal(t_kind(f->mm, buf), T_ZERO);
	in_use = t_dstats(f->dev[0]).in_use;
	assert_int_equal(t_mig_setup(f, &m, buf, 1,
				 MIGRATE_VMA_SELECT_DEVICE_PRIVATE, f->dev[0]),
			 0);
	assert_int_equal(m.src[0], 0);
	dpage = dmirror_device_alloc_page(f->dev[0]);
	assert_non_null(dpage);
	m.dst[0] = migrate_pfn(page_to_pfn(dpage));
	migrate_vma_pages(&m.args);
	assert_int_equal(m.src[0], 0);
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_kind(f->mm, buf), T_ZERO);
	assert_int_equal(t_dstats(f->dev[0]).in_use, in_use);
}

/*
 * The page at @buf, filled with "init @base", in the swap cache at @offset
 * as if swapped out and back in.
 */
static struct folio *c_swap_cached(struct fx *f, unsigned long buf, int base,
				   unsigned long offset)
{
	struct folio *folio;

	t_fill(buf, 1, base);
	folio = page_folio(t_page(f->mm, buf));
	folio_lock(folio);
	assert_int_equal(model_swap_cache_add(folio, swp_entry(1, offset)), 0);
	folio_unlock(folio);
	assert_true(folio_test_swapcache(folio));
	return folio;
}

/*
 * An anon page in the swap cache may move to device memory only once its
 * swap copy is dropped: device memory holds no cache.
 */
static void test_collect_swap_cache_page(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *dpage;
	struct t_mig m;

	c_swap_cached(f, buf, 67, 0x567);

	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	t_mig_fill_device(&m, f->dev[0]);
	dpage = migrate_pfn_to_page(m.dst[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_kind(f->mm, buf), T_DEV_WRITE);
	assert_ptr_equal(t_page(f->mm, buf), dpage);
	assert_false(folio_test_swapcache(page_folio(dpage)));
	assert_null(xa_load(&swapper_space.i_pages, 0x567));
	assert_int_equal(t_mismatches(buf, 1, 67), 0);
}

/*
 * Only private and coherent device memory can hold a process's data: a
 * destination of another kind (a generic dev_pagemap page here) is refused
 * and the source stays.
 */
static void test_collect_refuses_other_device_memory(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	unsigned long hole = t_map(f, 1, T_RW);
	struct dev_pagemap pgmap = { 0 };
	struct resource *res;
	struct page *spage, *gpage;
	struct t_mig m;
	int round;

	res = request_free_mem_region(&iomem_resource, 4UL << 20, "generic");
	assert_false(IS_ERR(res));
	pgmap.type = MEMORY_DEVICE_GENERIC;
	pgmap.range.start = res->start;
	pgmap.range.end = res->end;
	pgmap.nr_range = 1;
	assert_false(IS_ERR(memremap_pages(&pgmap, 0)));
	gpage = pfn_to_page(PHYS_PFN(res->start));
	assert_int_equal(page_ref_count(gpage), 1);

	t_fill(buf, 1, 73);
	spage = t_page(f->mm, buf);
	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	get_page(gpage);
	lock_page(gpage);
	m.dst[0] = migrate_pfn(page_to_pfn(gpage));
	migrate_vma_pages(&m.args);
	assert_false(m.src[0] & MIGRATE_PFN_MIGRATE);
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);

	assert_ptr_equal(t_page(f->mm, buf), spage);
	assert_int_equal(page_ref_count(gpage), 1);
	assert_false(PageLocked(gpage));
	assert_int_equal(t_mismatches(buf, 1, 73), 0);

	/*
	 * Nor can such a page fill a hole: the CPU could not map it.  Twice
	 * (another page each time: a refused one keeps its memcg charge until
	 * it is freed, as in the kernel): the warning is printed once, the
	 * refusal holds every time.
	 */
	for (round = 0; round < 2; round++, gpage++) {
		assert_int_equal(t_mig_setup(f, &m, hole, 1, 0, f->dev[0]), 0);
		assert_int_equal(m.src[0], MIGRATE_PFN_MIGRATE);
		get_page(gpage);
		lock_page(gpage);
		m.dst[0] = migrate_pfn(page_to_pfn(gpage));
		migrate_vma_pages(&m.args);
		assert_int_equal(m.src[0], 0);
		migrate_vma_finalize(&m.args);
		mmap_read_unlock(f->mm);
		assert_int_equal(t_kind(f->mm, hole), T_NONE);
		assert_int_equal(page_ref_count(gpage), 1);
		assert_false(PageLocked(gpage));
	}
	memunmap_pages(&pgmap);
	release_mem_region(res->start, resource_size(res));
}

/*
 * Through the mirror's ioctl: a page the pages step refuses (here one under
 * writeback) stays in system memory, so the device must not map the
 * destination it had chosen (and then freed): its next READ faults the
 * page in and sees its data.
 */
static void test_collect_refused_page_not_mirrored(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	unsigned long view = t_scratch(f->proc, 1);
	struct hmm_dmirror_cmd cmd;
	struct page *spage;

	t_fill(buf, 1, 79);
	spage = t_page(f->mm, buf);
	folio_set_writeback(page_folio(spage));
	t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf, view, 1, NULL);
	folio_clear_writeback(page_folio(spage));
	assert_ptr_equal(t_page(f->mm, buf), spage);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 1,
			       &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(view, 1, 79), 0);
	assert_settled_anon(spage, 1, true);
}

/*
 * MIGRATE_TO_SYS counts only the pages that moved: a device page with a
 * stray reference passes setup (the slack) but not the pages step, so it
 * stays on the device, uncounted.
 */
static void test_collect_to_sys_counts_moved(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct hmm_dmirror_cmd cmd;
	struct page *dpage;

	t_fill(buf, 2, 83);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 2), 2, NULL), 0);
	dpage = t_page(f->mm, buf);
	get_page(dpage);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf,
			       buf, 2, &cmd), 0);
	assert_int_equal(cmd.cpages, 1);
	assert_int_equal(t_kind(f->mm, buf), T_DEV_WRITE);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_PRESENT);
	put_page(dpage);
	assert_int_equal(t_mismatches(buf, 2, 83), 0);
}

/*
 * A page someone else took off the LRU (compaction, another migration)
 * cannot be isolated: the unmap step gives it up and maps it back.  The
 * slots around it that have no page, a hole (still selected) and a page
 * locked elsewhere (never selected), are left as they are.
 */
static void test_collect_isolated_elsewhere(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 3, T_RW);
	struct folio *folio, *locked;
	struct t_mig m;

	t_fill(buf, 1, 89);
	t_fill(buf + 2 * PAGE_SIZE, 1, 91);
	folio = page_folio(t_page(f->mm, buf));
	locked = page_folio(t_page(f->mm, buf + 2 * PAGE_SIZE));
	lru_add_drain_all();
	assert_true(folio_isolate_lru(folio));
	folio_lock(locked);
	assert_int_equal(t_mig_setup(f, &m, buf, 3, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	assert_int_equal(m.src[0], 0);
	assert_int_equal(m.src[1], MIGRATE_PFN_MIGRATE);
	assert_int_equal(m.src[2], 0);
	t_mig_finish(f, &m);
	folio_unlock(locked);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_NONE);
	assert_ptr_equal(page_folio(t_page(f->mm, buf + 2 * PAGE_SIZE)), locked);
	assert_int_equal(t_mismatches(buf + 2 * PAGE_SIZE, 1, 91), 0);
	assert_ptr_equal(page_folio(t_page(f->mm, buf)), folio);
	assert_true(PageAnonExclusive(&folio->page));
	folio_putback_lru(folio);
	assert_settled_anon(&folio->page, 1, true);
	assert_int_equal(t_mismatches(buf, 1, 89), 0);
}

/*
 * In a read-only VMA a hole filled with a system page is mapped read-only
 * and clean, as a read fault would leave it.
 */
static void test_collect_hole_read_only_vma(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, DEVMIG_PROT_READ);
	struct page *page;
	struct t_mig m;
	pte_t pte;

	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.src[0], MIGRATE_PFN_MIGRATE);
	page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
	assert_non_null(page);
	lock_page(page);
	m.dst[0] = migrate_pfn(page_to_pfn(page));
	t_mig_finish(f, &m);
	pte = t_pte(f->mm, buf);
	assert_int_equal(t_kind_of(pte), T_PRESENT);
	assert_ptr_equal(t_page_of(pte), page);
	assert_false(pte_write(pte) || pte_dirty(pte));
	assert_settled_anon(page, 1, true);
	assert_int_equal(t_nonzero(buf, 1), 0);
}

/*
 * The pages step fills a hole only where an anonymous write fault could:
 * not in an mm the OOM reaper is tearing down (MMF_UNSTABLE), nor in a VMA
 * whose missing pages userfaultfd resolves.  Both slots stop migrating, the
 * holes stay holes, and the device pages offered go back to the device.
 */
static void test_collect_hole_insert_backs_off(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	unsigned long in_use = t_dstats(f->dev[0]).in_use;
	struct vm_area_struct *vma;
	struct t_mig m;
	int round;

	for (round = 0; round < 2; round++) {
		assert_int_equal(t_mig_setup(f, &m, buf, 2, 0, f->dev[0]), 0);
		assert_int_equal(m.args.cpages, 2);
		t_mig_fill_device(&m, f->dev[0]);
		assert_int_equal(t_dstats(f->dev[0]).in_use, in_use + 2);
		vma = m.args.vma;
		if (round == 0)
			set_bit(MMF_UNSTABLE, &f->mm->flags);
		else
			vma->vm_flags |= VM_UFFD_MISSING;
		migrate_vma_pages(&m.args);
		assert_int_equal(m.src[0], 0);
		assert_int_equal(m.src[1], 0);
		migrate_vma_finalize(&m.args);
		clear_bit(MMF_UNSTABLE, &f->mm->flags);
		vma->vm_flags &= ~VM_UFFD_MISSING;
		mmap_read_unlock(f->mm);

		assert_int_equal(t_count_kind(f->mm, buf, 2, T_NONE), 2);
		assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);
		assert_int_equal(t_dstats(f->dev[0]).in_use, in_use);
	}

	/* Once stable and unregistered, the same migration fills them. */
	assert_int_equal(t_mig_setup(f, &m, buf, 2, 0, f->dev[0]), 0);
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_count_kind(f->mm, buf, 2, T_DEV_WRITE), 2);
}

/*
 * A swap-cache page under writeback cannot drop its swap copy, so it
 * cannot move to device memory (which holds no cache): the slot is
 * refused, the page keeps its place in the swap cache, its mapping and
 * its data.
 */
static void test_collect_swap_cache_writeback(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	unsigned long in_use = t_dstats(f->dev[0]).in_use;
	struct folio *folio;
	struct t_mig m;

	folio = c_swap_cached(f, buf, 71, 0x678);

	assert_int_equal(t_mig_setup(f, &m, buf, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	t_mig_fill_device(&m, f->dev[0]);
	folio_set_writeback(folio);
	migrate_vma_pages(&m.args);
	assert_false(m.src[0] & MIGRATE_PFN_MIGRATE);
	folio_clear_writeback(folio);
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);

	assert_ptr_equal(page_folio(t_page(f->mm, buf)), folio);
	assert_true(folio_test_swapcache(folio));
	assert_ptr_equal(xa_load(&swapper_space.i_pages, 0x678), folio);
	assert_int_equal(t_dstats(f->dev[0]).in_use, in_use);
	assert_int_equal(t_mismatches(buf, 1, 71), 0);
	/* Out of the swap cache again, as the test found it. */
	folio_lock(folio);
	assert_true(folio_free_swap(folio));
	folio_unlock(folio);
}

/*
 * A page-cache folio whose private data (a filesystem's buffer heads, say)
 * holds a reference of its own: the pin check explains that reference, so
 * the page is selected; without the private data the same extra reference
 * is a pin and the page stays.
 */
static void test_collect_private_data_reference(void **state)
{
	struct fx *f = *state;
	long shm = devmig_mmap(f->proc, PAGE_SIZE, T_RW, DEVMIG_MAP_SHARED);
	struct folio *folio;
	struct t_mig m;

	assert_true(shm > 0);
	t_fill(shm, 1, 61);
	folio = page_folio(t_page(f->mm, shm));
	folio_get(folio);		/* what attaching private data takes */

	folio_set_private(folio);
	assert_int_equal(t_mig_setup(f, &m, shm, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 1);
	assert_int_equal(t_kind(f->mm, shm), T_MIG_WRITE);
	t_mig_finish(f, &m);
	assert_ptr_equal(page_folio(t_page(f->mm, shm)), folio);

	folio_clear_private(folio);
	assert_int_equal(t_mig_setup(f, &m, shm, 1, MIGRATE_VMA_SELECT_SYSTEM,
				 f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 0);
	assert_int_equal(t_kind(f->mm, shm), T_PRESENT);
	t_mig_finish(f, &m);

	folio_put(folio);
	assert_ptr_equal(page_folio(t_page(f->mm, shm)), folio);
	assert_int_equal(t_mismatches(shm, 1, 61), 0);
}

/*
 * Two holes at @buf migrate to device memory, and @make_fail makes the
 * first insertion fail (@failed says it did): that slot stops migrating, the
 * hole stays, its device page goes back; the second hole is filled.
 */
static void c_first_of_two_holes_fails(struct fx *f, unsigned long buf,
				       void (*make_fail)(void),
				       bool (*failed)(void))
{
	unsigned long in_use = t_dstats(f->dev[0]).in_use;
	long rss = get_mm_counter(f->mm, MM_ANONPAGES);
	struct t_mig m;

	assert_int_equal(t_mig_setup(f, &m, buf, 2, 0, f->dev[0]), 0);
	assert_int_equal(m.args.cpages, 2);
	t_mig_fill_device(&m, f->dev[0]);
	make_fail();
	migrate_vma_pages(&m.args);
	assert_true(failed());
	assert_int_equal(m.src[0], 0);
	assert_int_equal(m.src[1], MIGRATE_PFN_MIGRATE);
	migrate_vma_finalize(&m.args);
	mmap_read_unlock(f->mm);

	assert_int_equal(t_kind(f->mm, buf), T_NONE);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_DEV_WRITE);
	assert_int_equal(t_dstats(f->dev[0]).in_use, in_use + 1);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), rss + 1);
	assert_int_equal(t_nonzero(buf, 2), 0);
}

static void c_fail_pgtable(void)
{
	model_fail_nth(MODEL_FAIL_PGTABLE, 1);
}

static bool c_pgtable_failed(void)
{
	bool fired = model_fail_fired();

	model_fail_reset();
	return fired;
}

/*
 * A hole under an empty PMD entry needs a PTE table to be filled; when that
 * allocation fails, the slot stops migrating and the hole stays, the device
 * page goes back, and the next hole (the allocation now succeeding) is
 * filled as usual.
 */
static void test_collect_hole_no_pte_table(void **state)
{
	struct fx *f = *state;
	unsigned long big = t_map(f, 2 * PTRS_PER_PTE, T_RW);
	unsigned long buf = ALIGN(big, PMD_SIZE);

	/* A page in the next 2 MiB: the PMD table exists, buf's entry not. */
	t_fill(buf + PMD_SIZE, 1, 5);
	assert_true(pmd_none(t_pmd(f->mm, buf)));
	c_first_of_two_holes_fails(f, buf, c_fail_pgtable, c_pgtable_failed);
	assert_int_equal(t_mismatches(buf + PMD_SIZE, 1, 5), 0);
}

/* A race action (model/race.h): the call at the point fails. */
static bool c_call_fails(void *arg)
{
	(void)arg;
	return true;
}

/*
 * Collect's own pte_offset_map_lock() fails once (the PMD changed since
 * collect looked at it): collect starts over on that PMD and collects its
 * pages as if nothing happened, rather than giving up on them.
 */
static void test_collect_pte_table_changed(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 3, T_RW);
	struct page *pages[3];
	unsigned long i;
	struct t_mig m;

	t_fill(buf, 3, 0x4400);
	for (i = 0; i < 3; i++)
		pages[i] = t_page(f->mm, buf + i * PAGE_SIZE);
	assert_int_equal(model_race_arm("migrate_vma_collect_pmd:pte_offset_map_lock",
					1, c_call_fails, NULL), 0);
	assert_int_equal(t_mig_setup(f, &m, buf, 3, MIGRATE_VMA_SELECT_SYSTEM,
				     f->dev[0]), 0);
	assert_true(model_race_fired());
	assert_int_equal(m.args.cpages, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(m.src[i], migrate_pfn(page_to_pfn(pages[i])) |
				 MIGRATE_PFN_MIGRATE | MIGRATE_PFN_WRITE);
		assert_int_equal(t_kind(f->mm, buf + i * PAGE_SIZE), T_MIG_WRITE);
	}
	t_mig_fill_device(&m, f->dev[0]);
	t_mig_finish(f, &m);
	assert_int_equal(t_count_kind(f->mm, buf, 3, T_DEV_WRITE), 3);
	assert_int_equal(t_mismatches(buf, 3, 0x4400), 0);
}

static void c_fail_install_map(void)
{
	assert_int_equal(model_race_arm("migrate_vma_install_pte:pte_offset_map_lock",
					1, c_call_fails, NULL), 0);
}

/*
 * pte_offset_map_lock() fails (the PMD changed under us, which the kernel
 * allows at any time) right after migrate_vma_alloc_pmd() made the table:
 * the insertion backs off as when the table cannot be had.
 */
static void test_collect_hole_pte_table_gone(void **state)
{
	struct fx *f = *state;

	c_first_of_two_holes_fails(f, t_map(f, 2, T_RW), c_fail_install_map,
				   model_race_fired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_collect_hole),
		FX_TEST(test_collect_zero_page),
		FX_TEST(test_collect_present_writable),
		FX_TEST(test_collect_present_clean),
		FX_TEST(test_collect_present_readonly),
		FX_TEST(test_collect_device_private_owner),
		FX_TEST(test_collect_device_private_other_owner),
		FX_TEST(test_collect_already_migrating),
		FX_TEST(test_collect_locked_elsewhere),
		FX_TEST(test_collect_extra_reference),
		FX_TEST(test_collect_pinned),
		FX_TEST(test_collect_mixed_via_ioctl),
		FX_TEST(test_collect_flushes_shared_page),
		FX_TEST(test_collect_keeps_young_dirty),
		FX_TEST(test_collect_device_page_slack),
		FX_TEST(test_collect_notifiers_carry_owner),
		FX_TEST(test_collect_keeps_soft_dirty_uffd_wp),
		FX_TEST(test_collect_hole_pmd),
		FX_TEST(test_collect_empty_ptes),
		FX_TEST(test_collect_fault_page_reference),
		FX_TEST(test_collect_hole_gets_system_page),
		FX_TEST(test_collect_dst_for_skipped_slot),
		FX_TEST(test_collect_swap_cache_page),
		FX_TEST(test_collect_refuses_other_device_memory),
		FX_TEST(test_collect_refused_page_not_mirrored),
		FX_TEST(test_collect_to_sys_counts_moved),
		FX_TEST(test_collect_isolated_elsewhere),
		FX_TEST(test_collect_hole_read_only_vma),
		FX_TEST(test_collect_hole_insert_backs_off),
		FX_TEST(test_collect_swap_cache_writeback),
		FX_TEST(test_collect_private_data_reference),
		FX_TEST(test_collect_hole_no_pte_table),
		FX_TEST(test_collect_pte_table_changed),
		FX_TEST(test_collect_hole_pte_table_gone),
	};

	return T_RUN(tests);
}
