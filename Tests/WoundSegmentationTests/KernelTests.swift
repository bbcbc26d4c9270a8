import Foundation
import Testing

@testable import WoundSegmentation

/// Each layer of the runtime against a naive `Double` reference on seeded random data.
@Suite struct KernelTests {
  /// One convolution configuration.
  struct ConvCase: CustomStringConvertible, Sendable {
    var cin: Int
    var cout: Int
    var k: Int
    var stride: Int
    var pad: [Int]
    var groups: Int
    var act: String
    var height: Int
    var width: Int
    var description: String {
      "cin\(cin) cout\(cout) k\(k) s\(stride) pad\(pad) g\(groups) \(act) \(width)x\(height)"
    }
  }

  static let convCases: [ConvCase] = [
    // Pointwise (matrix multiply), with column tails and a partial row panel.
    ConvCase(cin: 16, cout: 24, k: 1, stride: 1, pad: [0, 0, 0, 0], groups: 1, act: "none", height: 8, width: 8),
    ConvCase(cin: 5, cout: 7, k: 1, stride: 1, pad: [0, 0, 0, 0], groups: 1, act: "relu6", height: 3, width: 5),
    ConvCase(cin: 40, cout: 6, k: 1, stride: 1, pad: [0, 0, 0, 0], groups: 1, act: "relu", height: 20, width: 36),
    // Depthwise, stride 1 and 2, k 3 and 5, symmetric and TensorFlow-style asymmetric pads.
    ConvCase(cin: 8, cout: 8, k: 3, stride: 1, pad: [1, 1, 1, 1], groups: 8, act: "relu6", height: 12, width: 20),
    ConvCase(cin: 6, cout: 6, k: 3, stride: 2, pad: [0, 0, 1, 1], groups: 6, act: "relu6", height: 16, width: 32),
    ConvCase(cin: 4, cout: 4, k: 5, stride: 2, pad: [1, 1, 2, 2], groups: 4, act: "none", height: 16, width: 24),
    ConvCase(cin: 3, cout: 3, k: 5, stride: 1, pad: [2, 2, 2, 2], groups: 3, act: "relu", height: 9, width: 11),
    // General: the stem (3 -> 32, k3, s2), a decoder 3x3, a grouped conv, a strided 1x1.
    ConvCase(cin: 3, cout: 32, k: 3, stride: 2, pad: [0, 0, 1, 1], groups: 1, act: "relu6", height: 32, width: 64),
    ConvCase(cin: 12, cout: 10, k: 3, stride: 1, pad: [1, 1, 1, 1], groups: 1, act: "relu", height: 10, width: 13),
    ConvCase(cin: 8, cout: 12, k: 3, stride: 1, pad: [1, 1, 1, 1], groups: 2, act: "none", height: 7, width: 9),
    ConvCase(cin: 6, cout: 4, k: 1, stride: 2, pad: [0, 0, 0, 0], groups: 1, act: "none", height: 8, width: 10),
    ConvCase(cin: 2, cout: 3, k: 3, stride: 1, pad: [0, 0, 0, 0], groups: 1, act: "none", height: 3, width: 3),
  ]

  @Test(arguments: convCases)
  func convolutionMatchesReference(_ c: ConvCase) {
    var random = SeededGenerator(seed: UInt64(c.cin * 1000 + c.cout * 10 + c.k))
    let input = random.floats(c.cin * c.height * c.width, scale: 2)
    let weights = random.floats(c.cout * (c.cin / c.groups) * c.k * c.k, scale: 0.5)
    let bias = random.floats(c.cout)
    let expected = Reference.conv2d(
      input: input, cin: c.cin, height: c.height, width: c.width, weights: weights, bias: bias,
      cout: c.cout, k: c.k, stride: c.stride, pad: c.pad, groups: c.groups, act: c.act)

    var conv = Convolution(
      input: 0, output: 1, inputChannels: c.cin, outputChannels: c.cout, kernelSize: c.k,
      stride: c.stride, padTop: c.pad[0], padLeft: c.pad[1], padBottom: c.pad[2], padRight: c.pad[3],
      groups: c.groups, activation: Activation(rawValue: c.act)!, weights: weights, bias: bias,
      packedWeights: [])
    if conv.kind != .depthwise {
      conv.packedWeights = Kernels.packGroupedWeights(
        weights, groups: c.groups, rowsPerGroup: c.cout / c.groups, columns: (c.cin / c.groups) * c.k * c.k)
    }
    #expect(conv.outputHeight(inputHeight: c.height) == expected.height)
    #expect(conv.outputWidth(inputWidth: c.width) == expected.width)
    let scratch = [Float](
      repeating: .nan, count: Kernels.scratchCount(conv, inputWidth: c.width, inputHeight: c.height) + 1)
    var output = [Float](repeating: .nan, count: expected.values.count)
    var scratchCopy = scratch
    input.withUnsafeBufferPointer { i in
      output.withUnsafeMutableBufferPointer { o in
        scratchCopy.withUnsafeMutableBufferPointer { s in
          Kernels.convolve(
            conv, input: i.baseAddress!, inputWidth: c.width, inputHeight: c.height, output: o.baseAddress!,
            scratch: s.baseAddress!)
        }
      }
    }
    let difference = maxAbsDifference(output, expected.values)
    #expect(difference.value <= 1e-5, "worst at \(difference.index)")
  }

  /// The AVX2 tiles of `CKernels` and the 4-wide Swift tiles give the same
  /// bits, every activation, with column tails, a partial row panel, NaN and -0.
  @Test(.enabled(if: Kernels.wideTilesAvailable), arguments: [Activation.none, .relu, .relu6])
  func wideTilesGiveTheSameBitsAsPortableOnes(_ activation: Activation) {
    let rows = 7
    let depth = 37
    let columns = 24 * 3 + 12 + 4 + 3
    var random = SeededGenerator(seed: 24)
    var a = random.floats(rows * depth, scale: 1)
    var b = random.floats(depth * columns, scale: 4)
    a[5] = -0.0
    b[30] = .nan
    b[columns + 50] = -0.0
    let bias = random.floats(rows)
    let packed = a.withUnsafeBufferPointer { Kernels.packWeights($0.baseAddress!, rows: rows, columns: depth) }
    func run(wide: Bool) -> [Float] {
      var c = [Float](repeating: .nan, count: rows * columns)
      packed.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          bias.withUnsafeBufferPointer { pbias in
            c.withUnsafeMutableBufferPointer { pc in
              Kernels.multiplyMatrices(
                packedA: pa.baseAddress!, rows: rows, depth: depth, b: pb.baseAddress!, bRowStride: columns,
                columns: columns, bias: pbias.baseAddress!, activation: activation, c: pc.baseAddress!,
                cRowStride: columns, wide: wide)
            }
          }
        }
      }
      return c
    }
    let portable = run(wide: false)
    let wide = run(wide: true)
    #expect(wide.map(\.bitPattern) == portable.map(\.bitPattern))
    #expect(portable.contains { $0.isNaN })
  }

  /// The AVX2 depthwise rows of `CKernels` and the 4-wide Swift rows give the
  /// same bits: 3 x 3 and 5 x 5, strides 1 and 2, every activation, with row
  /// tails (widths that leave 0-15 outputs after whole 8-lane vectors), NaN and -0.
  @Test(
    .enabled(if: Kernels.wideTilesAvailable),
    arguments: [(3, 1, Activation.relu6), (3, 2, .none), (5, 1, .relu), (5, 2, .relu6), (5, 1, .none)])
  func wideDepthwiseRowsGiveTheSameBitsAsPortableOnes(_ k: Int, _ stride: Int, _ activation: Activation) {
    for width in [7, 8, 21, 37, 64] {
      let channels = 3
      let height = 11
      var random = SeededGenerator(seed: UInt64(k * 100 + stride * 10 + width))
      var input = random.floats(channels * height * width, scale: 3)
      input[4] = .nan
      input[width + 2] = -0.0
      let weights = random.floats(channels * k * k, scale: 0.7)
      let bias = random.floats(channels)
      let pad = k / 2
      let conv = Convolution(
        input: 0, output: 1, inputChannels: channels, outputChannels: channels, kernelSize: k,
        stride: stride, padTop: pad, padLeft: pad, padBottom: pad, padRight: pad,
        groups: channels, activation: activation, weights: weights, bias: bias, packedWeights: [])
      let outWidth = conv.outputWidth(inputWidth: width)
      let outHeight = conv.outputHeight(inputHeight: height)
      func run(wide: Bool) -> [Float] {
        var output = [Float](repeating: .nan, count: channels * outWidth * outHeight)
        var scratch = [Float](
          repeating: 0, count: Kernels.scratchCount(conv, inputWidth: width, inputHeight: height))
        weights.withUnsafeBufferPointer { w in
          bias.withUnsafeBufferPointer { b in
            input.withUnsafeBufferPointer { i in
              output.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                  Kernels.convolveDepthwise(
                    conv, weights: w.baseAddress!, bias: b.baseAddress!, input: i.baseAddress!,
                    inputWidth: width, inputHeight: height, output: o.baseAddress!, scratch: s.baseAddress!,
                    wide: wide)
                }
              }
            }
          }
        }
        return output
      }
      let portable = run(wide: false)
      let wide = run(wide: true)
      #expect(wide.map(\.bitPattern) == portable.map(\.bitPattern), "k\(k) s\(stride) width \(width)")
      #expect(portable.contains { $0.isNaN })
    }
  }

  /// The run-time check agrees with what the processor says it has.
  @Test func wideTilesAreUsedWhereTheProcessorHasAVX2() throws {
    #if os(Linux) && arch(x86_64)
      let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
      let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
      #expect(Kernels.wideTilesAvailable == flags.split(separator: " ").contains("avx2"))
    #else
      #expect(!Kernels.wideTilesAvailable)
    #endif
  }

  @Test func pointwiseKindIsChosenOnlyForPlainOneByOne() {
    func kind(k: Int, stride: Int, groups: Int, cin: Int, cout: Int, pad: Int) -> Convolution.Kind {
      Convolution(
        input: 0, output: 1, inputChannels: cin, outputChannels: cout, kernelSize: k, stride: stride,
        padTop: pad, padLeft: pad, padBottom: pad, padRight: pad, groups: groups, activation: .none,
        weights: [], bias: [], packedWeights: []
      ).kind
    }
    #expect(kind(k: 1, stride: 1, groups: 1, cin: 8, cout: 4, pad: 0) == .pointwise)
    #expect(kind(k: 1, stride: 2, groups: 1, cin: 8, cout: 4, pad: 0) == .general)
    #expect(kind(k: 3, stride: 1, groups: 8, cin: 8, cout: 8, pad: 1) == .depthwise)
    #expect(kind(k: 3, stride: 1, groups: 2, cin: 8, cout: 8, pad: 1) == .general)
    #expect(kind(k: 3, stride: 1, groups: 1, cin: 1, cout: 1, pad: 1) == .depthwise)
  }

  @Test(arguments: [(3, 1, 1), (2, 5, 7), (4, 8, 8), (1, 2, 3)])
  func bilinearUpsamplingMatchesPyTorchFormula(channels: Int, height: Int, width: Int) {
    var random = SeededGenerator(seed: 11)
    let input = random.floats(channels * height * width, scale: 3)
    let expected = Reference.upsampleBilinear(input, channels: channels, height: height, width: width)
    var output = [Float](repeating: .nan, count: expected.count)
    var scratch = [Float](
      repeating: .nan, count: Kernels.upsampleScratchCount(inputWidth: width, inputHeight: height))
    input.withUnsafeBufferPointer { i in
      output.withUnsafeMutableBufferPointer { o in
        scratch.withUnsafeMutableBufferPointer { s in
          Kernels.upsampleBilinear(
            i.baseAddress!, channels: channels, inputWidth: width, inputHeight: height, output: o.baseAddress!,
            scratch: s.baseAddress!)
        }
      }
    }
    #expect(maxAbsDifference(output, expected).value <= 1e-6)
  }

  @Test func bilinearTapsFollowHalfPixelCentres() {
    // Output 0 sits on input 0; output 1 is 3/4 input 0 + 1/4 input 1;
    // output 2 is 1/4 input 0 + 3/4 input 1; the last output clamps to the edge.
    let taps = Kernels.bilinearTaps(inputCount: 3)
    #expect(taps.count == 6)
    #expect(taps[0].i0 == 0 && taps[0].w1 == 0)
    #expect(taps[1].i0 == 0 && taps[1].i1 == 1 && taps[1].w0 == 0.75 && taps[1].w1 == 0.25)
    #expect(taps[2].i0 == 0 && taps[2].i1 == 1 && taps[2].w0 == 0.25 && taps[2].w1 == 0.75)
    #expect(taps[5].i0 == 2 && taps[5].i1 == 2)
  }

  @Test func nearestUpsamplingRepeatsEachValue() {
    let input: [Float] = [1, 2, 3, 4, 5, 6]  // 1 channel, 2 rows, 3 columns
    var output = [Float](repeating: .nan, count: 24)
    input.withUnsafeBufferPointer { i in
      output.withUnsafeMutableBufferPointer { o in
        Kernels.upsampleNearest(i.baseAddress!, channels: 1, inputWidth: 3, inputHeight: 2, output: o.baseAddress!)
      }
    }
    #expect(
      output == [
        1, 1, 2, 2, 3, 3,
        1, 1, 2, 2, 3, 3,
        4, 4, 5, 5, 6, 6,
        4, 4, 5, 5, 6, 6,
      ])
  }

  @Test func addAndActivationsCoverVectorAndTail() {
    var random = SeededGenerator(seed: 5)
    let a = random.floats(21, scale: 8)
    let b = random.floats(21, scale: 8)
    var sum = [Float](repeating: .nan, count: 21)
    var relu6 = [Float](repeating: .nan, count: 21)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        sum.withUnsafeMutableBufferPointer { ps in
          Kernels.add(pa.baseAddress!, pb.baseAddress!, output: ps.baseAddress!, count: 21)
        }
        relu6.withUnsafeMutableBufferPointer { pr in
          Kernels.activate(pa.baseAddress!, output: pr.baseAddress!, count: 21, activation: .relu6)
        }
      }
    }
    #expect(sum == zip(a, b).map { $0 + $1 })
    #expect(relu6 == a.map { min(max($0, 0), 6) })
  }

  @Test func halfPrecisionWidensExactly() {
    #expect(ModelFileParser.floatFromHalf(0x3C00) == 1)
    #expect(ModelFileParser.floatFromHalf(0xC000) == -2)
    #expect(ModelFileParser.floatFromHalf(0x7BFF) == 65504)
    #expect(ModelFileParser.floatFromHalf(0x0001) == 0x1p-24)  // smallest subnormal
    #expect(ModelFileParser.floatFromHalf(0x03FF) == Float(0x3FF) * 0x1p-24)  // largest subnormal
    #expect(ModelFileParser.floatFromHalf(0x3555) == Float(0x155) / 1024 * 0.25 + 0.25)
    #expect(ModelFileParser.floatFromHalf(0x8000).sign == .minus)
    #expect(ModelFileParser.floatFromHalf(0x7C00) == .infinity)
    #expect(ModelFileParser.floatFromHalf(0x7E00).isNaN)
  }
}
