// The network's matrix tile in 256-bit vectors (AVX2), chosen at run time, and
// the marker search's half-size grey rows.
//
// The same arithmetic as the Swift `Kernels.tile4x12`, lane for lane: every
// output starts from 0 and adds (input * weight) for t = 0, 1, ... depth - 1,
// multiplication and addition rounded apart (never fused), then the bias, then
// the activation. The results are therefore bit-identical to the portable
// Swift path; only more columns are summed per instruction.
#ifndef WOUNDMEASURE_WIDE_KERNELS_H
#define WOUNDMEASURE_WIDE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this processor and its operating system run AVX2 instructions, else 0.
int wm_wide_kernels_available(void);

/// Computes the register tiles of 4 rows x 24 columns of one row panel,
/// from column 0 while 24 columns remain of `columns`, and returns how many
/// columns it computed (a multiple of 24; 0 without AVX2).
///
/// - `packed_a`: the panel's weights, `[depth][4 rows]` floats (the Swift
///   `Kernels.packWeights` layout);
/// - `b`: row `t` of the right-hand matrix starts at `b + t * b_row_stride`;
/// - `bias`: `row_count` (1-4) biases; `activation`: 0 none, 1 ReLU, 2 ReLU6;
/// - `c`: row `r` of the output starts at `c + r * c_row_stride`.
ptrdiff_t wm_panel_tiles_4x24(
  const float *packed_a, const float *b, ptrdiff_t b_row_stride, ptrdiff_t depth,
  const float *bias, int row_count, int activation,
  float *c, ptrdiff_t c_row_stride, ptrdiff_t columns);

/// One output row of a depthwise convolution with a 3 x 3 (`taps` 3) or 5 x 5
/// (`taps` 5) kernel, 8 outputs at a time from output 0 while 8 remain of
/// `count`; returns how many outputs it computed (a multiple of 8; 0 without
/// AVX2 or for another kernel size).
///
/// Output `x` is `activation(sum + bias)` where `sum` starts from 0 and adds
/// `top[r * row_stride + column[c] + x] * weights[r * taps + c]` for kernel row
/// `r`, then column `c`, in that order, multiplication and addition rounded
/// apart: the Swift `Kernels.depthwiseRow3`/`depthwiseRow5` arithmetic, lane
/// for lane. `column` holds `taps` offsets (the stride's phase layout).
ptrdiff_t wm_depthwise_row(
  const float *top, ptrdiff_t row_stride, const ptrdiff_t *column, int taps,
  const float *weights, float bias, int activation, float *target, ptrdiff_t count);

/// One row of the marker search's half-size grey image, 8 outputs at a time
/// from output 0 while 8 remain of `count`; returns how many it computed (a
/// multiple of 8; 0 without AVX2). Output `x` is `(77 R + 150 G + 29 B + 512)
/// >> 10` where R, G and B are the sums of that channel over the RGB pixels
/// `2x` and `2x + 1` of the rows `top` and `bottom`: the integer arithmetic of
/// the Swift `Calibrator.halfGreyImage`, so the same bytes.
ptrdiff_t wm_half_grey_row(const uint8_t *top, const uint8_t *bottom, uint8_t *out, ptrdiff_t count);

#endif
