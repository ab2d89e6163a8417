// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the host side of the example: boots the model machine, makes a
 * process, and drives the driver in minidev.c through minidev.h.
 *
 * It maps 2 MiB, fills it with a pattern through the software CPU, migrates
 * it to the device, then brings the first half back by touching it (each
 * touch is a CPU fault the driver answers in migrate_to_ram) and the second
 * half by evicting the device (migrate_device_range()), checking every byte
 * and the model's invariants.  Exit status 0 only if all of it holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devmig.h>

#include "minidev.h"

#define PAGE		4096UL
#define NPAGES		512UL		/* 2 MiB */
#define DEV_PAGES	1024UL		/* the device has room for 4 MiB */

static int failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "minidev: FAILED: " __VA_ARGS__); \
			fputc('\n', stderr);				\
			failures++;					\
		}							\
	} while (0)

static unsigned char pattern(unsigned long off)
{
	return (unsigned char)(off * 7 + off / PAGE);
}

/* Bytes of [addr, addr + len) off pattern, read through the CPU. */
static unsigned long mismatches(unsigned long addr, unsigned long off,
				unsigned long len)
{
	static unsigned char buf[NPAGES * PAGE];
	unsigned long i, bad = 0;

	if (devmig_load(addr, buf, len))
		return len;
	for (i = 0; i < len; i++)
		bad += buf[i] != pattern(off + i);
	return bad;
}

static void report(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "minidev: invariant: %s\n", msg);
}

int main(void)
{
	static unsigned char buf[NPAGES * PAGE];
	const unsigned long half = NPAGES / 2 * PAGE;
	struct devmig_task_stats t0, t1;
	struct minidev_stats st;
	struct devmig_proc *proc;
	struct minidev *dev;
	unsigned long i;
	long addr, n;

	if (devmig_boot(NULL)) {
		fprintf(stderr, "minidev: boot failed\n");
		return 1;
	}
	proc = devmig_proc_create();	/* this thread now runs in it */
	dev = minidev_create(DEV_PAGES);
	if (!proc || !dev) {
		fprintf(stderr, "minidev: cannot create the process or device\n");
		return 1;
	}
	addr = devmig_mmap(proc, NPAGES * PAGE,
			   DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
			   DEVMIG_MAP_PRIVATE);
	CHECK(addr > 0, "mmap: %ld", addr);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
	CHECK(!devmig_store(addr, buf, sizeof(buf)), "filling the range");

	n = minidev_migrate_to_device(dev, addr, NPAGES);
	minidev_stats(dev, &st);
	CHECK(n == (long)NPAGES, "%ld of %lu pages migrated", n, NPAGES);
	CHECK(st.in_use == NPAGES, "%lu device pages in use", st.in_use);

	/* First half: the CPU's loads fault, migrate_to_ram brings it back. */
	devmig_task_stats(&t0);
	CHECK(mismatches(addr, 0, half) == 0, "first half corrupted");
	devmig_task_stats(&t1);
	minidev_stats(dev, &st);
	CHECK(st.migrate_to_ram == NPAGES / 2, "%lu migrate_to_ram calls",
	      st.migrate_to_ram);
	CHECK(t1.faults - t0.faults >= NPAGES / 2, "%lu CPU faults",
	      t1.faults - t0.faults);
	CHECK(st.in_use == NPAGES / 2, "%lu device pages in use", st.in_use);

	/* Second half: the device gives everything back before it goes. */
	n = minidev_evict_all(dev);
	minidev_stats(dev, &st);
	CHECK(n == (long)(NPAGES / 2), "%ld pages evicted", n);
	CHECK(st.in_use == 0, "%lu device pages in use", st.in_use);
	devmig_task_stats(&t0);
	CHECK(mismatches(addr + half, half, half) == 0, "second half corrupted");
	minidev_stats(dev, &st);
	CHECK(st.migrate_to_ram == NPAGES / 2,
	      "reading evicted pages called migrate_to_ram");

	minidev_destroy(dev);
	CHECK(devmig_check_invariants(report, NULL) == 0, "invariants");
	devmig_proc_exit(proc);
	CHECK(devmig_check_invariants(report, NULL) == 0, "invariants");
	devmig_shutdown();

	if (failures)
		return 1;
	printf("minidev: %lu pages to the device, %lu back by CPU faults, "
	       "%lu by eviction, every byte checked: OK\n",
	       NPAGES, NPAGES / 2, NPAGES / 2);
	return 0;
}
