// SPDX-License-Identifier: GPL-2.0
/*
 * files.c - tmpfs (memfd) files in the model, and what the mirror does with
 * them: hmm-tests' file_read, file_write and migrate_file_private, plus the
 * page cache itself (pwrite/pread, holes, i_size), shared and private
 * mappings (copy-on-write into anonymous pages in a file VMA), SIGBUS past
 * the end of the file, and a file closed while it is still mapped; and the
 * mirror's own device file mapped (hmm-tests' mixedmap).
 */
#include "harness.h"
#include <linux/fs.h>

/* A memfd of @npages pages holding "init base + i", written by pwrite. */
static struct file *t_memfd(unsigned long npages, int base)
{
	int buf[T_INTS_PER_PAGE];
	struct file *file;
	unsigned long p, i;

	assert_int_equal(devmig_memfd_create(npages << PAGE_SHIFT, &file), 0);
	for (p = 0; p < npages; p++) {
		for (i = 0; i < T_INTS_PER_PAGE; i++)
			buf[i] = base + (int)(p * T_INTS_PER_PAGE + i);
		assert_int_equal(devmig_file_pwrite(file, buf, PAGE_SIZE,
						    p << PAGE_SHIFT),
				 PAGE_SIZE);
	}
	return file;
}

/* Ints of the file's [page, page + npages) that differ from "base + i". */
static unsigned long t_file_mismatches(struct file *file, unsigned long page,
				       unsigned long npages, int base)
{
	int buf[T_INTS_PER_PAGE];
	unsigned long p, i, bad = 0;

	for (p = page; p < page + npages; p++) {
		assert_int_equal(devmig_file_pread(file, buf, PAGE_SIZE,
						   p << PAGE_SHIFT),
				 PAGE_SIZE);
		for (i = 0; i < T_INTS_PER_PAGE; i++)
			bad += buf[i] != base + (int)(p * T_INTS_PER_PAGE + i);
	}
	return bad;
}

/* The page-cache folio at @index, or NULL; no reference kept. */
static struct folio *t_cache_folio(struct file *file, unsigned long index)
{
	struct folio *folio = filemap_get_folio(file->f_mapping, index);

	if (IS_ERR(folio))
		return NULL;
	folio_put(folio);
	return folio;
}

static long t_mmap_file(struct fx *f, struct file *file, unsigned long npages,
			int prot, int flags)
{
	long addr = devmig_mmap_file(f->proc, file, npages << PAGE_SHIFT, prot,
				     flags, 0);

	assert_true(addr > 0);
	return addr;
}

/* pwrite/pread through the page cache: offsets, holes, the end of file. */
static void test_file_pwrite_pread(void **state)
{
	char buf[3 * PAGE_SIZE], out[3 * PAGE_SIZE];
	struct file *file;
	unsigned long i;

	(void)state;
	assert_int_equal(devmig_memfd_create(3 * PAGE_SIZE, &file), 0);
	assert_int_equal(file->f_mapping->nrpages, 0);
	/* A hole reads as zeros and stays a hole. */
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(devmig_file_pread(file, out, PAGE_SIZE, 0), PAGE_SIZE);
	for (i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(file->f_mapping->nrpages, 0);

	/* Across a page boundary: both pages are created, nothing else. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	assert_int_equal(devmig_file_pwrite(file, buf, 100, PAGE_SIZE - 50),
			 100);
	assert_int_equal(file->f_mapping->nrpages, 2);
	assert_null(t_cache_folio(file, 2));
	assert_int_equal(devmig_file_pread(file, out, 200, PAGE_SIZE - 100),
			 200);
	for (i = 0; i < 50; i++)
		assert_int_equal(out[i], 0);
	assert_memory_equal(out + 50, buf, 100);
	for (i = 150; i < 200; i++)
		assert_int_equal(out[i], 0);

	/* Reads stop at i_size; a write past it grows the file. */
	assert_int_equal(devmig_file_pread(file, out, PAGE_SIZE,
					   3 * PAGE_SIZE - 10), 10);
	assert_int_equal(devmig_file_pread(file, out, 1, 3 * PAGE_SIZE), 0);
	assert_int_equal(devmig_file_pwrite(file, buf, 10, 4 * PAGE_SIZE), 10);
	assert_int_equal(file->f_inode->i_size, 4 * PAGE_SIZE + 10);
	assert_int_equal(devmig_file_pread(file, out, 20, 4 * PAGE_SIZE), 10);
	assert_memory_equal(out, buf, 10);
	assert_int_equal(devmig_file_pwrite(file, buf, 1, -1), -EINVAL);
	devmig_file_close(file);
	assert_invariants();
}

/* MAP_SHARED: the CPU and pwrite/pread see the same page-cache folios. */
static void test_file_shared_mapping(void **state)
{
	struct fx *f = *state;
	struct file *file = t_memfd(4, 0);
	unsigned long addr = t_mmap_file(f, file, 4, T_RW, DEVMIG_MAP_SHARED);
	struct folio *folio;
	struct t_pstate s;
	int v = 12345;

	assert_int_equal(t_mismatches(addr, 4, 0), 0);
	folio = t_cache_folio(file, 1);
	assert_non_null(folio);
	assert_ptr_equal(t_page(f->mm, addr + PAGE_SIZE), &folio->page);
	s = t_state(&folio->page);
	assert_int_equal(s.ref, 2);	/* the page cache and the PTE */
	assert_int_equal(s.map, 1);
	assert_false(folio_test_anon(folio));
	assert_int_equal(get_mm_counter(f->mm, MM_SHMEMPAGES), 4);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);

	/* A CPU store is in the file; a pwrite is in the mapping. */
	assert_int_equal(devmig_store(addr + PAGE_SIZE, &v, sizeof(v)), 0);
	v = 0;
	assert_int_equal(devmig_file_pread(file, &v, sizeof(v), PAGE_SIZE),
			 sizeof(v));
	assert_int_equal(v, 12345);
	v = 777;
	assert_int_equal(devmig_file_pwrite(file, &v, sizeof(v),
					    2 * PAGE_SIZE + 8), sizeof(v));
	v = 0;
	assert_int_equal(devmig_load(addr + 2 * PAGE_SIZE + 8, &v, sizeof(v)),
			 0);
	assert_int_equal(v, 777);

	assert_int_equal(devmig_munmap(f->proc, addr, 4 * PAGE_SIZE), 0);
	s = t_state(&folio->page);
	assert_int_equal(s.ref, 1);	/* the page cache only */
	assert_int_equal(s.map, 0);
	assert_int_equal(t_file_mismatches(file, 0, 1, 0), 0);
	devmig_file_close(file);
	assert_invariants();
}

/*
 * MAP_PRIVATE: reads map the page cache read-only; the first write copies
 * the page into an anonymous one the file never sees; pages not yet copied
 * keep following the file.
 */
static void test_file_private_mapping(void **state)
{
	struct fx *f = *state;
	struct file *file = t_memfd(4, 0);
	unsigned long addr = t_mmap_file(f, file, 4, T_RW, DEVMIG_MAP_PRIVATE);
	struct folio *cache0 = t_cache_folio(file, 0);
	struct page *page;
	pte_t pte;
	int v;

	/*
	 * Read fault: the cache folio, read-only, file rmap; the cached pages
	 * around it are mapped with it (fault-around), read-only too.
	 */
	assert_int_equal(t_mismatches(addr, 1, 0), 0);
	pte = t_pte(f->mm, addr);
	assert_ptr_equal(t_page_of(pte), &cache0->page);
	assert_false(pte_write(pte));
	assert_int_equal(folio_mapcount(cache0), 1);
	pte = t_pte(f->mm, addr + 3 * PAGE_SIZE);
	assert_ptr_equal(t_page_of(pte), &t_cache_folio(file, 3)->page);
	assert_false(pte_write(pte));
	assert_int_equal(get_mm_counter(f->mm, MM_SHMEMPAGES), 4);

	/* Write fault on a hole of the mapping: a copy, never the file. */
	assert_int_equal(devmig_madvise(f->proc, addr + PAGE_SIZE, PAGE_SIZE,
					DEVMIG_MADV_DONTNEED), 0);
	assert_int_equal(t_kind(f->mm, addr + PAGE_SIZE), T_NONE);
	v = -1;
	assert_int_equal(devmig_store(addr + PAGE_SIZE, &v, sizeof(v)), 0);
	pte = t_pte(f->mm, addr + PAGE_SIZE);
	page = t_page_of(pte);
	assert_true(pte_write(pte));
	assert_true(PageAnon(page));
	assert_true(PageAnonExclusive(page));
	assert_ptr_not_equal(page, &t_cache_folio(file, 1)->page);
	assert_settled_anon(page, 1, true);
	assert_int_equal(t_file_mismatches(file, 1, 1, 0), 0);
	/* The rest of the copied page is the file's data. */
	assert_int_equal(t_page_mismatches(page, 1, 0), 1);

	/* Write after read: the read-only cache mapping is replaced. */
	assert_int_equal(devmig_store(addr, &v, sizeof(v)), 0);
	page = t_page(f->mm, addr);
	assert_true(PageAnon(page));
	assert_int_equal(folio_mapcount(cache0), 0);
	assert_int_equal(t_file_mismatches(file, 0, 1, 0), 0);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 2);
	assert_int_equal(get_mm_counter(f->mm, MM_SHMEMPAGES), 2);

	/* A page not copied yet follows the file; a copied one does not. */
	v = 4242;
	assert_int_equal(devmig_file_pwrite(file, &v, sizeof(v),
					    2 * PAGE_SIZE), sizeof(v));
	assert_int_equal(devmig_file_pwrite(file, &v, sizeof(v),
					    PAGE_SIZE + 4), sizeof(v));
	assert_int_equal(devmig_load(addr + 2 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(v, 4242);
	assert_int_equal(devmig_load(addr + PAGE_SIZE + 4, &v, sizeof(v)), 0);
	assert_int_equal(v, (int)T_INTS_PER_PAGE + 1);

	/* MADV_DONTNEED drops the copies: the file shows through again. */
	assert_int_equal(devmig_madvise(f->proc, addr, 4 * PAGE_SIZE,
					DEVMIG_MADV_DONTNEED), 0);
	assert_int_equal(devmig_load(addr + PAGE_SIZE + 4, &v, sizeof(v)), 0);
	assert_int_equal(v, 4242);
	assert_int_equal(devmig_load(addr, &v, sizeof(v)), 0);
	assert_int_equal(v, 0);
	assert_false(PageAnon(t_page(f->mm, addr)));
	devmig_file_close(file);
	assert_invariants();
}

/* The pages of [first, first + n) of the mapping at @addr that are mapped. */
static unsigned long t_mapped(struct fx *f, unsigned long addr,
			      unsigned long first, unsigned long n)
{
	return n - t_count_kind(f->mm, addr + first * PAGE_SIZE, n, T_NONE);
}

/*
 * A read fault maps the cached pages around it (fault-around): the 64 KiB
 * window that holds the address, moved up to start no lower than the VMA,
 * cut at the VMA's end and at the end of the page table.  A locked page and
 * pages past the end of the file are left to their own faults.
 */
static void test_file_fault_around(void **state)
{
	const unsigned long base = 1UL << 40;	/* 2 MiB aligned */
	struct fx *f = *state;
	struct file *file = t_memfd(40, 0);
	struct file *small = t_memfd(2, 7);
	struct folio *locked = t_cache_folio(file, 35);
	unsigned long a = base + 3 * PAGE_SIZE;
	unsigned long b = base + PMD_SIZE - 4 * PAGE_SIZE;
	unsigned long c = base + 2 * PMD_SIZE;
	int v;

	/* A VMA starting 3 pages into a window: its pages 0-15 map together. */
	assert_int_equal(devmig_mmap_file_fixed(f->proc, a, file,
						40 * PAGE_SIZE, T_RW,
						DEVMIG_MAP_SHARED, 0), a);
	assert_int_equal(devmig_load(a + 5 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(v, 5 * T_INTS_PER_PAGE);
	assert_int_equal(t_mapped(f, a, 0, 16), 16);
	assert_int_equal(t_mapped(f, a, 16, 24), 0);
	assert_int_equal(t_mismatches(a, 16, 0), 0);

	/* Near the VMA's end: window [29, 45) cut at 40, the locked page left. */
	folio_lock(locked);
	assert_int_equal(devmig_load(a + 30 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(t_mapped(f, a, 16, 13), 0);
	assert_int_equal(t_mapped(f, a, 29, 11), 10);
	assert_int_equal(t_kind(f->mm, a + 35 * PAGE_SIZE), T_NONE);
	folio_unlock(locked);
	assert_int_equal(t_mismatches(a, 40, 0), 0);
	assert_int_equal(get_mm_counter(f->mm, MM_SHMEMPAGES), 40);

	/* A VMA across two page tables: a fault maps within its own table. */
	assert_int_equal(devmig_mmap_file_fixed(f->proc, b, file,
						8 * PAGE_SIZE, DEVMIG_PROT_READ,
						DEVMIG_MAP_PRIVATE, 0), b);
	assert_int_equal(devmig_load(b, &v, sizeof(v)), 0);
	assert_int_equal(t_mapped(f, b, 0, 4), 4);
	assert_int_equal(t_mapped(f, b, 4, 4), 0);
	assert_false(pte_write(t_pte(f->mm, b + 3 * PAGE_SIZE)));
	assert_int_equal(devmig_load(b + 7 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(t_mapped(f, b, 4, 4), 4);

	/* Past the end of a 2-page file nothing is mapped; a fault is SIGBUS. */
	assert_int_equal(devmig_mmap_file_fixed(f->proc, c, small,
						4 * PAGE_SIZE, T_RW,
						DEVMIG_MAP_SHARED, 0), c);
	assert_int_equal(devmig_load(c + PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(t_mapped(f, c, 0, 2), 2);
	assert_int_equal(t_mapped(f, c, 2, 2), 0);
	assert_int_equal(devmig_load(c + 2 * PAGE_SIZE, &v, sizeof(v)), -EIO);
	assert_int_equal(t_mismatches(c, 2, 7), 0);

	devmig_file_close(file);
	devmig_file_close(small);
	assert_invariants();
}

/*
 * mprotect splits a file VMA only where the protection changes, and the
 * pieces merge again once they agree (as in Linux, where the order of the
 * VMAs on the file's rmap depends on it).
 */
static void test_file_mprotect_split_merge(void **state)
{
	struct fx *f = *state;
	struct file *file = t_memfd(4, 0);
	unsigned long addr = t_mmap_file(f, file, 4, T_RW, DEVMIG_MAP_SHARED);
	int count = f->mm->map_count;

	assert_int_equal(devmig_mprotect(f->proc, addr + PAGE_SIZE, PAGE_SIZE,
					 T_RW), 0);
	assert_int_equal(f->mm->map_count, count);
	assert_int_equal(devmig_mprotect(f->proc, addr + PAGE_SIZE, PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(f->mm->map_count, count + 2);
	assert_int_equal(t_vma(f->mm, addr + PAGE_SIZE)->vm_pgoff, 1);
	assert_int_equal(devmig_mprotect(f->proc, addr, 4 * PAGE_SIZE, T_RW),
			 0);
	assert_int_equal(f->mm->map_count, count);
	assert_int_equal(t_vma(f->mm, addr)->vm_end, addr + 4 * PAGE_SIZE);
	assert_int_equal(t_mismatches(addr, 4, 0), 0);
	devmig_file_close(file);
	assert_invariants();
}

/* A fault at or past the end of the file is SIGBUS; before it, data. */
static void test_file_sigbus_past_eof(void **state)
{
	struct fx *f = *state;
	struct file *file = t_memfd(1, 5);
	unsigned long shared = t_mmap_file(f, file, 2, T_RW, DEVMIG_MAP_SHARED);
	unsigned long priv = t_mmap_file(f, file, 2, T_RW, DEVMIG_MAP_PRIVATE);
	int v = 1;

	assert_int_equal(t_mismatches(shared, 1, 5), 0);
	assert_int_equal(devmig_load(shared + PAGE_SIZE, &v, sizeof(v)), -EIO);
	assert_int_equal(devmig_store(shared + PAGE_SIZE, &v, sizeof(v)), -EIO);
	assert_int_equal(devmig_store(priv + PAGE_SIZE, &v, sizeof(v)), -EIO);
	assert_int_equal(t_kind(f->mm, priv + PAGE_SIZE), T_NONE);
	assert_int_equal(t_mismatches(priv, 1, 5), 0);
	devmig_file_close(file);
	assert_invariants();
}

/*
 * Closing a mapped file: the mapping's reference keeps it (and its page
 * cache) alive; the last munmap frees it all.
 */
static void test_file_close_while_mapped(void **state)
{
	struct fx *f = *state;
	struct file *file = t_memfd(2, 9);
	unsigned long addr = t_mmap_file(f, file, 2, T_RW, DEVMIG_MAP_SHARED);
	struct folio *folio = t_cache_folio(file, 0);

	assert_int_equal(atomic_long_read(&file->f_count), 2);
	/* A split VMA is a second reference. */
	assert_int_equal(devmig_mprotect(f->proc, addr, PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(atomic_long_read(&file->f_count), 3);
	devmig_file_close(file);
	assert_int_equal(atomic_long_read(&file->f_count), 2);
	t_fill(addr + PAGE_SIZE, 1, 100);
	assert_int_equal(t_mismatches(addr, 1, 9), 0);
	assert_int_equal(t_mismatches(addr + PAGE_SIZE, 1, 100), 0);
	assert_int_equal(devmig_munmap(f->proc, addr, PAGE_SIZE), 0);
	assert_int_equal(t_state(&folio->page).ref, 1);	/* page cache only */
	assert_ptr_equal(folio->mapping, file->f_mapping);
	assert_int_equal(devmig_munmap(f->proc, addr + PAGE_SIZE, PAGE_SIZE), 0);
	/* Released: the page cache let go of its folios. */
	assert_int_equal(folio_ref_count(folio), 0);
	assert_null(folio->mapping);
	assert_invariants();
}

/* hmm.file_read: the device reads a file mapped shared, read-only. */
static void test_file_read(void **state)
{
	struct fx *f = *state;
	struct file *file = t_memfd(T_NPAGES, 0);
	unsigned long addr = t_mmap_file(f, file, T_NPAGES, DEVMIG_PROT_READ,
					 DEVMIG_MAP_SHARED);
	unsigned long out = t_scratch(f->proc, T_NPAGES);
	struct hmm_dmirror_cmd cmd;

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, addr, out,
			       T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(out, T_NPAGES, 0), 0);
	/* The device faulted the page cache in, read-only. */
	assert_int_equal(t_count_kind(f->mm, addr, T_NPAGES, T_PRESENT),
			 T_NPAGES);
	assert_ptr_equal(t_page(f->mm, addr), &t_cache_folio(file, 0)->page);
	devmig_file_close(file);
}

/* hmm.file_write: the device writes a shared file mapping; pread sees it. */
static void test_file_write(void **state)
{
	struct fx *f = *state;
	struct file *file;
	unsigned long addr, in = t_scratch(f->proc, T_NPAGES);
	struct hmm_dmirror_cmd cmd;

	assert_int_equal(devmig_memfd_create(T_NPAGES << PAGE_SHIFT, &file), 0);
	addr = t_mmap_file(f, file, T_NPAGES, T_RW, DEVMIG_MAP_SHARED);
	t_fill(in, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, addr, in,
			       T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(addr, T_NPAGES, 0), 0);
	assert_int_equal(file->f_mapping->nrpages, T_NPAGES);
	assert_int_equal(t_file_mismatches(file, 0, T_NPAGES, 0), 0);
	devmig_file_close(file);
}

/*
 * hmm.migrate_file_private: the CPU's private copies in a file VMA migrate
 * to the device and come back by CPU faults; the file never changes.
 */
static void test_migrate_file_private(void **state)
{
	struct fx *f = *state;
	struct file *file;
	unsigned long addr, out = t_scratch(f->proc, T_NPAGES);
	struct hmm_dmirror_cmd cmd;
	enum t_kind dev = f->type == HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ?
			  T_DEV_WRITE : T_PRESENT;

	assert_int_equal(devmig_memfd_create(T_NPAGES << PAGE_SHIFT, &file), 0);
	addr = t_mmap_file(f, file, T_NPAGES, T_RW, DEVMIG_MAP_PRIVATE);
	t_fill(addr, T_NPAGES, 0);
	assert_false(vma_is_anonymous(t_vma(f->mm, addr)));
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, addr,
			       out, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_mismatches(out, T_NPAGES, 0), 0);
	assert_int_equal(t_count_kind(f->mm, addr, T_NPAGES, dev), T_NPAGES);
	assert_true(is_zone_device_page(t_page(f->mm, addr)));
	assert_int_equal(t_dstats(f->dev[0]).in_use, T_NPAGES);
	assert_invariants();
	/* Back by CPU faults; the file is still all zeros. */
	assert_int_equal(t_mismatches(addr, T_NPAGES, 0), 0);
	assert_int_equal(t_count_kind(f->mm, addr, T_NPAGES, T_PRESENT),
			 T_NPAGES);
	assert_int_equal(file->f_mapping->nrpages, T_NPAGES);
	{
		char z[PAGE_SIZE];

		assert_int_equal(devmig_file_pread(file, z, PAGE_SIZE,
						   5 * PAGE_SIZE), PAGE_SIZE);
		assert_int_equal(memchr_inv(z, 0, PAGE_SIZE) == NULL, 1);
	}
	/* Migrate again and unmap the device entries of the file VMA. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, addr,
			       out, T_NPAGES, &cmd), 0);
	assert_int_equal(devmig_munmap(f->proc, addr, T_NPAGES << PAGE_SHIFT),
			 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	devmig_file_close(file);
}

/*
 * Only anonymous copies migrate out of a file VMA: page-cache pages mapped
 * read-only and holes stay as they are, and the mirror's read of the
 * range then fails (test_hmm answers -ENOENT for pages it does not hold).
 */
static void test_migrate_file_private_mixed(void **state)
{
	struct fx *f = *state;
	struct file *file = t_memfd(4, 0);
	unsigned long addr = t_mmap_file(f, file, 4, T_RW, DEVMIG_MAP_PRIVATE);
	unsigned long out = t_scratch(f->proc, 4);
	struct folio *cache1 = t_cache_folio(file, 1);
	int v = 0;

	t_fill(addr, 1, 50);			/* page 0: anon copy */
	assert_int_equal(devmig_load(addr + PAGE_SIZE, &v, sizeof(v)), 0);
	/* page 1: the cache, read-only; pages 2-3 (mapped around it): holes */
	assert_int_equal(devmig_madvise(f->proc, addr + 2 * PAGE_SIZE,
					2 * PAGE_SIZE, DEVMIG_MADV_DONTNEED), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, addr,
			       out, 4, NULL), -ENOENT);
	assert_true(is_zone_device_page(t_page(f->mm, addr)));
	assert_ptr_equal(t_page(f->mm, addr + PAGE_SIZE), &cache1->page);
	assert_int_equal(t_kind(f->mm, addr + 2 * PAGE_SIZE), T_NONE);
	assert_int_equal(t_kind(f->mm, addr + 3 * PAGE_SIZE), T_NONE);
	assert_int_equal(t_state(&cache1->page).ref, 2);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 1);
	assert_int_equal(t_mismatches(addr, 1, 50), 0);
	assert_int_equal(t_mismatches(addr + PAGE_SIZE, 3, T_INTS_PER_PAGE),
			 0);
	devmig_file_close(file);
}

/*
 * hmm.mixedmap: the device file mapped private and writable is a
 * VM_MIXEDMAP VMA of zeroed kernel pages mapped read-only; SNAPSHOT sees
 * READ.  It cannot be migrated; a CPU write copies the page.
 */
static void test_mixedmap(void **state)
{
	struct fx *f = *state;
	long addr = dmirror_mmap(f->mirror[0], 2 * PAGE_SIZE, T_RW,
				 DEVMIG_MAP_PRIVATE);
	unsigned long out = t_scratch(f->proc, 2);
	struct hmm_dmirror_cmd cmd;
	unsigned char snap[2];
	struct t_pstate s;
	struct page *page;
	pte_t pte;

	assert_true(addr > 0);
	assert_true(t_vma(f->mm, addr)->vm_flags & VM_MIXEDMAP);
	pte = t_pte(f->mm, addr);
	page = t_page_of(pte);
	assert_non_null(page);
	assert_false(pte_write(pte));
	assert_false(PageAnon(page));
	assert_null(page_folio(page)->mapping);
	s = t_state(page);
	assert_int_equal(s.ref, 1);	/* the mapping's only */
	assert_int_equal(s.map, 1);
	assert_false(s.lru);
	assert_int_equal(t_nonzero(addr, 2), 0);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, addr, out,
			       1, &cmd), 0);
	assert_int_equal(cmd.cpages, 1);
	assert_int_equal(devmig_load(out, snap, 1), 0);
	assert_int_equal(snap[0], HMM_DMIRROR_PROT_READ);
	assert_invariants();

	/* VM_SPECIAL: migrate_vma_setup() refuses the VMA. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, addr,
			       out, 2, NULL), -EINVAL);
	/* A CPU write copies the page; the device then sees it writable. */
	t_fill(addr + PAGE_SIZE, 1, 3);
	assert_true(PageAnon(t_page(f->mm, addr + PAGE_SIZE)));
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, addr, out,
			       2, &cmd), 0);
	assert_int_equal(devmig_load(out, snap, 2), 0);
	assert_int_equal(snap[0], HMM_DMIRROR_PROT_READ);
	assert_int_equal(snap[1], HMM_DMIRROR_PROT_WRITE);
	assert_int_equal(devmig_munmap(f->proc, addr, 2 * PAGE_SIZE), 0);
	s = t_state(page);
	assert_int_equal(s.ref, 0);	/* freed with its mapping */
}

/*
 * A mapping of the device file holds the mirror: closing it while mapped
 * does not release it (its device memory stays), the munmap does.
 */
static void test_devfile_mapping_holds_mirror(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	unsigned long out = t_scratch(f->proc, 4);
	long dev = dmirror_mmap(f->mirror[0], PAGE_SIZE, DEVMIG_PROT_READ,
				DEVMIG_MAP_SHARED);

	assert_true(dev > 0);
	t_fill(buf, 4, 21);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       out, 4, NULL), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 4);
	dmirror_close(f->mirror[0]);
	f->mirror[0] = NULL;
	/* Still mirrored: nothing was evicted. */
	assert_int_equal(t_dstats(f->dev[0]).in_use, 4);
	assert_true(is_zone_device_page(t_page(f->mm, buf)));
	assert_int_equal(devmig_munmap(f->proc, dev, PAGE_SIZE), 0);
	/* Released with the mapping: every device page came back. */
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_false(is_zone_device_page(t_page(f->mm, buf)));
	assert_int_equal(t_mismatches(buf, 4, 21), 0);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_file_pwrite_pread),
		FX_TEST(test_file_shared_mapping),
		FX_TEST(test_file_private_mapping),
		FX_TEST(test_file_fault_around),
		FX_TEST(test_file_mprotect_split_merge),
		FX_TEST(test_file_sigbus_past_eof),
		FX_TEST(test_file_close_while_mapped),
		FX_TEST(test_file_read),
		FX_TEST_COHERENT(test_file_read),
		FX_TEST(test_file_write),
		FX_TEST_COHERENT(test_file_write),
		FX_TEST(test_migrate_file_private),
		FX_TEST_COHERENT(test_migrate_file_private),
		FX_TEST(test_migrate_file_private_mixed),
		FX_TEST(test_mixedmap),
		FX_TEST_COHERENT(test_mixedmap),
		FX_TEST(test_devfile_mapping_holds_mirror),
		FX_TEST_COHERENT(test_devfile_mapping_holds_mirror),
	};

	return T_RUN(tests);
}
