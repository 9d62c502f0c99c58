/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* TERN_TEST_UNDER_ASAN is 1 when the test is built with AddressSanitizer
 * (GCC defines __SANITIZE_ADDRESS__, clang has the feature), else 0: tests
 * that measure time or memory, or run many rounds, scale down or widen
 * their bounds there. */
#if defined(__SANITIZE_ADDRESS__)
#define TERN_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TERN_TEST_UNDER_ASAN 1
#endif
#endif
#ifndef TERN_TEST_UNDER_ASAN
#define TERN_TEST_UNDER_ASAN 0
#endif
