/* cnn-simd.h: run-time dispatch for hot loops.
 *
 * CNN_VECTORIZE compiles a function twice, for CPUs with AVX2 and
 * for any x86-64, and the loader picks one (GCC's target_clones, an ifunc).
 * Plain C loops so marked get 8-wide vectors where the CPU has them while
 * the build stays portable (no -march=native). */
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CNN_VECTORIZE __attribute__ ((target_clones ("avx2", "default")))
#else
#define CNN_VECTORIZE
#endif
