// SPDX-License-Identifier: GPL-2.0
/*
 * model_pagewalk.c - walk_page_range(): holes and PMD entries as the
 * callbacks see them.
 */
#include "harness.h"
#include <linux/pagewalk.h>

struct t_walk {
	unsigned long holes, hole_bytes, pmds;
	bool gap_seen;
};

static int t_hole(unsigned long start, unsigned long end, int depth,
		  struct mm_walk *walk)
{
	struct t_walk *t = walk->private;

	(void)depth;
	t->holes++;
	t->hole_bytes += end - start;
	if (!walk->vma)
		t->gap_seen = true;
	return 0;
}

static int t_walk_pmd(pmd_t *pmd, unsigned long start, unsigned long end,
		 struct mm_walk *walk)
{
	struct t_walk *t = walk->private;

	(void)pmd; (void)start; (void)end;
	t->pmds++;
	return 0;
}

static const struct mm_walk_ops t_walk_ops = {
	.pmd_entry = t_walk_pmd,
	.pte_hole = t_hole,
	.walk_lock = PGWALK_RDLOCK,
};

static void test_walk_page_range(void **state)
{
	struct fx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, 4 * PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct t_walk t = { 0 };
	spinlock_t *ptl;
	pte_t *ptep;

	mmap_read_lock(f->mm);
	assert_int_equal(walk_page_range(f->mm, addr, addr, &t_walk_ops, &t), -EINVAL);
	assert_int_equal(walk_page_range(f->mm, addr, addr + 4 * PAGE_SIZE, &t_walk_ops, &t), 0);
	assert_int_equal(t.pmds, 0);
	assert_int_equal(t.hole_bytes, 4 * PAGE_SIZE);
	assert_false(t.gap_seen);

	ptep = map_by_hand(f->mm, addr + PAGE_SIZE, folio, &ptl);
	pte_unmap_unlock(ptep, ptl);
	memset(&t, 0, sizeof(t));
	/* One page past the VMA end: that part has no VMA. */
	assert_int_equal(walk_page_range(f->mm, addr, addr + 5 * PAGE_SIZE, &t_walk_ops, &t), 0);
	assert_true(t.pmds >= 1);
	assert_true(t.gap_seen);
	mmap_read_unlock(f->mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_walk_page_range),
	};

	return T_RUN(tests);
}
