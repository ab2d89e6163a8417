// SPDX-License-Identifier: GPL-2.0
/*
 * hung_task.c - the model's hung-task detector (kernel/hung_task.c): a CPU
 * that has been trying one user access for longer than a limit is stuck,
 * most often on a driver mistake that would otherwise hang in silence:
 *
 *  - a migrate_to_ram() that returns without migrating the page (no
 *    fault_page, so the pin check refuses it; no destination) makes the
 *    access refault forever;
 *  - a migration that is never finalized leaves the access asleep on the
 *    folio lock behind the migration entry.
 *
 * Each software-CPU access (model/cpu.c) registers itself here for its
 * duration.  The refaulting CPU notices itself, between two faults; a
 * monitor thread notices one asleep.  Either way the report names the CPU,
 * the address, what its PTE holds now (entry kind, pfn, page lock and
 * references, device owner) and the likely cause, with a backtrace of the
 * reporting thread, and the process aborts.
 *
 * DEVMIG_HUNG_TASK_SECS sets the limit (default 60 seconds, under any test
 * timeout; 0 turns the detector off), for drivers under test.
 */
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/sched.h>
#include <linux/swapops.h>
#include <model/model.h>
#include <host/host.h>
#include "internal.h"

#define HT_SLOTS		64	/* accesses in flight at once */
#define HT_DEFAULT_SECS		60
#define HT_POLL_NS		(100UL * 1000 * 1000)

/* One access in flight.  Fields are read by the monitor: atomics. */
struct ht_slot {
	int used;
	int pid;
	int write;
	struct mm_struct *mm;
	unsigned long addr;
	unsigned long faults;
	/* ns on the tick clock, as the kernel's detector counts jiffies: every access stamps it */
	unsigned long long since;	/* 0: no access in flight */
};

static struct ht_slot ht_slots[HT_SLOTS];
static __thread struct ht_slot *ht_mine;
static unsigned long long ht_limit_ns;	/* 0: off */
static struct host_thread ht_thread;
static int ht_running;
static int ht_stop;

/* What @addr's PTE holds, and why an access to it does not finish. */
static void ht_describe(struct mm_struct *mm, unsigned long addr, char *buf,
			size_t len)
{
	pmd_t *pmd = mm_find_pmd(mm, addr);
	struct page *page;
	swp_entry_t entry;
	pte_t pte, *ptep;

	if (!pmd || !pmd_present(pmdp_get(pmd)) || pmd_trans_huge(pmdp_get(pmd))) {
		host_snprintf(buf, len, "no PTE table there");
		return;
	}
	/* Unlocked: a diagnostic of a process about to abort. */
	ptep = pte_offset_map(pmd, addr);
	if (!ptep) {
		host_snprintf(buf, len, "no PTE table there");
		return;
	}
	pte = ptep_get(ptep);
	pte_unmap(ptep);
	if (pte_none(pte) || pte_present(pte)) {
		host_snprintf(buf, len, "PTE %#lx (%s)", pte_val(pte),
			      pte_none(pte) ? "none" : "present");
		return;
	}
	entry = pte_to_swp_entry(pte);
	if (!is_pfn_swap_entry(entry)) {
		host_snprintf(buf, len, "swap PTE %#lx", pte_val(pte));
		return;
	}
	page = pfn_swap_entry_to_page(entry);
	if (is_migration_entry(entry))
		host_snprintf(buf, len,
			      "a migration entry for pfn %#lx (page %slocked, refcount %d): the CPU sleeps until the migration holding it ends - was it never finalized (migrate_vma_finalize() / migrate_device_finalize())?",
			      page_to_pfn(page),
			      PageLocked(page) ? "" : "not ",
			      page_ref_count(page));
	else if (is_device_private_entry(entry))
		host_snprintf(buf, len,
			      "a device-private entry for pfn %#lx (owner %p, page %slocked, refcount %d): the device's migrate_to_ram() keeps returning without migrating it - is fault_page set, and a destination given?",
			      page_to_pfn(page), page->pgmap->owner,
			      PageLocked(page) ? "" : "not ",
			      page_ref_count(page));
	else
		host_snprintf(buf, len, "a device-exclusive entry for pfn %#lx (page %slocked)",
			      page_to_pfn(page), PageLocked(page) ? "" : "not ");
}

static _Noreturn void ht_report(struct ht_slot *s, unsigned long long now)
{
	unsigned long addr = __atomic_load_n(&s->addr, __ATOMIC_RELAXED);
	char what[320];

	ht_describe(__atomic_load_n(&s->mm, __ATOMIC_RELAXED), addr, what,
		    sizeof(what));
	host_printf("hung task: pid %d has been trying to %s %#lx for %llu s (%lu faults): it waits on %s\n",
		    __atomic_load_n(&s->pid, __ATOMIC_RELAXED),
		    __atomic_load_n(&s->write, __ATOMIC_RELAXED) ? "write" : "read",
		    addr, (now - __atomic_load_n(&s->since, __ATOMIC_ACQUIRE)) /
		    1000000000ULL, __atomic_load_n(&s->faults, __ATOMIC_RELAXED),
		    what);
	host_abort(__FILE__, __LINE__, "hung task (DEVMIG_HUNG_TASK_SECS)");
}

/* Stuck past the limit? */
static bool ht_expired(struct ht_slot *s, unsigned long long now)
{
	unsigned long long since = __atomic_load_n(&s->since, __ATOMIC_ACQUIRE);

	return since && now > since && now - since > ht_limit_ns;
}

static void *ht_monitor(void *arg)
{
	int i;

	(void)arg;
	while (!__atomic_load_n(&ht_stop, __ATOMIC_ACQUIRE)) {
		unsigned long long now = host_clock_coarse_ns();

		for (i = 0; i < HT_SLOTS; i++)
			if (ht_expired(&ht_slots[i], now))
				ht_report(&ht_slots[i], now);
		host_sleep_ns(HT_POLL_NS);
	}
	return NULL;
}

/* model_hung_task_start() - read the limit and start the monitor (boot). */
void model_hung_task_start(void)
{
	const char *env = host_getenv("DEVMIG_HUNG_TASK_SECS");
	unsigned long long secs = HT_DEFAULT_SECS;

	if (env && *env >= '0' && *env <= '9') {
		secs = 0;
		while (*env >= '0' && *env <= '9')
			secs = secs * 10 + (unsigned long long)(*env++ - '0');
	}
	/* A monitor still running from an earlier boot keeps its limit. */
	if (ht_running)
		return;
	ht_limit_ns = secs * 1000000000ULL;
	if (!ht_limit_ns)
		return;
	__atomic_store_n(&ht_stop, 0, __ATOMIC_RELEASE);
	ht_running = !host_thread_create(&ht_thread, ht_monitor, NULL);
}

/* model_hung_task_stop() - stop the monitor (shutdown). */
void model_hung_task_stop(void)
{
	if (!ht_running)
		return;
	__atomic_store_n(&ht_stop, 1, __ATOMIC_RELEASE);
	host_thread_join(&ht_thread, NULL);
	ht_running = 0;
}

/* model_hung_task_begin() - the calling CPU starts an access of @addr. */
void model_hung_task_begin(struct mm_struct *mm, unsigned long addr, bool write)
{
	int i;

	if (!ht_limit_ns)
		return;
	for (i = 0; !ht_mine && i < HT_SLOTS; i++)
		if (!__atomic_exchange_n(&ht_slots[i].used, 1, __ATOMIC_ACQ_REL))
			ht_mine = &ht_slots[i];
	if (!ht_mine)
		return;		/* more CPUs than slots: this one unwatched */
	__atomic_store_n(&ht_mine->pid, current->pid, __ATOMIC_RELAXED);
	__atomic_store_n(&ht_mine->mm, mm, __ATOMIC_RELAXED);
	__atomic_store_n(&ht_mine->addr, addr, __ATOMIC_RELAXED);
	__atomic_store_n(&ht_mine->write, write, __ATOMIC_RELAXED);
	__atomic_store_n(&ht_mine->faults, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ht_mine->since, host_clock_coarse_ns(), __ATOMIC_RELEASE);
}

/*
 * model_hung_task_refault() - the access faults (again): a CPU refaulting
 * past the limit reports itself, with its own backtrace.
 */
void model_hung_task_refault(void)
{
	if (!ht_mine || !__atomic_load_n(&ht_mine->since, __ATOMIC_RELAXED))
		return;
	__atomic_fetch_add(&ht_mine->faults, 1, __ATOMIC_RELAXED);
	if (ht_expired(ht_mine, host_clock_coarse_ns()))
		ht_report(ht_mine, host_clock_coarse_ns());
}

/* model_hung_task_end() - the access finished (or failed). */
void model_hung_task_end(void)
{
	if (ht_mine)
		__atomic_store_n(&ht_mine->since, 0, __ATOMIC_RELEASE);
}

/* model_hung_task_exit() - the calling thread stops being a CPU. */
void model_hung_task_exit(void)
{
	if (!ht_mine)
		return;
	__atomic_store_n(&ht_mine->since, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ht_mine->used, 0, __ATOMIC_RELEASE);
	ht_mine = NULL;
}
