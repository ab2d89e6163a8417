/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm_types.h - struct page, struct folio, struct vm_area_struct and struct
 * mm_struct as the model lays them out.
 *
 * Field names and meanings are the kernel's.  struct page is 64 bytes, with
 * the kernel's overlays: a ZONE_DEVICE page keeps pgmap/zone_device_data
 * where an LRU page keeps its list links (device pages are never on an LRU);
 * a tail page keeps compound_head there (bit 0 set); a page-table page keeps
 * its split lock where a page-cache page keeps private.  struct folio
 * overlays the head page and the first tail page, as in the kernel.
 */
#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/threads.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#include <linux/mm_types_task.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>

struct address_space;
struct anon_vma;
struct dev_pagemap;
struct file;
struct mem_cgroup;
struct mm_struct;
struct mmu_notifier_subscriptions;
struct vm_area_struct;
struct vm_fault;

/* A swap entry, arch independent: type in the top bits, offset below. */
typedef struct {
	unsigned long val;
} swp_entry_t;

struct page {
	unsigned long flags;		/* PG_* bits; zone in the top bits */
	union {
		struct {	/* page cache, anonymous, free and LRU pages */
			union {
				struct list_head lru;	/* LRU or free list */
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
				struct list_head buddy_list;
			};
			/* address_space, or anon_vma | PAGE_MAPPING_ANON */
			struct address_space *mapping;
			union {
				pgoff_t index;	/* offset in mapping */
				unsigned long share;
			};
			/* buffer heads, swap entry, or the allocator's order */
			unsigned long private;
		};
		struct {	/* ZONE_DEVICE pages */
			struct dev_pagemap *pgmap;
			void *zone_device_data;
		};
		struct {	/* tail pages of a large folio */
			unsigned long compound_head;	/* head | 1 */
		};
		struct {	/* page-table pages */
			unsigned long _pt_pad_1;
			struct mm_struct *pt_mm;
			/*
			 * In a PMD table: the PTE tables deposited for its
			 * huge PMDs, a chain through this same field of
			 * each deposited table (model/pgtable.c).
			 */
			struct page *pmd_huge_pte;
			unsigned long _pt_pad_3;
			spinlock_t ptl;		/* split PTE / PMD lock */
		};
	};
	union {
		/* Mappings minus one: -1 means unmapped. */
		atomic_t _mapcount;
		unsigned int page_type;
	};
	atomic_t _refcount;
	unsigned long memcg_data;	/* struct mem_cgroup * of the charge */
};

/*
 * The head page seen as a folio, followed by the first tail page.  Every
 * field here sits at the offset of the struct page field of the same role;
 * the assertions below hold the two layouts together.
 */
struct folio {
	union {
		struct page page;
		struct {
			unsigned long flags;
			union {
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
				struct list_head lru;
			};
			struct address_space *mapping;
			pgoff_t index;
			union {
				swp_entry_t swap;	/* swap cache folios */
				void *private;
			};
			atomic_t _mapcount;
			atomic_t _refcount;
			unsigned long memcg_data;
		};
	};
	union {
		struct page __page_1;
		struct {	/* first tail page */
			unsigned long _flags_1;	/* low byte: order */
			unsigned long _head_1;	/* compound_head of page 1 */
			atomic_t _large_mapcount;
			atomic_t _entire_mapcount;
			atomic_t _nr_pages_mapped;
			atomic_t _pincount;
			unsigned int _folio_nr_pages;
		};
	};
};

/* Head-page fields: same offset in struct page and struct folio. */
#define FOLIO_OVERLAYS_PAGE(pf, ff)					\
	_Static_assert(offsetof(struct page, pf) ==			\
		       offsetof(struct folio, ff), #ff " overlays " #pf)
FOLIO_OVERLAYS_PAGE(flags, flags);
FOLIO_OVERLAYS_PAGE(lru, lru);
FOLIO_OVERLAYS_PAGE(mapping, mapping);
FOLIO_OVERLAYS_PAGE(index, index);
FOLIO_OVERLAYS_PAGE(private, private);
FOLIO_OVERLAYS_PAGE(_mapcount, _mapcount);
FOLIO_OVERLAYS_PAGE(_refcount, _refcount);
FOLIO_OVERLAYS_PAGE(memcg_data, memcg_data);
#undef FOLIO_OVERLAYS_PAGE

/* First-tail fields: same offset as in the page after the head. */
#define FOLIO_OVERLAYS_TAIL(pf, ff)					\
	_Static_assert(sizeof(struct page) + offsetof(struct page, pf) ==	\
		       offsetof(struct folio, ff), #ff " overlays page 1 " #pf)
FOLIO_OVERLAYS_TAIL(flags, _flags_1);
FOLIO_OVERLAYS_TAIL(compound_head, _head_1);
#undef FOLIO_OVERLAYS_TAIL

_Static_assert(offsetof(struct folio, __page_1) == sizeof(struct page),
	       "struct folio spans exactly the head and first tail page");
_Static_assert(offsetof(struct folio, swap) == offsetof(struct folio, private),
	       "folio->swap shares the private word");

typedef unsigned long vm_flags_t;

/* vm_fault_t: bitmask of VM_FAULT_* returned by fault handlers. */
typedef unsigned int vm_fault_t;

/* Per-VMA operations; a VMA without them is anonymous. */
struct vm_operations_struct {
	void (*open)(struct vm_area_struct *area);
	void (*close)(struct vm_area_struct *area);
	int (*may_split)(struct vm_area_struct *area, unsigned long addr);
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*huge_fault)(struct vm_fault *vmf, unsigned int order);
	vm_fault_t (*map_pages)(struct vm_fault *vmf, pgoff_t start_pgoff,
				pgoff_t end_pgoff);
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
	vm_fault_t (*pfn_mkwrite)(struct vm_fault *vmf);
	const char *(*name)(struct vm_area_struct *vma);
	struct page *(*find_special_page)(struct vm_area_struct *vma,
					  unsigned long addr);
};

struct vm_area_struct {
	unsigned long vm_start;		/* first address */
	unsigned long vm_end;		/* one past the last address */
	struct mm_struct *vm_mm;
	pgprot_t vm_page_prot;		/* PTE protection for vm_flags */
	vm_flags_t vm_flags;		/* VM_* */
	/* Per-VMA lock: faults may run under it instead of mmap_lock. */
	struct rw_semaphore vm_lock;
	/* Sorted list of the mm's VMAs (mm->mmap); owned by mmap.c and vma.c. */
	struct list_head vm_list;
	/* anon_vma_chain entries of this VMA (same_vma links). */
	struct list_head anon_vma_chain;
	struct anon_vma *anon_vma;	/* where new anon folios point */
	/* In vm_file->f_mapping->i_mmap, for file rmap walks (vma.c links). */
	struct list_head shared;
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;		/* offset in vm_file, in pages */
	struct file *vm_file;
	void *vm_private_data;
	/* Free for the mmap code (vma->shared for file mappings etc.). */
	void *model_private;
};

/* mm->flags bits. */
#define MMF_DUMPABLE		0
#define MMF_VM_HUGEPAGE		17
#define MMF_UNSTABLE		22	/* OOM reaper tore it down: faults SIGBUS */
#define MMF_HAS_PINNED		27
#define MMF_OOM_SKIP		21

/* One of a mm's per-CPU locks on its task list (model/tlb.c). */
struct model_tlb_tasks_lock {
	spinlock_t lock;
} ____cacheline_aligned_in_smp;

struct mm_struct {
	pgd_t *pgd;			/* top-level page table */
	/* Protects the VMA list and VMA fields; see mmap_lock.h. */
	struct rw_semaphore mmap_lock;
	struct list_head mmap;		/* VMAs sorted by address (vm_list) */
	int map_count;			/* number of VMAs */
	atomic_t mm_users;		/* users of the address space */
	atomic_t mm_count;		/* references to the struct */
	atomic_long_t rss_stat[NR_MM_COUNTERS];
	atomic_long_t pgtables_bytes;	/* memory in page tables */
	unsigned long flags;		/* MMF_* */
	/* Protects page-table page installation and counters. */
	spinlock_t page_table_lock;
	struct mmu_notifier_subscriptions *notifier_subscriptions;
	/*
	 * Tasks running on this mm: whose TLBs a flush must reach.  A flush
	 * takes its CPU's lock, a task joining or leaving takes them all:
	 * flushes on two CPUs write no line in common.
	 */
	struct model_tlb_tasks_lock tlb_tasks_lock[NR_CPUS];
	struct list_head tlb_tasks;
	unsigned long task_size;
	unsigned long mmap_base;
	unsigned long total_vm;
	atomic_long_t memcg_charged;	/* pages charged by folios of this mm */
	struct mem_cgroup *memcg;	/* where new folios are charged */
	struct list_head mmlist;	/* model_all_mms list */
	atomic_long_t hugetlb_usage;	/* hugetlb pages mapped (not RSS) */
	/* Free for the process code (api/devmig.h's struct devmig_proc). */
	void *model_private;
};

enum vm_fault_reason {
	VM_FAULT_OOM		= 0x000001,
	VM_FAULT_SIGBUS		= 0x000002,
	VM_FAULT_MAJOR		= 0x000004,
	VM_FAULT_HWPOISON	= 0x000010,
	VM_FAULT_HWPOISON_LARGE	= 0x000020,
	VM_FAULT_SIGSEGV	= 0x000040,
	VM_FAULT_NOPAGE		= 0x000100,
	VM_FAULT_LOCKED		= 0x000200,
	VM_FAULT_RETRY		= 0x000400,
	VM_FAULT_FALLBACK	= 0x000800,
	VM_FAULT_DONE_COW	= 0x001000,
	VM_FAULT_NEEDDSYNC	= 0x002000,
	VM_FAULT_COMPLETED	= 0x004000,
	VM_FAULT_HINDEX_MASK	= 0x0f0000,
};

#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | \
			VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE | \
			VM_FAULT_FALLBACK)

enum fault_flag {
	/* What the access was and who made it. */
	FAULT_FLAG_WRITE		= 1 << 0,
	FAULT_FLAG_INSTRUCTION		= 1 << 8,
	FAULT_FLAG_USER			= 1 << 6,
	FAULT_FLAG_REMOTE		= 1 << 7,
	FAULT_FLAG_UNSHARE		= 1 << 10,

	/* May the handler drop the lock and ask for a retry, and how. */
	FAULT_FLAG_ALLOW_RETRY		= 1 << 2,
	FAULT_FLAG_RETRY_NOWAIT		= 1 << 3,
	FAULT_FLAG_TRIED		= 1 << 5,
	FAULT_FLAG_KILLABLE		= 1 << 4,
	FAULT_FLAG_INTERRUPTIBLE	= 1 << 9,

	/* Set by the fault code itself along the way. */
	FAULT_FLAG_MKWRITE		= 1 << 1,
	FAULT_FLAG_ORIG_PTE_VALID	= 1 << 11,
	FAULT_FLAG_VMA_LOCK		= 1 << 12,
};

#define FAULT_FLAG_DEFAULT (FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | \
			    FAULT_FLAG_INTERRUPTIBLE)

#endif /* _LINUX_MM_TYPES_H */
