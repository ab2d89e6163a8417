/* SPDX-License-Identifier: GPL-2.0 */
/* mmdebug.h - mm assertions; the model always builds as CONFIG_DEBUG_VM. */
#ifndef _LINUX_MMDEBUG_H
#define _LINUX_MMDEBUG_H

#include <linux/bug.h>

#define CONFIG_DEBUG_VM 1

#define VM_BUG_ON(cond)			BUG_ON(cond)
#define VM_BUG_ON_PAGE(cond, page)	BUG_ON(cond)
#define VM_BUG_ON_FOLIO(cond, folio)	BUG_ON(cond)
#define VM_BUG_ON_VMA(cond, vma)	BUG_ON(cond)
#define VM_BUG_ON_MM(cond, mm)		BUG_ON(cond)
#define VM_WARN_ON(cond)		(void)WARN_ON(cond)
#define VM_WARN_ON_ONCE(cond)		(void)WARN_ON_ONCE(cond)
#define VM_WARN_ON_FOLIO(cond, folio)	(void)WARN_ON(cond)
#define VM_WARN_ON_ONCE_FOLIO(cond, folio) (void)WARN_ON_ONCE(cond)
#define VM_WARN_ON_ONCE_PAGE(cond, page) (void)WARN_ON_ONCE(cond)
#define VM_WARN_ON_ONCE_MM(cond, mm)	(void)WARN_ON_ONCE(cond)
#define VM_WARN_ONCE(cond, fmt, ...)	(void)WARN_ONCE(cond, fmt, ##__VA_ARGS__)

#endif /* _LINUX_MMDEBUG_H */
