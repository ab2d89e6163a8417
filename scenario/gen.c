// SPDX-License-Identifier: GPL-2.0
/*
 * gen.c - random valid scenarios from a seed.
 *
 * The generator keeps the same bookkeeping the parser checks (which process
 * sees which region, which mirrors are open where, who holds the pin, who
 * has exited), so every script it writes parses, and mixes every step kind
 * the model runs: anonymous and shared mappings, munmap, mprotect,
 * madvise, THP modes, CPU writes/reads/increments/checksums, every GUP mode
 * and held pins, every mirror command on private and coherent devices,
 * fork/exit/wait with interleaved children.  Ranges favour small regions
 * and whole-region commands so that steps interact.  The same seed always
 * gives the same script.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scenario.h"

#define GEN_REGIONS	6
#define GEN_PROCS	3
#define GEN_MIRRORS	2	/* per process */

struct gen {
	uint64_t rng;
	FILE *out;
	int nregions;
	unsigned long npages[SCN_MAX_REGIONS];
	int proc_alive[SCN_MAX_PROCS], proc_exited[SCN_MAX_PROCS];
	int parent[SCN_MAX_PROCS];
	int nprocs;
	unsigned int visible[SCN_MAX_PROCS];
	int mirror_proc[SCN_MAX_MIRRORS];	/* -1: closed */
	int nmirrors;
	int pin_proc;
	int steps;
	int coherent;		/* coherent mirrors in this script */
};

static uint64_t rnd(struct gen *g)
{
	/* xorshift64* */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ull;
}

static unsigned long below(struct gen *g, unsigned long n)
{
	return n ? (unsigned long)(rnd(g) >> 11) % n : 0;
}

static int chance(struct gen *g, int percent)
{
	return (int)below(g, 100) < percent;
}

static const char *proc_prefix(struct gen *g, int p, char *buf, size_t len)
{
	(void)g;
	if (!p)
		return "";
	snprintf(buf, len, "@c%d ", p);
	return buf;
}

/* A region the process sees, or -1. */
static int pick_region(struct gen *g, int p)
{
	int k, n = 0, pick[SCN_MAX_REGIONS];

	for (k = 0; k < g->nregions; k++)
		if (g->visible[p] & (1u << k))
			pick[n++] = k;
	return n ? pick[below(g, n)] : -1;
}

/* A mirror open in the process, or -1. */
static int pick_mirror(struct gen *g, int p)
{
	int k, n = 0, pick[SCN_MAX_MIRRORS];

	for (k = 0; k < g->nmirrors; k++)
		if (g->mirror_proc[k] == p)
			pick[n++] = k;
	return n ? pick[below(g, n)] : -1;
}

static int mirrors_of(struct gen *g, int p)
{
	int k, n = 0;

	for (k = 0; k < g->nmirrors; k++)
		n += g->mirror_proc[k] == p;
	return n;
}

/* " rK OFF N": mostly whole regions, else a random subrange. */
static void range(struct gen *g, int k, int allow_empty)
{
	unsigned long n = g->npages[k], off, len;

	if (chance(g, 40)) {
		off = 0;
		len = n;
	} else {
		off = below(g, n);
		len = 1 + below(g, n - off);
	}
	if (allow_empty && chance(g, 2))
		len = 0;
	fprintf(g->out, " r%d %lu %lu", k, off, len);
}

static void pattern(struct gen *g)
{
	switch (below(g, 4)) {
	case 0:
		fprintf(g->out, " i+%lu", below(g, 1000));
		break;
	case 1:
		fprintf(g->out, " -i");
		break;
	case 2:
		fprintf(g->out, " b%02lx", below(g, 256));
		break;
	default:
		fprintf(g->out, " seed%lu", below(g, 1000000));
		break;
	}
}

static const char *const prots[] = { "none", "r", "rw", "rw", "rw" };

static void gen_mmap(struct gen *g, int p, const char *pre)
{
	static const unsigned long sizes[] = { 1, 2, 3, 4, 8, 16, 64, 512 };
	unsigned long n = sizes[below(g, chance(g, 5) ? 8 : 7)];
	int k = g->nregions++;

	g->npages[k] = n;
	g->visible[p] |= 1u << k;
	unsigned long kind = below(g, 100);
	int m = pick_mirror(g, p);
	char devfile[24];

	snprintf(devfile, sizeof(devfile), "devfile:m%d", m);
	fprintf(g->out, "%smmap r%d %lu %s %s\n", pre, k, n,
		kind < 55 ? "anon" : kind < 75 ? "anon-shared" :
		kind < 87 ? "file-shared" : kind < 95 || m < 0 ?
		"file-private" : devfile,
		chance(g, 85) ? "rw" : prots[below(g, 2)]);
}

static void gen_dev(struct gen *g, int p, const char *pre, int m, int k)
{
	static const char *const cmds[] = {
		"migrate", "migrate", "migrate", "migrate-sys", "migrate-sys",
		"read", "write", "snapshot", "exclusive", "check-exclusive",
		"release",
	};
	const char *cmd = cmds[below(g, 11)];

	(void)p;
	if (!strcmp(cmd, "release") && chance(g, 70))
		cmd = "migrate";
	/*
	 * EXCLUSIVE on device-coherent pages leaves the model unable to
	 * evict them (tests/scenarios-pending/): no exclusive access in
	 * scripts with coherent devices until that is settled.
	 */
	if (g->coherent && !strcmp(cmd, "exclusive"))
		cmd = "snapshot";
	fprintf(g->out, "%sdev %s m%d", pre, cmd, m);
	range(g, k, 1);
	if (!strcmp(cmd, "write"))
		pattern(g);
	fputc('\n', g->out);
}

static void gen_gup(struct gen *g, const char *pre, int k)
{
	static const char *const modes[] = {
		"get", "get-fast", "pin", "pin-fast", "pin-longterm",
	};

	fprintf(g->out, "%sgup %s", pre, modes[below(g, 5)]);
	range(g, k, 0);
	fprintf(g->out, "%s%s\n", chance(g, 25) ? " ro" : "",
		chance(g, 30) ? " longterm" : "");
}

static void gen_process_step(struct gen *g, int p, const char *pre)
{
	int c;

	/* Reap an exited child of this process first. */
	for (c = 1; c < g->nprocs; c++) {
		if (g->parent[c] == p && g->proc_exited[c]) {
			fprintf(g->out, "%swait c%d\n", pre, c);
			g->proc_exited[c] = 0;
			g->steps++;
			return;
		}
	}
	if (p && chance(g, 50) && g->pin_proc != p) {
		fprintf(g->out, "%sexit %lu\n", pre, below(g, 3));
		g->proc_alive[p] = 0;
		g->proc_exited[p] = 1;
		g->steps++;
		return;
	}
	if (g->nprocs < SCN_MAX_PROCS && g->nprocs <= GEN_PROCS) {
		c = g->nprocs++;
		g->proc_alive[c] = 1;
		g->parent[c] = p;
		g->visible[c] = g->visible[p];
		fprintf(g->out, "%sfork c%d\n", pre, c);
		g->steps++;
	}
}

static void gen_step(struct gen *g)
{
	char buf[16];
	const char *pre;
	int p, k, m, alive[SCN_MAX_PROCS], nalive = 0;
	unsigned long what = below(g, 100);

	for (p = 0; p < g->nprocs; p++)
		if (g->proc_alive[p])
			alive[nalive++] = p;
	p = alive[below(g, nalive)];
	pre = proc_prefix(g, p, buf, sizeof(buf));
	k = pick_region(g, p);
	m = pick_mirror(g, p);

	if (k < 0 || (what < 6 && g->nregions < GEN_REGIONS)) {
		if (g->nregions < GEN_REGIONS) {
			gen_mmap(g, p, pre);
			g->steps++;
		}
		return;
	}
	if (m < 0 || (what < 9 && mirrors_of(g, p) < GEN_MIRRORS &&
		      g->nmirrors < SCN_MAX_MIRRORS)) {
		if (g->nmirrors < SCN_MAX_MIRRORS) {
			m = g->nmirrors++;
			g->mirror_proc[m] = p;
			fprintf(g->out, "%sopen m%d %s %lu\n", pre, m,
				g->coherent && chance(g, 50) ? "coherent" :
				"private",
				below(g, 2));
			g->steps++;
		}
		return;
	}
	g->steps++;
	if (what < 40) {
		gen_dev(g, p, pre, m, k);
	} else if (what < 52) {
		static const char *const cpu[] = {
			"write", "write", "read", "touch", "incr", "sum",
		};
		const char *op = cpu[below(g, 6)];

		fprintf(g->out, "%s%s", pre, op);
		range(g, k, 0);
		if (!strcmp(op, "write"))
			pattern(g);
		fputc('\n', g->out);
	} else if (what < 58) {
		gen_gup(g, pre, k);
	} else if (what < 62) {
		if (g->pin_proc < 0) {
			g->pin_proc = p;
			fprintf(g->out, "%spin", pre);
			range(g, k, 0);
			fprintf(g->out, "%s%s\n", chance(g, 25) ? " ro" : "",
				chance(g, 50) ? " fast" : "");
		} else if (g->pin_proc == p) {
			g->pin_proc = -1;
			fprintf(g->out, "%sunpin\n", pre);
		} else {
			g->steps--;
		}
	} else if (what < 70) {
		fprintf(g->out, "%smprotect", pre);
		range(g, k, 0);
		fprintf(g->out, " %s\n", prots[below(g, 5)]);
	} else if (what < 76) {
		static const char *const adv[] = {
			"hugepage", "nohugepage", "dontneed", "dontneed",
		};

		fprintf(g->out, "%smadvise", pre);
		range(g, k, 0);
		fprintf(g->out, " %s\n", adv[below(g, 4)]);
	} else if (what < 79) {
		fprintf(g->out, "%smunmap", pre);
		range(g, k, 0);
		fputc('\n', g->out);
	} else if (what < 81) {
		static const char *const modes[] = {
			"never", "madvise", "always",
		};

		fprintf(g->out, "%sthp %s\n", pre, modes[below(g, 3)]);
	} else if (what < 83) {
		g->mirror_proc[m] = -1;
		fprintf(g->out, "%sclose m%d\n", pre, m);
	} else if (what < 88) {
		g->steps--;
		gen_process_step(g, p, pre);
	} else {
		gen_dev(g, p, pre, m, k);
	}
}

void scn_generate(FILE *out, unsigned long seed, int nsteps)
{
	struct gen g;
	int i;

	memset(&g, 0, sizeof(g));
	g.rng = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
	if (!g.rng)
		g.rng = 1;
	g.out = out;
	g.nprocs = 1;
	g.proc_alive[0] = 1;
	g.parent[0] = -1;
	g.pin_proc = -1;
	g.coherent = chance(&g, 50);
	for (i = 0; i < SCN_MAX_MIRRORS; i++)
		g.mirror_proc[i] = -1;
	fprintf(out, "# generated: seed %lu, %d steps\n", seed, nsteps);
	while (g.steps < nsteps)
		gen_step(&g);
}
