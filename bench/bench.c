// SPDX-License-Identifier: GPL-2.0
/*
 * bench - what a migration costs in the model, next to a plain memcpy.
 *
 * For anonymous 4 KiB pages at sizes from 4 MiB to 1 GiB, times three
 * operations through the mirror device: system -> device by ioctl
 * (MIGRATE_TO_DEV, which also hands the device's view of the range back,
 * as the kernel's test driver does), device -> system by ioctl
 * (MIGRATE_TO_SYS) and device -> system by CPU faults (one touch per page,
 * each answered by migrate_to_ram).  Each is the best of several runs,
 * reported in ns per page and as a multiple of memcpy()ing the same number
 * of bytes in the same run.  Then the model's metadata per page.
 *
 * A report, not a test: it exits 0 unless something could not run at all.
 * Host program: libc and the public headers only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devmig.h"
#include "hmm_dmirror.h"

#define BENCH_PAGE	4096UL
#define BENCH_MIN	(4UL << 20)
#define BENCH_MAX	(1UL << 30)

enum { OP_TO_DEV, OP_TO_SYS, OP_FAULT, NR_OPS };

static const char *const op_names[NR_OPS] = {
	"sys->dev ioctl", "dev->sys ioctl", "dev->sys fault",
};

struct bench_ctx {
	struct devmig_proc *proc;
	struct dmirror_device *dev;
	struct dmirror *mirror;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Fewer repetitions for big sizes keep the whole report within minutes. */
static int runs_for(unsigned long size)
{
	return size >= (256UL << 20) ? 3 : 5;
}

static double memcpy_best_ns(unsigned long size, int runs)
{
	unsigned char *a = malloc(size), *b = malloc(size);
	double best = 0;
	int r;

	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}
	memset(a, 0x5a, size);
	memset(b, 0xa5, size);	/* fault both in before timing */
	for (r = 0; r < runs; r++) {
		double t0 = now_ns(), t;

		memcpy(b, a, size);
		t = now_ns() - t0;
		/* Keep the copy observable so it cannot be elided. */
		a[r % size] ^= b[(r * 7919) % size];
		if (!r || t < best)
			best = t;
	}
	free(a);
	free(b);
	return best;
}

static int do_ioctl(struct bench_ctx *c, unsigned int command,
		    unsigned long addr, unsigned long view,
		    unsigned long npages)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = addr, .ptr = view, .npages = npages,
	};

	return dmirror_ioctl(c->mirror, command, &cmd);
}

/* One size: best-of-runs time per operation, in ns. */
static int bench_size(struct bench_ctx *c, unsigned long size, int runs,
		      double best[NR_OPS])
{
	unsigned long npages = size / BENCH_PAGE;
	unsigned long off;
	long buf, view;
	unsigned char page[BENCH_PAGE];
	int r, op, ret = 0;

	buf = devmig_mmap(c->proc, size, DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
			  DEVMIG_MAP_PRIVATE);
	view = devmig_mmap(c->proc, size, DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
			   DEVMIG_MAP_PRIVATE);
	if (buf < 0 || view < 0)
		return buf < 0 ? (int)buf : (int)view;

	/* Real pages with real data, as a workload would have them. */
	memset(page, 0x3c, sizeof(page));
	for (off = 0; off < size && !ret; off += BENCH_PAGE)
		ret = devmig_store(buf + off, page, sizeof(page));

	for (op = 0; op < NR_OPS; op++)
		best[op] = 0;
	for (r = 0; r < runs && !ret; r++) {
		double t[NR_OPS], t0;

		t0 = now_ns();
		ret = do_ioctl(c, HMM_DMIRROR_MIGRATE_TO_DEV, buf, view,
			       npages);
		t[OP_TO_DEV] = now_ns() - t0;
		if (ret)
			break;

		t0 = now_ns();
		ret = do_ioctl(c, HMM_DMIRROR_MIGRATE_TO_SYS, buf, view,
			       npages);
		t[OP_TO_SYS] = now_ns() - t0;
		if (ret)
			break;

		ret = do_ioctl(c, HMM_DMIRROR_MIGRATE_TO_DEV, buf, view,
			       npages);
		if (ret)
			break;
		t0 = now_ns();
		for (off = 0; off < size && !ret; off += BENCH_PAGE)
			ret = devmig_load(buf + off, page, 1);
		t[OP_FAULT] = now_ns() - t0;

		for (op = 0; op < NR_OPS; op++)
			if (!r || t[op] < best[op])
				best[op] = t[op];
		fprintf(stderr, "  %4lu MiB: run %d/%d done\n", size >> 20,
			r + 1, runs);
	}
	devmig_munmap(c->proc, buf, size);
	devmig_munmap(c->proc, view, size);
	return ret;
}

int main(int argc, char **argv)
{
	struct devmig_config mcfg = { 0 };
	struct dmirror_device_config dcfg = { 0 };
	struct dmirror_model_sizes sz;
	struct bench_ctx c = { 0 };
	unsigned long size, max = BENCH_MAX;
	int ret, op;

	if (argc > 1) {
		/* A smaller top size, for a quick look: bench 64 (MiB). */
		char *end;

		max = strtoul(argv[1], &end, 10) << 20;
		if (*end || max < BENCH_MIN || max > BENCH_MAX) {
			fprintf(stderr, "usage: bench [MAX_MIB (4..1024)]\n");
			return 2;
		}
	}

	/* The range, the device's view of it, and the device's backing. */
	mcfg.ram_bytes = 3 * max + (512UL << 20);
	ret = devmig_boot(&mcfg);
	if (ret) {
		fprintf(stderr, "bench: boot failed: %s\n", strerror(-ret));
		return 1;
	}
	c.proc = devmig_proc_create();
	dcfg.type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
	dcfg.chunk_bytes = 256UL << 20;
	if (!c.proc || dmirror_device_create(&dcfg, &c.dev) ||
	    dmirror_open(c.dev, &c.mirror)) {
		fprintf(stderr, "bench: cannot set up a process and a device\n");
		return 1;
	}

	printf("devmig bench: migration of anonymous 4 KiB pages in the model\n");
	printf("(best of several runs; ratio = time / memcpy of the same bytes)\n\n");
	printf("%9s %8s", "size", "memcpy");
	for (op = 0; op < NR_OPS; op++)
		printf(" %16s", op_names[op]);
	printf("\n%9s %8s", "", "ns/page");
	for (op = 0; op < NR_OPS; op++)
		printf(" %16s", "ns/page (ratio)");
	printf("\n");

	for (size = BENCH_MIN; size <= max; size *= 4) {
		unsigned long npages = size / BENCH_PAGE;
		int runs = runs_for(size);
		double best[NR_OPS], mc;

		fprintf(stderr, "bench: %lu MiB, %d runs\n", size >> 20, runs);
		ret = bench_size(&c, size, runs, best);
		if (ret) {
			fprintf(stderr, "bench: %lu MiB failed: %s\n",
				size >> 20, strerror(-ret));
			break;
		}
		mc = memcpy_best_ns(size, runs);
		printf("%5lu MiB %8.1f", size >> 20, mc / npages);
		for (op = 0; op < NR_OPS; op++)
			printf(" %8.0f (%5.1fx)", best[op] / npages,
			       mc > 0 ? best[op] / mc : 0.0);
		printf("\n");
		fflush(stdout);
	}

	dmirror_model_sizes(&sz);
	printf("\nmodel metadata per 4 KiB page:\n");
	printf("  struct page                         %5lu bytes\n",
	       sz.struct_page);
	printf("  system page, mapped once            %5lu bytes "
	       "(struct page + PTE)\n", sz.struct_page + sz.pte);
	printf("  device-private page                 %5lu bytes "
	       "(its struct page + backing struct page + device PT entry)\n",
	       2 * sz.struct_page + sz.device_pt_entry);
	printf("  migration bookkeeping               %5lu bytes "
	       "(src + dst mpfn)\n", 2 * sz.mpfn);

	dmirror_close(c.mirror);
	dmirror_device_destroy(c.dev);
	devmig_proc_exit(c.proc);
	devmig_shutdown();
	return ret ? 1 : 0;
}
