/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_CURRENT_H
#define _ASM_X86_CURRENT_H

struct task_struct;
struct task_struct *get_current(void);
#define current get_current()

#endif /* _ASM_X86_CURRENT_H */
