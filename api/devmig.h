/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devmig.h - the userspace entry points of libdevmig.
 *
 * libdevmig is a userspace model of the part of the Linux mm that
 * mm/migrate_device.c relies on.  Everything the kernel names (struct page,
 * migrate_vma_setup(), handle_mm_fault(), ...) is reached through the shadow
 * kernel headers under include/linux/ with its kernel name.  What the kernel
 * does not have, because there it is done by hardware, by the syscall layer or
 * by the boot code, is here: the machine, processes, the software CPU.
 *
 * Every function here may be called from any host thread.  Functions taking a
 * struct devmig_proc act on that process; load/store act as the calling host
 * thread, which must have entered the process with devmig_task_enter() (the
 * process's creator has entered it already).
 *
 * Errors are negative errno values, as the kernel returns them.
 */
#ifndef _DEVMIG_H
#define _DEVMIG_H

#include <stddef.h>

/* The version of libdevmig (also devmig.pc's and `devmig --version`'s). */
#define DEVMIG_VERSION "0.1.0"

struct mm_struct;
struct task_struct;
struct devmig_proc;
struct file;

/* The machine. */
struct devmig_config {
	unsigned long ram_bytes;	/* system RAM; 0: default (2 GiB) */
	int no_migration_ad;		/* 1: migration entries carry no A/D bits */
	int thp_mode;			/* DEVMIG_THP_*; 0: default (madvise) */
	int prefault;			/* 1: back all RAM with host memory at boot (benchmarks) */
	/*
	 * CPUs the tasks are spread over, 1 to 16 (0: 16).  Per-CPU state
	 * (LRU batches, free-page lists) is per CPU: a world compared with
	 * a one-CPU guest runs on one, so a batch never holds a page where
	 * the guest's fault would not drain it.
	 */
	int nr_cpus;
};

/*
 * Transparent huge pages for anonymous memory, as
 * /sys/kernel/mm/transparent_hugepage/enabled: never, only in VMAs given
 * DEVMIG_MADV_HUGEPAGE (the default), or in every VMA not given
 * DEVMIG_MADV_NOHUGEPAGE.
 */
#define DEVMIG_THP_DEFAULT	0
#define DEVMIG_THP_NEVER	1
#define DEVMIG_THP_MADVISE	2
#define DEVMIG_THP_ALWAYS	3

/* Change the THP mode of a booted machine; 0 or -EINVAL. */
int devmig_set_thp_mode(int mode);

/*
 * devmig_boot() - bring up the model machine: RAM, page allocator, zero page.
 * Idempotent when called again with the same configuration.  @cfg may be NULL.
 */
int devmig_boot(const struct devmig_config *cfg);

/* devmig_shutdown() - release the machine; every process must have exited. */
void devmig_shutdown(void);

/* Processes and tasks. */

/* A new process with an empty address space; the calling thread enters it. */
struct devmig_proc *devmig_proc_create(void);
/* Tear the address space down (as exit_mmap()) and free the process. */
void devmig_proc_exit(struct devmig_proc *proc);
/* A child with a copy-on-write copy of the address space (as fork()). */
struct devmig_proc *devmig_proc_fork(struct devmig_proc *parent);
struct mm_struct *devmig_proc_mm(struct devmig_proc *proc);

/*
 * devmig_task_enter() - make the calling host thread a task (a CPU with its
 * own TLB) of @proc: `current` becomes that task and current->mm @proc's mm.
 * devmig_task_leave() undoes it.  A thread is in at most one process at once.
 */
int devmig_task_enter(struct devmig_proc *proc);
void devmig_task_leave(void);

/* Address space operations, as the syscalls of the same names. */
#define DEVMIG_PROT_NONE	0x0
#define DEVMIG_PROT_READ	0x1
#define DEVMIG_PROT_WRITE	0x2
#define DEVMIG_MAP_SHARED	0x01
#define DEVMIG_MAP_PRIVATE	0x02
/*
 * With DEVMIG_MAP_PRIVATE in devmig_mmap(): 2 MiB hugetlb pages from the
 * pool devmig_set_nr_hugepages() sizes (/proc/sys/vm/nr_hugepages, 0 at
 * boot).  The length is rounded up to 2 MiB; a fault that finds the pool
 * empty gets SIGBUS (no reservations); munmap, mprotect and madvise split
 * such a mapping only at 2 MiB boundaries (-EINVAL otherwise).
 */
#define DEVMIG_MAP_HUGETLB	0x40000
int devmig_set_nr_hugepages(unsigned long nr);

/* Map anonymous memory; returns the address or a negative errno. */
long devmig_mmap(struct devmig_proc *proc, unsigned long len, int prot,
		 int flags);
/* The same at @addr exactly (MAP_FIXED_NOREPLACE): -EEXIST if taken. */
long devmig_mmap_fixed(struct devmig_proc *proc, unsigned long addr,
		       unsigned long len, int prot, int flags);
int devmig_munmap(struct devmig_proc *proc, unsigned long addr,
		  unsigned long len);

/*
 * tmpfs files, as memfd_create(), pwrite(), pread(), mmap() and close() of
 * a file descriptor.  devmig_memfd_create() makes a file of @size zero
 * bytes (memfd_create() and ftruncate()); devmig_file_pwrite() writes
 * through the page cache, growing the file as needed, and returns the
 * bytes written; devmig_file_pread() returns the bytes read, fewer at the
 * end of the file.  devmig_mmap_file() maps @len bytes from page-aligned
 * offset @off: MAP_SHARED mappings share the page cache; MAP_PRIVATE ones
 * read it and copy a page on the first write to it (the copy is anonymous
 * memory in a file VMA).  A fault beyond the end of the file gets SIGBUS.
 * A mapping holds its own reference to the file: devmig_file_close() while
 * it is mapped is safe, the file goes with its last reference.
 */
int devmig_memfd_create(long size, struct file **out);
long devmig_file_pwrite(struct file *file, const void *buf, size_t len,
			long off);
long devmig_file_pread(struct file *file, void *buf, size_t len, long off);
long devmig_mmap_file(struct devmig_proc *proc, struct file *file,
		      unsigned long len, int prot, int flags,
		      unsigned long off);
/* The same at @addr exactly (MAP_FIXED_NOREPLACE): -EEXIST if taken. */
long devmig_mmap_file_fixed(struct devmig_proc *proc, unsigned long addr,
			    struct file *file, unsigned long len, int prot,
			    int flags, unsigned long off);
void devmig_file_close(struct file *file);
int devmig_mprotect(struct devmig_proc *proc, unsigned long addr,
		    unsigned long len, int prot);

/*
 * madvise(): DEVMIG_MADV_HUGEPAGE allows THPs in the range (VM_HUGEPAGE)
 * in the madvise mode, DEVMIG_MADV_NOHUGEPAGE forbids them (VM_NOHUGEPAGE);
 * huge pages already mapped stay.  Returns 0, -EINVAL, or -ENOMEM if part
 * of the range is unmapped (the mapped parts are changed, as in Linux).
 */
#define DEVMIG_MADV_HUGEPAGE	14
#define DEVMIG_MADV_NOHUGEPAGE	15
/* MADV_DONTNEED: zap the range (private anonymous pages read as zero again). */
#define DEVMIG_MADV_DONTNEED	4
/*
 * MADV_COLLAPSE: collapse the anonymous pages of each whole 2 MiB range
 * into a THP now, whatever the THP mode (not with DEVMIG_MADV_NOHUGEPAGE):
 * 0 when every range is a THP; -EAGAIN if a page was busy (locked, pinned
 * or otherwise referenced); -ENOMEM if no THP could be allocated; -EINVAL
 * for memory that cannot be a THP (shared, file, hugetlb) and ranges with
 * no writable page or nothing mapped at all.
 */
#define DEVMIG_MADV_COLLAPSE	25
int devmig_madvise(struct devmig_proc *proc, unsigned long addr,
		   unsigned long len, int advice);

/*
 * The software CPU.  Loads and stores go through the calling task's TLB and
 * the process's page tables, faulting as the hardware would; a fault the
 * kernel would retry is retried.  Returns 0, -EFAULT where a real program
 * would get SIGSEGV, or -EIO where it would get SIGBUS (VM_FAULT_SIGBUS).
 */
int devmig_load(unsigned long addr, void *buf, size_t len);
int devmig_store(unsigned long addr, const void *buf, size_t len);

/*
 * GUP as the calling task, the calls the kernel's gup_test makes:
 * get_user_pages*() or, with DEVMIG_GUP_PIN, pin_user_pages*().  Returns
 * the number of pages taken (their struct page pointers in @pages) or a
 * negative errno; devmig_gup_put() drops them, given the same @flags.
 */
#define DEVMIG_GUP_WRITE	0x1	/* FOLL_WRITE */
#define DEVMIG_GUP_LONGTERM	0x2	/* FOLL_LONGTERM (pins only) */
#define DEVMIG_GUP_PIN		0x4	/* FOLL_PIN rather than FOLL_GET */
#define DEVMIG_GUP_FAST		0x8	/* the *_fast() entry point */
long devmig_gup(unsigned long addr, unsigned long npages, int flags,
		void **pages);
void devmig_gup_put(void **pages, unsigned long npages, int flags);

/*
 * devmig_gup_test_verify() - what the kernel's GUP test module
 * (CONFIG_GUP_TEST) checks after a pinning test, on the @npages pages a
 * devmig_gup() with DEVMIG_GUP_PIN in @flags returned: each is pinned, and
 * with DEVMIG_GUP_LONGTERM long-term pinnable.  The first page that is not
 * gets a WARN, as there: a read-only short-term pin of the shared zero
 * page does (a pin takes nothing on it).  gup_test checks pinnability
 * only for PIN_LONGTERM_BENCHMARK, not for a FOLL_LONGTERM it was handed
 * with another command; Linux's long-term pin never returns a page that
 * is not pinnable (it migrates or fails), so checking every long-term pin
 * only finds the model's own mistakes.
 */
void devmig_gup_test_verify(void **pages, unsigned long npages, int flags);

/*
 * devmig_peek() - what @proc's memory holds at @npages pages from @addr,
 * wherever the bytes are (system, THP, zero, device or page-cache page),
 * found without faulting, migrating or touching accessed/dirty bits: for
 * checkers that compare memory with a shadow copy.  @state gets one
 * DEVMIG_PEEK_* per page; only DATA pages are copied into @buf.  A
 * device-private page's bytes are where @device_data (its driver's
 * answer, e.g. dmirror_device_backing_page()) says; NULL: UNKNOWN.
 */
#define DEVMIG_PEEK_DATA	0	/* bytes copied (zeroes for a hole) */
#define DEVMIG_PEEK_NONE	1	/* no VMA there */
#define DEVMIG_PEEK_UNKNOWN	2	/* a migration or swap entry */
int devmig_peek(struct devmig_proc *proc, unsigned long addr, void *buf,
		unsigned char *state, unsigned long npages,
		void *(*device_data)(void *device_page));

/* Counters of the calling task, for tests and reports. */
struct devmig_task_stats {
	unsigned long faults;		/* page faults taken */
	unsigned long tlb_hits;
	unsigned long tlb_misses;
};
void devmig_task_stats(struct devmig_task_stats *stats);

/*
 * devmig_check_invariants() - walk every mm and every page and verify the
 * invariants the kernel keeps (refcount against mappings and pins, mapcount
 * against page-table entries, LRU membership, no page left locked, no
 * migration entry left outside a migration, device pages mapped by their
 * owner only).  Call it when no migration is in flight.  Returns the number of
 * violations; each one is described through @report (may be NULL).
 */
unsigned long devmig_check_invariants(void (*report)(const char *msg,
						     void *arg),
				      void *arg);

/*
 * How many times the model has hit a WARN*() since it started, each hit of
 * a WARN_ON_ONCE() included (only the first is printed).
 */
unsigned long devmig_warnings(void);

/*
 * Fault injection by named site (model/fault-inject.c).  Every call of the
 * model or of a driver that can fail for want of a resource (allocations,
 * page tables, anon_vmas, memcg charges, user copies, a driver's
 * should_fail()) is a site named "caller:api" (a second call of one API in
 * one caller: "caller:api#2").  Sites are numbered 0..nr-1 in name order.
 * devmig_fault_record() counts, from then on, how often each site is
 * reached (devmig_fault_reached(): the sites in the order first reached);
 * devmig_fault_arm() does the same and makes @count attempts of site @id
 * that could fail, from the @first on (1: the first), fail as the kernel's
 * would (-1UL: every attempt from @first on).
 * devmig_fault_stop() ends both.  Arm only while one thread runs the model.
 */
struct devmig_fault_site {
	const char *name;
	const char *file;		/* of the call */
	unsigned int line;
	const char *class_name;		/* "kmalloc", "page", "memcg", ... */
	unsigned long hits;		/* since the last record or arm */
	unsigned long failable_hits;	/* of them, those that could fail
					   (not __GFP_NOFAIL) */
};
unsigned int devmig_fault_nr_sites(void);
int devmig_fault_site_info(unsigned int id, struct devmig_fault_site *info);
int devmig_fault_find(const char *name);
void devmig_fault_record(void);
int devmig_fault_arm(unsigned int id, unsigned long first,
		     unsigned long count);
void devmig_fault_stop(void);
unsigned int devmig_fault_reached(unsigned int *ids, unsigned int max);
/* Failures injected since the last record or arm. */
unsigned long devmig_fault_fired(void);

/*
 * What the machine has handed out, for leak checks: with every process
 * gone and every device destroyed, both return to what they were before.
 */
struct devmig_mem_usage {
	unsigned long pages;		/* RAM pages allocated */
	unsigned long slab_objects;	/* kmalloc/vmalloc/kmem_cache objects
					   in use */
};
void devmig_mem_usage(struct devmig_mem_usage *usage);

#endif /* _DEVMIG_H */
