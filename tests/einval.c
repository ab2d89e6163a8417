// SPDX-License-Identifier: GPL-2.0
/*
 * einval.c - bad input to migrate_vma_setup(): every -EINVAL case of the
 * contract (doc/CONTRACT.md, "migrate_vma_setup()": no VMA, a hugetlb,
 * VM_SPECIAL or DAX VMA, an empty or sub-page range, a range not inside the
 * VMA, no src or dst array, a fault_page that is not device-private; plus
 * the reversed range, which we refuse where 6.12 does not) returns -EINVAL
 * and changes nothing; the page-offset bits of unaligned but valid bounds
 * are masked off, and the range is migrated.  Also the mirror's own
 * argument checks.
 *
 * "Nothing changed" is checked three ways: the PTEs and page states of the
 * range are identical before and after; cpages, npages, src and dst keep
 * their sentinel values; and no notifier fired (the mirror, which honours
 * notifications from other owners, still has every entry: reading the range
 * through it takes no device fault).
 */
#include "harness.h"

#define E_NPAGES	8UL
#define E_SENTINEL	0x5a5a5a5aUL

struct e_snap {
	pte_t pte[E_NPAGES];
	int ref[E_NPAGES];
	int map[E_NPAGES];
};

struct e_ctx {
	struct fx *f;
	unsigned long buf;	/* E_NPAGES mapped and populated */
	unsigned long view;
	unsigned long src[E_NPAGES + 1];
	unsigned long dst[E_NPAGES + 1];
	struct e_snap before;
};

static void e_snap(struct e_ctx *c, struct e_snap *s)
{
	unsigned long i;

	for (i = 0; i < E_NPAGES; i++) {
		struct page *page;

		s->pte[i] = t_pte(c->f->mm, c->buf + (i << PAGE_SHIFT));
		page = t_page_of(s->pte[i]);
		s->ref[i] = page ? t_state(page).ref : -1;
		s->map[i] = page ? t_state(page).map : -1;
	}
}

/*
 * A populated range: two untouched holes, one zero page, the rest written.
 * Every kind of entry setup would act on is there, so a setup that wrongly
 * went ahead would change something visible.
 */
static void e_prepare(struct e_ctx *c, struct fx *f)
{
	int val;

	memset(c, 0, sizeof(*c));
	c->f = f;
	c->buf = t_map(f, E_NPAGES, T_RW);
	c->view = t_map(f, E_NPAGES, T_RW);
	t_fill(c->buf + 3 * PAGE_SIZE, E_NPAGES - 3, 0);
	assert_int_equal(devmig_load(c->buf + 2 * PAGE_SIZE, &val,
				     sizeof(val)), 0);
	assert_int_equal(val, 0);
	assert_int_equal(t_kind(f->mm, c->buf + 2 * PAGE_SIZE), T_ZERO);

	/* Give the mirror an entry for every page of the range. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, c->buf, c->view,
			       E_NPAGES, NULL), 0);
	e_snap(c, &c->before);
}

static void e_assert_unchanged(struct e_ctx *c)
{
	struct hmm_dmirror_cmd cmd;
	struct e_snap now;
	unsigned long i;

	e_snap(c, &now);
	for (i = 0; i < E_NPAGES; i++) {
		assert_int_equal(pte_val(now.pte[i]), pte_val(c->before.pte[i]));
		assert_int_equal(now.ref[i], c->before.ref[i]);
		assert_int_equal(now.map[i], c->before.map[i]);
	}
	for (i = 0; i <= E_NPAGES; i++) {
		assert_int_equal(c->src[i], E_SENTINEL);
		assert_int_equal(c->dst[i], E_SENTINEL);
	}
	/* No invalidation reached the mirror: no device fault is needed. */
	assert_int_equal(t_cmd(c->f->mirror[0], HMM_DMIRROR_READ, c->buf,
			       c->view, E_NPAGES, &cmd), 0);
	assert_int_equal(cmd.faults, 0);
	assert_int_equal(cmd.cpages, E_NPAGES);
	assert_int_equal(t_mismatches(c->buf + 3 * PAGE_SIZE, E_NPAGES - 3, 0),
			 0);
}

/*
 * Run setup with @args (vma, start, end filled by the caller), expecting
 * -EINVAL, untouched counters, page-masked start/end, and no change at all.
 */
static void e_expect_einval(struct e_ctx *c, struct migrate_vma *args)
{
	unsigned long start = args->start, end = args->end;
	unsigned long i;
	int ret;

	for (i = 0; i <= E_NPAGES; i++) {
		c->src[i] = E_SENTINEL;
		c->dst[i] = E_SENTINEL;
	}
	if (args->src == (void *)1)
		args->src = c->src;
	if (args->dst == (void *)1)
		args->dst = c->dst;
	args->cpages = E_SENTINEL;
	args->npages = E_SENTINEL;
	args->pgmap_owner = c;	/* an owner no mirror ignores */

	mmap_read_lock(c->f->mm);
	ret = migrate_vma_setup(args);
	mmap_read_unlock(c->f->mm);

	assert_int_equal(ret, -EINVAL);
	assert_int_equal(args->cpages, E_SENTINEL);
	assert_int_equal(args->npages, E_SENTINEL);
	assert_int_equal(args->start, start & PAGE_MASK);
	assert_int_equal(args->end, end & PAGE_MASK);
	e_assert_unchanged(c);
}

/* The arguments of one call; e_expect_einval() substitutes the (void *)1 arrays. */
static void e_args(struct e_ctx *c, struct migrate_vma *args,
		   unsigned long start, unsigned long end)
{
	t_mig_args(args, vma_lookup(c->f->mm, c->buf), start, end, (void *)1,
		   (void *)1, MIGRATE_VMA_SELECT_SYSTEM |
		   MIGRATE_VMA_SELECT_DEVICE_PRIVATE, NULL);
}

static void test_einval_null_vma(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	e_args(&c, &args, c.buf, c.buf + E_NPAGES * PAGE_SIZE);
	args.vma = NULL;
	e_expect_einval(&c, &args);
}

/* Each VMA flag that setup must refuse, set for the duration of one call. */
static void e_flag_case(void **state, unsigned long flag)
{
	struct vm_area_struct *vma;
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	mmap_write_lock(c.f->mm);
	vma = vma_lookup(c.f->mm, c.buf);
	vm_flags_set(vma, flag);
	mmap_write_unlock(c.f->mm);

	e_args(&c, &args, c.buf, c.buf + E_NPAGES * PAGE_SIZE);
	e_expect_einval(&c, &args);

	mmap_write_lock(c.f->mm);
	vm_flags_clear(vma, flag);
	mmap_write_unlock(c.f->mm);
}

static void test_einval_hugetlb(void **state)
{
	e_flag_case(state, VM_HUGETLB);
}

static void test_einval_vm_io(void **state)
{
	e_flag_case(state, VM_IO);
}

static void test_einval_vm_dontexpand(void **state)
{
	e_flag_case(state, VM_DONTEXPAND);
}

static void test_einval_vm_pfnmap(void **state)
{
	e_flag_case(state, VM_PFNMAP);
}

static void test_einval_vm_mixedmap(void **state)
{
	e_flag_case(state, VM_MIXEDMAP);
}

/*
 * A DAX VMA: file-backed by an S_DAX inode.  The model has no DAX file
 * system, so the VMA borrows a file whose inode says DAX for one call.
 */
static void test_einval_dax(void **state)
{
	struct inode inode = { .i_flags = S_DAX };
	struct file file = { .f_inode = &inode };
	struct vm_area_struct *vma;
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	mmap_write_lock(c.f->mm);
	vma = vma_lookup(c.f->mm, c.buf);
	vma->vm_file = &file;
	mmap_write_unlock(c.f->mm);
	assert_true(vma_is_dax(vma));

	e_args(&c, &args, c.buf, c.buf + E_NPAGES * PAGE_SIZE);
	mmap_read_lock(c.f->mm);
	args.src = c.src;
	args.dst = c.dst;
	memset(c.src, 0x5a, sizeof(c.src));
	assert_int_equal(migrate_vma_setup(&args), -EINVAL);
	mmap_read_unlock(c.f->mm);

	mmap_write_lock(c.f->mm);
	vma->vm_file = NULL;
	mmap_write_unlock(c.f->mm);
	/* With the file gone, the rest of the checks see nothing changed. */
	e_args(&c, &args, c.buf, c.buf);
	e_expect_einval(&c, &args);
}

static void test_einval_empty_range(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	e_args(&c, &args, c.buf + PAGE_SIZE, c.buf + PAGE_SIZE);
	e_expect_einval(&c, &args);
}

/* Shorter than a page but straddling a boundary: 0 pages before masking. */
static void test_einval_subpage_range(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	e_args(&c, &args, c.buf + 2 * PAGE_SIZE - 1, c.buf + 2 * PAGE_SIZE + 1);
	e_expect_einval(&c, &args);
}

/* Both ends inside the VMA: 6.12 overruns src; our decision is -EINVAL. */
static void test_einval_reversed_range(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	e_args(&c, &args, c.buf + 5 * PAGE_SIZE, c.buf + 2 * PAGE_SIZE);
	e_expect_einval(&c, &args);
	/* And reversed with the end outside the VMA. */
	e_args(&c, &args, c.buf + 5 * PAGE_SIZE,
	       vma_lookup(c.f->mm, c.buf)->vm_start - PAGE_SIZE);
	e_expect_einval(&c, &args);
}

static void test_einval_start_before_vma(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;
	unsigned long vm_start;

	e_prepare(&c, *state);
	vm_start = vma_lookup(c.f->mm, c.buf)->vm_start;
	e_args(&c, &args, vm_start - PAGE_SIZE, c.buf + 2 * PAGE_SIZE);
	e_expect_einval(&c, &args);
}

static void test_einval_start_at_vma_end(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;
	unsigned long vm_end;

	e_prepare(&c, *state);
	vm_end = vma_lookup(c.f->mm, c.buf)->vm_end;
	e_args(&c, &args, vm_end, vm_end + PAGE_SIZE);
	e_expect_einval(&c, &args);
}

static void test_einval_end_before_vma(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;
	unsigned long vm_start;

	e_prepare(&c, *state);
	vm_start = vma_lookup(c.f->mm, c.buf)->vm_start;
	/* A range ending exactly at vm_start lies wholly before the VMA. */
	e_args(&c, &args, vm_start - 2 * PAGE_SIZE, vm_start);
	e_expect_einval(&c, &args);
}

static void test_einval_end_past_vma(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;
	unsigned long vm_end;

	e_prepare(&c, *state);
	vm_end = vma_lookup(c.f->mm, c.buf)->vm_end;
	e_args(&c, &args, vm_end - 2 * PAGE_SIZE, vm_end + PAGE_SIZE);
	e_expect_einval(&c, &args);
}

static void test_einval_null_src(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	e_args(&c, &args, c.buf, c.buf + E_NPAGES * PAGE_SIZE);
	args.src = NULL;
	e_expect_einval(&c, &args);
}

static void test_einval_null_dst(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	e_args(&c, &args, c.buf, c.buf + E_NPAGES * PAGE_SIZE);
	args.dst = NULL;
	e_expect_einval(&c, &args);
}

/* fault_page must be device-private: a system page is refused. */
static void test_einval_fault_page_not_private(void **state)
{
	struct migrate_vma args;
	struct e_ctx c;

	e_prepare(&c, *state);
	e_args(&c, &args, c.buf + 3 * PAGE_SIZE, c.buf + 4 * PAGE_SIZE);
	args.fault_page = t_page(c.f->mm, c.buf + 3 * PAGE_SIZE);
	assert_non_null(args.fault_page);
	e_expect_einval(&c, &args);
}

/*
 * start 0x...800, end page aligned: nr_pages before masking is one less
 * than the masked range holds, but collect fills every slot of the masked
 * range.  The arrays are sized for the masked range.
 */
static void test_unaligned_start_is_masked(void **state)
{
	struct fx *f = *state;
	unsigned long src[3] = { 0, 0, E_SENTINEL };
	unsigned long dst[3] = { E_SENTINEL, E_SENTINEL, E_SENTINEL };
	struct migrate_vma args = { 0 };
	unsigned long buf = t_map(f, 4, T_RW);

	args.vma = vma_lookup(f->mm, buf);
	args.start = buf + PAGE_SIZE + PAGE_SIZE / 2;
	args.end = buf + 3 * PAGE_SIZE;
	args.src = src;
	args.dst = dst;
	args.flags = MIGRATE_VMA_SELECT_SYSTEM;

	mmap_read_lock(f->mm);
	assert_int_equal(migrate_vma_setup(&args), 0);
	assert_int_equal(args.start, buf + PAGE_SIZE);
	assert_int_equal(args.end, buf + 3 * PAGE_SIZE);
	assert_int_equal(args.npages, 2);
	/* Two holes in an anonymous VMA: both selected. */
	assert_int_equal(args.cpages, 2);
	assert_int_equal(src[0], MIGRATE_PFN_MIGRATE);
	assert_int_equal(src[1], MIGRATE_PFN_MIGRATE);
	assert_int_equal(dst[0], 0);
	assert_int_equal(dst[1], 0);
	/* Nothing beyond the masked range is written. */
	assert_int_equal(src[2], E_SENTINEL);
	assert_int_equal(dst[2], E_SENTINEL);
	/* No destination: pages and finalize leave the holes alone. */
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_count_kind(f->mm, buf, 4, T_NONE), 4);
}

/* An unaligned end is masked down: the partial last page is not included. */
static void test_unaligned_end_is_masked(void **state)
{
	struct fx *f = *state;
	unsigned long src[3] = { 0, E_SENTINEL, E_SENTINEL };
	unsigned long dst[3] = { 0, E_SENTINEL, E_SENTINEL };
	struct migrate_vma args = { 0 };
	unsigned long buf = t_map(f, 4, T_RW);

	t_fill(buf, 4, 7);
	args.vma = vma_lookup(f->mm, buf);
	args.start = buf;
	args.end = buf + PAGE_SIZE + 100;
	args.src = src;
	args.dst = dst;
	args.flags = MIGRATE_VMA_SELECT_SYSTEM;

	mmap_read_lock(f->mm);
	assert_int_equal(migrate_vma_setup(&args), 0);
	assert_int_equal(args.end, buf + PAGE_SIZE);
	assert_int_equal(args.npages, 1);
	assert_int_equal(args.cpages, 1);
	assert_true(src[0] & MIGRATE_PFN_VALID);
	assert_int_equal(src[1], E_SENTINEL);
	assert_int_equal(t_kind(f->mm, buf), T_MIG_WRITE);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_PRESENT);
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
	assert_int_equal(t_mismatches(buf, 4, 7), 0);
}

/* The mirror refuses malformed commands before touching anything. */
static void test_ioctl_bad_arguments(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	struct hmm_dmirror_cmd cmd = {
		.addr = buf + 1, .ptr = buf, .npages = 1,
		.cpages = 77, .faults = 88,
	};

	/* Unaligned address. */
	assert_int_equal(dmirror_ioctl(f->mirror[0], HMM_DMIRROR_READ, &cmd),
			 -EINVAL);
	/* The struct is not copied back on failure. */
	assert_int_equal(cmd.cpages, 77);
	assert_int_equal(cmd.faults, 88);
	/* Empty range. */
	cmd.addr = buf;
	cmd.npages = 0;
	assert_int_equal(dmirror_ioctl(f->mirror[0], HMM_DMIRROR_READ, &cmd),
			 -EINVAL);
	/* Wrapping range. */
	cmd.npages = ~0ULL >> PAGE_SHIFT;
	assert_int_equal(dmirror_ioctl(f->mirror[0], HMM_DMIRROR_READ, &cmd),
			 -EINVAL);
	/* Unknown command. */
	cmd.npages = 1;
	assert_int_equal(dmirror_ioctl(f->mirror[0], HMM_DMIRROR_IOWR(0x42),
				       &cmd), -EINVAL);
	/* Migration of an unmapped range. */
	cmd.addr = buf + 16 * PAGE_SIZE;
	assert_int_equal(dmirror_ioctl(f->mirror[0],
				       HMM_DMIRROR_MIGRATE_TO_DEV, &cmd),
			 -EINVAL);
	assert_int_equal(cmd.cpages, 77);
}

/* hmm2.migrate_mixed steps 1-2: a PROT_NONE VMA is refused by the driver. */
static void test_ioctl_migrate_prot_none(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 6, DEVMIG_PROT_NONE);
	struct hmm_dmirror_cmd cmd;

	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       buf, 6, &cmd), -EINVAL);
	assert_int_equal(devmig_munmap(f->proc, buf + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       buf, 3, &cmd), -EINVAL);
	assert_int_equal(t_dstats(f->dev[1]).calloc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_einval_null_vma),
		FX_TEST(test_einval_hugetlb),
		FX_TEST(test_einval_vm_io),
		FX_TEST(test_einval_vm_dontexpand),
		FX_TEST(test_einval_vm_pfnmap),
		FX_TEST(test_einval_vm_mixedmap),
		FX_TEST(test_einval_dax),
		FX_TEST(test_einval_empty_range),
		FX_TEST(test_einval_subpage_range),
		FX_TEST(test_einval_reversed_range),
		FX_TEST(test_einval_start_before_vma),
		FX_TEST(test_einval_start_at_vma_end),
		FX_TEST(test_einval_end_before_vma),
		FX_TEST(test_einval_end_past_vma),
		FX_TEST(test_einval_null_src),
		FX_TEST(test_einval_null_dst),
		FX_TEST(test_einval_fault_page_not_private),
		FX_TEST(test_unaligned_start_is_masked),
		FX_TEST(test_unaligned_end_is_masked),
		FX_TEST(test_ioctl_bad_arguments),
		FX_TEST(test_ioctl_migrate_prot_none),
	};

	return T_RUN(tests);
}
