import Foundation

/// The numeric loops of the network, over contiguous `Float` CHW planes.
///
/// Every kernel sums in one fixed order that does not depend on tiling,
/// tails or thread count: a convolution output starts from 0, adds the
/// products in order of (input channel, kernel row, kernel column), then adds
/// the bias and applies the activation. Register tiles and the scalar tails
/// do the same arithmetic, so results are bit-identical from run to run.
/// Multiplications and additions are never fused (Swift does not contract
/// `a * b + c`).
///
/// The loops are written with scalar accumulators and plain pointer loops:
/// the optimiser turns them into vector code (measured faster than explicit
/// `SIMD8<Float>` arithmetic on x86-64 without AVX), and unoptimised test
/// builds stay usable.
///
/// All pointers must be valid for the counts given; overlapping input and
/// output buffers are not allowed. Nothing here allocates except where noted.
enum Kernels {
  /// Columns per register tile of ``multiplyMatrices``.
  static let lanes = 8
  /// Output channels per register tile of ``multiplyMatrices``.
  static let panelRows = 4

  // MARK: Activation

  @inline(__always)
  static func activate(_ v: Float, _ activation: Activation) -> Float {
    switch activation {
    case .none: return v
    case .relu: return Swift.max(v, 0)
    case .relu6: return Swift.min(Swift.max(v, 0), 6)
    }
  }

  // MARK: Matrix multiply (pointwise and unfolded convolutions)

  /// Packs a row-major `rows x columns` matrix into panels of ``panelRows``
  /// rows, each stored column by column (`[panel][column][panelRows]`), zero
  /// filled past the last row.
  static func packWeights(_ a: UnsafePointer<Float>, rows: Int, columns: Int) -> [Float] {
    let panels = (rows + panelRows - 1) / panelRows
    var packed = [Float](repeating: 0, count: panels * columns * panelRows)
    for row in 0..<rows {
      let panel = row / panelRows
      let lane = row % panelRows
      for column in 0..<columns {
        packed[(panel * columns + column) * panelRows + lane] = a[row * columns + column]
      }
    }
    return packed
  }

  /// ``packWeights(_:rows:columns:)`` for each group of a grouped
  /// convolution, groups one after the other.
  static func packGroupedWeights(_ weights: [Float], groups: Int, rowsPerGroup: Int, columns: Int) -> [Float] {
    var packed: [Float] = []
    weights.withUnsafeBufferPointer { w in
      for g in 0..<groups {
        packed += packWeights(w.baseAddress! + g * rowsPerGroup * columns, rows: rowsPerGroup, columns: columns)
      }
    }
    return packed
  }

  /// The size of one group's packed weights.
  static func packedCount(rows: Int, columns: Int) -> Int {
    (rows + panelRows - 1) / panelRows * columns * panelRows
  }

  /// `C[i][j] = activation(sum over t of A[i][t] * B[t][j], then + bias[i])`
  /// for `i < rows`, `j < columns`, `t < depth`, with `A` packed by
  /// ``packWeights(_:rows:columns:)``.
  ///
  /// Register tiles of 4 rows x 8 columns accumulate over the whole depth;
  /// columns are taken in blocks whose slice of `B` stays in the L2 cache
  /// while every row panel passes over it.
  static func multiplyMatrices(
    packedA: UnsafePointer<Float>, rows: Int, depth: Int,
    b: UnsafePointer<Float>, bRowStride: Int, columns: Int,
    bias: UnsafePointer<Float>, activation: Activation,
    c: UnsafeMutablePointer<Float>, cRowStride: Int
  ) {
    let panels = (rows + panelRows - 1) / panelRows
    // About 128 KiB of B per column block, in whole vectors.
    let blockColumns = Swift.max(lanes, Swift.min(512, 32768 / Swift.max(depth, 1)) / lanes * lanes)
    var blockStart = 0
    while blockStart < columns {
      let blockEnd = Swift.min(columns, blockStart + blockColumns)
      let vectorEnd = blockStart + (blockEnd - blockStart) / lanes * lanes
      for panel in 0..<panels {
        let a = packedA + panel * depth * panelRows
        let row0 = panel * panelRows
        let rowCount = Swift.min(panelRows, rows - row0)
        var j = blockStart
        while j < vectorEnd {
          tile4x8(
            a: a, b: b + j, bRowStride: bRowStride, depth: depth, bias: bias + row0, rowCount: rowCount,
            activation: activation, c: c + row0 * cRowStride + j, cRowStride: cRowStride)
          j += lanes
        }
        // Columns left over after whole vectors: the same sums, one lane at a time.
        while j < blockEnd {
          for r in 0..<rowCount {
            var sum: Float = 0
            var pa = a + r
            var pb = b + j
            for _ in 0..<depth {
              sum += pb.pointee * pa.pointee
              pa += panelRows
              pb += bRowStride
            }
            c[(row0 + r) * cRowStride + j] = activate(sum + bias[row0 + r], activation)
          }
          j += 1
        }
      }
      blockStart = blockEnd
    }
  }

  /// One register tile of ``multiplyMatrices``: 4 rows x 8 columns summed
  /// over the whole depth in 32 scalar accumulators, then bias and activation.
  @inline(__always)
  static func tile4x8(
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, bRowStride: Int, depth: Int,
    bias: UnsafePointer<Float>, rowCount: Int, activation: Activation,
    c: UnsafeMutablePointer<Float>, cRowStride: Int
  ) {
    var r00: Float = 0, r01: Float = 0, r02: Float = 0, r03: Float = 0
    var r04: Float = 0, r05: Float = 0, r06: Float = 0, r07: Float = 0
    var r10: Float = 0, r11: Float = 0, r12: Float = 0, r13: Float = 0
    var r14: Float = 0, r15: Float = 0, r16: Float = 0, r17: Float = 0
    var r20: Float = 0, r21: Float = 0, r22: Float = 0, r23: Float = 0
    var r24: Float = 0, r25: Float = 0, r26: Float = 0, r27: Float = 0
    var r30: Float = 0, r31: Float = 0, r32: Float = 0, r33: Float = 0
    var r34: Float = 0, r35: Float = 0, r36: Float = 0, r37: Float = 0
    var pa = a
    var pb = b
    for _ in 0..<depth {
      let x0 = pb[0], x1 = pb[1], x2 = pb[2], x3 = pb[3]
      let x4 = pb[4], x5 = pb[5], x6 = pb[6], x7 = pb[7]
      let w0 = pa[0]
      r00 += x0 * w0; r01 += x1 * w0; r02 += x2 * w0; r03 += x3 * w0
      r04 += x4 * w0; r05 += x5 * w0; r06 += x6 * w0; r07 += x7 * w0
      let w1 = pa[1]
      r10 += x0 * w1; r11 += x1 * w1; r12 += x2 * w1; r13 += x3 * w1
      r14 += x4 * w1; r15 += x5 * w1; r16 += x6 * w1; r17 += x7 * w1
      let w2 = pa[2]
      r20 += x0 * w2; r21 += x1 * w2; r22 += x2 * w2; r23 += x3 * w2
      r24 += x4 * w2; r25 += x5 * w2; r26 += x6 * w2; r27 += x7 * w2
      let w3 = pa[3]
      r30 += x0 * w3; r31 += x1 * w3; r32 += x2 * w3; r33 += x3 * w3
      r34 += x4 * w3; r35 += x5 * w3; r36 += x6 * w3; r37 += x7 * w3
      pa += panelRows
      pb += bRowStride
    }
    @inline(__always)
    func store(_ row: UnsafeMutablePointer<Float>, _ bias: Float, _ v: (Float, Float, Float, Float, Float, Float, Float, Float)) {
      row[0] = activate(v.0 + bias, activation)
      row[1] = activate(v.1 + bias, activation)
      row[2] = activate(v.2 + bias, activation)
      row[3] = activate(v.3 + bias, activation)
      row[4] = activate(v.4 + bias, activation)
      row[5] = activate(v.5 + bias, activation)
      row[6] = activate(v.6 + bias, activation)
      row[7] = activate(v.7 + bias, activation)
    }
    store(c, bias[0], (r00, r01, r02, r03, r04, r05, r06, r07))
    if rowCount > 1 { store(c + cRowStride, bias[1], (r10, r11, r12, r13, r14, r15, r16, r17)) }
    if rowCount > 2 { store(c + 2 * cRowStride, bias[2], (r20, r21, r22, r23, r24, r25, r26, r27)) }
    if rowCount > 3 { store(c + 3 * cRowStride, bias[3], (r30, r31, r32, r33, r34, r35, r36, r37)) }
  }

  // MARK: Convolutions

  /// Rows of output computed per unfolding of a general convolution, so the
  /// unfolded block holds about 64 Ki floats.
  static func unfoldRows(_ conv: Convolution, outputWidth: Int, outputHeight: Int) -> Int {
    let depth = conv.inputChannels / conv.groups * conv.kernelSize * conv.kernelSize
    return Swift.max(1, Swift.min(outputHeight, 65536 / Swift.max(1, depth * outputWidth)))
  }

  /// Floats of scratch a convolution needs.
  static func scratchCount(_ conv: Convolution, inputWidth: Int, inputHeight: Int) -> Int {
    let outputWidth = conv.outputWidth(inputWidth: inputWidth)
    let outputHeight = conv.outputHeight(inputHeight: inputHeight)
    switch conv.kind {
    case .pointwise:
      return 0
    case .depthwise:
      let paddedWidth = inputWidth + conv.padLeft + conv.padRight
      let paddedHeight = inputHeight + conv.padTop + conv.padBottom
      return (paddedWidth + 2) * paddedHeight + lanes
    case .general:
      let depth = conv.inputChannels / conv.groups * conv.kernelSize * conv.kernelSize
      return depth * unfoldRows(conv, outputWidth: outputWidth, outputHeight: outputHeight) * outputWidth
    }
  }

  /// Runs a convolution on a `[cin][inputHeight][inputWidth]` tensor, writing
  /// `[cout][outputHeight][outputWidth]`.
  static func convolve(
    _ conv: Convolution, input: UnsafePointer<Float>, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    conv.weights.withUnsafeBufferPointer { weights in
      conv.bias.withUnsafeBufferPointer { bias in
        conv.packedWeights.withUnsafeBufferPointer { packed in
          switch conv.kind {
          case .pointwise:
            let plane = inputWidth * inputHeight
            multiplyMatrices(
              packedA: packed.baseAddress!, rows: conv.outputChannels, depth: conv.inputChannels,
              b: input, bRowStride: plane, columns: plane, bias: bias.baseAddress!,
              activation: conv.activation, c: output, cRowStride: plane)
          case .depthwise:
            convolveDepthwise(
              conv, weights: weights.baseAddress!, bias: bias.baseAddress!, input: input,
              inputWidth: inputWidth, inputHeight: inputHeight, output: output, scratch: scratch)
          case .general:
            convolveUnfolded(
              conv, packed: packed.baseAddress!, bias: bias.baseAddress!, input: input,
              inputWidth: inputWidth, inputHeight: inputHeight, output: output, scratch: scratch)
          }
        }
      }
    }
  }

  /// General convolution: for each group and block of output rows, unfold the
  /// receptive fields into a `[cin/groups * k * k][rows * outputWidth]` matrix
  /// (zeros where the window hangs over the padding), then multiply.
  static func convolveUnfolded(
    _ conv: Convolution, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    input: UnsafePointer<Float>, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    let k = conv.kernelSize
    let s = conv.stride
    let outputWidth = conv.outputWidth(inputWidth: inputWidth)
    let outputHeight = conv.outputHeight(inputHeight: inputHeight)
    let groupInputs = conv.inputChannels / conv.groups
    let groupOutputs = conv.outputChannels / conv.groups
    let depth = groupInputs * k * k
    let inputPlane = inputWidth * inputHeight
    let outputPlane = outputWidth * outputHeight
    let tileRows = unfoldRows(conv, outputWidth: outputWidth, outputHeight: outputHeight)
    let packedGroup = packedCount(rows: groupOutputs, columns: depth)

    for group in 0..<conv.groups {
      var y0 = 0
      while y0 < outputHeight {
        let rows = Swift.min(tileRows, outputHeight - y0)
        let columns = rows * outputWidth
        // Unfold.
        for ci in 0..<groupInputs {
          let plane = input + (group * groupInputs + ci) * inputPlane
          for ky in 0..<k {
            for kx in 0..<k {
              let row = scratch + ((ci * k + ky) * k + kx) * columns
              // Output columns whose input column is inside the image.
              let xFirst = Swift.min(outputWidth, Swift.max(0, (conv.padLeft - kx + s - 1) / s))
              let lastReach = inputWidth - 1 + conv.padLeft - kx
              let xEnd = lastReach < 0 ? xFirst : Swift.max(xFirst, Swift.min(outputWidth, lastReach / s + 1))
              for dy in 0..<rows {
                let target = row + dy * outputWidth
                let iy = (y0 + dy) * s + ky - conv.padTop
                if iy < 0 || iy >= inputHeight {
                  target.update(repeating: 0, count: outputWidth)
                  continue
                }
                let source = plane + iy * inputWidth
                if xFirst > 0 { target.update(repeating: 0, count: xFirst) }
                if s == 1 {
                  target.advanced(by: xFirst).update(
                    from: source + (xFirst + kx - conv.padLeft), count: xEnd - xFirst)
                } else {
                  var x = xFirst
                  while x < xEnd {
                    target[x] = source[x * s + kx - conv.padLeft]
                    x += 1
                  }
                }
                if xEnd < outputWidth { target.advanced(by: xEnd).update(repeating: 0, count: outputWidth - xEnd) }
              }
            }
          }
        }
        multiplyMatrices(
          packedA: packed + group * packedGroup, rows: groupOutputs, depth: depth,
          b: scratch, bRowStride: columns, columns: columns, bias: bias + group * groupOutputs,
          activation: conv.activation, c: output + group * groupOutputs * outputPlane + y0 * outputWidth,
          cRowStride: outputPlane)
        y0 += rows
      }
    }
  }

  /// Depthwise convolution (one filter per channel): each channel is copied
  /// into a zero-padded plane (for stride 2, split into even and odd columns
  /// so every tap reads contiguous memory), then each output row adds its
  /// `k x k` taps as multiply-adds along the row.
  static func convolveDepthwise(
    _ conv: Convolution, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    input: UnsafePointer<Float>, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    let k = conv.kernelSize
    let s = conv.stride
    let outputWidth = conv.outputWidth(inputWidth: inputWidth)
    let outputHeight = conv.outputHeight(inputHeight: inputHeight)
    let paddedWidth = inputWidth + conv.padLeft + conv.padRight
    let paddedHeight = inputHeight + conv.padTop + conv.padBottom
    // Stride 1: one padded plane. Stride s: s phase planes, phase p holding
    // padded columns p, p + s, p + 2s, ...
    let phaseWidth = (paddedWidth + s - 1) / s
    let rowStride = phaseWidth * s  // floats per padded row, all phases

    for channel in 0..<conv.inputChannels {
      let plane = input + channel * inputWidth * inputHeight
      let w = weights + channel * k * k
      let b = bias[channel]
      // Pad (and split into phases).
      scratch.update(repeating: 0, count: rowStride * paddedHeight)
      for y in 0..<inputHeight {
        let source = plane + y * inputWidth
        let row = scratch + (y + conv.padTop) * rowStride
        if s == 1 {
          (row + conv.padLeft).update(from: source, count: inputWidth)
        } else {
          for x in 0..<inputWidth {
            let px = x + conv.padLeft
            row[(px % s) * phaseWidth + px / s] = source[x]
          }
        }
      }
      // Each output row: taps in order (kernel row, then column), each tap a
      // multiply-add along the row into the output, then bias and activation.
      let out = output + channel * outputWidth * outputHeight
      for y in 0..<outputHeight {
        let target = out + y * outputWidth
        target.update(repeating: 0, count: outputWidth)
        for ky in 0..<k {
          let row = scratch + (y * s + ky) * rowStride
          for kx in 0..<k {
            // Padded column x * s + kx lies in phase kx % s at index x + kx / s.
            let source = row + (kx % s) * phaseWidth + kx / s
            let weight = w[ky * k + kx]
            for x in 0..<outputWidth { target[x] += source[x] * weight }
          }
        }
        for x in 0..<outputWidth { target[x] = activate(target[x] + b, conv.activation) }
      }
    }
  }

  // MARK: Elementwise and reshaping

  /// `output = a + b` over `count` floats.
  static func add(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { output[i] = a[i] + b[i] }
  }

  /// `output = activation(input)` over `count` floats.
  static func activate(
    _ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int, activation: Activation
  ) {
    for i in 0..<count { output[i] = activate(input[i], activation) }
  }

  /// Source indices and weights of one axis of a 2x bilinear upsampling,
  /// PyTorch `align_corners=False`: source coordinate
  /// `max(0.5 * (o + 0.5) - 0.5, 0)`, neighbours clamped to the edge.
  static func bilinearTaps(inputCount: Int) -> [(i0: Int, i1: Int, w0: Float, w1: Float)] {
    (0..<(2 * inputCount)).map { o in
      let source = Swift.max(Float(0.5) * (Float(o) + 0.5) - 0.5, 0)
      let i0 = Int(source)
      let w1 = source - Float(i0)
      let i1 = i0 < inputCount - 1 ? i0 + 1 : i0
      return (i0, i1, 1 - w1, w1)
    }
  }

  /// Floats of scratch ``upsampleBilinear`` needs.
  static func upsampleScratchCount(inputWidth: Int, inputHeight: Int) -> Int {
    2 * inputWidth * inputHeight + lanes
  }

  /// Doubles width and height by bilinear interpolation, as PyTorch's
  /// `F.interpolate(scale_factor=2, mode="bilinear", align_corners=False)`:
  /// each input row is first interpolated along x, then pairs of those rows
  /// along y (`w0 * top + w1 * bottom`).
  static func upsampleBilinear(
    _ input: UnsafePointer<Float>, channels: Int, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    let outputWidth = 2 * inputWidth
    let outputHeight = 2 * inputHeight
    let xTaps = bilinearTaps(inputCount: inputWidth)
    let yTaps = bilinearTaps(inputCount: inputHeight)
    for channel in 0..<channels {
      let plane = input + channel * inputWidth * inputHeight
      // Along x, every input row.
      for y in 0..<inputHeight {
        let source = plane + y * inputWidth
        let row = scratch + y * outputWidth
        for (x, tap) in xTaps.enumerated() {
          row[x] = source[tap.i0] * tap.w0 + source[tap.i1] * tap.w1
        }
      }
      // Along y.
      let out = output + channel * outputWidth * outputHeight
      for (y, tap) in yTaps.enumerated() {
        let top = scratch + tap.i0 * outputWidth
        let bottom = scratch + tap.i1 * outputWidth
        let target = out + y * outputWidth
        for x in 0..<outputWidth { target[x] = top[x] * tap.w0 + bottom[x] * tap.w1 }
      }
    }
  }

  /// Doubles width and height by repeating each value in a 2x2 block
  /// (PyTorch `mode="nearest"`).
  static func upsampleNearest(
    _ input: UnsafePointer<Float>, channels: Int, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>
  ) {
    let outputWidth = 2 * inputWidth
    for channel in 0..<channels {
      let plane = input + channel * inputWidth * inputHeight
      let out = output + channel * outputWidth * 2 * inputHeight
      for y in 0..<inputHeight {
        let source = plane + y * inputWidth
        let row = out + 2 * y * outputWidth
        for x in 0..<inputWidth {
          row[2 * x] = source[x]
          row[2 * x + 1] = source[x]
        }
        (row + outputWidth).update(from: row, count: outputWidth)
      }
    }
  }

  /// Replaces logits by probabilities, `1 / (1 + exp(-x))`.
  static func sigmoid(_ values: inout [Float]) {
    for i in values.indices {
      values[i] = 1 / (1 + Foundation.exp(-values[i]))
    }
  }
}
