/* SPDX-License-Identifier: GPL-2.0 */
/* mempolicy.h - NUMA policy; the model has one node and no policies. */
#ifndef _LINUX_MEMPOLICY_H
#define _LINUX_MEMPOLICY_H
#endif /* _LINUX_MEMPOLICY_H */
