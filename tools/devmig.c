// SPDX-License-Identifier: GPL-2.0
/*
 * devmig - the command line of libdevmig.
 *
 * With no arguments it runs the default demo: one process maps 64 MiB of
 * anonymous memory and fills it with a pattern; a mirror device takes it
 * into device memory by ioctl, gives it back by ioctl, takes it again, and
 * the CPU then pulls every page back by touching it (each touch is a fault
 * that the device answers with migrate_to_ram).  Every byte is checked after
 * each step, and the model's invariant checker runs at the end.
 *
 * This is a host program: libc and the public headers only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devmig.h"
#include "hmm_dmirror.h"
#include "../scenario/scenario_cli.h"

#define DEMO_PAGE_SIZE		4096UL
#define DEMO_DEFAULT_SIZE	(64UL << 20)
/* Bytes moved through the software CPU per load/store call. */
#define DEMO_IO_CHUNK		(64UL * DEMO_PAGE_SIZE)

struct demo_opts {
	unsigned long size;
	int type;
	unsigned long seed;
};

struct demo_step {
	const char *name;
	unsigned long pages;	/* pages the step reports as moved */
	unsigned long faults;	/* CPU faults taken during the step */
	double ms;
	unsigned long mismatches;
	int ran;
};

enum { STEP_TO_DEV, STEP_TO_SYS, STEP_TO_DEV2, STEP_FAULT_BACK, NR_STEPS };

struct demo {
	struct demo_opts opts;
	struct devmig_proc *proc;
	struct dmirror_device *dev;
	struct dmirror *mirror;
	unsigned long buf;	/* the migrated range */
	unsigned long view;	/* where MIGRATE_TO_DEV reports the device's view */
	unsigned long npages;
	unsigned char *host;	/* scratch for moving bytes in and out */
	struct demo_step steps[NR_STEPS];
	unsigned long violations;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: devmig [--size SIZE] [--device private|coherent] [--seed N]\n"
"       devmig run [--backend model] FILE...   (scenarios, doc/SCENARIOS.md)\n"
"       devmig gen --seed S [--count N]         (generated scenarios)\n"
"       devmig fuzz --seed S [--count N]        (them on the model, checked)\n"
"       devmig --help\n"
"\n"
"Runs the default demo: map SIZE bytes (default 64M) of anonymous memory in\n"
"a model process, fill them with a pattern, migrate them to a mirror device\n"
"by ioctl, back by ioctl, to the device again and back by CPU faults,\n"
"checking every byte after each step.  Prints one line per step and exits\n"
"with status 1 on any data mismatch or invariant violation.\n"
"\n"
"  --size SIZE     bytes to migrate: a number with an optional K, M or G\n"
"                  suffix, a multiple of 4K (4K .. 1G)\n"
"  --device TYPE   private (default) or coherent device memory\n"
"  --seed N        pattern seed (default 1)\n"
"  --help          this text\n");
}

/* Parse "16M", "4096", "1G"; returns 0 and the byte count, or -1. */
static int parse_size(const char *s, unsigned long *out)
{
	unsigned long long v;
	unsigned long shift = 0;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end += (end[0] == 'i' && (end[1] == 'B' || end[1] == 'b')) ?
		       2 : 1;
	if (*end || v > (~0ULL >> shift))
		return -1;
	*out = (unsigned long)(v << shift);
	return 0;
}

static int parse_args(int argc, char **argv, struct demo_opts *o)
{
	int i;

	o->size = DEMO_DEFAULT_SIZE;
	o->type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
	o->seed = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--size") || !strcmp(a, "--device") ||
		    !strcmp(a, "--seed")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "devmig: %s needs a value\n", a);
				return -1;
			}
			val = argv[++i];
		} else {
			fprintf(stderr, "devmig: unknown argument '%s'\n", a);
			return -1;
		}

		if (!strcmp(a, "--size")) {
			if (parse_size(val, &o->size)) {
				fprintf(stderr,
					"devmig: --size: '%s' is not a size "
					"(try 64M, 4096 or 1G)\n", val);
				return -1;
			}
			if (!o->size || o->size % DEMO_PAGE_SIZE ||
			    o->size > (1UL << 30)) {
				fprintf(stderr,
					"devmig: --size: %s must be a non-zero "
					"multiple of 4K, at most 1G\n", val);
				return -1;
			}
		} else if (!strcmp(a, "--device")) {
			if (!strcmp(val, "private")) {
				o->type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
			} else if (!strcmp(val, "coherent")) {
				o->type = HMM_DMIRROR_MEMORY_DEVICE_COHERENT;
			} else {
				fprintf(stderr,
					"devmig: --device: '%s' is neither "
					"'private' nor 'coherent'\n", val);
				return -1;
			}
		} else {
			char *end;

			errno = 0;
			o->seed = strtoul(val, &end, 0);
			if (errno || end == val || *end) {
				fprintf(stderr,
					"devmig: --seed: '%s' is not a number\n",
					val);
				return -1;
			}
		}
	}
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The pattern: a word derived from the seed and the word's offset. */
static uint64_t pattern_word(unsigned long seed, unsigned long off)
{
	uint64_t x = (off / 8 + 1) * 0x9E3779B97F4A7C15ULL ^ seed;

	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ULL;
	return x ^ (x >> 32);
}

static void pattern_fill(unsigned char *p, unsigned long len,
			 unsigned long seed, unsigned long off)
{
	unsigned long i;

	for (i = 0; i < len; i += 8) {
		uint64_t w = pattern_word(seed, off + i);

		memcpy(p + i, &w, 8);
	}
}

static unsigned long pattern_mismatches(const unsigned char *p,
					unsigned long len, unsigned long seed,
					unsigned long off)
{
	unsigned long i, bad = 0;

	for (i = 0; i < len; i += 8) {
		uint64_t w = pattern_word(seed, off + i);
		unsigned long b;

		if (!memcmp(p + i, &w, 8))
			continue;
		for (b = 0; b < 8; b++)
			bad += p[i + b] != ((unsigned char *)&w)[b];
	}
	return bad;
}

/* Fill the process range through the software CPU. */
static int demo_fill(struct demo *d)
{
	unsigned long off;
	int ret;

	for (off = 0; off < d->opts.size; off += DEMO_IO_CHUNK) {
		unsigned long n = d->opts.size - off < DEMO_IO_CHUNK ?
				  d->opts.size - off : DEMO_IO_CHUNK;

		pattern_fill(d->host, n, d->opts.seed, off);
		ret = devmig_store(d->buf + off, d->host, n);
		if (ret)
			return ret;
	}
	return 0;
}

/* Read @len bytes at @addr through the CPU and count bytes off pattern. */
static int demo_verify(struct demo *d, unsigned long addr,
		       unsigned long *mismatches)
{
	unsigned long off;
	int ret;

	*mismatches = 0;
	for (off = 0; off < d->opts.size; off += DEMO_IO_CHUNK) {
		unsigned long n = d->opts.size - off < DEMO_IO_CHUNK ?
				  d->opts.size - off : DEMO_IO_CHUNK;

		ret = devmig_load(addr + off, d->host, n);
		if (ret)
			return ret;
		*mismatches += pattern_mismatches(d->host, n, d->opts.seed,
						  off);
	}
	return 0;
}

static unsigned long task_faults(void)
{
	struct devmig_task_stats st;

	devmig_task_stats(&st);
	return st.faults;
}

static int demo_ioctl_step(struct demo *d, int step, unsigned int command,
			   unsigned long verify_at)
{
	struct demo_step *s = &d->steps[step];
	struct hmm_dmirror_cmd cmd = {
		.addr = d->buf,
		.ptr = d->view,
		.npages = d->npages,
	};
	unsigned long f0 = task_faults();
	double t0 = now_ms();
	int ret;

	ret = dmirror_ioctl(d->mirror, command, &cmd);
	s->ms = now_ms() - t0;
	s->faults = task_faults() - f0;
	s->ran = 1;
	if (ret) {
		fprintf(stderr, "devmig: %s: ioctl failed: %s\n", s->name,
			strerror(-ret));
		return ret;
	}
	s->pages = cmd.cpages;
	return demo_verify(d, verify_at, &s->mismatches);
}

static int demo_fault_back(struct demo *d)
{
	struct demo_step *s = &d->steps[STEP_FAULT_BACK];
	struct dmirror_device_stats before, after;
	unsigned long f0;
	double t0;
	int ret;

	dmirror_device_stats(d->dev, &before);
	f0 = task_faults();
	t0 = now_ms();
	/* The verifying loads are the accesses that fault the pages back. */
	ret = demo_verify(d, d->buf, &s->mismatches);
	s->ms = now_ms() - t0;
	s->faults = task_faults() - f0;
	s->ran = 1;
	dmirror_device_stats(d->dev, &after);
	s->pages = d->opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
		   after.migrate_to_ram - before.migrate_to_ram : d->npages;
	if (ret)
		fprintf(stderr, "devmig: CPU read-back failed: %s\n",
			strerror(-ret));
	return ret;
}

static void report_violation(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "devmig: invariant: %s\n", msg);
}

static void print_table(struct demo *d, const struct dmirror_device_stats *st)
{
	unsigned long total_bad = 0;
	int i;

	printf("devmig demo: %lu MiB of anonymous memory (%lu pages), "
	       "%s device memory\n\n", d->opts.size >> 20, d->npages,
	       d->opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
	       "device-private" : "device-coherent");
	printf("  %-34s %9s %9s %10s %10s\n", "step", "pages", "faults",
	       "time", "mismatch");
	for (i = 0; i < NR_STEPS; i++) {
		const struct demo_step *s = &d->steps[i];

		if (!s->ran)
			continue;
		printf("  %-34s %9lu %9lu %7.1f ms %10lu\n", s->name, s->pages,
		       s->faults, s->ms, s->mismatches);
		total_bad += s->mismatches;
	}
	printf("\n  device pages allocated / freed     %9lu / %lu%s\n",
	       st->calloc, st->cfree,
	       d->opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ? "" :
	       " (the last copy was evicted at close)");
	printf("  device pages still in use          %9lu\n", st->in_use);
	printf("  bytes verified per step            %9lu\n", d->opts.size);
	printf("  data mismatches                    %9lu\n", total_bad);
	printf("  invariant violations               %9lu\n", d->violations);
}

int main(int argc, char **argv)
{
	struct dmirror_device_stats st = { 0 };
	struct dmirror_device_config cfg = { 0 };
	struct devmig_config mcfg = { 0 };
	struct demo d = { 0 };
	unsigned long bad = 0;
	long addr;
	int ret, i;

	/* Subcommands (scenario/cli.c); without one, the demo. */
	if (argc > 1 && !strcmp(argv[1], "run"))
		return scn_cli_run(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "gen"))
		return scn_cli_gen(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "fuzz"))
		return scn_cli_fuzz(argc - 1, argv + 1);
	if (parse_args(argc, argv, &d.opts)) {
		fprintf(stderr, "try 'devmig --help'\n");
		return 2;
	}
	d.npages = d.opts.size / DEMO_PAGE_SIZE;
	d.steps[STEP_TO_DEV].name = "system -> device (ioctl)";
	d.steps[STEP_TO_SYS].name = "device -> system (ioctl)";
	d.steps[STEP_TO_DEV2].name = "system -> device (ioctl, again)";
	/* Coherent memory is CPU addressable: the reads simply happen there. */
	d.steps[STEP_FAULT_BACK].name =
		d.opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
		"device -> system (CPU faults)" :
		"CPU reads device memory in place";

	d.host = malloc(DEMO_IO_CHUNK);
	if (!d.host) {
		fprintf(stderr, "devmig: out of memory\n");
		return 1;
	}
	/* Room for the range, the device's view of it and its backing. */
	mcfg.ram_bytes = 4 * d.opts.size + (256UL << 20);
	ret = devmig_boot(&mcfg);
	if (ret) {
		fprintf(stderr, "devmig: boot failed: %s\n", strerror(-ret));
		return 1;
	}
	d.proc = devmig_proc_create();
	if (!d.proc) {
		fprintf(stderr, "devmig: cannot create a process\n");
		return 1;
	}
	/* The range to migrate, then the buffer for the device's view. */
	for (i = 0; i < 2; i++) {
		addr = devmig_mmap(d.proc, d.opts.size,
				   DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
				   DEVMIG_MAP_PRIVATE);
		if (addr < 0)
			goto mmap_fail;
		*(i ? &d.view : &d.buf) = addr;
	}

	cfg.type = d.opts.type;
	ret = dmirror_device_create(&cfg, &d.dev);
	if (ret) {
		fprintf(stderr, "devmig: cannot create the %s device: %s\n",
			d.opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
			"private" : "coherent", strerror(-ret));
		return 1;
	}
	ret = dmirror_open(d.dev, &d.mirror);
	if (ret) {
		fprintf(stderr, "devmig: cannot open the mirror: %s\n",
			strerror(-ret));
		return 1;
	}

	ret = demo_fill(&d);
	/*
	 * Touch the view buffer once, so the faults column counts only what
	 * the migrations cause, not the first use of that buffer.
	 */
	if (!ret)
		ret = demo_verify(&d, d.buf, &bad) ?: (bad ? -EIO : 0);
	for (i = 0; !ret && i < (int)d.npages; i++)
		ret = devmig_store(d.view + i * DEMO_PAGE_SIZE, "", 1);
	if (ret) {
		fprintf(stderr, "devmig: filling the range failed: %s\n",
			strerror(-ret));
		return 1;
	}

	/* The device's view of the range, reported by the ioctl itself. */
	ret = demo_ioctl_step(&d, STEP_TO_DEV, HMM_DMIRROR_MIGRATE_TO_DEV,
			      d.view);
	if (!ret)
		ret = demo_ioctl_step(&d, STEP_TO_SYS,
				      HMM_DMIRROR_MIGRATE_TO_SYS, d.buf);
	if (!ret)
		ret = demo_ioctl_step(&d, STEP_TO_DEV2,
				      HMM_DMIRROR_MIGRATE_TO_DEV, d.view);
	if (!ret)
		ret = demo_fault_back(&d);

	dmirror_close(d.mirror);
	dmirror_device_stats(d.dev, &st);
	dmirror_device_destroy(d.dev);
	d.violations = devmig_check_invariants(report_violation, NULL);
	devmig_proc_exit(d.proc);
	d.violations += devmig_check_invariants(report_violation, NULL);
	devmig_shutdown();

	print_table(&d, &st);
	free(d.host);
	for (i = 0; i < NR_STEPS; i++)
		bad += d.steps[i].mismatches + !d.steps[i].ran;
	if (ret || bad || d.violations) {
		printf("\nFAILED\n");
		return 1;
	}
	printf("\nOK\n");
	return 0;

mmap_fail:
	fprintf(stderr, "devmig: mmap of %lu bytes failed: %s\n", d.opts.size,
		strerror((int)-addr));
	return 1;
}
