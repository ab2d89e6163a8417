/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_MIGRATE_MODE_H
#define _LINUX_MIGRATE_MODE_H

enum migrate_mode {
	MIGRATE_ASYNC,
	MIGRATE_SYNC_LIGHT,
	MIGRATE_SYNC,
};

#endif /* _LINUX_MIGRATE_MODE_H */
