// The study's own GEMM: row-major C = alpha * op(A) * op(B) + beta * C with one summation order
// fixed by this code, so that every CPU computes the same bits.
//
// Every output element is one chain of fused multiply-adds over k = 0, 1, ..., K-1 in order:
//     acc = start;  for k in 0..<K: acc = fma(op(A)[i,k], op(B)[k,j], acc)
// with start = 0 when beta == 0, C[i,j] when beta == 1, beta * C[i,j] otherwise (alpha == 1);
// with alpha != 1, acc starts at 0 and C[i,j] = alpha * acc (+ beta * C[i,j] when beta != 0,
// one multiply and one add). The variants (scalar, AVX2+FMA, AVX-512) differ only in how many
// elements they compute side by side and how they block the loops, never in this chain, so
// they give the same bits; the scalar one calls fmaf, which is exact on any CPU.
//
// Two consequences the training relies on: results do not depend on how the rows or columns
// of C are split (over threads, shards or calls); and accumulating with beta == 1 over parts
// of K in order (A = [A0 A1], B = [B0; B1]) gives the bits of the one product over all of K.
#ifndef TESS_GEMM_H
#define TESS_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void tess_sgemm(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);

void tess_dgemm(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, double alpha,
                const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb, double beta, double *c, ptrdiff_t ldc);

/// The variant tess_sgemm runs: 0 scalar (fmaf), 1 AVX2+FMA (8 lanes), 2 AVX-512 (16 lanes).
int tess_gemm_variant(void);
/// The widest variant this CPU can run.
int tess_gemm_best_variant(void);
/// Forces a variant (tests compare them bit for bit); -1 restores the automatic choice. A
/// variant the CPU cannot run is refused (returns 0); returns 1 when set.
int tess_gemm_force_variant(int variant);
/// "scalar", "avx2", "avx512".
const char *tess_gemm_variant_name(int variant);

#ifdef __cplusplus
}
#endif

#endif
