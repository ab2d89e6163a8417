/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_MM_TYPES_TASK_H
#define _LINUX_MM_TYPES_TASK_H

/* Per-mm resident set counters (mm->rss_stat). */
enum {
	MM_FILEPAGES,	/* file-backed pages */
	MM_ANONPAGES,	/* anonymous pages, device pages included */
	MM_SWAPENTS,	/* swap entries */
	MM_SHMEMPAGES,	/* shared memory pages */
	NR_MM_COUNTERS
};

#endif /* _LINUX_MM_TYPES_TASK_H */
