// SPDX-License-Identifier: GPL-2.0
/*
 * model_mmu_notifier.c - MMU notifier delivery (start/end/release, interval
 * notifiers) and mmu_interval_read_begin() waiting out an invalidation.
 */
#include "harness.h"

struct t_notifier {
	struct mmu_notifier mn;
	int starts, ends, releases;
	struct mmu_notifier_range last;
};

static int t_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct t_notifier *t = container_of(mn, struct t_notifier, mn);

	t->starts++;
	t->last = *range;
	return 0;
}

static void t_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct t_notifier *t = container_of(mn, struct t_notifier, mn);

	(void)range;
	t->ends++;
}

static void t_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	(void)mm;
	container_of(mn, struct t_notifier, mn)->releases++;
}

static const struct mmu_notifier_ops t_mn_ops = {
	.invalidate_range_start = t_start,
	.invalidate_range_end = t_end,
	.release = t_release,
};

static void test_notifier_delivery(void **state)
{
	struct fx *f = *state;
	struct t_notifier tn = { .mn.ops = &t_mn_ops };
	struct t_mni ti = { 0 };
	struct mmu_notifier_range range;
	unsigned long seq;
	int owner;

	assert_int_equal(mmu_notifier_register(&tn.mn, f->mm), 0);
	assert_int_equal(mmu_interval_notifier_insert(&ti.mni, f->mm, 0x100000,
						      0x10000, &t_mni_ops), 0);
	seq = mmu_interval_read_begin(&ti.mni);
	assert_false(mmu_interval_read_retry(&ti.mni, seq));

	/* Outside the interval: whole-mm subscriber only. */
	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_MIGRATE, 0, f->mm,
				      0x200000, 0x201000, &owner);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	assert_int_equal(tn.starts, 1);
	assert_int_equal(tn.ends, 1);
	assert_int_equal(tn.last.event, MMU_NOTIFY_MIGRATE);
	assert_ptr_equal(tn.last.owner, &owner);
	assert_true(mmu_notifier_range_blockable(&tn.last));
	assert_int_equal(ti.invalidations, 0);
	assert_false(mmu_interval_read_retry(&ti.mni, seq));

	/* Overlapping the interval's last page. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0x10f000, 0x111000);
	mmu_notifier_invalidate_range_start(&range);
	assert_int_equal(ti.invalidations, 1);
	assert_int_equal(ti.seq & 1, 1);	/* odd while in progress */
	assert_true(mmu_interval_check_retry(&ti.mni, seq));
	mmu_notifier_invalidate_range_end(&range);
	assert_true(mmu_interval_read_retry(&ti.mni, seq));
	assert_null(tn.last.owner);
	seq = mmu_interval_read_begin(&ti.mni);
	assert_false(mmu_interval_read_retry(&ti.mni, seq));

	/* Ending exactly where the interval starts does not overlap. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0xff000, 0x100000);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	assert_int_equal(ti.invalidations, 1);

	mmu_interval_notifier_remove(&ti.mni);
	mmu_notifier_unregister(&tn.mn, f->mm);
	assert_int_equal(tn.releases, 1);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0x100000, 0x101000);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	assert_int_equal(tn.starts, 3);
	assert_int_equal(ti.invalidations, 1);
}

struct t_reader {
	struct t_mni *ti;
	bool done;
};

static void *reader_fn(void *arg)
{
	struct t_reader *r = arg;

	mmu_interval_read_begin(&r->ti->mni);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* read_begin() waits while an invalidation of its interval is in progress. */
static void test_interval_read_begin_waits(void **state)
{
	struct fx *f = *state;
	struct t_mni ti = { 0 };
	struct t_reader r = { .ti = &ti };
	struct mmu_notifier_range range;
	struct host_thread t;

	assert_int_equal(mmu_interval_notifier_insert(&ti.mni, f->mm, 0x100000,
						      PAGE_SIZE, &t_mni_ops), 0);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, f->mm, 0, ULONG_MAX);
	mmu_notifier_invalidate_range_start(&range);
	assert_int_equal(host_thread_create(&t, reader_fn, &r), 0);
	host_sleep_ns(30 * 1000 * 1000);
	assert_false(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
	mmu_notifier_invalidate_range_end(&range);
	host_thread_join(&t, NULL);
	assert_true(r.done);
	mmu_interval_notifier_remove(&ti.mni);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_notifier_delivery),
		FX_TEST_PROC(test_interval_read_begin_waits),
	};

	return T_RUN(tests);
}
