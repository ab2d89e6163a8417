/* SPDX-License-Identifier: GPL-2.0 */
/*
 * string.h - memory and string primitives.  Declared here without libc's
 * header; the definitions are the host C library's, resolved at link time.
 */
#ifndef _LINUX_STRING_H
#define _LINUX_STRING_H

#include <stddef.h>
#include <stdbool.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strscpy(char *dst, const char *src, size_t size);

/* First byte in [@p, @p + @n) that differs from @c, or NULL if none. */
static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return (void *)(b + i);
	return NULL;
}

#endif /* _LINUX_STRING_H */
