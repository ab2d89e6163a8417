// SPDX-License-Identifier: GPL-2.0
/*
 * uapi.c - bad input to the mirror device's ioctl: for every command, one
 * table of malformed arguments (unaligned, empty, a page count whose size
 * loses bits to the shift or wraps around the address space, a bad user
 * buffer), each refused with the kernel's error and nothing changed: the
 * caller's struct, the device's memory, the process's pages and data.
 */
#include "harness.h"

#define U_PAGES		4
#define U_BASE		61

struct u_case {
	const char *what;
	unsigned long addr;	/* 0: the test buffer, plus @offset */
	unsigned long offset;
	unsigned long ptr;	/* 0: a valid scratch buffer; else this */
	unsigned long npages;
	int err;
};

/* Malformed for every command: the address and size checks. */
static const struct u_case u_common[] = {
	{ "unaligned address", 0, 8, 0, 1, -EINVAL },
	{ "no pages", 0, 0, 0, 0, -EINVAL },
	{ "size loses bits to the shift", 0, 0, 0,
	  (1UL << (BITS_PER_LONG - PAGE_SHIFT)) + 1, -EINVAL },
	{ "every bit of npages", 0, 0, 0, ~0UL, -EINVAL },
	{ "range wraps", -2 * PAGE_SIZE, 0, 0, 3, -EINVAL },
	{ "range ends at 2^64", -PAGE_SIZE, 0, 0, 1, -EINVAL },
};

/* A user buffer that is not mapped: the copy fails. */
static const struct u_case u_bad_ptr[] = {
	{ "unmapped user buffer", 0, 0, PAGE_SIZE, 1, -EFAULT },
};

/*
 * Run @cases against @command on a filled buffer; each must fail with its
 * error and leave everything as it was.
 */
static void u_check(struct fx *f, unsigned int command,
		    const struct u_case *cases, size_t n)
{
	unsigned long buf = t_map(f, U_PAGES, T_RW);
	unsigned long scratch = t_scratch(f->proc, U_PAGES);
	struct dmirror_device_stats st0, st;
	size_t i;

	t_fill(buf, U_PAGES, U_BASE);
	st0 = t_dstats(f->dev[0]);
	for (i = 0; i < n; i++) {
		const struct u_case *c = &cases[i];
		struct hmm_dmirror_cmd cmd = {
			.addr = (c->addr ? c->addr : buf) + c->offset,
			.ptr = c->ptr ? c->ptr : scratch,
			.npages = c->npages,
			.cpages = 0x1111, .faults = 0x2222,
		};
		struct hmm_dmirror_cmd before = cmd;
		unsigned long faults0 = t_faults();
		int ret = dmirror_ioctl(f->mirror[0], command, &cmd);

		if (ret != c->err)
			fail_msg("%s: got %d, not %d", c->what, ret, c->err);
		/* As copy_to_user() of the kernel's ioctl: only on success. */
		assert_memory_equal(&cmd, &before, sizeof(cmd));
		/* Refused before touching memory (a bad buffer faults once). */
		if (c->err == -EINVAL)
			assert_int_equal(t_faults(), faults0);
		st = t_dstats(f->dev[0]);
		assert_int_equal(st.in_use, st0.in_use);
		assert_int_equal(st.calloc, st0.calloc);
		assert_int_equal(st.migrate_to_ram, st0.migrate_to_ram);
	}
	assert_int_equal(t_count_kind(f->mm, buf, U_PAGES, T_PRESENT),
			 U_PAGES);
	assert_int_equal(t_mismatches(buf, U_PAGES, U_BASE), 0);
}

#define U_CHECK(f, command, table) \
	u_check(f, command, table, sizeof(table) / sizeof((table)[0]))

static void test_uapi_read(void **state)
{
	U_CHECK(*state, HMM_DMIRROR_READ, u_common);
	U_CHECK(*state, HMM_DMIRROR_READ, u_bad_ptr);
}

static void test_uapi_write(void **state)
{
	U_CHECK(*state, HMM_DMIRROR_WRITE, u_common);
	U_CHECK(*state, HMM_DMIRROR_WRITE, u_bad_ptr);
}

static void test_uapi_migrate_to_dev(void **state)
{
	U_CHECK(*state, HMM_DMIRROR_MIGRATE_TO_DEV, u_common);
}

static void test_uapi_migrate_to_sys(void **state)
{
	U_CHECK(*state, HMM_DMIRROR_MIGRATE_TO_SYS, u_common);
}

static void test_uapi_snapshot(void **state)
{
	U_CHECK(*state, HMM_DMIRROR_SNAPSHOT, u_common);
	U_CHECK(*state, HMM_DMIRROR_SNAPSHOT, u_bad_ptr);
}

static void test_uapi_exclusive(void **state)
{
	U_CHECK(*state, HMM_DMIRROR_EXCLUSIVE, u_common);
}

/*
 * CHECK_EXCLUSIVE also answers a huge but valid range at once: it looks at
 * the entries the device holds, not at every page of the range (which would
 * take hours with the mirror's lock held).
 */
static void test_uapi_check_exclusive(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, U_PAGES, T_RW);
	unsigned long npages = 1UL << 40;

	U_CHECK(f, HMM_DMIRROR_CHECK_EXCLUSIVE, u_common);
	t_fill(buf, U_PAGES, U_BASE);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_CHECK_EXCLUSIVE, buf,
			       0, npages, NULL), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_EXCLUSIVE, buf,
			       t_scratch(f->proc, U_PAGES), U_PAGES, NULL), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_CHECK_EXCLUSIVE, buf,
			       0, npages, NULL), -EPERM);
	/* The range starts right after the exclusive pages: none of them. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_CHECK_EXCLUSIVE,
			       buf + U_PAGES * PAGE_SIZE, 0, npages, NULL), 0);
	/* Ranges ending at the first exclusive page and right before it. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_CHECK_EXCLUSIVE,
			       buf - PAGE_SIZE, 0, 2, NULL), -EPERM);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_CHECK_EXCLUSIVE,
			       buf - PAGE_SIZE, 0, 1, NULL), 0);
	assert_int_equal(t_mismatches(buf, U_PAGES, U_BASE), 0);
}

static void test_uapi_release(void **state)
{
	U_CHECK(*state, HMM_DMIRROR_RELEASE, u_common);
}

/* No such command, no mirror, no argument: -EINVAL. */
static void test_uapi_unknown(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct hmm_dmirror_cmd cmd = { .addr = buf, .npages = 1 };

	assert_int_equal(dmirror_ioctl(f->mirror[0], HMM_DMIRROR_IOWR(0x42),
				       &cmd), -EINVAL);
	assert_int_equal(dmirror_ioctl(NULL, HMM_DMIRROR_READ, &cmd), -EINVAL);
	assert_int_equal(dmirror_ioctl(f->mirror[0], HMM_DMIRROR_READ, NULL),
			 -EINVAL);
}

/*
 * The entry points around the ioctl: a device configuration that cannot
 * be built is refused with -EINVAL before anything is created (*out is
 * not written); NULL handles are refused or ignored.
 */
static void test_uapi_device_config(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *what;
		struct dmirror_device_config cfg;
	} bad[] = {
		{ "unknown memory type", { .type = 7 } },
		{ "chunk not a page multiple",
		  { .type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE,
		    .chunk_bytes = PAGE_SIZE + 8 } },
		{ "limit below one chunk",
		  { .type = HMM_DMIRROR_MEMORY_DEVICE_COHERENT,
		    .chunk_bytes = T_CHUNK_BYTES,
		    .limit_bytes = T_CHUNK_BYTES - PAGE_SIZE } },
	};
	struct dmirror_device_config good = {
		.type = HMM_DMIRROR_MEMORY_DEVICE_COHERENT,
		.chunk_bytes = T_CHUNK_BYTES,
	};
	struct dmirror_device *dev = (void *)1;
	struct dmirror *mirror = (void *)1;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		print_message("%s\n", bad[i].what);
		assert_int_equal(dmirror_device_create(&bad[i].cfg, &dev),
				 -EINVAL);
		assert_ptr_equal(dev, (void *)1);
	}
	assert_int_equal(dmirror_device_create(NULL, &dev), -EINVAL);
	assert_int_equal(dmirror_device_create(&good, NULL), -EINVAL);
	assert_ptr_equal(dev, (void *)1);

	assert_int_equal(dmirror_open(NULL, &mirror), -EINVAL);
	assert_int_equal(dmirror_open(f->dev[0], NULL), -EINVAL);
	assert_ptr_equal(mirror, (void *)1);
	assert_int_equal(dmirror_mmap(NULL, PAGE_SIZE, T_RW,
				      DEVMIG_MAP_SHARED), -EINVAL);
	dmirror_close(NULL);
	dmirror_device_destroy(NULL);

	/* What a valid configuration builds says what it was built as. */
	assert_int_equal(dmirror_device_type(f->dev[0]),
			 HMM_DMIRROR_MEMORY_DEVICE_PRIVATE);
	assert_int_equal(dmirror_device_create(&good, &dev), 0);
	assert_int_equal(dmirror_device_type(dev),
			 HMM_DMIRROR_MEMORY_DEVICE_COHERENT);
	dmirror_device_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_uapi_read),
		FX_TEST(test_uapi_write),
		FX_TEST(test_uapi_migrate_to_dev),
		FX_TEST(test_uapi_migrate_to_sys),
		FX_TEST(test_uapi_snapshot),
		FX_TEST(test_uapi_exclusive),
		FX_TEST(test_uapi_check_exclusive),
		FX_TEST(test_uapi_release),
		FX_TEST(test_uapi_unknown),
		FX_TEST(test_uapi_device_config),
	};

	return T_RUN(tests);
}
