// SPDX-License-Identifier: GPL-2.0
/* string.c - the kernel string helpers libc lacks (lib/string.c). */
#include <linux/kernel.h>
#include <linux/string.h>

/**
 * strscpy() - copy a C string into a sized buffer, always terminating it
 * @dst: destination
 * @src: source string
 * @size: size of @dst
 *
 * Return: the length copied, or -E2BIG if @src was truncated.
 */
size_t strscpy(char *dst, const char *src, size_t size)
{
	size_t i;

	if (!size)
		return -E2BIG;
	for (i = 0; i < size - 1 && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	return src[i] ? (size_t)-E2BIG : i;
}
