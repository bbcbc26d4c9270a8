import Foundation

/// The numeric loops of the network, over contiguous `Float` CHW planes.
///
/// Every kernel sums in one fixed order that does not depend on tiling,
/// tails or thread count: a convolution output starts from 0, adds the
/// products in order of (input channel, kernel row, kernel column), then adds
/// the bias and applies the activation. The vector paths and the scalar tails
/// do the same arithmetic, so results are bit-identical from run to run.
/// Multiplications and additions are never fused (Swift does not contract
/// `a * b + c`).
///
/// All pointers must be valid for the counts given; overlapping input and
/// output buffers are not allowed. Nothing here allocates except where noted.
enum Kernels {
  /// Vector width of the inner loops.
  static let lanes = 8
  /// Output channels per register tile of ``multiplyMatrices``.
  static let panelRows = 4

  // MARK: Activation

  @inline(__always)
  static func activate(_ v: SIMD8<Float>, _ activation: Activation) -> SIMD8<Float> {
    switch activation {
    case .none: return v
    case .relu: return pointwiseMax(v, SIMD8(repeating: 0))
    case .relu6: return pointwiseMin(pointwiseMax(v, SIMD8(repeating: 0)), SIMD8(repeating: 6))
    }
  }

  @inline(__always)
  static func activate(_ v: Float, _ activation: Activation) -> Float {
    switch activation {
    case .none: return v
    case .relu: return Swift.max(v, 0)
    case .relu6: return Swift.min(Swift.max(v, 0), 6)
    }
  }

  @inline(__always)
  static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
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
          var c0 = SIMD8<Float>()
          var c1 = SIMD8<Float>()
          var c2 = SIMD8<Float>()
          var c3 = SIMD8<Float>()
          var pa = a
          var pb = b + j
          for _ in 0..<depth {
            let bv = load8(pb)
            c0 += bv * pa[0]
            c1 += bv * pa[1]
            c2 += bv * pa[2]
            c3 += bv * pa[3]
            pa += panelRows
            pb += bRowStride
          }
          let out = c + row0 * cRowStride + j
          store8(activate(c0 + bias[row0], activation), out)
          if rowCount > 1 { store8(activate(c1 + bias[row0 + 1], activation), out + cRowStride) }
          if rowCount > 2 { store8(activate(c2 + bias[row0 + 2], activation), out + 2 * cRowStride) }
          if rowCount > 3 { store8(activate(c3 + bias[row0 + 3], activation), out + 3 * cRowStride) }
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
  /// so every tap reads contiguous memory), then each output row sums its
  /// `k x k` taps eight columns at a time.
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
    let vectorEnd = outputWidth / lanes * lanes

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
      let out = output + channel * outputWidth * outputHeight
      for y in 0..<outputHeight {
        let target = out + y * outputWidth
        var x = 0
        while x < vectorEnd {
          var acc = SIMD8<Float>()
          for ky in 0..<k {
            let row = scratch + (y * s + ky) * rowStride
            for kx in 0..<k {
              // Padded column (x + i) * s + kx lies in phase kx % s at index x + i + kx / s.
              acc += load8(row + (kx % s) * phaseWidth + x + kx / s) * w[ky * k + kx]
            }
          }
          store8(activate(acc + b, conv.activation), target + x)
          x += lanes
        }
        while x < outputWidth {
          var sum: Float = 0
          for ky in 0..<k {
            let row = scratch + (y * s + ky) * rowStride
            for kx in 0..<k {
              sum += row[(kx % s) * phaseWidth + x + kx / s] * w[ky * k + kx]
            }
          }
          target[x] = activate(sum + b, conv.activation)
          x += 1
        }
      }
    }
  }

  // MARK: Elementwise and reshaping

  /// `output = a + b` over `count` floats.
  static func add(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
  ) {
    let vectorEnd = count / lanes * lanes
    var i = 0
    while i < vectorEnd {
      store8(load8(a + i) + load8(b + i), output + i)
      i += lanes
    }
    while i < count {
      output[i] = a[i] + b[i]
      i += 1
    }
  }

  /// `output = activation(input)` over `count` floats.
  static func activate(
    _ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int, activation: Activation
  ) {
    let vectorEnd = count / lanes * lanes
    var i = 0
    while i < vectorEnd {
      store8(activate(load8(input + i), activation), output + i)
      i += lanes
    }
    while i < count {
      output[i] = activate(input[i], activation)
      i += 1
    }
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
    let vectorEnd = outputWidth / lanes * lanes
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
        var x = 0
        while x < vectorEnd {
          store8(load8(top + x) * tap.w0 + load8(bottom + x) * tap.w1, target + x)
          x += lanes
        }
        while x < outputWidth {
          target[x] = top[x] * tap.w0 + bottom[x] * tap.w1
          x += 1
        }
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
