// SPDX-License-Identifier: GPL-2.0
/*
 * model_pagewalk.c - walk_page_range(): holes and PMD entries as the
 * callbacks see them; the race point before ->pmd_entry (model/race.h).
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

static bool t_count_action(void *arg)
{
	(*(int *)arg)++;
	return false;
}

/*
 * A race point (model/race.h) runs its action once, on the pass it was
 * armed for, at the point named, and not after a disarm.
 */
static void test_race_point(void **state)
{
	struct fx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, 2 * PMD_SIZE, T_RW,
					 DEVMIG_MAP_PRIVATE);
	unsigned long a = ALIGN(addr + PAGE_SIZE, PMD_SIZE) - PAGE_SIZE;
	struct t_walk t = { 0 };
	int runs = 0;

	assert_int_equal(model_race_arm(NULL, 1, t_count_action, &runs), -EINVAL);
	assert_int_equal(model_race_arm("visit_pmd:pmd_entry", 0,
					 t_count_action, &runs), -EINVAL);
	/* Two PMDs with tables: a page on each side of a 2 MiB boundary. */
	t_fill(a, 2, 1);

	mmap_read_lock(f->mm);
	assert_int_equal(model_race_arm("visit_pmd:pmd_entry", 2,
					t_count_action, &runs), 0);
	assert_int_equal(walk_page_range(f->mm, a, a + 2 * PAGE_SIZE,
					 &t_walk_ops, &t), 0);
	assert_int_equal(t.pmds, 2);
	assert_int_equal(runs, 1);
	assert_true(model_race_fired());
	/* Once only. */
	assert_int_equal(walk_page_range(f->mm, a, a + 2 * PAGE_SIZE,
					 &t_walk_ops, &t), 0);
	assert_int_equal(runs, 1);

	/* Another point's name, or a disarm: nothing runs. */
	assert_int_equal(model_race_arm("visit_pmd:pmd_lock", 1,
					t_count_action, &runs), 0);
	assert_int_equal(walk_page_range(f->mm, a, a + 2 * PAGE_SIZE,
					 &t_walk_ops, &t), 0);
	assert_false(model_race_fired());
	assert_int_equal(model_race_arm("visit_pmd:pmd_entry", 1,
					t_count_action, &runs), 0);
	model_race_disarm();
	assert_int_equal(walk_page_range(f->mm, a, a + 2 * PAGE_SIZE,
					 &t_walk_ops, &t), 0);
	assert_int_equal(runs, 1);
	assert_false(model_race_fired());
	mmap_read_unlock(f->mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_walk_page_range),
		FX_TEST_PROC(test_race_point),
	};

	return T_RUN(tests);
}
