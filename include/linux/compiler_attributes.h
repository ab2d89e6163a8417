/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_COMPILER_ATTRIBUTES_H
#define _LINUX_COMPILER_ATTRIBUTES_H
#include <linux/compiler.h>
#endif
