/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/tlbflush.h - TLB shootdown.  Every flush is synchronous: when it
 * returns, no task of the mm (on any host thread) still holds a matching
 * translation in its software TLB (model/tlb.c).
 */
#ifndef _ASM_X86_TLBFLUSH_H
#define _ASM_X86_TLBFLUSH_H

#include <linux/types.h>

struct vm_area_struct;
struct mm_struct;

void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,
			unsigned long end, unsigned int stride_shift,
			bool freed_tables);
void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end);
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_all(void);

#endif /* _ASM_X86_TLBFLUSH_H */
