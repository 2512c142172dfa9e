/* tests/unit/test.h — minimal unit-test macros. Each CHECK prints a
 * "PASS: file:name" or "FAIL: file:name — why" line for tests/run.sh. */
#ifndef BPFKIT_TEST_H
#define BPFKIT_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failures;

#define CHECK(name, cond) do {							\
	if (cond) printf("PASS: %s:%s\n", __FILE__, name);			\
	else { printf("FAIL: %s:%s — %s (line %d)\n", __FILE__, name, #cond, __LINE__); test_failures++; } \
} while (0)

#define CHECK_STR(name, got, want) do {						\
	const char *g_ = (got), *w_ = (want);					\
	if (g_ && w_ && !strcmp(g_, w_)) printf("PASS: %s:%s\n", __FILE__, name); \
	else { printf("FAIL: %s:%s — got '%s', want '%s' (line %d)\n", __FILE__, name, \
		      g_ ? g_ : "(null)", w_ ? w_ : "(null)", __LINE__); test_failures++; } \
} while (0)

#define TEST_EXIT() return test_failures ? 1 : 0

#endif
