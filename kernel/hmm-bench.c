// SPDX-License-Identifier: GPL-2.0
/*
 * hmm-bench: in-guest migration throughput through the test_hmm device.
 *
 * For anonymous buffers of a few sizes, mapped with small pages
 * (MADV_NOHUGEPAGE) or as 2 MiB-aligned MADV_HUGEPAGE memory, time:
 *
 *   to_dev     HMM_DMIRROR_MIGRATE_TO_DEV of the whole buffer
 *   to_sys     HMM_DMIRROR_MIGRATE_TO_SYS of the whole buffer
 *   fault_back migrate to the device, then bring every page back by
 *              writing to it from the CPU (one fault per 4 KiB page)
 *
 * and, as a roofline, a memcpy() of the same size.  Each figure is the
 * best of N runs, in nanoseconds per 4 KiB page.  Output lines:
 *
 *   BENCH <layout> <KiB> <operation> <ns-per-page> <pages-moved>
 *
 * Built statically on the host against the kernel's lib/test_hmm_uapi.h
 * (taken from the kernel source tree at build time).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <lib/test_hmm_uapi.h>

#define PAGE_4K		4096UL
#define SZ_2M		(2UL << 20)

static int reps = 5;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One test_hmm command over [addr, addr + size); returns pages moved. */
static long dmirror(int fd, unsigned long request, void *addr, void *mirror,
		    size_t size)
{
	struct hmm_dmirror_cmd cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.addr = (uintptr_t)addr;
	cmd.ptr = (uintptr_t)mirror;
	cmd.npages = size / PAGE_4K;
	do {
		ret = ioctl(fd, request, &cmd);
	} while (ret && errno == EINTR);
	if (ret)
		return -errno;
	return (long)cmd.cpages;
}

/* Anonymous memory, 2 MiB-aligned so that huge pages are possible. */
static void *map_aligned(size_t size, int advice)
{
	size_t len = size + SZ_2M;
	char *p, *q;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	q = (char *)(((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1));
	if (q > p)
		munmap(p, q - p);
	munmap(q + size, p + len - (q + size));
	if (madvise(q, size, advice))
		perror("madvise");
	return q;
}

static void fill(char *p, size_t size, unsigned int seed)
{
	size_t i;

	for (i = 0; i < size; i += PAGE_4K)
		*(unsigned int *)(p + i) = seed + (unsigned int)(i / PAGE_4K);
}

static int check(const char *p, size_t size, unsigned int seed)
{
	size_t i;

	for (i = 0; i < size; i += PAGE_4K)
		if (*(const unsigned int *)(p + i) !=
		    seed + (unsigned int)(i / PAGE_4K))
			return -1;
	return 0;
}

static void report(const char *layout, size_t size, const char *op,
		   uint64_t best, long moved)
{
	printf("BENCH %s %zu %s %.1f %ld\n", layout, size >> 10, op,
	       (double)best / (double)(size / PAGE_4K), moved);
	fflush(stdout);
}

/* AnonHugePages of this process, in KiB, or -1. */
static long anon_huge_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f;

	f = fopen("/proc/self/smaps_rollup", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * Each run starts from a freshly mapped and populated buffer, so that a
 * huge-page buffer really is huge when it is migrated to the device.
 */
static int bench_one(int fd, const char *layout, int advice, size_t size)
{
	uint64_t best_dev = UINT64_MAX, best_sys = UINT64_MAX;
	uint64_t best_fault = UINT64_MAX, t0, t1;
	long pages = size / PAGE_4K, moved_dev = 0, moved_sys = 0;
	long huge_kib = 0;
	char *buf, *mirror;
	int r, err = 0;
	size_t i;

	mirror = malloc(size);
	if (!mirror)
		return -1;
	memset(mirror, 0, size);

	for (r = 0; r < reps && !err; r++) {
		long n;

		buf = map_aligned(size, advice);
		if (!buf) {
			fprintf(stderr, "hmm-bench: no memory for %zu KiB\n",
				size >> 10);
			err = -1;
			break;
		}
		fill(buf, size, r);
		if (r == 0)
			huge_kib = anon_huge_kib();

		t0 = now_ns();
		n = dmirror(fd, HMM_DMIRROR_MIGRATE_TO_DEV, buf, mirror, size);
		t1 = now_ns();
		if (n < 0) {
			fprintf(stderr, "hmm-bench: to_dev: %s\n",
				strerror(-n));
			err = -1;
		}
		moved_dev = n;
		if (t1 - t0 < best_dev)
			best_dev = t1 - t0;

		t0 = now_ns();
		n = err ? 0 : dmirror(fd, HMM_DMIRROR_MIGRATE_TO_SYS, buf,
				      mirror, size);
		t1 = now_ns();
		if (n < 0) {
			fprintf(stderr, "hmm-bench: to_sys: %s\n",
				strerror(-n));
			err = -1;
		}
		moved_sys = n;
		if (t1 - t0 < best_sys)
			best_sys = t1 - t0;

		n = err ? 0 : dmirror(fd, HMM_DMIRROR_MIGRATE_TO_DEV, buf,
				      mirror, size);
		if (n < 0)
			err = -1;
		t0 = now_ns();
		for (i = 0; i < size; i += PAGE_4K)
			buf[i + 8] = (char)r;
		t1 = now_ns();
		if (t1 - t0 < best_fault)
			best_fault = t1 - t0;

		if (!err && check(buf, size, r)) {
			fprintf(stderr, "hmm-bench: data mismatch (%s, %zu KiB)\n",
				layout, size >> 10);
			err = -1;
		}
		munmap(buf, size);
	}
	if (!err) {
		printf("BENCH-INFO %s %zu KiB: AnonHugePages %ld KiB when populated\n",
		       layout, size >> 10, huge_kib);
		report(layout, size, "to_dev", best_dev, moved_dev);
		report(layout, size, "to_sys", best_sys, moved_sys);
		report(layout, size, "fault_back", best_fault, pages);
	}
	free(mirror);
	return err;
}

static void bench_memcpy(size_t size)
{
	uint64_t best = UINT64_MAX, t0, t1;
	char *a = malloc(size), *b = malloc(size);
	int r;

	if (!a || !b)
		return;
	memset(a, 1, size);
	memset(b, 2, size);
	for (r = 0; r < reps; r++) {
		t0 = now_ns();
		memcpy(b, a, size);
		t1 = now_ns();
		if (t1 - t0 < best)
			best = t1 - t0;
		a[r] = b[size - 1 - r];
	}
	report("memcpy", size, "copy", best, (long)(size / PAGE_4K));
	free(a);
	free(b);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hmm-bench [-d device] [-n runs] [KiB ...]\n"
		"  sizes are in KiB, multiples of 2048 for the huge layout\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const size_t default_kib[] = { 64, 2048, 16384 };
	const char *dev = "/dev/hmm_dmirror0";
	size_t kib[16];
	int nsizes = 0, fd, opt, i, err = 0;

	while ((opt = getopt(argc, argv, "d:n:")) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'n':
			reps = atoi(optarg);
			if (reps < 1)
				usage();
			break;
		default:
			usage();
		}
	}
	for (i = optind; i < argc && nsizes < 16; i++)
		kib[nsizes++] = strtoul(argv[i], NULL, 0);
	if (!nsizes) {
		for (i = 0; i < 3; i++)
			kib[i] = default_kib[i];
		nsizes = 3;
	}

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	printf("BENCH-INFO device %s runs %d\n", dev, reps);
	for (i = 0; i < nsizes; i++) {
		size_t size = kib[i] << 10;

		if (!size || size % PAGE_4K)
			usage();
		err |= bench_one(fd, "4k", MADV_NOHUGEPAGE, size);
		if (size % SZ_2M == 0)
			err |= bench_one(fd, "thp", MADV_HUGEPAGE, size);
		bench_memcpy(size);
	}
	close(fd);
	return err ? 1 : 0;
}
