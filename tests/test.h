/* test.h - a minimal unit-test harness shared by tests/test_*.c.
 *
 * Each test binary calls TEST_BEGIN / CHECK* / TEST_END.  Every CHECK is one
 * assertion; the binary prints one line per failure (file:line and the
 * expression) and ends with "N passed, N failed", exiting 1 on any failure.
 * tests/run.sh sums the lines of all binaries into the suite's summary.
 */
#ifndef SEQSENT_TEST_H
#define SEQSENT_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond) do { \
    if (cond) test_passed++; \
    else { test_failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_MSG(cond, ...) do { \
    if (cond) test_passed++; \
    else { test_failed++; fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
           fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define CHECK_STR(a, b) do { \
    const char *a_ = (a), *b_ = (b); \
    if (a_ && b_ && strcmp(a_, b_) == 0) test_passed++; \
    else { test_failed++; fprintf(stderr, "FAIL %s:%d: %s == %s: got \"%s\", want \"%s\"\n", \
           __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
} while (0)

#define CHECK_INT(a, b) do { \
    long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ == b_) test_passed++; \
    else { test_failed++; fprintf(stderr, "FAIL %s:%d: %s == %s: got %lld, want %lld\n", \
           __FILE__, __LINE__, #a, #b, a_, b_); } \
} while (0)

#define CHECK_NEAR(a, b, tol) do { \
    double a_ = (double)(a), b_ = (double)(b); \
    if (fabs(a_ - b_) <= (tol)) test_passed++; \
    else { test_failed++; fprintf(stderr, "FAIL %s:%d: %s ~ %s: got %.9g, want %.9g\n", \
           __FILE__, __LINE__, #a, #b, a_, b_); } \
} while (0)

#define TEST_END() do { \
    printf("%s: %d passed, %d failed\n", __FILE__, test_passed, test_failed); \
    return test_failed ? 1 : 0; \
} while (0)

#endif
