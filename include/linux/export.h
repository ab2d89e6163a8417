/* SPDX-License-Identifier: GPL-2.0 */
/*
 * export.h - symbol export; in a library every non-static symbol is visible,
 * so these only check that @sym exists.  Used by mm/migrate_device.c (for
 * its kernel build); the model itself exports nothing.
 */
#ifndef _LINUX_EXPORT_H
#define _LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern typeof(sym) sym

#endif /* _LINUX_EXPORT_H */
