// SPDX-License-Identifier: GPL-2.0
/*
 * mmlist.c - the list of every address space (the kernel's init_mm.mmlist
 * idea, kept for all mms): the invariant checker and flush_tlb_all() walk it.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <model/model.h>

static DEFINE_MUTEX(mmlist_lock);
static LIST_HEAD(all_mms);

void model_mm_register(struct mm_struct *mm)
{
	mutex_lock(&mmlist_lock);
	list_add_tail(&mm->mmlist, &all_mms);
	mutex_unlock(&mmlist_lock);
}

void model_mm_unregister(struct mm_struct *mm)
{
	mutex_lock(&mmlist_lock);
	list_del_init(&mm->mmlist);
	mutex_unlock(&mmlist_lock);
}

int model_for_each_mm(int (*fn)(struct mm_struct *mm, void *arg), void *arg)
{
	struct mm_struct *mm;
	int ret = 0;

	mutex_lock(&mmlist_lock);
	list_for_each_entry(mm, &all_mms, mmlist) {
		ret = fn(mm, arg);
		if (ret)
			break;
	}
	mutex_unlock(&mmlist_lock);
	return ret;
}
