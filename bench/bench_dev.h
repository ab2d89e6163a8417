/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_dev.h - the bench's own device driver (bench/bench_dev.c): the
 * least a driver can do to migrate with migrate_vma_setup()/pages()/
 * finalize(), so `make bench` can time the migration itself.
 *
 * Plain C types only: the timing program (a host TU) includes this header
 * as well as the driver (a kernel-side TU).
 *
 * The device owns one device-private pgmap and a block of "device memory"
 * (an ordinary allocation, which is what device RAM is to the CPU model),
 * one page of it per device page.  A migration copies each page once, from
 * its system page to device memory or back; with copy off it copies nothing,
 * which leaves the cost of the migration code and the model alone.
 *
 * Migrations act on the calling task's process (devmig_task_enter()).
 * Errors are negative errno values.
 */
#ifndef _BENCH_DEV_H
#define _BENCH_DEV_H

struct bench_dev;

/* A device with @bytes of device-private memory (a multiple of the page size). */
int bench_dev_create(unsigned long bytes, struct bench_dev **out);
/* Every page must have left the device (migrated back or unmapped). */
void bench_dev_destroy(struct bench_dev *bdev);
/* 1: copy each page's bytes (the default); 0: copy nothing. */
void bench_dev_set_copy(struct bench_dev *bdev, int copy);

/*
 * Migrate @npages pages at @addr of the caller's process to the device,
 * or back to system memory.  Returns the number of pages migrated.
 */
long bench_dev_to_device(struct bench_dev *bdev, unsigned long addr,
			 unsigned long npages);
long bench_dev_to_system(struct bench_dev *bdev, unsigned long addr,
			 unsigned long npages);

/* CPU faults on a device page are answered by migrate_to_ram: one page. */
unsigned long bench_dev_faults(struct bench_dev *bdev);

#endif /* _BENCH_DEV_H */
