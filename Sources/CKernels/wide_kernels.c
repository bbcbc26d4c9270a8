// See include/wide_kernels.h. Built with -ffp-contract=off (Package.swift), and
// the AVX2 function's target has no FMA, so no multiply-add is ever fused.
#include "wide_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

int wm_wide_kernels_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? 1 : 0;
}

// `v <= 0 ? 0 : v`, then for ReLU6 `6 < v ? 6 : v`: the Swift kernel's comparisons,
// so NaN and -0 come out the same.
__attribute__((target("avx2"))) static inline __m256 wm_activate(__m256 v, int activation) {
  if (activation == 0) return v;
  const __m256 zero = _mm256_setzero_ps();
  __m256 low = _mm256_blendv_ps(v, zero, _mm256_cmp_ps(v, zero, _CMP_LE_OQ));
  if (activation == 1) return low;
  const __m256 six = _mm256_set1_ps(6.0f);
  return _mm256_blendv_ps(low, six, _mm256_cmp_ps(six, low, _CMP_LT_OQ));
}

__attribute__((target("avx2"))) static void wm_finish_row(
  float *row, float bias, __m256 v0, __m256 v1, __m256 v2, int activation) {
  const __m256 b = _mm256_set1_ps(bias);
  _mm256_storeu_ps(row, wm_activate(_mm256_add_ps(v0, b), activation));
  _mm256_storeu_ps(row + 8, wm_activate(_mm256_add_ps(v1, b), activation));
  _mm256_storeu_ps(row + 16, wm_activate(_mm256_add_ps(v2, b), activation));
}

__attribute__((target("avx2"))) ptrdiff_t wm_panel_tiles_4x24(
  const float *packed_a, const float *b, ptrdiff_t b_row_stride, ptrdiff_t depth,
  const float *bias, int row_count, int activation,
  float *c, ptrdiff_t c_row_stride, ptrdiff_t columns) {
  ptrdiff_t j = 0;
  for (; j + 24 <= columns; j += 24) {
    __m256 r00 = _mm256_setzero_ps(), r01 = _mm256_setzero_ps(), r02 = _mm256_setzero_ps();
    __m256 r10 = _mm256_setzero_ps(), r11 = _mm256_setzero_ps(), r12 = _mm256_setzero_ps();
    __m256 r20 = _mm256_setzero_ps(), r21 = _mm256_setzero_ps(), r22 = _mm256_setzero_ps();
    __m256 r30 = _mm256_setzero_ps(), r31 = _mm256_setzero_ps(), r32 = _mm256_setzero_ps();
    const float *pa = packed_a;
    const float *pb = b + j;
    for (ptrdiff_t t = 0; t < depth; t++) {
      const __m256 x0 = _mm256_loadu_ps(pb), x1 = _mm256_loadu_ps(pb + 8), x2 = _mm256_loadu_ps(pb + 16);
      __m256 w = _mm256_broadcast_ss(pa);
      r00 = _mm256_add_ps(r00, _mm256_mul_ps(x0, w));
      r01 = _mm256_add_ps(r01, _mm256_mul_ps(x1, w));
      r02 = _mm256_add_ps(r02, _mm256_mul_ps(x2, w));
      w = _mm256_broadcast_ss(pa + 1);
      r10 = _mm256_add_ps(r10, _mm256_mul_ps(x0, w));
      r11 = _mm256_add_ps(r11, _mm256_mul_ps(x1, w));
      r12 = _mm256_add_ps(r12, _mm256_mul_ps(x2, w));
      w = _mm256_broadcast_ss(pa + 2);
      r20 = _mm256_add_ps(r20, _mm256_mul_ps(x0, w));
      r21 = _mm256_add_ps(r21, _mm256_mul_ps(x1, w));
      r22 = _mm256_add_ps(r22, _mm256_mul_ps(x2, w));
      w = _mm256_broadcast_ss(pa + 3);
      r30 = _mm256_add_ps(r30, _mm256_mul_ps(x0, w));
      r31 = _mm256_add_ps(r31, _mm256_mul_ps(x1, w));
      r32 = _mm256_add_ps(r32, _mm256_mul_ps(x2, w));
      pa += 4;
      pb += b_row_stride;
    }
    float *row = c + j;
    wm_finish_row(row, bias[0], r00, r01, r02, activation);
    if (row_count > 1) wm_finish_row(row + c_row_stride, bias[1], r10, r11, r12, activation);
    if (row_count > 2) wm_finish_row(row + 2 * c_row_stride, bias[2], r20, r21, r22, activation);
    if (row_count > 3) wm_finish_row(row + 3 * c_row_stride, bias[3], r30, r31, r32, activation);
  }
  return j;
}

#else

int wm_wide_kernels_available(void) { return 0; }

ptrdiff_t wm_panel_tiles_4x24(
  const float *packed_a, const float *b, ptrdiff_t b_row_stride, ptrdiff_t depth,
  const float *bias, int row_count, int activation,
  float *c, ptrdiff_t c_row_stride, ptrdiff_t columns) {
  (void)packed_a; (void)b; (void)b_row_stride; (void)depth; (void)bias; (void)row_count;
  (void)activation; (void)c; (void)c_row_stride; (void)columns;
  return 0;
}

#endif
