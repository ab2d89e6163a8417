/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model/boot.h - bringing the model machine up and down (model/page_alloc.c).
 */
#ifndef _MODEL_BOOT_H
#define _MODEL_BOOT_H

#include <linux/types.h>
#include <devmig.h>

/*
 * model_boot() - bring up physical memory (cfg->ram_bytes of RAM, rounded up
 * to 2 MiB, 2 GiB if 0; a 16 GiB physical window above it for device memory),
 * the page allocator, the zero page, the resource tree and the rest of the
 * core.  cfg->no_migration_ad clears swap_migration_ad_supported.  @cfg may
 * be NULL (defaults).  Return: 0; 0 again if already booted with the same
 * configuration; -EBUSY if booted with another one; -ENOMEM if the host
 * refused the memory.
 */
int model_boot(const struct devmig_config *cfg);
/* model_shutdown() - release everything model_boot() set up. */
void model_shutdown(void);
bool model_booted(void);

#endif /* _MODEL_BOOT_H */
