/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmm_dmirror.h - the mirror device of libdevmig: its uapi and entry points.
 *
 * The mirror device has the semantics of the kernel's lib/test_hmm.c: a
 * "device" that mirrors a process's address space in its own page table,
 * reads and writes process memory through it, and migrates anonymous memory
 * to its own device memory (device-private or device-coherent ZONE_DEVICE
 * pages) and back.  The command structure, command numbers and SNAPSHOT byte
 * values are those of lib/test_hmm_uapi.h, so a program written against the
 * kernel's /dev/hmm_dmirrorN behaves the same here.
 *
 * What the kernel does with a character device (module load creating four
 * devices, open(), ioctl(), close()) is done here by plain calls:
 *
 *	dmirror_device_create()	 one device instance (as one hmm_dmirrorN)
 *	dmirror_open()		 as open(): a mirror of the caller's process
 *	dmirror_ioctl()		 as ioctl() on that file
 *	dmirror_close()		 as the last close() of that file
 *	dmirror_device_destroy() as module unload for that instance
 *
 * Plain C types only: this header is included by libc programs (tools/,
 * bench/) and by kernel-side code (drivers/, tests/) alike.
 *
 * Errors are negative errno values, as the kernel returns them.
 */
#ifndef _HMM_DMIRROR_H
#define _HMM_DMIRROR_H

/*
 * One command.  All fields are 64 bits wide as in the kernel uapi.
 * @addr:   (in) page-aligned user virtual address of the range
 * @ptr:    (in) user virtual address, in the calling task's process, of the
 *	    buffer the data (or SNAPSHOT's permission bytes) go to or come from
 * @npages: (in) length of the range in pages
 * @cpages: (out) pages copied (READ, WRITE, MIGRATE_TO_DEV, EXCLUSIVE),
 *	    pages actually migrated (MIGRATE_TO_SYS), bytes produced (SNAPSHOT)
 * @faults: (out) device fault passes taken (READ, WRITE)
 */
struct hmm_dmirror_cmd {
	unsigned long long addr;
	unsigned long long ptr;
	unsigned long long npages;
	unsigned long long cpages;
	unsigned long long faults;
};

/* _IOWR('H', nr, struct hmm_dmirror_cmd), spelled out: no <linux/ioctl.h>. */
#define HMM_DMIRROR_IOWR(nr)	(0xC0000000u | (40u << 16) | ('H' << 8) | (nr))
#define HMM_DMIRROR_READ		HMM_DMIRROR_IOWR(0x00)
#define HMM_DMIRROR_WRITE		HMM_DMIRROR_IOWR(0x01)
#define HMM_DMIRROR_MIGRATE_TO_DEV	HMM_DMIRROR_IOWR(0x02)
#define HMM_DMIRROR_MIGRATE_TO_SYS	HMM_DMIRROR_IOWR(0x03)
#define HMM_DMIRROR_SNAPSHOT		HMM_DMIRROR_IOWR(0x04)
#define HMM_DMIRROR_EXCLUSIVE		HMM_DMIRROR_IOWR(0x05)
#define HMM_DMIRROR_CHECK_EXCLUSIVE	HMM_DMIRROR_IOWR(0x06)
#define HMM_DMIRROR_RELEASE		HMM_DMIRROR_IOWR(0x07)

/*
 * SNAPSHOT output: one byte per page.  A valid entry is a kind (ZERO or one
 * of the DEV_* values, else 0) ORed with READ or WRITE and with PMD or PUD
 * for large mappings; ERROR and NONE stand alone.
 */
enum {
	HMM_DMIRROR_PROT_ERROR			= 0xFF,
	HMM_DMIRROR_PROT_NONE			= 0x00,
	HMM_DMIRROR_PROT_READ			= 0x01,
	HMM_DMIRROR_PROT_WRITE			= 0x02,
	HMM_DMIRROR_PROT_PMD			= 0x04,
	HMM_DMIRROR_PROT_PUD			= 0x08,
	HMM_DMIRROR_PROT_ZERO			= 0x10,
	HMM_DMIRROR_PROT_DEV_PRIVATE_LOCAL	= 0x20,
	HMM_DMIRROR_PROT_DEV_PRIVATE_REMOTE	= 0x30,
	HMM_DMIRROR_PROT_DEV_COHERENT_LOCAL	= 0x40,
	HMM_DMIRROR_PROT_DEV_COHERENT_REMOTE	= 0x50,
};

/* Kind of device memory (0 is invalid, as in the kernel uapi). */
enum {
	HMM_DMIRROR_MEMORY_DEVICE_PRIVATE = 1,
	HMM_DMIRROR_MEMORY_DEVICE_COHERENT = 2,
};

struct dmirror_device;
struct dmirror;

/*
 * struct dmirror_device_config - how one device instance is built
 * @type: HMM_DMIRROR_MEMORY_DEVICE_PRIVATE or _COHERENT
 * @chunk_bytes: size of one device memory chunk (one dev_pagemap); a
 *	multiple of the page size; 0: DMIRROR_DEFAULT_CHUNK_BYTES
 * @limit_bytes: most device memory the instance may create, rounded down
 *	to whole chunks; 0: no limit.  Lets a test exhaust device memory.
 */
struct dmirror_device_config {
	int type;
	unsigned long chunk_bytes;
	unsigned long limit_bytes;
};

#define DMIRROR_DEFAULT_CHUNK_BYTES	(64UL << 20)

/*
 * dmirror_device_create() - build a device instance.  Like test_hmm's
 * module load, the first chunk of device memory is created at once.
 * Returns 0 and the device in *@out, or a negative errno.
 */
int dmirror_device_create(const struct dmirror_device_config *cfg,
			  struct dmirror_device **out);

/*
 * dmirror_device_destroy() - evict every device page back to system memory
 * (the processes mapping them keep their data), remove all chunks, free the
 * instance.  Every mirror of the device must have been closed.
 */
void dmirror_device_destroy(struct dmirror_device *mdevice);

/*
 * dmirror_open() - a new mirror of the calling task's process (the task must
 * have entered it with devmig_task_enter()).  Returns 0 and the mirror in
 * *@out, or a negative errno.
 */
int dmirror_open(struct dmirror_device *mdevice, struct dmirror **out);

/*
 * dmirror_ioctl() - run one HMM_DMIRROR_* command on @cmd.  @cmd itself is
 * caller memory (as the copy of the struct the kernel makes); @cmd->ptr is a
 * user address in the calling task's process.  On failure @cmd is left
 * unchanged, as the kernel does not copy the struct back then.
 */
int dmirror_ioctl(struct dmirror *dmirror, unsigned int command,
		  struct hmm_dmirror_cmd *cmd);

/*
 * dmirror_mmap() - as mmap(NULL, @len, @prot, @flags, fd of the mirror, 0)
 * in the calling task's process: like test_hmm, one zeroed kernel page is
 * inserted at every page of the mapping (a VM_MIXEDMAP VMA; in a
 * DEVMIG_MAP_PRIVATE mapping the pages are mapped read-only and a CPU write
 * copies them).  @prot and @flags are DEVMIG_PROT_* and DEVMIG_MAP_*.  The
 * mapping holds a reference to the mirror's file.  Returns the address or
 * a negative errno.
 */
long dmirror_mmap(struct dmirror *dmirror, unsigned long len, int prot,
		  int flags);
/* The same with an address hint, used when that range is free (as mmap()). */
long dmirror_mmap_at(struct dmirror *dmirror, unsigned long hint,
		     unsigned long len, int prot, int flags);

/*
 * dmirror_close() - as close() of the mirror's file.  When no mapping of it
 * is left (at once, or at the munmap or exit that removes the last one),
 * the file is released: mirroring stops, then every page of the device
 * (not only this mirror's) is evicted back to system memory.
 */
void dmirror_close(struct dmirror *dmirror);

/* Counters of one device instance. */
struct dmirror_device_stats {
	unsigned long calloc;	/* device pages handed out by the allocator */
	unsigned long cfree;	/* device pages given back to the free list */
	unsigned long in_use;	/* device pages allocated and not yet freed */
	unsigned long chunks;	/* chunks currently created */
	unsigned long chunk_pages;	/* pages per chunk */
	unsigned long alloc_failures;	/* device page allocations refused */
	unsigned long migrate_to_ram;	/* CPU faults handled */
	unsigned long migrate_to_ram_sigbus;	/* of which answered SIGBUS */
	/*
	 * Device accesses where a mirror found no entry because another
	 * mirror of the device on the same process migrated the page, and
	 * lib/test_hmm.c's mirror would have used its stale entry (a freed
	 * page) instead: from there on the kernel's results are those of a
	 * freed page (the model forgets such entries on purpose).
	 */
	unsigned long stale_lookups;
};
void dmirror_device_stats(struct dmirror_device *mdevice,
			  struct dmirror_device_stats *stats);

/*
 * For tests that play the device themselves around migrate_vma_setup():
 * the owner cookie the instance puts in its dev_pagemaps and passes as
 * pgmap_owner (compare page->pgmap->owner with it), and the memory type.
 */
void *dmirror_device_owner(struct dmirror_device *mdevice);
int dmirror_device_type(struct dmirror_device *mdevice);

/*
 * dmirror_device_alloc_page() - one device page from the instance's
 * allocator, in the state zone_device_page_init() leaves it (refcount 1,
 * locked), with a zeroed backing page for a private device; NULL when device
 * memory is exhausted.  The result is a struct page *; hand it to
 * migrate_vma_pages() as a destination or drop it with unlock_page() and
 * put_page().  dmirror_device_backing_page() returns the page holding its
 * data (the backing system page of a private page, else the page itself).
 */
void *dmirror_device_alloc_page(struct dmirror_device *mdevice);
void *dmirror_device_backing_page(void *device_page);

/*
 * Sizes of the model's per-page metadata, for reports (bench): a host
 * program cannot see the kernel structures themselves.
 */
struct dmirror_model_sizes {
	unsigned long struct_page;	/* sizeof(struct page) */
	unsigned long pte;		/* one page-table entry */
	unsigned long mpfn;		/* one src or dst migrate-pfn slot */
	unsigned long device_pt_entry;	/* one device page-table entry */
};
void dmirror_model_sizes(struct dmirror_model_sizes *sizes);

#endif /* _HMM_DMIRROR_H */
