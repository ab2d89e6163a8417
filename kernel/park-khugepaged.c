// SPDX-License-Identifier: GPL-2.0
/*
 * park-khugepaged - keep khugepaged's scan cursor away from the scripts
 * that make kernel-diff runs (kernel/init.sh starts it before them).
 *
 * khugepaged collapses small pages into THPs when it likes, so a script's
 * transcript would depend on its timing.  init.sh makes it scan one PMD
 * per pass and sleep for weeks between passes; but a script that sets THP
 * to "never" and back stops and restarts the thread, and a new thread
 * scans at once, resuming where the last scan stopped.  This process is
 * the first on khugepaged's list and has a 1 TiB THP-eligible mapping that
 * is empty but for one page: every such pass lands here, one PMD further,
 * and never reaches a script's memory (half a million restarts away).
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define PARK_BYTES	(1UL << 40)

int main(void)
{
	char *p = mmap(NULL, PARK_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("park-khugepaged: mmap");
		return 1;
	}
	/* khugepaged skips an anonymous VMA until it has an anon_vma. */
	p[0] = 1;
	if (madvise(p, PARK_BYTES, MADV_HUGEPAGE)) {
		perror("park-khugepaged: madvise");
		return 1;
	}
	for (;;)
		pause();
}
