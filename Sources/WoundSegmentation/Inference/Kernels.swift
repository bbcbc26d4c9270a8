import CKernels
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

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
/// The matrix kernel (most of the network's multiply-adds) is written in
/// explicit `SIMD4<Float>` vectors: four floats is the register width of the
/// baseline instruction set (SSE2 on x86-64, NEON on ARM64), so the binary
/// runs on any machine of its architecture and gives the same bits on all of
/// them. Each lane of a vector is one output value and does exactly the
/// scalar arithmetic. Where the processor has AVX2 (checked at run time,
/// ``wideTilesAvailable``), the matrix kernel's main tiles and the 3 x 3 and
/// 5 x 5 depthwise rows run in C (`CKernels`) in 8-float vectors with the same
/// arithmetic lane for lane, so the bits are the same with or without it. The
/// other loops are plain scalar pointer loops that the optimiser vectorises
/// along rows.
///
/// All pointers must be valid for the counts given; overlapping input and
/// output buffers are not allowed. Nothing here allocates except where noted.
enum Kernels {
  /// The vector the matrix kernel works in: four floats, the width of the
  /// baseline x86-64 (SSE2) and ARM64 (NEON) registers.
  typealias Vector = SIMD4<Float>
  /// Floats of padding kept after scratch buffers.
  static let lanes = 8
  /// Output channels per register tile of ``multiplyMatrices``.
  static let panelRows = 4
  /// Columns per register tile of ``multiplyMatrices``: three vectors.
  static let tileColumns = 12
  /// Columns of the wide (AVX2) tile, and the unit in which column blocks
  /// and threads' column ranges are cut, so that every tile is whole.
  static let wideTileColumns = 24
  /// Whether this processor runs the 256-bit (AVX2) tile, `CKernels`'
  /// `wm_panel_tiles_4x24`: 4 rows x 24 columns with the same arithmetic lane
  /// for lane, so the same bits as the 4-wide Swift tiles, in about half the
  /// instructions. Checked once per process.
  static let wideTilesAvailable = wm_wide_kernels_available() != 0

  // MARK: Activation

  @inline(__always)
  static func activate(_ v: Float, _ activation: Activation) -> Float {
    switch activation {
    case .none: return v
    case .relu: return Swift.max(v, 0)
    case .relu6: return Swift.min(Swift.max(v, 0), 6)
    }
  }

  /// The scalar activation on each lane, with the same comparisons as
  /// `Swift.max(v, 0)` (`0 >= v ? 0 : v`) and `Swift.min(v, 6)`, so the same
  /// results, NaN and -0 included.
  @inline(__always)
  static func activate(_ v: Vector, _ activation: Activation) -> Vector {
    switch activation {
    case .none: return v
    case .relu: return v.replacing(with: 0, where: v .<= 0)
    case .relu6:
      let low = v.replacing(with: 0, where: v .<= 0)
      return low.replacing(with: 6, where: 6 .< low)
    }
  }

  // MARK: Matrix multiply (pointwise and unfolded convolutions)

  /// Packs a row-major `rows x columns` matrix into panels of ``panelRows``
  /// rows, each stored column by column (`[panel][column][panelRows]` floats),
  /// zero filled past the last row, so the kernel reads the weights of a
  /// panel in the order it uses them. (Each weight is broadcast to a vector
  /// when it is used; an earlier layout stored it repeated four times, which
  /// took four times the memory.)
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

  /// The size of one group's packed weights, in floats.
  static func packedCount(rows: Int, columns: Int) -> Int {
    (rows + panelRows - 1) / panelRows * columns * panelRows
  }

  /// `C[i][j] = activation(sum over t of A[i][t] * B[t][j], then + bias[i])`
  /// for `i < rows`, `j < columns`, `t < depth`, with `A` packed by
  /// ``packWeights(_:rows:columns:)``.
  ///
  /// Register tiles of 4 rows x 24 columns in 8-float vectors where the
  /// processor has AVX2, else (and for what is left) 4 rows x 12 columns in
  /// 4-float vectors (12 vector accumulators, which with the three input
  /// vectors and one weight fill the 16 vector registers), accumulate over
  /// the whole depth; columns are taken in blocks of whole 24-column tiles
  /// whose slice of `B` stays in the L2 cache while every row panel passes
  /// over it. The columns left over take 4-column tiles, then one column at a
  /// time. Every
  /// output adds its products in order of `t` starting from 0, whichever
  /// path computes it.
  ///
  /// With `threads > 1` the columns are cut into ranges (whole 24-column tiles
  /// but the last) multiplied in parallel; each output is still computed by
  /// one thread in the same order, so the result does not depend on `threads`.
  static func multiplyMatrices(
    packedA: UnsafePointer<Float>, rows: Int, depth: Int,
    b: UnsafePointer<Float>, bRowStride: Int, columns: Int,
    bias: UnsafePointer<Float>, activation: Activation,
    c: UnsafeMutablePointer<Float>, cRowStride: Int, threads: Int, wide: Bool = wideTilesAvailable
  ) {
    let parts = Parallel.parts(threads: threads, items: columns / wideTileColumns, work: rows * depth * columns)
    Parallel.run(parts) { part in
      let range = Parallel.range(part, of: parts, items: columns, granule: wideTileColumns)
      multiplyMatrices(
        packedA: packedA, rows: rows, depth: depth, b: b + range.lowerBound, bRowStride: bRowStride,
        columns: range.count, bias: bias, activation: activation, c: c + range.lowerBound, cRowStride: cRowStride,
        wide: wide)
    }
  }

  /// ``multiplyMatrices(packedA:rows:depth:b:bRowStride:columns:bias:activation:c:cRowStride:threads:wide:)``
  /// on the calling thread. With `wide`, the 4 x 24 tiles of `CKernels` take
  /// each block's columns first (same sums, same bits).
  static func multiplyMatrices(
    packedA: UnsafePointer<Float>, rows: Int, depth: Int,
    b: UnsafePointer<Float>, bRowStride: Int, columns: Int,
    bias: UnsafePointer<Float>, activation: Activation,
    c: UnsafeMutablePointer<Float>, cRowStride: Int, wide: Bool = wideTilesAvailable
  ) {
    guard columns > 0 else { return }
    let panels = (rows + panelRows - 1) / panelRows
    // About 128 KiB of B per column block, in whole tiles of either width.
    let blockColumns = Swift.max(
      wideTileColumns, Swift.min(528, 32768 / Swift.max(depth, 1)) / wideTileColumns * wideTileColumns)
    var blockStart = 0
    while blockStart < columns {
      let blockEnd = Swift.min(columns, blockStart + blockColumns)
      for panel in 0..<panels {
        let a = packedA + panel * depth * panelRows
        let row0 = panel * panelRows
        let rowCount = Swift.min(panelRows, rows - row0)
        var j = blockStart
        if wide {
          j += wm_panel_tiles_4x24(
            a, b + j, bRowStride, depth, bias + row0,
            Int32(rowCount), activation.wideCode, c + row0 * cRowStride + j, cRowStride, blockEnd - j)
        }
        while j + tileColumns <= blockEnd {
          tile4x12(
            a: a, b: b + j, bRowStride: bRowStride, depth: depth, bias: bias + row0, rowCount: rowCount,
            activation: activation, c: c + row0 * cRowStride + j, cRowStride: cRowStride)
          j += tileColumns
        }
        while j + 4 <= blockEnd {
          tile4x4(
            a: a, b: b + j, bRowStride: bRowStride, depth: depth, bias: bias + row0, rowCount: rowCount,
            activation: activation, c: c + row0 * cRowStride + j, cRowStride: cRowStride)
          j += 4
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

  /// Loads four floats from any address.
  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
  }

  /// Stores four floats at any address.
  @inline(__always)
  static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
  }

  /// One register tile of ``multiplyMatrices``: 4 rows x 12 columns summed
  /// over the whole depth in 12 vector accumulators, then bias and activation.
  @inline(__always)
  static func tile4x12(
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, bRowStride: Int, depth: Int,
    bias: UnsafePointer<Float>, rowCount: Int, activation: Activation,
    c: UnsafeMutablePointer<Float>, cRowStride: Int
  ) {
    var r00 = Vector.zero, r01 = Vector.zero, r02 = Vector.zero
    var r10 = Vector.zero, r11 = Vector.zero, r12 = Vector.zero
    var r20 = Vector.zero, r21 = Vector.zero, r22 = Vector.zero
    var r30 = Vector.zero, r31 = Vector.zero, r32 = Vector.zero
    var pa = a
    var pb = b
    for _ in 0..<depth {
      let x0 = load(pb), x1 = load(pb + 4), x2 = load(pb + 8)
      let w0 = Vector(repeating: pa[0])
      r00 += x0 * w0; r01 += x1 * w0; r02 += x2 * w0
      let w1 = Vector(repeating: pa[1])
      r10 += x0 * w1; r11 += x1 * w1; r12 += x2 * w1
      let w2 = Vector(repeating: pa[2])
      r20 += x0 * w2; r21 += x1 * w2; r22 += x2 * w2
      let w3 = Vector(repeating: pa[3])
      r30 += x0 * w3; r31 += x1 * w3; r32 += x2 * w3
      pa += panelRows
      pb += bRowStride
    }
    @inline(__always)
    func finish(_ row: UnsafeMutablePointer<Float>, _ bias: Float, _ v0: Vector, _ v1: Vector, _ v2: Vector) {
      let b = Vector(repeating: bias)
      store(activate(v0 + b, activation), row)
      store(activate(v1 + b, activation), row + 4)
      store(activate(v2 + b, activation), row + 8)
    }
    finish(c, bias[0], r00, r01, r02)
    if rowCount > 1 { finish(c + cRowStride, bias[1], r10, r11, r12) }
    if rowCount > 2 { finish(c + 2 * cRowStride, bias[2], r20, r21, r22) }
    if rowCount > 3 { finish(c + 3 * cRowStride, bias[3], r30, r31, r32) }
  }

  /// A 4 rows x 4 columns tile, as ``tile4x12(a:b:bRowStride:depth:bias:rowCount:activation:c:cRowStride:)``.
  @inline(__always)
  static func tile4x4(
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, bRowStride: Int, depth: Int,
    bias: UnsafePointer<Float>, rowCount: Int, activation: Activation,
    c: UnsafeMutablePointer<Float>, cRowStride: Int
  ) {
    var r0 = Vector.zero, r1 = Vector.zero, r2 = Vector.zero, r3 = Vector.zero
    var pa = a
    var pb = b
    for _ in 0..<depth {
      let x = load(pb)
      r0 += x * Vector(repeating: pa[0])
      r1 += x * Vector(repeating: pa[1])
      r2 += x * Vector(repeating: pa[2])
      r3 += x * Vector(repeating: pa[3])
      pa += panelRows
      pb += bRowStride
    }
    store(activate(r0 + Vector(repeating: bias[0]), activation), c)
    if rowCount > 1 { store(activate(r1 + Vector(repeating: bias[1]), activation), c + cRowStride) }
    if rowCount > 2 { store(activate(r2 + Vector(repeating: bias[2]), activation), c + 2 * cRowStride) }
    if rowCount > 3 { store(activate(r3 + Vector(repeating: bias[3]), activation), c + 3 * cRowStride) }
  }

  // MARK: Convolutions

  /// Rows of output computed per unfolding of a general convolution, so the
  /// unfolded block holds about 256 Ki floats (1 MiB): enough columns that the
  /// wide tiles take most of them even for the decoder's deep 3 x 3 convolutions.
  static func unfoldRows(_ conv: Convolution, outputWidth: Int, outputHeight: Int) -> Int {
    let depth = conv.inputChannels / conv.groups * conv.kernelSize * conv.kernelSize
    return Swift.max(1, Swift.min(outputHeight, 262_144 / Swift.max(1, depth * outputWidth)))
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
  ///
  /// With `threads > 1` the work is shared out (``Parallel``): a matrix
  /// multiply by column ranges, a depthwise convolution by channel ranges,
  /// each thread with its own `scratchStride` floats of scratch
  /// (`scratch + t * scratchStride`). Every output value is still computed by
  /// one thread with the same arithmetic, so the result does not depend on
  /// `threads`.
  static func convolve(
    _ conv: Convolution, input: UnsafePointer<Float>, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int = 1,
    scratchStride: Int = 0
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
              activation: conv.activation, c: output, cRowStride: plane, threads: threads)
          case .depthwise:
            let channels = conv.inputChannels
            let parts = Parallel.parts(
              threads: threads, items: channels,
              work: channels * inputWidth * inputHeight * conv.kernelSize * conv.kernelSize)
            Parallel.run(parts) { part in
              let range = Parallel.range(part, of: parts, items: channels, granule: 1)
              convolveDepthwise(
                conv, weights: weights.baseAddress!, bias: bias.baseAddress!, input: input,
                inputWidth: inputWidth, inputHeight: inputHeight, output: output,
                scratch: scratch + part * scratchStride, channels: range)
            }
          case .general:
            convolveUnfolded(
              conv, packed: packed.baseAddress!, bias: bias.baseAddress!, input: input,
              inputWidth: inputWidth, inputHeight: inputHeight, output: output, scratch: scratch, threads: threads,
              scratchStride: scratchStride)
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
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int = 1,
    scratchStride: Int = 0
  ) {
    let outputWidth = conv.outputWidth(inputWidth: inputWidth)
    let outputHeight = conv.outputHeight(inputHeight: inputHeight)
    let tileRows = unfoldRows(conv, outputWidth: outputWidth, outputHeight: outputHeight)
    let blocks = (outputHeight + tileRows - 1) / tileRows
    let depth = conv.inputChannels / conv.groups * conv.kernelSize * conv.kernelSize
    // Several blocks of rows: each thread unfolds and multiplies whole blocks in
    // its own scratch. One block: the multiplication shares its columns instead.
    let parts =
      scratchStride > 0
      ? Parallel.parts(threads: threads, items: blocks, work: conv.outputChannels * depth * outputWidth * outputHeight)
      : 1
    if parts > 1 {
      Parallel.run(parts) { part in
        let range = Parallel.range(part, of: parts, items: blocks, granule: 1)
        let first = range.lowerBound * tileRows
        let end = Swift.min(outputHeight, range.upperBound * tileRows)
        convolveUnfolded(
          conv, packed: packed, bias: bias, input: input, inputWidth: inputWidth, inputHeight: inputHeight,
          output: output, scratch: scratch + part * scratchStride, rows: first..<end, threads: 1)
      }
    } else {
      convolveUnfolded(
        conv, packed: packed, bias: bias, input: input, inputWidth: inputWidth, inputHeight: inputHeight,
        output: output, scratch: scratch, rows: 0..<outputHeight, threads: threads)
    }
  }

  /// ``convolveUnfolded(_:packed:bias:input:inputWidth:inputHeight:output:scratch:threads:scratchStride:)``
  /// for the output rows `rows`, which start at a multiple of the block of rows unfolded at a time.
  static func convolveUnfolded(
    _ conv: Convolution, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    input: UnsafePointer<Float>, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, rows outputRows: Range<Int>,
    threads: Int
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
      var y0 = outputRows.lowerBound
      while y0 < outputRows.upperBound {
        let rows = Swift.min(tileRows, outputRows.upperBound - y0)
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
          cRowStride: outputPlane, threads: threads)
        y0 += rows
      }
    }
  }

  /// Depthwise convolution (one filter per channel): each channel is copied
  /// into a zero-padded plane (for stride 2, split into even and odd columns
  /// so every tap reads contiguous memory), then each output value sums its
  /// `k x k` taps in order (kernel row, then column) in one accumulator, adds
  /// the bias and applies the activation in the same pass.
  ///
  /// 3 x 3 and 5 x 5 kernels run an unrolled loop along the output row with the
  /// taps' weights held in registers, which the optimiser vectorises along the
  /// row; other sizes take the general loop. Both do the same arithmetic.
  static func convolveDepthwise(
    _ conv: Convolution, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    input: UnsafePointer<Float>, inputWidth: Int, inputHeight: Int,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, channels: Range<Int>? = nil,
    wide: Bool = wideTilesAvailable
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
    // Padding is zero for every channel: clear the plane once, then only the
    // image's interior is overwritten channel by channel.
    scratch.update(repeating: 0, count: rowStride * paddedHeight)

    for channel in channels ?? 0..<conv.inputChannels {
      let plane = input + channel * inputWidth * inputHeight
      let w = weights + channel * k * k
      let b = bias[channel]
      for y in 0..<inputHeight {
        let source = plane + y * inputWidth
        let row = scratch + (y + conv.padTop) * rowStride
        if s == 1 {
          (row + conv.padLeft).update(from: source, count: inputWidth)
        } else {
          // Phase p takes the input columns x with (x + padLeft) % s == p.
          for phase in 0..<s {
            var x = ((phase - conv.padLeft) % s + s) % s
            var target = row + phase * phaseWidth + (x + conv.padLeft) / s
            while x < inputWidth {
              target.pointee = source[x]
              target += 1
              x += s
            }
          }
        }
      }
      let out = output + channel * outputWidth * outputHeight
      for y in 0..<outputHeight {
        let target = out + y * outputWidth
        // Padded column x * s + kx lies in phase kx % s at index x + kx / s.
        let top = UnsafePointer(scratch + y * s * rowStride)
        switch k {
        case 3:
          depthwiseRow3(
            top, rowStride: rowStride, phaseWidth: phaseWidth, stride: s, weights: w, bias: b,
            activation: conv.activation, target: target, count: outputWidth, wide: wide)
        case 5:
          depthwiseRow5(
            top, rowStride: rowStride, phaseWidth: phaseWidth, stride: s, weights: w, bias: b,
            activation: conv.activation, target: target, count: outputWidth, wide: wide)
        default:
          for x in 0..<outputWidth {
            var sum: Float = 0
            for ky in 0..<k {
              let row = top + ky * rowStride
              for kx in 0..<k {
                sum += row[(kx % s) * phaseWidth + kx / s + x] * w[ky * k + kx]
              }
            }
            target[x] = activate(sum + b, conv.activation)
          }
        }
      }
    }
  }

  /// One output row of a 3 x 3 depthwise convolution; `top` is the first of
  /// the three padded input rows (see ``convolveDepthwise``). With `wide`,
  /// eight outputs at a time in C (`wm_depthwise_row`, the same arithmetic),
  /// then four at a time in a vector, the last few one at a time, each summing
  /// its taps in order from 0.
  @inline(__always)
  static func depthwiseRow3(
    _ top: UnsafePointer<Float>, rowStride: Int, phaseWidth: Int, stride s: Int, weights w: UnsafePointer<Float>,
    bias: Float, activation: Activation, target: UnsafeMutablePointer<Float>, count: Int, wide: Bool
  ) {
    // Column kx of each row: phase kx % s, offset kx / s.
    let c1 = (1 % s) * phaseWidth + 1 / s
    let c2 = (2 % s) * phaseWidth + 2 / s
    var x = 0
    if wide {
      let columns = (0, c1, c2)
      x = withUnsafeBytes(of: columns) { offsets in
        wm_depthwise_row(
          top, rowStride, offsets.baseAddress!.assumingMemoryBound(to: Int.self), 3, w, bias, activation.wideCode,
          target, count)
      }
    }
    let a0 = top, b0 = top + rowStride, d0 = top + 2 * rowStride
    let a1 = a0 + c1, a2 = a0 + c2, b1 = b0 + c1, b2 = b0 + c2, d1 = d0 + c1, d2 = d0 + c2
    let v0 = Vector(repeating: w[0]), v1 = Vector(repeating: w[1]), v2 = Vector(repeating: w[2])
    let v3 = Vector(repeating: w[3]), v4 = Vector(repeating: w[4]), v5 = Vector(repeating: w[5])
    let v6 = Vector(repeating: w[6]), v7 = Vector(repeating: w[7]), v8 = Vector(repeating: w[8])
    let vb = Vector(repeating: bias)
    while x + 4 <= count {
      var sum = Vector.zero
      sum += load(a0 + x) * v0
      sum += load(a1 + x) * v1
      sum += load(a2 + x) * v2
      sum += load(b0 + x) * v3
      sum += load(b1 + x) * v4
      sum += load(b2 + x) * v5
      sum += load(d0 + x) * v6
      sum += load(d1 + x) * v7
      sum += load(d2 + x) * v8
      store(activate(sum + vb, activation), target + x)
      x += 4
    }
    while x < count {
      var sum: Float = 0
      sum += a0[x] * w[0]
      sum += a1[x] * w[1]
      sum += a2[x] * w[2]
      sum += b0[x] * w[3]
      sum += b1[x] * w[4]
      sum += b2[x] * w[5]
      sum += d0[x] * w[6]
      sum += d1[x] * w[7]
      sum += d2[x] * w[8]
      target[x] = activate(sum + bias, activation)
      x += 1
    }
  }

  /// One output row of a 5 x 5 depthwise convolution, as
  /// ``depthwiseRow3(_:rowStride:phaseWidth:stride:weights:bias:activation:target:count:wide:)``:
  /// the 25 taps in order (kernel row, then column) from 0, then the bias.
  @inline(__always)
  static func depthwiseRow5(
    _ top: UnsafePointer<Float>, rowStride: Int, phaseWidth: Int, stride s: Int, weights w: UnsafePointer<Float>,
    bias: Float, activation: Activation, target: UnsafeMutablePointer<Float>, count: Int, wide: Bool
  ) {
    let c1 = (1 % s) * phaseWidth + 1 / s
    let c2 = (2 % s) * phaseWidth + 2 / s
    let c3 = (3 % s) * phaseWidth + 3 / s
    let c4 = (4 % s) * phaseWidth + 4 / s
    let vb = Vector(repeating: bias)
    var x = 0
    if wide {
      let columns = (0, c1, c2, c3, c4)
      x = withUnsafeBytes(of: columns) { offsets in
        wm_depthwise_row(
          top, rowStride, offsets.baseAddress!.assumingMemoryBound(to: Int.self), 5, w, bias, activation.wideCode,
          target, count)
      }
    }
    while x + 4 <= count {
      var sum = Vector.zero
      for r in 0..<5 {
        let row = top + r * rowStride + x
        let t = w + r * 5
        sum += load(row) * Vector(repeating: t[0])
        sum += load(row + c1) * Vector(repeating: t[1])
        sum += load(row + c2) * Vector(repeating: t[2])
        sum += load(row + c3) * Vector(repeating: t[3])
        sum += load(row + c4) * Vector(repeating: t[4])
      }
      store(activate(sum + vb, activation), target + x)
      x += 4
    }
    while x < count {
      var sum: Float = 0
      for r in 0..<5 {
        let row = top + r * rowStride + x
        let t = w + r * 5
        sum += row[0] * t[0]
        sum += row[c1] * t[1]
        sum += row[c2] * t[2]
        sum += row[c3] * t[3]
        sum += row[c4] * t[4]
      }
      target[x] = activate(sum + bias, activation)
      x += 1
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
      values[i] = 1 / (1 + exp(-values[i]))
    }
  }

  /// Softmax across `channels` planes of `plane` values each (planar layout), in place;
  /// the largest logit is subtracted first so no exponential overflows.
  static func softmax(_ values: inout [Float], channels: Int, plane: Int) {
    values.withUnsafeMutableBufferPointer { v in
      for i in 0..<plane {
        var largest = v[i]
        for c in 1..<channels { largest = max(largest, v[c * plane + i]) }
        var sum: Float = 0
        for c in 0..<channels {
          let e = exp(v[c * plane + i] - largest)
          v[c * plane + i] = e
          sum += e
        }
        for c in 0..<channels { v[c * plane + i] /= sum }
      }
    }
  }
}
