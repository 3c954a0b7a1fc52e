// The study's own GEMM (see tess_gemm.h for the arithmetic every variant computes).
//
// GotoBLAS's loop structure, small: for each block of KC values of k, op(B) is packed into
// panels of NR columns (kc x NR, zero-padded), and for each block of MR rows op(A) is packed
// into an MR x kc panel; a micro-kernel keeps an MR x NR tile of C in registers and runs the
// k loop of fused multiply-adds in order. A tile is loaded from C at the start of every k
// block after the first (or of the first when beta != 0), so splitting k into blocks keeps the
// one chain per element. Edge tiles go through a zero-padded MR x NR buffer.
//
// Legend: M, N, K as in C (M x N) = op(A) (M x K) * op(B) (K x N); MR x NR the micro-tile.
//
// Contraction is off: the only fused operations are the explicit fmaf / _mm*_fmadd_ps calls.
#pragma STDC FP_CONTRACT OFF

#include "tess_gemm.h"

#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { KC = 256, NC = 512 };
enum { MR_SCALAR = 4, NR_SCALAR = 4, MR_AVX2 = 6, NR_AVX2 = 16, MR_AVX512 = 8, NR_AVX512 = 32 };
enum { MR_MAX = 8, NR_MAX = 32 };

// MARK: - Packing

// ap (kc x MR): ap[p * MR + r] = op(A)[i0 + r, p0 + p], zero for r >= mr.
static void pack_a(int trans, const float *a, ptrdiff_t lda, ptrdiff_t i0, ptrdiff_t mr, ptrdiff_t p0, ptrdiff_t kc,
                   int MR, float *ap) {
    for (ptrdiff_t p = 0; p < kc; p++) {
        float *dst = ap + p * MR;
        if (trans) {
            const float *src = a + (p0 + p) * lda + i0;
            for (ptrdiff_t r = 0; r < mr; r++) dst[r] = src[r];
        } else {
            const float *src = a + i0 * lda + p0 + p;
            for (ptrdiff_t r = 0; r < mr; r++) dst[r] = src[r * lda];
        }
        for (ptrdiff_t r = mr; r < MR; r++) dst[r] = 0;
    }
}

// bp: panels of NR columns, each kc x NR: bp[panel * kc * NR + p * NR + c] = op(B)[p0 + p, j0 + panel * NR + c].
static void pack_b(int trans, const float *b, ptrdiff_t ldb, ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t nc,
                   int NR, float *bp) {
    for (ptrdiff_t j = 0; j < nc; j += NR) {
        ptrdiff_t nr = nc - j < NR ? nc - j : NR;
        float *panel = bp + (j / NR) * kc * NR;
        for (ptrdiff_t p = 0; p < kc; p++) {
            float *dst = panel + p * NR;
            if (trans) {
                const float *src = b + (j0 + j) * ldb + p0 + p;
                for (ptrdiff_t c = 0; c < nr; c++) dst[c] = src[c * ldb];
            } else {
                const float *src = b + (p0 + p) * ldb + j0 + j;
                for (ptrdiff_t c = 0; c < nr; c++) dst[c] = src[c];
            }
            for (ptrdiff_t c = nr; c < NR; c++) dst[c] = 0;
        }
    }
}

// MARK: - Micro-kernels: c (MR x NR, row stride ldc) = (load ? c : 0) + ap * bp, one fma chain per element

static void kernel_scalar(ptrdiff_t kc, const float *ap, const float *bp, float *c, ptrdiff_t ldc, int load) {
    float acc[MR_SCALAR][NR_SCALAR];
    for (int r = 0; r < MR_SCALAR; r++)
        for (int j = 0; j < NR_SCALAR; j++) acc[r][j] = load ? c[r * ldc + j] : 0.0f;
    for (ptrdiff_t p = 0; p < kc; p++) {
        for (int r = 0; r < MR_SCALAR; r++) {
            float av = ap[r];
            for (int j = 0; j < NR_SCALAR; j++) acc[r][j] = fmaf(av, bp[j], acc[r][j]);
        }
        ap += MR_SCALAR;
        bp += NR_SCALAR;
    }
    for (int r = 0; r < MR_SCALAR; r++)
        for (int j = 0; j < NR_SCALAR; j++) c[r * ldc + j] = acc[r][j];
}

__attribute__((target("avx2,fma")))
static void kernel_avx2(ptrdiff_t kc, const float *ap, const float *bp, float *c, ptrdiff_t ldc, int load) {
    __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (load) {
        c00 = _mm256_loadu_ps(c + 0 * ldc); c01 = _mm256_loadu_ps(c + 0 * ldc + 8);
        c10 = _mm256_loadu_ps(c + 1 * ldc); c11 = _mm256_loadu_ps(c + 1 * ldc + 8);
        c20 = _mm256_loadu_ps(c + 2 * ldc); c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
        c30 = _mm256_loadu_ps(c + 3 * ldc); c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
        c40 = _mm256_loadu_ps(c + 4 * ldc); c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
        c50 = _mm256_loadu_ps(c + 5 * ldc); c51 = _mm256_loadu_ps(c + 5 * ldc + 8);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8), a;
        a = _mm256_broadcast_ss(ap + 0); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
        a = _mm256_broadcast_ss(ap + 1); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
        a = _mm256_broadcast_ss(ap + 2); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
        a = _mm256_broadcast_ss(ap + 3); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
        a = _mm256_broadcast_ss(ap + 4); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
        a = _mm256_broadcast_ss(ap + 5); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
        ap += MR_AVX2;
        bp += NR_AVX2;
    }
    _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 0 * ldc + 8, c01);
    _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 1 * ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}

__attribute__((target("avx512f")))
static void kernel_avx512(ptrdiff_t kc, const float *ap, const float *bp, float *c, ptrdiff_t ldc, int load) {
    __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
    if (load) {
        c00 = _mm512_loadu_ps(c + 0 * ldc); c01 = _mm512_loadu_ps(c + 0 * ldc + 16);
        c10 = _mm512_loadu_ps(c + 1 * ldc); c11 = _mm512_loadu_ps(c + 1 * ldc + 16);
        c20 = _mm512_loadu_ps(c + 2 * ldc); c21 = _mm512_loadu_ps(c + 2 * ldc + 16);
        c30 = _mm512_loadu_ps(c + 3 * ldc); c31 = _mm512_loadu_ps(c + 3 * ldc + 16);
        c40 = _mm512_loadu_ps(c + 4 * ldc); c41 = _mm512_loadu_ps(c + 4 * ldc + 16);
        c50 = _mm512_loadu_ps(c + 5 * ldc); c51 = _mm512_loadu_ps(c + 5 * ldc + 16);
        c60 = _mm512_loadu_ps(c + 6 * ldc); c61 = _mm512_loadu_ps(c + 6 * ldc + 16);
        c70 = _mm512_loadu_ps(c + 7 * ldc); c71 = _mm512_loadu_ps(c + 7 * ldc + 16);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = _mm512_setzero_ps();
        c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = _mm512_setzero_ps();
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16), a;
        a = _mm512_set1_ps(ap[0]); c00 = _mm512_fmadd_ps(a, b0, c00); c01 = _mm512_fmadd_ps(a, b1, c01);
        a = _mm512_set1_ps(ap[1]); c10 = _mm512_fmadd_ps(a, b0, c10); c11 = _mm512_fmadd_ps(a, b1, c11);
        a = _mm512_set1_ps(ap[2]); c20 = _mm512_fmadd_ps(a, b0, c20); c21 = _mm512_fmadd_ps(a, b1, c21);
        a = _mm512_set1_ps(ap[3]); c30 = _mm512_fmadd_ps(a, b0, c30); c31 = _mm512_fmadd_ps(a, b1, c31);
        a = _mm512_set1_ps(ap[4]); c40 = _mm512_fmadd_ps(a, b0, c40); c41 = _mm512_fmadd_ps(a, b1, c41);
        a = _mm512_set1_ps(ap[5]); c50 = _mm512_fmadd_ps(a, b0, c50); c51 = _mm512_fmadd_ps(a, b1, c51);
        a = _mm512_set1_ps(ap[6]); c60 = _mm512_fmadd_ps(a, b0, c60); c61 = _mm512_fmadd_ps(a, b1, c61);
        a = _mm512_set1_ps(ap[7]); c70 = _mm512_fmadd_ps(a, b0, c70); c71 = _mm512_fmadd_ps(a, b1, c71);
        ap += MR_AVX512;
        bp += NR_AVX512;
    }
    _mm512_storeu_ps(c + 0 * ldc, c00); _mm512_storeu_ps(c + 0 * ldc + 16, c01);
    _mm512_storeu_ps(c + 1 * ldc, c10); _mm512_storeu_ps(c + 1 * ldc + 16, c11);
    _mm512_storeu_ps(c + 2 * ldc, c20); _mm512_storeu_ps(c + 2 * ldc + 16, c21);
    _mm512_storeu_ps(c + 3 * ldc, c30); _mm512_storeu_ps(c + 3 * ldc + 16, c31);
    _mm512_storeu_ps(c + 4 * ldc, c40); _mm512_storeu_ps(c + 4 * ldc + 16, c41);
    _mm512_storeu_ps(c + 5 * ldc, c50); _mm512_storeu_ps(c + 5 * ldc + 16, c51);
    _mm512_storeu_ps(c + 6 * ldc, c60); _mm512_storeu_ps(c + 6 * ldc + 16, c61);
    _mm512_storeu_ps(c + 7 * ldc, c70); _mm512_storeu_ps(c + 7 * ldc + 16, c71);
}

typedef void (*micro_kernel)(ptrdiff_t kc, const float *ap, const float *bp, float *c, ptrdiff_t ldc, int load);

// MARK: - Variant choice

static int best_variant(void) {
    static atomic_int best = -1;
    int v = atomic_load_explicit(&best, memory_order_relaxed);
    if (v >= 0) return v;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) v = 2;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) v = 1;
    else v = 0;
    atomic_store_explicit(&best, v, memory_order_relaxed);
    return v;
}

static atomic_int forced = -1;

int tess_gemm_best_variant(void) { return best_variant(); }

int tess_gemm_variant(void) {
    int f = atomic_load_explicit(&forced, memory_order_relaxed);
    return f >= 0 ? f : best_variant();
}

int tess_gemm_force_variant(int variant) {
    if (variant < -1 || variant > best_variant()) return 0;
    atomic_store_explicit(&forced, variant, memory_order_relaxed);
    return 1;
}

const char *tess_gemm_variant_name(int variant) {
    switch (variant) {
    case 1: return "avx2";
    case 2: return "avx512";
    default: return "scalar";
    }
}

// MARK: - Scratch: one packing buffer per thread, kept for the thread's life

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
typedef struct { float *p; size_t count; } scratch;

static void scratch_free(void *s) {
    if (!s) return;
    free(((scratch *)s)->p);
    free(s);
}
static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

static float *scratch_floats(size_t count) {
    pthread_once(&scratch_once, scratch_init);
    scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) return NULL;
        pthread_setspecific(scratch_key, s);
    }
    if (s->count < count) {
        float *p = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
        if (!p) return NULL;
        free(s->p);
        s->p = p;
        s->count = count;
    }
    return s->p;
}

// MARK: - Driver

// C (m x n) = start + op(A) op(B), start = C when `load`, else 0 (alpha == 1 and beta in {0, 1}).
static void sgemm_chain(int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                        const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int load) {
    int variant = tess_gemm_variant();
    int MR, NR;
    micro_kernel kernel;
    switch (variant) {
    case 2: MR = MR_AVX512; NR = NR_AVX512; kernel = kernel_avx512; break;
    case 1: MR = MR_AVX2; NR = NR_AVX2; kernel = kernel_avx2; break;
    default: MR = MR_SCALAR; NR = NR_SCALAR; kernel = kernel_scalar; break;
    }
    ptrdiff_t ncMax = n < NC ? n : NC;
    ptrdiff_t kcMax = k < KC ? k : KC;
    ptrdiff_t panels = (ncMax + NR - 1) / NR;
    float *bp = scratch_floats((size_t)(kcMax * panels * NR + kcMax * MR_MAX));
    if (!bp) abort();   // a few hundred kilobytes: nothing sensible to do without them
    float *ap = bp + kcMax * panels * NR;
    float tile[MR_MAX * NR_MAX];

    for (ptrdiff_t jc = 0; jc < n; jc += NC) {
        ptrdiff_t nc = n - jc < NC ? n - jc : NC;
        for (ptrdiff_t pc = 0; pc < k; pc += KC) {
            ptrdiff_t kc = k - pc < KC ? k - pc : KC;
            int loadTile = load || pc > 0;
            pack_b(tb, b, ldb, pc, kc, jc, nc, NR, bp);
            for (ptrdiff_t ic = 0; ic < m; ic += MR) {
                ptrdiff_t mr = m - ic < MR ? m - ic : MR;
                pack_a(ta, a, lda, ic, mr, pc, kc, MR, ap);
                for (ptrdiff_t jr = 0; jr < nc; jr += NR) {
                    ptrdiff_t nr = nc - jr < NR ? nc - jr : NR;
                    float *cij = c + ic * ldc + jc + jr;
                    const float *panel = bp + (jr / NR) * kc * NR;
                    if (mr == MR && nr == NR) {
                        kernel(kc, ap, panel, cij, ldc, loadTile);
                    } else {
                        if (loadTile) {
                            for (ptrdiff_t r = 0; r < MR; r++)
                                for (ptrdiff_t j = 0; j < NR; j++)
                                    tile[r * NR + j] = r < mr && j < nr ? cij[r * ldc + j] : 0.0f;
                        }
                        kernel(kc, ap, panel, tile, NR, loadTile);
                        for (ptrdiff_t r = 0; r < mr; r++)
                            for (ptrdiff_t j = 0; j < nr; j++) cij[r * ldc + j] = tile[r * NR + j];
                    }
                }
            }
        }
    }
}

void tess_sgemm(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return;
    if (alpha == 1.0f) {
        if (beta != 0.0f && beta != 1.0f) {
            for (ptrdiff_t i = 0; i < m; i++)
                for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = beta * c[i * ldc + j];
        }
        if (k <= 0) {
            if (beta == 0.0f)
                for (ptrdiff_t i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
            return;
        }
        sgemm_chain(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc, beta != 0.0f);
        return;
    }
    // alpha != 1 (no caller of the study's today): the chain from 0 into a scratch matrix, then
    // C = alpha * acc (+ beta * C).
    float *t = malloc((size_t)m * (size_t)n * sizeof(float));
    if (!t) abort();
    if (k > 0) sgemm_chain(trans_a, trans_b, m, n, k, a, lda, b, ldb, t, n, 0);
    else memset(t, 0, (size_t)m * (size_t)n * sizeof(float));
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = 0; j < n; j++) {
            float s = alpha * t[i * n + j];
            c[i * ldc + j] = beta == 0.0f ? s : s + beta * c[i * ldc + j];
        }
    free(t);
}

// Double: the same arithmetic, scalar only (the gradient checks' reference path, small shapes).
void tess_dgemm(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, double alpha,
                const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb, double beta, double *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return;
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) {
            double old = c[i * ldc + j];
            double acc = alpha != 1.0 || beta == 0.0 ? 0.0 : beta == 1.0 ? old : beta * old;
            for (ptrdiff_t p = 0; p < k; p++) {
                double x = trans_a ? a[p * lda + i] : a[i * lda + p];
                double y = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                acc = fma(x, y, acc);
            }
            if (alpha != 1.0) acc = beta == 0.0 ? alpha * acc : alpha * acc + beta * old;
            c[i * ldc + j] = acc;
        }
    }
}
