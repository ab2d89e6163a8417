// SPDX-License-Identifier: GPL-2.0
/*
 * devmig-cli.c - `devmig`, the command line of libdevmig (a host program
 * on api/devmig.h and api/hmm_dmirror.h).
 *
 * With no arguments it runs the default demo: one process maps 64 MiB of
 * anonymous memory and fills it with a pattern; a mirror device takes it
 * into device memory by ioctl, gives it back by ioctl, takes it again, and
 * the CPU then pulls every page back by touching it (each touch is a fault
 * that the device answers with migrate_to_ram).  Every byte is checked after
 * each step, and the model's invariant checker runs at the end.  Options
 * (usage()) choose the size, the kind and number of devices, their memory,
 * the THP mode, the steps and how often they run, and JSON output.
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
#define DEMO_MAX_DEVICES	8
#define DEMO_MAX_STEPS		64
#define DEMO_MAX_RUNS		4096

/* What one step of the demo does. */
enum demo_step_kind { STEP_TO_DEV, STEP_TO_SYS, STEP_FAULT_BACK, NR_STEP_KINDS };

static const char *const step_names[NR_STEP_KINDS] = {
	[STEP_TO_DEV] = "to-dev",
	[STEP_TO_SYS] = "to-sys",
	[STEP_FAULT_BACK] = "fault-back",
};

struct demo_opts {
	unsigned long size;
	int type;
	unsigned long seed;
	int ndevices;
	int thp;			/* DEVMIG_THP_* */
	unsigned long devmem;		/* device memory per device; 0: no limit */
	enum demo_step_kind steps[DEMO_MAX_STEPS];
	int nsteps;
	unsigned long repeat;
	int json;
};

/* One step as it ran. */
struct demo_step {
	enum demo_step_kind kind;
	unsigned long pass;	/* 1-based repetition of the step list */
	unsigned long pages;	/* pages the step moved */
	unsigned long faults;	/* CPU faults taken during the step */
	double ms;
	unsigned long mismatches;
	int exhausted;		/* device memory ran out: not all moved */
	int ret;		/* 0 or the negative errno that ended it */
};

struct demo {
	struct demo_opts opts;
	struct devmig_proc *proc;
	struct dmirror_device *dev[DEMO_MAX_DEVICES];
	struct dmirror *mirror[DEMO_MAX_DEVICES];
	unsigned long buf;	/* the migrated range */
	unsigned long view;	/* where MIGRATE_TO_DEV reports the device's view */
	unsigned long npages;
	unsigned char *host;	/* scratch for moving bytes in and out */
	struct demo_step *runs;
	unsigned long nruns;
	unsigned long violations;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: devmig [OPTION]...\n"
"       devmig run [--backend model] FILE...   (scenarios, doc/SCENARIOS.md)\n"
"       devmig gen --seed S [--count N]         (generated scenarios)\n"
"       devmig fuzz --seed S [--count N]        (them on the model, checked)\n"
"\n"
"Runs the demo: map SIZE bytes of anonymous memory in a model process, fill\n"
"them with a pattern, and move them between system memory and mirror\n"
"devices step by step, checking every byte after each step and the model's\n"
"invariants at the end.  Prints one line per step; exits with status 1 on a\n"
"data mismatch, an invariant violation or a failed step, 2 on bad options.\n"
"\n"
"Options (--opt VALUE and --opt=VALUE alike):\n"
"  --size SIZE           bytes to migrate: a number with an optional K, M or G\n"
"                        suffix, a multiple of 4K, at most 1G (default 64M)\n"
"  --device TYPE         private (default) or coherent device memory\n"
"  --devices N           mirror devices, 1 to %d (default 1); the range is\n"
"                        divided between them, device k migrating part k\n"
"  --thp MODE            transparent huge pages: never (default), madvise\n"
"                        (the range is given MADV_HUGEPAGE) or always\n"
"  --device-memory SIZE  device memory of each device (default: unlimited);\n"
"                        below the range's share, to-dev moves what fits\n"
"                        and the step reports the memory exhausted\n"
"  --steps LIST          comma-separated steps, run in order (default\n"
"                        to-dev,to-sys,to-dev,fault-back):\n"
"                          to-dev      system -> device, by ioctl\n"
"                          to-sys      device -> system, by ioctl\n"
"                          fault-back  the CPU reads the range: device-private\n"
"                                      pages come back by CPU faults\n"
"  --repeat N            run the step list N times (default 1)\n"
"  --seed N              pattern seed (default 1)\n"
"  --json                print the results as one JSON object\n"
"  --version             print the version and exit\n"
"  --help                this text\n"
"\n"
"Examples:\n"
"  devmig                                 the default demo, 64 MiB\n"
"  devmig --size=1G --json                a bigger range, machine-readable\n"
"  devmig --devices 2 --device coherent   two coherent devices, half each\n"
"  devmig --thp always --steps to-dev,fault-back --repeat 3\n"
"  devmig --size 16M --device-memory 4M   device memory exhausted\n",
		DEMO_MAX_DEVICES);
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

/* A decimal (or 0x hex) number in [min, max]; 0 or -1. */
static int parse_number(const char *s, unsigned long min, unsigned long max,
			unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_steps(const char *s, struct demo_opts *o)
{
	o->nsteps = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		int k;

		for (k = 0; k < NR_STEP_KINDS; k++)
			if (strlen(step_names[k]) == len &&
			    !strncmp(s, step_names[k], len))
				break;
		if (k == NR_STEP_KINDS || o->nsteps == DEMO_MAX_STEPS)
			return -1;
		o->steps[o->nsteps++] = k;
		s += len;
		if (*s == ',' && *++s == '\0')
			return -1;
	}
	return o->nsteps ? 0 : -1;
}

static const char *const thp_names[] = {
	[DEVMIG_THP_NEVER] = "never",
	[DEVMIG_THP_MADVISE] = "madvise",
	[DEVMIG_THP_ALWAYS] = "always",
};

/* One option and its value; 0, or -1 after saying what is wrong. */
static int parse_option(const char *a, const char *val, struct demo_opts *o)
{
	unsigned long n;

	if (!strcmp(a, "--size")) {
		if (parse_size(val, &o->size)) {
			fprintf(stderr, "devmig: --size: '%s' is not a size "
				"(try 64M, 4096 or 1G)\n", val);
			return -1;
		}
		if (!o->size || o->size % DEMO_PAGE_SIZE ||
		    o->size > (1UL << 30)) {
			fprintf(stderr, "devmig: --size: %s must be a non-zero "
				"multiple of 4K, at most 1G\n", val);
			return -1;
		}
	} else if (!strcmp(a, "--device")) {
		if (!strcmp(val, "private")) {
			o->type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
		} else if (!strcmp(val, "coherent")) {
			o->type = HMM_DMIRROR_MEMORY_DEVICE_COHERENT;
		} else {
			fprintf(stderr, "devmig: --device: '%s' is neither "
				"'private' nor 'coherent'\n", val);
			return -1;
		}
	} else if (!strcmp(a, "--devices")) {
		if (parse_number(val, 1, DEMO_MAX_DEVICES, &n)) {
			fprintf(stderr, "devmig: --devices: '%s' is not a "
				"number from 1 to %d\n", val, DEMO_MAX_DEVICES);
			return -1;
		}
		o->ndevices = (int)n;
	} else if (!strcmp(a, "--thp")) {
		for (n = DEVMIG_THP_NEVER; n <= DEVMIG_THP_ALWAYS; n++)
			if (!strcmp(val, thp_names[n]))
				break;
		if (n > DEVMIG_THP_ALWAYS) {
			fprintf(stderr, "devmig: --thp: '%s' is not never, "
				"madvise or always\n", val);
			return -1;
		}
		o->thp = (int)n;
	} else if (!strcmp(a, "--device-memory")) {
		if (parse_size(val, &o->devmem) || !o->devmem ||
		    o->devmem % DEMO_PAGE_SIZE) {
			fprintf(stderr, "devmig: --device-memory: '%s' is not "
				"a non-zero multiple of 4K\n", val);
			return -1;
		}
	} else if (!strcmp(a, "--steps")) {
		if (parse_steps(val, o)) {
			fprintf(stderr, "devmig: --steps: '%s' is not a list "
				"of to-dev, to-sys and fault-back (at most "
				"%d)\n", val, DEMO_MAX_STEPS);
			return -1;
		}
	} else if (!strcmp(a, "--repeat")) {
		if (parse_number(val, 1, DEMO_MAX_RUNS, &o->repeat)) {
			fprintf(stderr, "devmig: --repeat: '%s' is not a "
				"number from 1 to %d\n", val, DEMO_MAX_RUNS);
			return -1;
		}
	} else if (!strcmp(a, "--seed")) {
		if (parse_number(val, 0, ~0UL, &o->seed)) {
			fprintf(stderr, "devmig: --seed: '%s' is not a "
				"number\n", val);
			return -1;
		}
	} else {
		fprintf(stderr, "devmig: unknown argument '%s'\n", a);
		return -1;
	}
	return 0;
}

/*
 * The options, into @o; -1 on a bad one.  --help and --version print and
 * exit here.
 */
static int parse_args(int argc, char **argv, struct demo_opts *o)
{
	static const char *const with_value[] = {
		"--size", "--device", "--devices", "--thp", "--device-memory",
		"--steps", "--repeat", "--seed",
	};
	int i;

	o->size = DEMO_DEFAULT_SIZE;
	o->type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
	o->seed = 1;
	o->ndevices = 1;
	o->thp = DEVMIG_THP_NEVER;
	o->repeat = 1;
	parse_steps("to-dev,to-sys,to-dev,fault-back", o);
	for (i = 1; i < argc; i++) {
		char name[32];
		const char *a = argv[i], *eq = strchr(a, '=');
		const char *val = NULL;
		size_t k;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--version")) {
			printf("devmig %s\n", DEVMIG_VERSION);
			exit(0);
		}
		if (!strcmp(a, "--json")) {
			o->json = 1;
			continue;
		}
		/* --opt=value: split at the '='. */
		if (!strncmp(a, "--", 2) && eq && (size_t)(eq - a) < sizeof(name)) {
			memcpy(name, a, eq - a);
			name[eq - a] = '\0';
			a = name;
			val = eq + 1;
		}
		for (k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
			if (!strcmp(a, with_value[k]))
				break;
		if (k == sizeof(with_value) / sizeof(with_value[0])) {
			fprintf(stderr, "devmig: unknown argument '%s'\n",
				argv[i]);
			return -1;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "devmig: %s needs a value\n", a);
				return -1;
			}
			val = argv[++i];
		}
		if (parse_option(a, val, o))
			return -1;
	}
	if (o->size / DEMO_PAGE_SIZE < (unsigned long)o->ndevices) {
		fprintf(stderr, "devmig: --size: less than a page per device\n");
		return -1;
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

/* Device @k's part of the range: pages [*first, *first + *n). */
static void demo_part(const struct demo *d, int k, unsigned long *first,
		      unsigned long *n)
{
	unsigned long a = d->npages * k / d->opts.ndevices;
	unsigned long b = d->npages * (k + 1) / d->opts.ndevices;

	*first = a;
	*n = b - a;
}

/* The counters of every device, added up. */
static void demo_dev_stats(const struct demo *d,
			   struct dmirror_device_stats *sum)
{
	int k;

	memset(sum, 0, sizeof(*sum));
	for (k = 0; k < d->opts.ndevices; k++) {
		struct dmirror_device_stats st;

		if (!d->dev[k])
			continue;
		dmirror_device_stats(d->dev[k], &st);
		sum->calloc += st.calloc;
		sum->cfree += st.cfree;
		sum->in_use += st.in_use;
		sum->alloc_failures += st.alloc_failures;
		sum->migrate_to_ram += st.migrate_to_ram;
	}
}

/*
 * Device @k's @command on its part of the range, with the part of the view
 * buffer beside it; @cmd is filled in and answered.
 */
static int demo_part_ioctl(struct demo *d, int k, unsigned int command,
			   struct hmm_dmirror_cmd *cmd)
{
	unsigned long first, n;

	demo_part(d, k, &first, &n);
	memset(cmd, 0, sizeof(*cmd));
	cmd->addr = d->buf + first * DEMO_PAGE_SIZE;
	cmd->ptr = d->view + first * DEMO_PAGE_SIZE;
	cmd->npages = n;
	return dmirror_ioctl(d->mirror[k], command, cmd);
}

/*
 * System -> device: each device takes its part by ioctl, which also reports
 * the device's view of it; that view is what is checked.  When device memory
 * runs out, what fits moves, and the step says so.
 */
static int demo_to_dev(struct demo *d, struct demo_step *s)
{
	struct dmirror_device_stats before, after;
	struct hmm_dmirror_cmd cmd;
	int k, ret;

	demo_dev_stats(d, &before);
	for (k = 0; k < d->opts.ndevices; k++) {
		ret = demo_part_ioctl(d, k, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd);
		/*
		 * -ENOENT: the device's page table lacks some page of the
		 * part, because it did not fit in device memory, or because
		 * a notification of another device's migration dropped the
		 * entry of a page this one already held (the mirror, like
		 * test_hmm, drops one page past each invalidated range).
		 * The device reads its view itself then.
		 */
		if (ret == -ENOENT)
			ret = demo_part_ioctl(d, k, HMM_DMIRROR_READ, &cmd);
		if (ret)
			return ret;
	}
	demo_dev_stats(d, &after);
	s->pages = after.in_use - before.in_use;
	s->exhausted = after.alloc_failures > before.alloc_failures;
	return 0;
}

/* Device -> system: each device gives its part back by ioctl. */
static int demo_to_sys(struct demo *d, struct demo_step *s)
{
	struct hmm_dmirror_cmd cmd;
	int k, ret;

	for (k = 0; k < d->opts.ndevices; k++) {
		ret = demo_part_ioctl(d, k, HMM_DMIRROR_MIGRATE_TO_SYS, &cmd);
		if (ret)
			return ret;
		s->pages += cmd.cpages;
	}
	return 0;
}

/* Run one step and check the bytes where it left them. */
static void demo_run_step(struct demo *d, struct demo_step *s)
{
	struct dmirror_device_stats before, after;
	unsigned long f0 = task_faults();
	double t0 = now_ms();

	demo_dev_stats(d, &before);
	switch (s->kind) {
	case STEP_TO_DEV:
		s->ret = demo_to_dev(d, s);
		if (!s->ret)
			s->ret = demo_verify(d, d->view, &s->mismatches);
		break;
	case STEP_TO_SYS:
		s->ret = demo_to_sys(d, s);
		if (!s->ret)
			s->ret = demo_verify(d, d->buf, &s->mismatches);
		break;
	case STEP_FAULT_BACK:
	default:
		/* The verifying loads are the accesses that fault pages back. */
		s->ret = demo_verify(d, d->buf, &s->mismatches);
		demo_dev_stats(d, &after);
		s->pages = d->opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
			   after.migrate_to_ram - before.migrate_to_ram :
			   d->npages;
		break;
	}
	s->ms = now_ms() - t0;
	s->faults = task_faults() - f0;
	if (s->ret)
		fprintf(stderr, "devmig: %s: %s\n", step_names[s->kind],
			strerror(-s->ret));
}

static void report_violation(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "devmig: invariant: %s\n", msg);
}

/* What a step did, in words: "system -> device (ioctl, again)". */
static void step_label(const struct demo *d, unsigned long i, char *buf,
		       size_t size)
{
	const struct demo_step *s = &d->runs[i];
	int again = 0;
	unsigned long j;
	int n = 0;

	for (j = 0; j < i; j++)
		again |= d->runs[j].kind == s->kind;
	if (d->opts.repeat > 1)
		n = snprintf(buf, size, "%lu: ", s->pass);
	if (s->kind == STEP_FAULT_BACK &&
	    d->opts.type != HMM_DMIRROR_MEMORY_DEVICE_PRIVATE) {
		/* Coherent memory is CPU addressable: reads happen there. */
		snprintf(buf + n, size - n, "CPU reads device memory in place%s",
			 again ? " (again)" : "");
		return;
	}
	snprintf(buf + n, size - n, "%s (%s%s)",
		 s->kind == STEP_TO_DEV ? "system -> device" :
					  "device -> system",
		 s->kind == STEP_FAULT_BACK ? "CPU faults" : "ioctl",
		 again ? ", again" : "");
}

static const char *type_name(const struct demo *d)
{
	return d->opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
	       "device-private" : "device-coherent";
}

static void print_table(struct demo *d, const struct dmirror_device_stats *st,
			unsigned long total_bad)
{
	char label[64];
	unsigned long i;

	printf("devmig demo: %lu MiB of anonymous memory (%lu pages), "
	       "%s device memory\n", d->opts.size >> 20, d->npages,
	       type_name(d));
	if (d->opts.ndevices > 1 || d->opts.devmem ||
	    d->opts.thp != DEVMIG_THP_NEVER) {
		printf("  %d device%s", d->opts.ndevices,
		       d->opts.ndevices > 1 ? "s, one part each" : "");
		if (d->opts.devmem)
			printf(", %lu KiB of device memory each",
			       d->opts.devmem >> 10);
		printf(", THP %s\n", thp_names[d->opts.thp]);
	}
	printf("\n  %-34s %9s %9s %10s %10s\n", "step", "pages", "faults",
	       "time", "mismatch");
	for (i = 0; i < d->nruns; i++) {
		const struct demo_step *s = &d->runs[i];

		step_label(d, i, label, sizeof(label));
		printf("  %-34s %9lu %9lu %7.1f ms %10lu%s%s\n", label,
		       s->pages, s->faults, s->ms, s->mismatches,
		       s->exhausted ? "  device memory exhausted" : "",
		       s->ret ? "  FAILED" : "");
	}
	printf("\n  device pages allocated / freed     %9lu / %lu%s\n",
	       st->calloc, st->cfree,
	       d->opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ? "" :
	       " (the last copy was evicted at close)");
	printf("  device pages still in use          %9lu\n", st->in_use);
	if (st->alloc_failures)
		printf("  device page allocations refused    %9lu\n",
		       st->alloc_failures);
	printf("  bytes verified per step            %9lu\n", d->opts.size);
	printf("  data mismatches                    %9lu\n", total_bad);
	printf("  invariant violations               %9lu\n", d->violations);
}

static void print_json(struct demo *d, const struct dmirror_device_stats *st,
		       unsigned long total_bad, int ok)
{
	unsigned long i;

	printf("{\"version\": \"%s\", \"size\": %lu, \"pages\": %lu, "
	       "\"device_type\": \"%s\", \"devices\": %d, \"thp\": \"%s\", "
	       "\"device_memory\": %lu, \"seed\": %lu, \"repeat\": %lu,\n",
	       DEVMIG_VERSION, d->opts.size, d->npages,
	       d->opts.type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
	       "private" : "coherent", d->opts.ndevices,
	       thp_names[d->opts.thp], d->opts.devmem, d->opts.seed,
	       d->opts.repeat);
	printf(" \"steps\": [");
	for (i = 0; i < d->nruns; i++) {
		const struct demo_step *s = &d->runs[i];

		printf("%s\n  {\"step\": \"%s\", \"pass\": %lu, \"pages\": %lu, "
		       "\"faults\": %lu, \"ms\": %.3f, \"mismatches\": %lu, "
		       "\"device_memory_exhausted\": %s, \"error\": %d}",
		       i ? "," : "", step_names[s->kind], s->pass, s->pages,
		       s->faults, s->ms, s->mismatches,
		       s->exhausted ? "true" : "false", s->ret);
	}
	printf("],\n \"device_pages_allocated\": %lu, "
	       "\"device_pages_freed\": %lu, \"device_pages_in_use\": %lu, "
	       "\"device_allocations_refused\": %lu,\n"
	       " \"mismatches\": %lu, \"invariant_violations\": %lu, "
	       "\"ok\": %s}\n", st->calloc, st->cfree, st->in_use,
	       st->alloc_failures, total_bad, d->violations,
	       ok ? "true" : "false");
}

/* Devices, open mirrors and the range, filled with the pattern; 0 or 1. */
static int demo_setup(struct demo *d)
{
	struct dmirror_device_config cfg = { 0 };
	unsigned long bad = 0, i;
	long addr;
	int ret, k;

	/* The range to migrate, then the buffer for the device's view. */
	for (k = 0; k < 2; k++) {
		addr = devmig_mmap(d->proc, d->opts.size,
				   DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
				   DEVMIG_MAP_PRIVATE);
		if (addr < 0) {
			fprintf(stderr, "devmig: mmap of %lu bytes failed: %s\n",
				d->opts.size, strerror((int)-addr));
			return 1;
		}
		*(k ? &d->view : &d->buf) = addr;
	}
	if (d->opts.thp == DEVMIG_THP_MADVISE &&
	    devmig_madvise(d->proc, d->buf, d->opts.size,
			   DEVMIG_MADV_HUGEPAGE)) {
		fprintf(stderr, "devmig: madvise failed\n");
		return 1;
	}

	cfg.type = d->opts.type;
	if (d->opts.devmem) {
		cfg.chunk_bytes = d->opts.devmem < DMIRROR_DEFAULT_CHUNK_BYTES ?
				  d->opts.devmem : DMIRROR_DEFAULT_CHUNK_BYTES;
		cfg.limit_bytes = d->opts.devmem;
	}
	for (k = 0; k < d->opts.ndevices; k++) {
		ret = dmirror_device_create(&cfg, &d->dev[k]);
		if (ret) {
			fprintf(stderr, "devmig: cannot create the %s device: "
				"%s\n", type_name(d), strerror(-ret));
			return 1;
		}
		ret = dmirror_open(d->dev[k], &d->mirror[k]);
		if (ret) {
			fprintf(stderr, "devmig: cannot open the mirror: %s\n",
				strerror(-ret));
			return 1;
		}
	}

	ret = demo_fill(d);
	/*
	 * Touch the view buffer once, so the faults column counts only what
	 * the migrations cause, not the first use of that buffer.
	 */
	if (!ret)
		ret = demo_verify(d, d->buf, &bad) ?: (bad ? -EIO : 0);
	for (i = 0; !ret && i < d->npages; i++)
		ret = devmig_store(d->view + i * DEMO_PAGE_SIZE, "", 1);
	if (ret) {
		fprintf(stderr, "devmig: filling the range failed: %s\n",
			strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct dmirror_device_stats st = { 0 };
	struct devmig_config mcfg = { 0 };
	struct demo d = { 0 };
	unsigned long bad = 0, i;
	int ret, k, ok;

	/* Subcommands (scenario/cli.c); without one, the demo. */
	if (argc > 1 && !strcmp(argv[1], "run"))
		return scn_cli_run(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "gen"))
		return scn_cli_gen(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "fuzz"))
		return scn_cli_fuzz(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "inject"))
		return scn_cli_inject(argc - 1, argv + 1);
	if (parse_args(argc, argv, &d.opts)) {
		fprintf(stderr, "try 'devmig --help'\n");
		return 2;
	}
	d.npages = d.opts.size / DEMO_PAGE_SIZE;
	d.host = malloc(DEMO_IO_CHUNK);
	d.runs = calloc(d.opts.repeat * d.opts.nsteps, sizeof(*d.runs));
	if (!d.host || !d.runs) {
		fprintf(stderr, "devmig: out of memory\n");
		return 1;
	}
	/* Room for the range, the device's view of it and its backing. */
	mcfg.ram_bytes = 4 * d.opts.size + (256UL << 20);
	mcfg.thp_mode = d.opts.thp;
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
	if (demo_setup(&d))
		return 1;

	ret = 0;
	for (i = 0; !ret && i < d.opts.repeat * d.opts.nsteps; i++) {
		struct demo_step *s = &d.runs[d.nruns++];

		s->kind = d.opts.steps[i % d.opts.nsteps];
		s->pass = i / d.opts.nsteps + 1;
		demo_run_step(&d, s);
		ret = s->ret;
	}

	demo_dev_stats(&d, &st);
	for (k = 0; k < d.opts.ndevices; k++)
		dmirror_close(d.mirror[k]);
	/* Closing evicts coherent pages: count them too. */
	demo_dev_stats(&d, &st);
	for (k = 0; k < d.opts.ndevices; k++)
		dmirror_device_destroy(d.dev[k]);
	d.violations = devmig_check_invariants(report_violation, NULL);
	devmig_proc_exit(d.proc);
	d.violations += devmig_check_invariants(report_violation, NULL);
	devmig_shutdown();

	for (i = 0; i < d.nruns; i++)
		bad += d.runs[i].mismatches;
	ok = !ret && !bad && !d.violations;
	if (d.opts.json) {
		print_json(&d, &st, bad, ok);
	} else {
		print_table(&d, &st, bad);
		printf("\n%s\n", ok ? "OK" : "FAILED");
	}
	free(d.host);
	free(d.runs);
	return ok ? 0 : 1;
}
