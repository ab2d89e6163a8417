// SPDX-License-Identifier: GPL-2.0
/*
 * bench - what a migration of anonymous 4 KiB pages costs in the model, next
 * to the physical limit, a memcpy of the same bytes.
 *
 * Paths, each timed per size (1 MiB up to --max-mib, 1 GiB by default):
 *
 *   memcpy          the roofline: the same bytes copied a page at a time
 *                   into memory that is already faulted in (warm), backed
 *                   like model RAM (huge pages where the host gives them)
 *   kapi-to-dev     bench/bench_dev.c, a minimal driver on the kernel API
 *   kapi-to-sys     (migrate_vma_setup/pages/finalize, its own
 *   kapi-fault      device-private pgmap, one copy per page); "fault" is
 *                   device -> system by one CPU load per page, each answered
 *                   by the driver's migrate_to_ram
 *   nocopy-*        the same driver copying nothing: the bookkeeping alone,
 *                   i.e. mm/migrate_device.c and the model
 *   mirror-*        the mirror device (drivers/dmirror.c, test_hmm's
 *                   semantics) by ioctl and by faults.  Its to-dev makes
 *                   three copies per page (migration, the device read into
 *                   a bounce buffer, the bounce buffer to the caller);
 *                   to-sys and fault make one.
 *
 * Every path gets an untimed warm-up round, then --runs timed rounds
 * (default 5); the table shows the median and the spread (max-min over the
 * median), and the ratio of medians to memcpy's median at that size.
 * memcpy runs before and after the model's paths of each size (twice
 * --runs rounds), so that its median spans the same stretch of time.  The
 * copying paths check every page's data after each round.  Each size boots
 * a model machine of its own (RAM for that size only), shut down after.
 * Mirror paths need three times the size in model RAM: they stop at
 * --mirror-max-mib (1 GiB by default).
 *
 * --scaling instead times two workers migrating disjoint ranges through the
 * bench driver, as two threads of one process and as two processes, against
 * one worker; and, in the same runs, the host alone: one and two threads
 * copying as many bytes page by page between their own warm buffers, no
 * model, which is as far as the machine itself lets two workers scale.
 *
 * Results go to stdout as a table and, with --out DIR, to DIR/bench.csv and
 * DIR/bench.json (or scaling.csv/.json); bench/plot.gp draws bench.csv.
 * A report, not a test: it exits 0 unless something could not run at all,
 * or data came back wrong.  Host program: libc, api/ and bench_dev.h only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devmig.h"
#include "hmm_dmirror.h"
#include "bench_dev.h"

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define MAX_RUNS	64

enum path {
	P_MEMCPY,
	P_KAPI_TO_DEV, P_KAPI_TO_SYS, P_KAPI_FAULT,
	P_NOCOPY_TO_DEV, P_NOCOPY_TO_SYS, P_NOCOPY_FAULT,
	P_MIRROR_TO_DEV, P_MIRROR_TO_SYS, P_MIRROR_FAULT,
	NR_PATHS
};

static const struct {
	const char *name;
	int copies;		/* page copies the path makes */
} paths[NR_PATHS] = {
	[P_MEMCPY]		= { "memcpy", 1 },
	[P_KAPI_TO_DEV]		= { "kapi-to-dev", 1 },
	[P_KAPI_TO_SYS]		= { "kapi-to-sys", 1 },
	[P_KAPI_FAULT]		= { "kapi-fault", 1 },
	[P_NOCOPY_TO_DEV]	= { "nocopy-to-dev", 0 },
	[P_NOCOPY_TO_SYS]	= { "nocopy-to-sys", 0 },
	[P_NOCOPY_FAULT]	= { "nocopy-fault", 0 },
	[P_MIRROR_TO_DEV]	= { "mirror-to-dev", 3 },
	[P_MIRROR_TO_SYS]	= { "mirror-to-sys", 1 },
	[P_MIRROR_FAULT]	= { "mirror-fault", 1 },
};

struct sample {
	int n;
	double ns[MAX_RUNS];
};

struct options {
	unsigned long min_mib;
	unsigned long max_mib;
	unsigned long mirror_max_mib;
	unsigned long scaling_mib;
	int runs;
	int scaling;
	int nocopy;
	int wall_clock;
	const char *out;
};

static struct options opt = {
	.min_mib = 1, .max_mib = 1024, .mirror_max_mib = 1024, .scaling_mib = 256, .runs = 5,
};

static double clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/*
 * The table's clock: the thread's CPU time by default, so that on a shared
 * machine the time spent waiting for a CPU does not count (host page
 * faults, being work done for the thread, do); --clock wall for elapsed
 * time.  The table's paths are single-threaded and never sleep.
 */
static double table_ns(void)
{
	return clock_ns(opt.wall_clock ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void add(struct sample *s, double ns)
{
	if (s->n < MAX_RUNS)
		s->ns[s->n++] = ns;
}

/* Median, min and max of a sample (sorts it). */
static double median(struct sample *s, double *min, double *max)
{
	qsort(s->ns, s->n, sizeof(double), cmp_double);
	*min = s->ns[0];
	*max = s->ns[s->n - 1];
	return s->n % 2 ? s->ns[s->n / 2] :
			  (s->ns[s->n / 2 - 1] + s->ns[s->n / 2]) / 2;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	buf[0] = 0;
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

/* ------------------------------------------------------------------------
 * The roofline.
 */

static void *warm_buffer(unsigned long size, int byte)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap", errno);
	madvise(p, size, MADV_HUGEPAGE);
	memset(p, byte, size);
	return p;
}

static void bench_memcpy(unsigned long size, struct sample *s)
{
	unsigned char *src = warm_buffer(size, 0x5a);
	unsigned char *dst = warm_buffer(size, 0xa5);
	unsigned long off;
	int r;

	for (r = -1; r < opt.runs; r++) {
		double t0 = table_ns();

		for (off = 0; off < size; off += PAGE)
			memcpy(dst + off, src + off, PAGE);
		if (r >= 0)
			add(s, table_ns() - t0);
		/* Make the copy observable so it cannot be elided. */
		src[(r + 1) * PAGE % size] ^= dst[(r * 7919UL) % size];
	}
	munmap(src, size);
	munmap(dst, size);
}

/* ------------------------------------------------------------------------
 * The model: a machine per size, one process, anonymous memory filled with
 * a page-specific pattern.
 */

static struct devmig_proc *boot(unsigned long ram)
{
	/* Prefaulted: host page faults are set-up cost, not migration. */
	struct devmig_config cfg = { .ram_bytes = ram, .prefault = 1 };
	struct devmig_proc *proc;
	int ret = devmig_boot(&cfg);

	if (ret)
		die("boot", ret);
	proc = devmig_proc_create();
	if (!proc)
		die("process", ENOMEM);
	return proc;
}

static void shutdown(struct devmig_proc *proc)
{
	devmig_proc_exit(proc);
	devmig_shutdown();
}

static unsigned long long pattern(unsigned long page, unsigned long seed)
{
	return (page + 1) * 0x9e3779b97f4a7c15ULL ^ seed;
}

/* Map @size bytes and give every page its pattern (whole pages written). */
static long map_filled(struct devmig_proc *proc, unsigned long size,
		       unsigned long seed)
{
	static unsigned long long page[PAGE / 8];
	unsigned long i, j;
	long addr;
	int ret;

	addr = devmig_mmap(proc, size, DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
			   DEVMIG_MAP_PRIVATE);
	if (addr < 0)
		die("mmap", (int)addr);
	for (i = 0; i < size / PAGE; i++) {
		for (j = 0; j < PAGE / 8; j++)
			page[j] = pattern(i, seed) + j;
		ret = devmig_store(addr + i * PAGE, page, PAGE);
		if (ret)
			die("store", ret);
	}
	return addr;
}

/*
 * Load the first and last word of every page (through the software CPU:
 * a device page faults back) and check them; @check false only touches.
 */
static void touch_pages(long addr, unsigned long size, unsigned long seed,
			bool check)
{
	unsigned long i;

	for (i = 0; i < size / PAGE; i++) {
		unsigned long long w[2];
		int ret;

		ret = devmig_load(addr + i * PAGE, &w[0], 8);
		if (!ret && check)
			ret = devmig_load(addr + (i + 1) * PAGE - 8, &w[1], 8);
		if (ret)
			die("load", ret);
		if (check && (w[0] != pattern(i, seed) ||
			      w[1] != pattern(i, seed) + PAGE / 8 - 1)) {
			fprintf(stderr, "bench: page %lu came back wrong\n", i);
			exit(1);
		}
	}
}

static void expect(long got, unsigned long npages, const char *what)
{
	if (got < 0)
		die(what, (int)got);
	if ((unsigned long)got != npages) {
		fprintf(stderr, "bench: %s moved %ld of %lu pages\n", what, got,
			npages);
		exit(1);
	}
}

/* kapi and nocopy: the bench driver, with or without the copies. */
static void bench_kapi(unsigned long size, struct sample *s)
{
	unsigned long npages = size / PAGE;
	struct devmig_proc *proc;
	struct bench_dev *bdev;
	int copy, ret, r;
	long addr;

	proc = boot(size + 64 * MIB);
	ret = bench_dev_create(size, &bdev);
	if (ret)
		die("bench_dev_create", ret);
	addr = map_filled(proc, size, size);
	for (copy = 1; copy >= 0; copy--) {
		struct sample *p = s + (copy ? P_KAPI_TO_DEV : P_NOCOPY_TO_DEV);

		bench_dev_set_copy(bdev, copy);
		for (r = -1; r < opt.runs; r++) {
			double t0, t1, t2;

			t0 = table_ns();
			expect(bench_dev_to_device(bdev, addr, npages), npages,
			       "to device");
			t1 = table_ns();
			expect(bench_dev_to_system(bdev, addr, npages), npages,
			       "to system");
			t2 = table_ns();
			touch_pages(addr, size, size, copy);
			expect(bench_dev_to_device(bdev, addr, npages), npages,
			       "to device");
			{
				unsigned long f0 = bench_dev_faults(bdev);
				double t3 = table_ns();

				touch_pages(addr, size, size, false);
				t3 = table_ns() - t3;
				if (bench_dev_faults(bdev) - f0 != npages)
					die("faults: not one per page", EIO);
				if (r >= 0)
					add(&p[2], t3);
			}
			if (copy)
				touch_pages(addr, size, size, true);
			if (r >= 0) {
				add(&p[0], t1 - t0);
				add(&p[1], t2 - t1);
			}
		}
	}
	devmig_munmap(proc, addr, size);
	bench_dev_destroy(bdev);
	shutdown(proc);
}

static void mirror_cmd(struct dmirror *mirror, unsigned int command,
		       long addr, long view, unsigned long npages)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = addr, .ptr = view, .npages = npages,
	};
	int ret = dmirror_ioctl(mirror, command, &cmd);

	if (ret)
		die("mirror ioctl", ret);
	if (cmd.cpages != npages) {
		fprintf(stderr, "bench: mirror moved %llu of %lu pages\n",
			cmd.cpages, npages);
		exit(1);
	}
}

static void bench_mirror(unsigned long size, struct sample *s)
{
	struct dmirror_device_config dcfg = {
		.type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE,
		.chunk_bytes = size < 256 * MIB ? size : 256 * MIB,
	};
	unsigned long npages = size / PAGE;
	struct dmirror_device *dev;
	struct dmirror *mirror;
	struct devmig_proc *proc;
	long addr, view;
	int r;

	/* The range, the caller's view of it, and the device's backing. */
	proc = boot(3 * size + 64 * MIB);
	if (dmirror_device_create(&dcfg, &dev) || dmirror_open(dev, &mirror))
		die("mirror device", ENOMEM);
	addr = map_filled(proc, size, ~size);
	view = map_filled(proc, size, 0);
	for (r = -1; r < opt.runs; r++) {
		double t0, t1, t2, t3;

		t0 = table_ns();
		mirror_cmd(mirror, HMM_DMIRROR_MIGRATE_TO_DEV, addr, view, npages);
		t1 = table_ns();
		mirror_cmd(mirror, HMM_DMIRROR_MIGRATE_TO_SYS, addr, view, npages);
		t2 = table_ns();
		touch_pages(view, size, ~size, true);
		touch_pages(addr, size, ~size, true);
		mirror_cmd(mirror, HMM_DMIRROR_MIGRATE_TO_DEV, addr, view, npages);
		t3 = table_ns();
		touch_pages(addr, size, ~size, false);
		t3 = table_ns() - t3;
		touch_pages(addr, size, ~size, true);
		if (r >= 0) {
			add(&s[P_MIRROR_TO_DEV], t1 - t0);
			add(&s[P_MIRROR_TO_SYS], t2 - t1);
			add(&s[P_MIRROR_FAULT], t3);
		}
	}
	dmirror_close(mirror);
	dmirror_device_destroy(dev);
	devmig_munmap(proc, addr, size);
	devmig_munmap(proc, view, size);
	shutdown(proc);
}

/* ------------------------------------------------------------------------
 * The table.
 */

static FILE *out_file(const char *name)
{
	char path[4096];
	FILE *f;

	if (!opt.out)
		return NULL;
	/* A new directory is made; its parent must exist. */
	if (mkdir(opt.out, 0777) && errno != EEXIST)
		die(opt.out, errno);
	snprintf(path, sizeof(path), "%s/%s", opt.out, name);
	f = fopen(path, "w");
	if (!f)
		die(path, errno);
	return f;
}

static int run_table(void)
{
	FILE *csv = out_file("bench.csv"), *json = out_file("bench.json");
	char load0[128], load1[128];
	struct dmirror_model_sizes sz;
	unsigned long size;
	bool first = true;
	int p;

	loadavg(load0, sizeof(load0));
	printf("devmig bench: anonymous 4 KiB pages, ns per page (%s time), median of %d runs\n"
	       "(spread: (max-min)/median; xN: median / memcpy median, same size)\n"
	       "load average at start: %s\n\n", opt.wall_clock ? "wall" : "thread CPU",
	       opt.runs, load0);
	printf("%-16s %6s", "path", "copies");
	for (size = opt.min_mib * MIB; size <= opt.max_mib * MIB; size *= 4)
		printf(" %20lu MiB", size / MIB);
	printf("\n");
	if (csv)
		fprintf(csv, "path,copies,size_bytes,pages,runs,median_ns_per_page,"
			"min_ns_per_page,max_ns_per_page,ratio_to_memcpy\n");
	if (json)
		fprintf(json, "{\n  \"unit\": \"ns per 4 KiB page\",\n  \"clock\": \"%s\",\n"
			"  \"loadavg_start\": \"%s\",\n  \"results\": [",
			opt.wall_clock ? "wall" : "thread_cpu", load0);

	/* Sizes across, paths down: collect everything first. */
	{
		int nsizes = 0, i;
		static struct sample s[16][NR_PATHS];
		unsigned long sizes[16];

		for (size = opt.min_mib * MIB; size <= opt.max_mib * MIB && nsizes < 16;
		     size *= 4, nsizes++) {
			sizes[nsizes] = size;
			fprintf(stderr, "bench: %lu MiB\n", size / MIB);
			/*
			 * memcpy before and after the model's paths, its
			 * median over both: the other tenants' memory traffic
			 * changes while the model runs.
			 */
			bench_memcpy(size, s[nsizes]);
			bench_kapi(size, s[nsizes]);
			if (size <= opt.mirror_max_mib * MIB)
				bench_mirror(size, s[nsizes]);
			bench_memcpy(size, s[nsizes]);
		}
		for (p = 0; p < NR_PATHS; p++) {
			printf("%-16s %6d", paths[p].name, paths[p].copies);
			for (i = 0; i < nsizes; i++) {
				unsigned long npages = sizes[i] / PAGE;
				double mn, mx, med, mmn, mmx, mc;

				if (!s[i][p].n) {
					printf(" %24s", "-");
					continue;
				}
				mc = median(&s[i][P_MEMCPY], &mmn, &mmx);
				med = median(&s[i][p], &mn, &mx);
				printf(" %7.0f ±%4.0f%% %5.2fx", med / npages,
				       100 * (mx - mn) / med, med / mc);
				if (csv)
					fprintf(csv, "%s,%d,%lu,%lu,%d,%.1f,%.1f,%.1f,%.3f\n",
						paths[p].name, paths[p].copies,
						sizes[i], npages, s[i][p].n,
						med / npages, mn / npages,
						mx / npages, med / mc);
				if (json)
					fprintf(json, "%s\n    {\"path\": \"%s\", \"copies\": %d, "
						"\"size_bytes\": %lu, \"runs\": %d, "
						"\"median\": %.1f, \"min\": %.1f, "
						"\"max\": %.1f, \"ratio_to_memcpy\": %.3f}",
						first ? "" : ",", paths[p].name,
						paths[p].copies, sizes[i], s[i][p].n,
						med / npages, mn / npages,
						mx / npages, med / mc);
				first = false;
			}
			printf("\n");
		}
	}
	loadavg(load1, sizeof(load1));
	printf("\nload average at end: %s\n", load1);
	dmirror_model_sizes(&sz);
	printf("\nmodel metadata per 4 KiB page:\n"
	       "  system page: struct page %lu bytes (+ %lu per PTE mapping it)\n"
	       "  device-private page: struct page %lu bytes (bench_dev: its data in "
	       "device memory; mirror device: + a backing system page and a "
	       "%lu-byte device page-table entry)\n"
	       "  during a migration: src + dst slots, %lu bytes\n",
	       sz.struct_page, sz.pte, sz.struct_page, sz.device_pt_entry,
	       2 * sz.mpfn);
	if (json) {
		fprintf(json, "\n  ],\n  \"metadata_bytes_per_page\": {\"struct_page\": %lu, "
			"\"pte\": %lu, \"mpfn_pair\": %lu},\n"
			"  \"loadavg_end\": \"%s\"\n}\n", sz.struct_page, sz.pte,
			2 * sz.mpfn, load1);
		fclose(json);
	}
	if (csv)
		fclose(csv);
	return 0;
}

/* ------------------------------------------------------------------------
 * Scaling: one worker against two, threads of one process or two processes.
 */

struct worker {
	struct devmig_proc *proc;	/* the process to enter */
	struct bench_dev *bdev;
	unsigned char *src, *dst;	/* host baseline: copy these instead */
	long addr;
	unsigned long size;
	pthread_barrier_t *start;
	int rounds;
	double wall_ns;		/* out: the worker's own wall time */
	double run_ns;		/* out: of which on a CPU */
	double rq_wait_ns;	/* out: of which runnable, waiting for a CPU */
};

/* Nanoseconds the calling thread has run, and waited on a run queue, so far. */
static void schedstat(double *run_ns, double *wait_ns)
{
	unsigned long long run = 0, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &run, &wait) != 2)
			run = wait = 0;
		fclose(f);
	}
	*run_ns = run;
	*wait_ns = wait;
}

static void host_copy(unsigned char *dst, const unsigned char *src,
		      unsigned long size)
{
	unsigned long off;

	for (off = 0; off < size; off += PAGE)
		memcpy(dst + off, src + off, PAGE);
}

static void worker_rounds(struct worker *w)
{
	unsigned long npages = w->size / PAGE;
	int i;

	for (i = 0; i < w->rounds; i++) {
		if (w->src) {
			/* A round trip copies the range twice. */
			host_copy(w->dst, w->src, w->size);
			host_copy(w->src, w->dst, w->size);
			continue;
		}
		expect(bench_dev_to_device(w->bdev, w->addr, npages), npages,
		       "to device");
		expect(bench_dev_to_system(w->bdev, w->addr, npages), npages,
		       "to system");
	}
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	int ret = w->src ? 0 : devmig_task_enter(w->proc);
	double t0, r0, q0, r1, q1;

	if (ret)
		die("task_enter", ret);
	pthread_barrier_wait(w->start);
	schedstat(&r0, &q0);
	t0 = now_ns();
	worker_rounds(w);
	w->wall_ns = now_ns() - t0;
	schedstat(&r1, &q1);
	w->run_ns = r1 - r0;
	w->rq_wait_ns = q1 - q0;
	if (!w->src)
		devmig_task_leave();
	return NULL;
}

/*
 * Run @n workers at once.  Returns the wall time; *@own gets the longest
 * worker time not spent waiting for a CPU (wall minus run-queue wait, from
 * schedstat): what the wall time would be on a machine with a core free
 * for each worker, contention between the workers included, but only as
 * far as they did run at the same time.  *@together says how far: of the
 * shorter worker's CPU time, the share that must have overlapped the
 * other's (their CPU times summed beyond the wall time; 0 for one worker).
 * On a busy host the workers take turns on the CPUs, contend less, and
 * "own" flatters the model.
 */
static double run_workers(struct worker *w, int n, double *own,
			  double *together)
{
	pthread_barrier_t start;
	pthread_t tid[2];
	double t0;
	int i;

	pthread_barrier_init(&start, NULL, n + 1);
	for (i = 0; i < n; i++) {
		w[i].start = &start;
		if (pthread_create(&tid[i], NULL, worker_thread, &w[i]))
			die("pthread_create", errno);
	}
	pthread_barrier_wait(&start);
	t0 = now_ns();
	*own = 0;
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		if (w[i].wall_ns - w[i].rq_wait_ns > *own)
			*own = w[i].wall_ns - w[i].rq_wait_ns;
	}
	t0 = now_ns() - t0;
	*together = 0;
	if (n == 2) {
		double shorter = w[0].run_ns < w[1].run_ns ? w[0].run_ns : w[1].run_ns;
		double both = w[0].run_ns + w[1].run_ns - t0;

		if (both > 0 && shorter > 0)
			*together = both < shorter ? both / shorter : 1;
	}
	pthread_barrier_destroy(&start);
	return t0;
}

static int run_scaling(void)
{
	unsigned long size = opt.scaling_mib * MIB;
	enum { ONE, THREADS, PROCS, HOST_ONE, HOST_TWO, NR_MODES };
	static const char *const modes[NR_MODES] = {
		"1 worker", "2 threads, 1 process", "2 processes",
		"host memcpy, 1 thread", "host memcpy, 2 threads",
	};
	struct sample wall[NR_MODES] = { 0 }, own[NR_MODES] = { 0 };
	struct sample together[NR_MODES] = { 0 };
	struct devmig_proc *proc[2];
	struct bench_dev *bdev;
	struct worker w[2];
	unsigned char *buf[2][2];
	FILE *csv = out_file(opt.nocopy ? "scaling-nocopy.csv" : "scaling.csv");
	FILE *json = out_file(opt.nocopy ? "scaling-nocopy.json" : "scaling.json");
	char load0[128], load1[128];
	double one_wall = 0, one_own = 0;
	long addr[3];
	int r, m, i, ret;

	loadavg(load0, sizeof(load0));
	proc[0] = boot(3 * size + 64 * MIB);
	ret = bench_dev_create(2 * size, &bdev);
	if (ret)
		die("bench_dev_create", ret);
	bench_dev_set_copy(bdev, !opt.nocopy);
	/* Two ranges in the first process, one in the second. */
	addr[0] = map_filled(proc[0], size, 1);
	addr[1] = map_filled(proc[0], size, 2);
	proc[1] = devmig_proc_create();		/* enters it */
	if (!proc[1])
		die("process", ENOMEM);
	addr[2] = map_filled(proc[1], size, 3);
	devmig_task_leave();
	for (i = 0; i < 2; i++) {
		buf[i][0] = warm_buffer(size, 0x5a);
		buf[i][1] = warm_buffer(size, 0xa5);
	}

	for (r = -1; r < opt.runs; r++) {
		for (m = 0; m < NR_MODES; m++) {
			int n = m == ONE || m == HOST_ONE ? 1 : 2;
			bool host = m >= HOST_ONE;
			double t, o, tg;

			for (i = 0; i < n; i++) {
				w[i] = (struct worker){
					.proc = m == PROCS ? proc[i] : proc[0],
					.bdev = bdev,
					.src = host ? buf[i][0] : NULL,
					.dst = host ? buf[i][1] : NULL,
					.addr = m == PROCS ? addr[2 * i] : addr[i],
					.size = size,
					.rounds = 2,
				};
			}
			t = run_workers(w, n, &o, &tg);
			if (r >= 0) {
				add(&wall[m], t);
				add(&own[m], o);
				add(&together[m], tg);
			}
		}
		fprintf(stderr, "bench: scaling run %d done\n", r + 1);
	}
	loadavg(load1, sizeof(load1));

	printf("devmig bench --scaling: %lu MiB per worker, 2 round trips each "
	       "(%s sys->dev + dev->sys), median of %d runs\n"
	       "load average at start: %s, at end: %s\n"
	       "wall: elapsed; own: longest worker time not spent waiting for a CPU;\n"
	       "together: share of the shorter worker's CPU time spent beside the other "
	       "(own scaling means little far below 100%%)\n\n",
	       size / MIB, opt.nocopy ? "nocopy" : "kapi", opt.runs, load0, load1);
	printf("%-22s %9s %7s %9s %7s %12s %12s %9s\n", "mode", "wall ms", "spread",
	       "own ms", "spread", "tput (wall)", "tput (own)", "together");
	if (csv)
		fprintf(csv, "mode,workers,wall_median_ms,wall_min_ms,wall_max_ms,"
			"own_median_ms,own_min_ms,own_max_ms,throughput_wall,throughput_own,"
			"together\n");
	if (json)
		fprintf(json, "{\n  \"mib_per_worker\": %lu,\n  \"copy\": %d,\n"
			"  \"loadavg_start\": \"%s\",\n  \"loadavg_end\": \"%s\",\n"
			"  \"results\": [", size / MIB, !opt.nocopy, load0, load1);
	for (m = 0; m < NR_MODES; m++) {
		int n = m == ONE || m == HOST_ONE ? 1 : 2;
		double wmn, wmx, omn, omx;
		double wmed = median(&wall[m], &wmn, &wmx);
		double omed = median(&own[m], &omn, &omx);
		double tmn, tmx, tg = median(&together[m], &tmn, &tmx);
		double tw, to;

		/* Throughput against the single worker of the same kind. */
		if (n == 1) {
			one_wall = wmed;
			one_own = omed;
		}
		tw = n * one_wall / wmed;
		to = n * one_own / omed;

		printf("%-22s %9.1f %6.0f%% %9.1f %6.0f%% %11.2fx %11.2fx",
		       modes[m], wmed / 1e6, 100 * (wmx - wmn) / wmed, omed / 1e6,
		       100 * (omx - omn) / omed, tw, to);
		if (n == 2)
			printf(" %8.0f%%\n", 100 * tg);
		else
			printf(" %9s\n", "-");
		if (csv)
			fprintf(csv, "%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.3f,%.3f,%.3f\n",
				modes[m], n, wmed / 1e6, wmn / 1e6, wmx / 1e6,
				omed / 1e6, omn / 1e6, omx / 1e6, tw, to, tg);
		if (json)
			fprintf(json, "%s\n    {\"mode\": \"%s\", \"workers\": %d, "
				"\"wall_median_ms\": %.1f, \"wall_min_ms\": %.1f, "
				"\"wall_max_ms\": %.1f, \"own_median_ms\": %.1f, "
				"\"own_min_ms\": %.1f, \"own_max_ms\": %.1f, "
				"\"throughput_wall\": %.3f, \"throughput_own\": %.3f, "
				"\"together\": %.3f}",
				m ? "," : "", modes[m], n, wmed / 1e6, wmn / 1e6,
				wmx / 1e6, omed / 1e6, omn / 1e6, omx / 1e6, tw, to, tg);
	}
	if (json) {
		fprintf(json, "\n  ]\n}\n");
		fclose(json);
	}
	if (csv)
		fclose(csv);

	for (i = 0; i < 2; i++) {
		munmap(buf[i][0], size);
		munmap(buf[i][1], size);
	}
	devmig_task_enter(proc[1]);
	devmig_munmap(proc[1], addr[2], size);
	devmig_task_leave();
	devmig_proc_exit(proc[1]);
	devmig_task_enter(proc[0]);
	devmig_munmap(proc[0], addr[0], size);
	devmig_munmap(proc[0], addr[1], size);
	bench_dev_destroy(bdev);
	shutdown(proc[0]);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [--min-mib N] [--max-mib N] [--mirror-max-mib N] [--runs N] "
		"[--clock cpu|wall] [--out DIR]\n"
		"       bench --scaling [--nocopy] [--scaling-mib N] [--runs N] [--out DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--scaling")) {
			opt.scaling = 1;
			continue;
		}
		if (!strcmp(a, "--nocopy")) {
			opt.nocopy = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--min-mib"))
			opt.min_mib = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--max-mib"))
			opt.max_mib = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--mirror-max-mib"))
			opt.mirror_max_mib = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--scaling-mib"))
			opt.scaling_mib = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--runs"))
			opt.runs = atoi(v);
		else if (!strcmp(a, "--out"))
			opt.out = v;
		else if (!strcmp(a, "--clock") && (!strcmp(v, "wall") || !strcmp(v, "cpu")))
			opt.wall_clock = !strcmp(v, "wall");
		else
			usage();
	}
	if (opt.min_mib < 1 || opt.min_mib > opt.max_mib || opt.max_mib > 16384 || opt.runs < 1 ||
	    opt.runs > MAX_RUNS / 2 || opt.scaling_mib < 2 || opt.scaling_mib % 2)
		usage();
	return opt.scaling ? run_scaling() : run_table();
}
