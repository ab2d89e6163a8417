// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c - the software CPU: loads and stores of a task through its TLB and
 * its mm's page tables, and the x86 page-fault entry (do_user_addr_fault).
 *
 * What the hardware does, the model does here the same way:
 *
 *  - A TLB hit is used as is, however stale: a PTE change without a flush
 *    stays invisible to this CPU, as on hardware.
 *  - A miss walks the tables without any lock, reading each level once
 *    (atomically), and sets the accessed bit, and the dirty bit for a write,
 *    with a compare-and-swap on the PTE, as the page walker's locked update
 *    does.  A write through a cached translation whose dirty bit was not yet
 *    set walks again to set it.
 *  - The whole access (lookup or walk, fill, data copy) happens with the
 *    task's TLB lock held.  A shootdown takes that lock, so it waits for an
 *    access in flight as a flush IPI waits for the current instruction; once
 *    a flush returns, no CPU reaches the old page through the old PTE.
 *  - A missing or insufficient translation is a page fault: the faulting
 *    address's own entry is dropped (x86 does that on #PF), then the fault is
 *    handled first under the per-VMA lock, then, if that asks for a retry,
 *    under mmap_lock, and the access is restarted.
 *
 * copy_to_user()/copy_from_user() are accesses by `current` through this
 * same CPU, so a driver's ioctl touching user memory faults like a program.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <model/tlb.h>
#include <model/model.h>
#include <model/process.h>
#include <devmig.h>

void model_task_count_fault(void)
{
	struct model_task_counters *c = current->model_private;

	if (c)
		c->faults++;
}

/* What a successful walk found: the frame and the TLB flags to cache. */
struct cpu_translation {
	unsigned long pfn;
	unsigned int flags;
};

#define CPU_WALK_OK	0
#define CPU_WALK_FAULT	1

/*
 * Set A (and D for a write) in the leaf entry at @slot, which held @old, as
 * the walker does: atomically, and only if the entry did not change since it
 * was read.  Returns false if it changed (the caller walks again).
 */
static bool cpu_set_ad(unsigned long *slot, unsigned long old, bool write)
{
	unsigned long new = old | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);

	if (new == old)
		return true;
	return __atomic_compare_exchange_n(slot, &old, new, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static bool cpu_leaf_allows(unsigned long val, bool write)
{
	if (!(val & _PAGE_PRESENT) || !(val & _PAGE_USER))
		return false;
	return !write || (val & _PAGE_RW);
}

static unsigned long *cpu_table(unsigned long entry)
{
	return __va(entry & PTE_PFN_MASK);
}

/*
 * The hardware page walk.  Intermediate entries only need to be present (the
 * model's tables are always user/writable); the leaf decides.
 */
static int cpu_walk(struct mm_struct *mm, unsigned long addr, bool write,
		    struct cpu_translation *tr)
{
	/* The levels below the PGD; PTEs are leaves, PUDs and PMDs with PSE. */
	static const unsigned int shifts[] = { PUD_SHIFT, PMD_SHIFT, PAGE_SHIFT };
	unsigned long *slot, val;
	unsigned int level;

again:
	val = __atomic_load_n((unsigned long *)pgd_offset(mm, addr),
			      __ATOMIC_ACQUIRE);
	for (level = 0; ; level++) {
		unsigned int shift = shifts[level];

		if (!(val & _PAGE_PRESENT))
			return CPU_WALK_FAULT;
		slot = cpu_table(val) + ((addr >> shift) & (PTRS_PER_PTE - 1));
		val = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		if (shift != PAGE_SHIFT &&
		    (!(val & _PAGE_PRESENT) || !(val & _PAGE_PSE)))
			continue;

		if (!cpu_leaf_allows(val, write))
			return CPU_WALK_FAULT;
		if (!cpu_set_ad(slot, val, write))
			goto again;
		tr->pfn = ((val & PTE_PFN_MASK) >> PAGE_SHIFT) +
			  ((addr & ((1UL << shift) - 1)) >> PAGE_SHIFT);
		break;
	}
	tr->flags = MODEL_TLB_VALID;
	if (val & _PAGE_RW)
		tr->flags |= MODEL_TLB_WRITE;
	if (write || (val & _PAGE_DIRTY))
		tr->flags |= MODEL_TLB_DIRTY;
	return CPU_WALK_OK;
}

/* x86 access_error(): may this VMA be accessed this way at all? */
static bool cpu_access_error(struct vm_area_struct *vma, bool write)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	return !vma_is_accessible(vma);
}

/* A per-VMA-locked VMA for @addr (lock_vma_under_rcu()), or NULL. */
static struct vm_area_struct *cpu_lock_vma(struct mm_struct *mm,
					   unsigned long addr)
{
	struct vm_area_struct *vma;

	/*
	 * The kernel finds the VMA under RCU; the model's list needs
	 * mmap_lock, held only for the lookup.  Writers take the VMA lock for
	 * write before changing or freeing a VMA, so holding it for read
	 * keeps this VMA valid after mmap_lock is dropped.
	 */
	if (!mmap_read_trylock(mm))
		return NULL;
	vma = vma_lookup(mm, addr);
	if (vma && !vma_start_read(vma))
		vma = NULL;
	mmap_read_unlock(mm);
	return vma;
}

static int cpu_fault_result(vm_fault_t fault)
{
	if (fault & VM_FAULT_OOM)
		return -ENOMEM;
	if (fault & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON |
		     VM_FAULT_HWPOISON_LARGE))
		return -EIO;
	if (fault & VM_FAULT_SIGSEGV)
		return -EFAULT;
	return 0;
}

/*
 * do_user_addr_fault(): 0 when the access should be retried, else the
 * errno the access fails with (-EFAULT for SIGSEGV, -EIO for SIGBUS).
 */
static int cpu_fault(struct mm_struct *mm, unsigned long addr, bool write)
{
	unsigned int flags = FAULT_FLAG_USER | FAULT_FLAG_KILLABLE;
	struct vm_area_struct *vma;
	vm_fault_t fault;

	if (write)
		flags |= FAULT_FLAG_WRITE;
	model_task_count_fault();

	vma = cpu_lock_vma(mm, addr);
	if (vma) {
		if (cpu_access_error(vma, write)) {
			vma_end_read(vma);
			return -EFAULT;
		}
		fault = handle_mm_fault(vma, addr, flags | FAULT_FLAG_VMA_LOCK,
					NULL);
		if (!(fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)))
			vma_end_read(vma);
		if (!(fault & VM_FAULT_RETRY))
			return cpu_fault_result(fault);
	}

	/*
	 * No FAULT_FLAG_ALLOW_RETRY: nothing in the model drops mmap_lock
	 * inside a fault, so every answer comes back with it still held.
	 */
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma || cpu_access_error(vma, write)) {
		mmap_read_unlock(mm);
		return -EFAULT;
	}
	fault = handle_mm_fault(vma, addr, flags, NULL);
	mmap_read_unlock(mm);
	return cpu_fault_result(fault);
}

/*
 * Access @n bytes (not crossing a page) at @addr.  @write: copy @buf to
 * memory, else memory to @buf.
 */
static int cpu_access_page(struct task_struct *tsk, unsigned long addr,
			   void *buf, size_t n, bool write)
{
	struct model_tlb *tlb = &tsk->tlb;
	struct model_tlb_entry e;
	struct cpu_translation tr;
	unsigned char *mem;
	int ret;

	model_hung_task_begin(tsk->mm, addr, write);
	for (;;) {
		spin_lock(&tlb->lock);
		/* Pairs with the barrier of a flush that skips an idle TLB. */
		smp_mb__after_spinlock();
		if (model_tlb_lookup(tlb, addr, &e)) {
			if (!write || ((e.flags & MODEL_TLB_WRITE) &&
				       (e.flags & MODEL_TLB_DIRTY))) {
				tr.pfn = e.pfn;
				goto access;
			}
			/* Read-only: fault.  Clean: walk to set D. */
			model_tlb_invalidate(tlb, addr);
			if (!(e.flags & MODEL_TLB_WRITE))
				goto fault;
		}
		if (cpu_walk(tsk->mm, addr, write, &tr) == CPU_WALK_OK) {
			model_tlb_fill(tlb, addr, tr.pfn, tr.flags);
			goto access;
		}
fault:
		spin_unlock(&tlb->lock);
		model_hung_task_refault();
		ret = cpu_fault(tsk->mm, addr, write);
		if (ret) {
			model_hung_task_end();
			return ret;
		}
	}
access:
	mem = (unsigned char *)__va(tr.pfn << PAGE_SHIFT) +
	      (addr & ~PAGE_MASK);
	if (write)
		memcpy(mem, buf, n);
	else
		memcpy(buf, mem, n);
	spin_unlock(&tlb->lock);
	model_hung_task_end();
	return 0;
}

/*
 * Access [addr, addr + len) page by page.  Returns 0 or the first error; on
 * error *done says how many bytes were transferred.
 */
static int cpu_access(unsigned long addr, void *buf, size_t len, bool write,
		      size_t *done)
{
	struct task_struct *tsk = current;
	unsigned char *p = buf;
	size_t n;
	int ret;

	*done = 0;
	if (!tsk->mm)
		return -EFAULT;
	if (addr >= TASK_SIZE || len > TASK_SIZE - addr)
		return -EFAULT;
	while (len) {
		n = min_t(size_t, len, PAGE_SIZE - (addr & ~PAGE_MASK));
		ret = cpu_access_page(tsk, addr, p, n, write);
		if (ret)
			return ret;
		addr += n;
		p += n;
		len -= n;
		*done += n;
	}
	return 0;
}

/**
 * devmig_load() - read user memory as the calling task's CPU would
 * @addr: user virtual address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, -EFAULT (SIGSEGV), -EIO (SIGBUS) or -ENOMEM (OOM).
 */
int devmig_load(unsigned long addr, void *buf, size_t len)
{
	size_t done;

	return cpu_access(addr, buf, len, false, &done);
}

/**
 * devmig_store() - write user memory as the calling task's CPU would
 * @addr: user virtual address
 * @buf: source
 * @len: bytes
 *
 * Return: as devmig_load().
 */
int devmig_store(unsigned long addr, const void *buf, size_t len)
{
	size_t done;

	return cpu_access(addr, (void *)buf, len, true, &done);
}

/**
 * copy_to_user() - copy kernel memory into the current task's memory
 * @to: user address
 * @from: kernel buffer
 * @n: bytes
 * @site: the caller's failure site (linux/uaccess.h); failing it copies
 *	nothing, as the kernel's fail_usercopy does
 *
 * Return: the number of bytes NOT copied (0 on success).
 */
unsigned long copy_to_user_at(void __user *to, const void *from,
			      unsigned long n, struct fault_site *site)
{
	size_t done;

	if (fault_site_fails(site, true))
		return n;

	cpu_access((unsigned long)to, (void *)from, n, true, &done);
	return n - done;
}

/**
 * copy_from_user() - copy the current task's memory into kernel memory
 * @to: kernel buffer
 * @from: user address
 * @n: bytes
 * @site: as copy_to_user()'s
 *
 * Return: the number of bytes NOT copied (0 on success).
 */
unsigned long copy_from_user_at(void *to, const void __user *from,
				unsigned long n, struct fault_site *site)
{
	size_t done;

	if (fault_site_fails(site, true))
		return n;

	cpu_access((unsigned long)from, to, n, false, &done);
	return n - done;
}

/**
 * devmig_task_stats() - the calling task's fault and TLB counters
 * @stats: filled in (zeros for a thread that is not a task of a process)
 */
void devmig_task_stats(struct devmig_task_stats *stats)
{
	struct task_struct *tsk = current;
	struct model_task_counters *c = tsk->model_private;

	spin_lock(&tsk->tlb.lock);
	stats->tlb_hits = tsk->tlb.hits;
	stats->tlb_misses = tsk->tlb.misses;
	spin_unlock(&tsk->tlb.lock);
	stats->faults = c ? c->faults : 0;
}
