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

__attribute__((target("avx2"))) static ptrdiff_t wm_depthwise_row3(
  const float *top, ptrdiff_t row_stride, const ptrdiff_t *column,
  const float *w, float bias, int activation, float *target, ptrdiff_t count) {
  const float *a0 = top, *b0 = top + row_stride, *d0 = top + 2 * row_stride;
  const float *a1 = a0 + column[1], *a2 = a0 + column[2];
  const float *b1 = b0 + column[1], *b2 = b0 + column[2];
  const float *d1 = d0 + column[1], *d2 = d0 + column[2];
  a0 += column[0]; b0 += column[0]; d0 += column[0];
  const __m256 v0 = _mm256_set1_ps(w[0]), v1 = _mm256_set1_ps(w[1]), v2 = _mm256_set1_ps(w[2]);
  const __m256 v3 = _mm256_set1_ps(w[3]), v4 = _mm256_set1_ps(w[4]), v5 = _mm256_set1_ps(w[5]);
  const __m256 v6 = _mm256_set1_ps(w[6]), v7 = _mm256_set1_ps(w[7]), v8 = _mm256_set1_ps(w[8]);
  const __m256 vb = _mm256_set1_ps(bias);
  ptrdiff_t x = 0;
  for (; x + 8 <= count; x += 8) {
    __m256 sum = _mm256_setzero_ps();
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(a0 + x), v0));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(a1 + x), v1));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(a2 + x), v2));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(b0 + x), v3));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(b1 + x), v4));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(b2 + x), v5));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(d0 + x), v6));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(d1 + x), v7));
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(d2 + x), v8));
    _mm256_storeu_ps(target + x, wm_activate(_mm256_add_ps(sum, vb), activation));
  }
  return x;
}

// Adds one kernel row's five taps to the sums of 8 outputs, in column order.
__attribute__((target("avx2"))) static inline __m256 wm_depthwise_taps5(
  __m256 sum, const float *row, const ptrdiff_t *column, const float *t) {
  for (int c = 0; c < 5; c++) {
    sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(row + column[c]), _mm256_broadcast_ss(t + c)));
  }
  return sum;
}

__attribute__((target("avx2"))) static ptrdiff_t wm_depthwise_row5(
  const float *top, ptrdiff_t row_stride, const ptrdiff_t *column,
  const float *w, float bias, int activation, float *target, ptrdiff_t count) {
  const __m256 vb = _mm256_set1_ps(bias);
  ptrdiff_t x = 0;
  // Two vectors of outputs at a time: two independent sums hide the additions' latency.
  for (; x + 16 <= count; x += 16) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    for (int r = 0; r < 5; r++) {
      s0 = wm_depthwise_taps5(s0, top + r * row_stride + x, column, w + r * 5);
      s1 = wm_depthwise_taps5(s1, top + r * row_stride + x + 8, column, w + r * 5);
    }
    _mm256_storeu_ps(target + x, wm_activate(_mm256_add_ps(s0, vb), activation));
    _mm256_storeu_ps(target + x + 8, wm_activate(_mm256_add_ps(s1, vb), activation));
  }
  for (; x + 8 <= count; x += 8) {
    __m256 s0 = _mm256_setzero_ps();
    for (int r = 0; r < 5; r++) s0 = wm_depthwise_taps5(s0, top + r * row_stride + x, column, w + r * 5);
    _mm256_storeu_ps(target + x, wm_activate(_mm256_add_ps(s0, vb), activation));
  }
  return x;
}

ptrdiff_t wm_depthwise_row(
  const float *top, ptrdiff_t row_stride, const ptrdiff_t *column, int taps,
  const float *weights, float bias, int activation, float *target, ptrdiff_t count) {
  if (taps == 3) return wm_depthwise_row3(top, row_stride, column, weights, bias, activation, target, count);
  if (taps == 5) return wm_depthwise_row5(top, row_stride, column, weights, bias, activation, target, count);
  return 0;
}

// For channel c (0 R, 1 G, 2 B) and each of the three 16-byte parts of 16 RGB pixels, which
// part byte goes to each of the channel's 16 bytes (0x80: none). Byte i of the channel is byte
// 3 i + c of the 48.
#define X 0x80
static const uint8_t wm_channel_masks[3][3][16] = {
  {{0, 3, 6, 9, 12, 15, X, X, X, X, X, X, X, X, X, X},
   {X, X, X, X, X, X, 2, 5, 8, 11, 14, X, X, X, X, X},
   {X, X, X, X, X, X, X, X, X, X, X, 1, 4, 7, 10, 13}},
  {{1, 4, 7, 10, 13, X, X, X, X, X, X, X, X, X, X, X},
   {X, X, X, X, X, 0, 3, 6, 9, 12, 15, X, X, X, X, X},
   {X, X, X, X, X, X, X, X, X, X, X, 2, 5, 8, 11, 14}},
  {{2, 5, 8, 11, 14, X, X, X, X, X, X, X, X, X, X, X},
   {X, X, X, X, X, 1, 4, 7, 10, 13, X, X, X, X, X, X},
   {X, X, X, X, X, X, X, X, X, X, 0, 3, 6, 9, 12, 15}},
};
#undef X

// One channel's 16 bytes of 16 RGB pixels held in three vectors.
__attribute__((target("avx2"))) static inline __m128i wm_channel(
  __m128i a, __m128i b, __m128i c, const uint8_t masks[3][16]) {
  __m128i va = _mm_shuffle_epi8(a, _mm_loadu_si128((const __m128i *)masks[0]));
  __m128i vb = _mm_shuffle_epi8(b, _mm_loadu_si128((const __m128i *)masks[1]));
  __m128i vc = _mm_shuffle_epi8(c, _mm_loadu_si128((const __m128i *)masks[2]));
  return _mm_or_si128(va, _mm_or_si128(vb, vc));
}

__attribute__((target("avx2"))) ptrdiff_t wm_half_grey_row(
  const uint8_t *top, const uint8_t *bottom, uint8_t *out, ptrdiff_t count) {
  const __m128i ones = _mm_set1_epi8(1);
  const __m128i red_green = _mm_set1_epi32(77 | (150 << 16));
  const __m128i blue_round = _mm_set1_epi32(29 | (1 << 16));
  const __m128i round = _mm_set1_epi16(512);
  ptrdiff_t x = 0;
  for (; x + 8 <= count; x += 8) {
    const uint8_t *t = top + 6 * x, *b = bottom + 6 * x;
    __m128i t0 = _mm_loadu_si128((const __m128i *)t), t1 = _mm_loadu_si128((const __m128i *)(t + 16)),
            t2 = _mm_loadu_si128((const __m128i *)(t + 32));
    __m128i b0 = _mm_loadu_si128((const __m128i *)b), b1 = _mm_loadu_si128((const __m128i *)(b + 16)),
            b2 = _mm_loadu_si128((const __m128i *)(b + 32));
    // Each output's 2 x 2 block: adjacent pixels summed (maddubs by 1), then the two rows (at most 1020).
    __m128i r = _mm_add_epi16(_mm_maddubs_epi16(wm_channel(t0, t1, t2, wm_channel_masks[0]), ones),
                              _mm_maddubs_epi16(wm_channel(b0, b1, b2, wm_channel_masks[0]), ones));
    __m128i g = _mm_add_epi16(_mm_maddubs_epi16(wm_channel(t0, t1, t2, wm_channel_masks[1]), ones),
                              _mm_maddubs_epi16(wm_channel(b0, b1, b2, wm_channel_masks[1]), ones));
    __m128i bl = _mm_add_epi16(_mm_maddubs_epi16(wm_channel(t0, t1, t2, wm_channel_masks[2]), ones),
                               _mm_maddubs_epi16(wm_channel(b0, b1, b2, wm_channel_masks[2]), ones));
    // 77 r + 150 g + 29 b + 512 in 32 bits, then >> 10.
    __m128i lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r, g), red_green),
                               _mm_madd_epi16(_mm_unpacklo_epi16(bl, round), blue_round));
    __m128i hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(r, g), red_green),
                               _mm_madd_epi16(_mm_unpackhi_epi16(bl, round), blue_round));
    __m128i words = _mm_packs_epi32(_mm_srli_epi32(lo, 10), _mm_srli_epi32(hi, 10));
    _mm_storel_epi64((__m128i *)(out + x), _mm_packus_epi16(words, words));
  }
  return x;
}

#else

int wm_wide_kernels_available(void) { return 0; }

ptrdiff_t wm_half_grey_row(const uint8_t *top, const uint8_t *bottom, uint8_t *out, ptrdiff_t count) {
  (void)top; (void)bottom; (void)out; (void)count;
  return 0;
}

ptrdiff_t wm_depthwise_row(
  const float *top, ptrdiff_t row_stride, const ptrdiff_t *column, int taps,
  const float *weights, float bias, int activation, float *target, ptrdiff_t count) {
  (void)top; (void)row_stride; (void)column; (void)taps; (void)weights; (void)bias; (void)activation;
  (void)target; (void)count;
  return 0;
}

ptrdiff_t wm_panel_tiles_4x24(
  const float *packed_a, const float *b, ptrdiff_t b_row_stride, ptrdiff_t depth,
  const float *bias, int row_count, int activation,
  float *c, ptrdiff_t c_row_stride, ptrdiff_t columns) {
  (void)packed_a; (void)b; (void)b_row_stride; (void)depth; (void)bias; (void)row_count;
  (void)activation; (void)c; (void)c_row_stride; (void)columns;
  return 0;
}

#endif
