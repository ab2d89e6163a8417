/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model/fail.h - failing a class of sites by count (model/fault-inject.c).
 *
 * Every failure point of the model is a named site of a class
 * (linux/fault-inject.h).  Besides failing one named site
 * (devmig_fault_arm(), api/devmig.h: what the injection walk does), a
 * test can arm a whole class: model_fail_nth(class, n) fails the n-th
 * attempt of that class from then on (n = 1: the next one), once;
 * model_fail_every(class, true) fails all of them until disarmed.  Failed
 * calls return what the kernel returns on failure (NULL, -ENOMEM).
 * Counters are global (all threads), so arm only in single-threaded
 * phases of a test.
 */
#ifndef _MODEL_FAIL_H
#define _MODEL_FAIL_H

#include <linux/fault-inject.h>

enum model_fail_site {
	MODEL_FAIL_ANY		= 0,		/* any class below */
	MODEL_FAIL_KMALLOC	= FAULT_KMALLOC,
	MODEL_FAIL_PAGE		= FAULT_PAGE,	/* not page tables */
	MODEL_FAIL_PGTABLE	= FAULT_PGTABLE,
	MODEL_FAIL_ANON_VMA	= FAULT_ANON_VMA,
	MODEL_FAIL_MEMCG	= FAULT_MEMCG,
	MODEL_FAIL_DRIVER	= FAULT_DRIVER,	/* should_fail() points */
	MODEL_FAIL_COPY		= FAULT_COPY,
	MODEL_FAIL_HOST		= FAULT_HOST,
	MODEL_FAIL_NR_SITES	= FAULT_NR_CLASSES
};

/* Arm: the @n-th attempt of class @site from now fails (0 disarms). */
void model_fail_nth(enum model_fail_site site, unsigned long n);
/* Arm/disarm: every attempt of class @site fails. */
void model_fail_every(enum model_fail_site site, bool on);
/* Disarm everything (classes and named sites); clear the fired flag. */
void model_fail_reset(void);
/* True if an armed failure has fired since the last arm/reset. */
bool model_fail_fired(void);

#endif /* _MODEL_FAIL_H */
