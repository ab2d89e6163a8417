/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minidev.h - what the host side (main.c) calls in the driver (minidev.c).
 *
 * The two sides are separate translation units: the driver is kernel code
 * and sees only the shadow kernel headers; main.c sees libc.  So this header
 * uses plain C types only and is safe in both.
 */
#ifndef _MINIDEV_H
#define _MINIDEV_H

struct minidev;

/* A device with @npages pages of device-private memory; NULL on failure. */
struct minidev *minidev_create(unsigned long npages);
/* Evict whatever is still on the device to system memory, then free it. */
void minidev_destroy(struct minidev *dev);

/*
 * Migrate [@start, @start + @npages pages) of the calling task's process to
 * device memory.  Returns how many pages moved, or a negative errno.
 */
long minidev_migrate_to_device(struct minidev *dev, unsigned long start,
			       unsigned long npages);
/*
 * Migrate every page of the device back to system memory, as a driver does
 * before its memory goes away.  Returns how many pages moved.
 */
long minidev_evict_all(struct minidev *dev);

struct minidev_stats {
	unsigned long in_use;		/* device pages holding data */
	unsigned long migrate_to_ram;	/* CPU faults the device answered */
};
void minidev_stats(struct minidev *dev, struct minidev_stats *st);

#endif /* _MINIDEV_H */
