/* SPDX-License-Identifier: GPL-2.0 */
/*
 * warn.h - warnings are failures: a WARN*() the model or the driver printed
 * fails the test that hit it, naming it, unless the test declared it with
 * t_expect_warn().  Every fixture's teardown checks; setup forgets what an
 * earlier (already failed) test left.
 *
 * Included after <cmocka.h> and the shadow kernel headers.
 */
#ifndef _DEVMIG_TEST_WARN_H
#define _DEVMIG_TEST_WARN_H

#include <linux/bug.h>
#include <linux/string.h>

#define T_WARN_MSG	160

/* For a teardown that counts its problems: 1 if a WARN fired, reported. */
static inline int t_warnings(void)
{
	char msg[T_WARN_MSG];
	unsigned long n = model_warn_take(msg, sizeof(msg));

	if (n)
		print_error("%lu WARN(s) fired, the first: %s\n", n, msg);
	return n != 0;
}

static inline void assert_no_warn(void)
{
	assert_int_equal(t_warnings(), 0);
}

/*
 * The next @n warnings are provoked on purpose: they print labelled as
 * expected, without a backtrace; t_expect_warn() then checks they came.
 */
static inline void t_warn_coming(unsigned long n)
{
	model_warn_expect(n);
}

/*
 * Exactly @n warnings fired since the last check, the first one's message
 * containing @what: the test provoked them on purpose.
 */
static inline void t_expect_warn(unsigned long n, const char *what)
{
	char msg[T_WARN_MSG];
	unsigned long got = model_warn_take(msg, sizeof(msg));

	model_warn_expect(0);
	if (got != n || (n && !strstr(msg, what)))
		fail_msg("expected %lu WARN(s) naming \"%s\", got %lu: %s",
			 n, what, got, msg);
}

#endif /* _DEVMIG_TEST_WARN_H */
