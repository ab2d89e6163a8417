/* SPDX-License-Identifier: GPL-2.0 */
/* pagevec.h - small batches of folios, for amortising locks. */
#ifndef _LINUX_PAGEVEC_H
#define _LINUX_PAGEVEC_H

#include <linux/types.h>

struct folio;

/* Thirty-one pointers plus the counters fill 256 bytes on 64-bit. */
#define PAGEVEC_SIZE	31

struct folio_batch {
	unsigned char nr;		/* folios held */
	unsigned char i;		/* iteration cursor */
	bool percpu_pvec_drained;
	struct folio *folios[PAGEVEC_SIZE];
};

/* Empty the batch for reuse; the drained hint survives. */
static inline void folio_batch_reinit(struct folio_batch *fbatch)
{
	fbatch->i = fbatch->nr = 0;
}

static inline void folio_batch_init(struct folio_batch *fbatch)
{
	folio_batch_reinit(fbatch);
	fbatch->percpu_pvec_drained = false;
}

static inline unsigned int folio_batch_count(struct folio_batch *fbatch)
{
	return fbatch->nr;
}

static inline unsigned int folio_batch_space(struct folio_batch *fbatch)
{
	return PAGEVEC_SIZE - folio_batch_count(fbatch);
}

/* Add @folio; returns the space left (0: the batch is now full). */
static inline unsigned int folio_batch_add(struct folio_batch *fbatch,
					   struct folio *folio)
{
	fbatch->folios[fbatch->nr] = folio;
	fbatch->nr++;
	return folio_batch_space(fbatch);
}

#endif /* _LINUX_PAGEVEC_H */
