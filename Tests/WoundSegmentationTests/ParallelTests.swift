import Foundation
import Testing
import WoundCore
import WoundImaging

@testable import WoundSegmentation

/// Sharing a kernel's work between threads changes no bit of its result.
@Suite struct ParallelTests {
  /// Layers large enough to be cut into several parts (each well above
  /// `Parallel.minimumWorkPerPart` multiply-adds), with column tails.
  static let convCases: [KernelTests.ConvCase] = [
    // Pointwise: 64 -> 48 over 1,450 columns (not a multiple of 12).
    KernelTests.ConvCase(
      cin: 64, cout: 48, k: 1, stride: 1, pad: [0, 0, 0, 0], groups: 1, act: "relu6", height: 29, width: 50),
    // Depthwise 3x3 stride 1 and 5x5 stride 2, 33 channels.
    KernelTests.ConvCase(
      cin: 33, cout: 33, k: 3, stride: 1, pad: [1, 1, 1, 1], groups: 33, act: "relu6", height: 40, width: 52),
    KernelTests.ConvCase(
      cin: 33, cout: 33, k: 5, stride: 2, pad: [1, 1, 2, 2], groups: 33, act: "none", height: 40, width: 52),
    // General: the stem and a decoder 3x3.
    KernelTests.ConvCase(
      cin: 3, cout: 32, k: 3, stride: 2, pad: [0, 0, 1, 1], groups: 1, act: "relu6", height: 96, width: 130),
    KernelTests.ConvCase(
      cin: 24, cout: 20, k: 3, stride: 1, pad: [1, 1, 1, 1], groups: 1, act: "relu", height: 30, width: 41),
    // General with 7 blocks of unfolded rows (depth 576, 7 rows of 64 a block),
    // which the threads share out whole, the last one short.
    KernelTests.ConvCase(
      cin: 64, cout: 24, k: 3, stride: 1, pad: [1, 1, 1, 1], groups: 1, act: "relu", height: 45, width: 64),
  ]

  /// Runs one convolution with `threads` threads, each with its own scratch.
  static func run(_ c: KernelTests.ConvCase, threads: Int) -> [Float] {
    var random = SeededGenerator(seed: UInt64(c.cin * 1000 + c.cout * 10 + c.k))
    let input = random.floats(c.cin * c.height * c.width, scale: 2)
    let weights = random.floats(c.cout * (c.cin / c.groups) * c.k * c.k, scale: 0.5)
    let bias = random.floats(c.cout)
    var conv = Convolution(
      input: 0, output: 1, inputChannels: c.cin, outputChannels: c.cout, kernelSize: c.k,
      stride: c.stride, padTop: c.pad[0], padLeft: c.pad[1], padBottom: c.pad[2], padRight: c.pad[3],
      groups: c.groups, activation: Activation(rawValue: c.act)!, weights: weights, bias: bias,
      packedWeights: [])
    if conv.kind != .depthwise {
      conv.packedWeights = Kernels.packGroupedWeights(
        weights, groups: c.groups, rowsPerGroup: c.cout / c.groups, columns: (c.cin / c.groups) * c.k * c.k)
    }
    let stride = Kernels.scratchCount(conv, inputWidth: c.width, inputHeight: c.height) + 1
    var scratch = [Float](repeating: .nan, count: stride * threads)
    var output = [Float](
      repeating: .nan,
      count: c.cout * conv.outputHeight(inputHeight: c.height) * conv.outputWidth(inputWidth: c.width))
    input.withUnsafeBufferPointer { i in
      output.withUnsafeMutableBufferPointer { o in
        scratch.withUnsafeMutableBufferPointer { s in
          Kernels.convolve(
            conv, input: i.baseAddress!, inputWidth: c.width, inputHeight: c.height, output: o.baseAddress!,
            scratch: s.baseAddress!, threads: threads, scratchStride: stride)
        }
      }
    }
    return output
  }

  @Test(arguments: convCases)
  func threadsGiveTheSameBits(_ c: KernelTests.ConvCase) {
    let one = Self.run(c, threads: 1)
    #expect(!one.contains { $0.isNaN })
    for threads in [2, 3, 4] {
      let many = Self.run(c, threads: threads)
      #expect(many.map(\.bitPattern) == one.map(\.bitPattern), "\(threads) threads")
    }
  }

  @Test func layersThisLargeAreCutIntoSeveralParts() {
    for c in Self.convCases {
      let columns = c.height * c.width
      let work = c.cout * c.cin / c.groups * c.k * c.k * columns
      let items = c.groups == c.cin && c.k > 1 ? c.cin : columns / Kernels.wideTileColumns
      #expect(Parallel.parts(threads: 2, items: items, work: work) == 2, "\(c)")
    }
    #expect(Parallel.parts(threads: 1, items: 100, work: 1 << 30) == 1)
    #expect(Parallel.parts(threads: 4, items: 100, work: Parallel.minimumWorkPerPart) == 1)
    #expect(Parallel.parts(threads: 4, items: 3, work: 1 << 30) == 3)
  }

  @Test(arguments: [(1, 1), (10, 1), (100, 12), (1450, 12), (7, 12), (33, 1)])
  func rangesCoverEveryItemOnceOnGranuleBounds(items: Int, granule: Int) {
    for parts in 1...5 {
      var next = 0
      for part in 0..<parts {
        let range = Parallel.range(part, of: parts, items: items, granule: granule)
        #expect(range.lowerBound == next)
        if part < parts - 1 { #expect(range.upperBound % granule == 0 || range.upperBound == items) }
        next = range.upperBound
      }
      #expect(next == items)
    }
  }

  /// The whole stage, both passes of the shipped model, on a validation photo
  /// enlarged to 1600 x 1600 (so the coarse pass runs at 320 x 320 and the
  /// fine pass on a crop): the same probabilities and mask for 1, 2 and 3 threads.
  @Test func theStageGivesTheSameMaskForAnyNumberOfThreads() throws {
    let model = try SegmentationModel.bundled()
    let path = try #require(Bundle.module.url(forResource: "Fixtures/validation/0040", withExtension: "jpg")).path
    let small = try PhotoDecoder.decode(path: path).image
    var photo = RGBImage(width: small.width * 3, height: small.height * 3)
    for y in 0..<photo.height {
      for x in 0..<photo.width {
        let source = 3 * ((y / 3) * small.width + x / 3)
        let target = 3 * (y * photo.width + x)
        for c in 0..<3 { photo.pixels[target + c] = small.pixels[source + c] }
      }
    }
    let tissueModel = try TissueModel.bundled()
    let tissue = try #require(FinePassTissue(outline: model, tissue: tissueModel))
    let one = try Segmenter.segment(
      image: photo, excluding: [], hints: .none, model: model, threads: 1, tissue: tissue)
    #expect(one.areaPixels > 10_000)
    let oneCrops = try #require(one.tissueCrops)
    let oneTissue = try TissueClassifier.classify(
      image: photo, mask: one.wound, reference: nil, model: tissueModel, crops: oneCrops, threads: 1)
    #expect(oneTissue.shares.granulation + oneTissue.shares.slough > 0.5)
    for threads in [2, 3] {
      let many = try Segmenter.segment(
        image: photo, excluding: [], hints: .none, model: model, threads: threads, tissue: tissue)
      #expect(many.mask == one.mask, "\(threads) threads")
      #expect(many.probabilities == one.probabilities, "\(threads) threads")
      #expect(many.regions == one.regions, "\(threads) threads")
      let manyCrops = try #require(many.tissueCrops)
      #expect(
        manyCrops.map { $0.probabilities.map(\.bitPattern) } == oneCrops.map { $0.probabilities.map(\.bitPattern) },
        "\(threads) threads")
      let manyTissue = try TissueClassifier.classify(
        image: photo, mask: many.wound, reference: nil, model: tissueModel, crops: manyCrops, threads: threads)
      #expect(manyTissue.boxLabels == oneTissue.boxLabels, "\(threads) threads")
      #expect(manyTissue.shares == oneTissue.shares, "\(threads) threads")
      #expect(manyTissue.provenance == oneTissue.provenance, "\(threads) threads")
    }
  }

  /// A network pass reads nothing of the arena a previous pass left: the kept
  /// arena filled with NaN gives the same bits as a fresh one. (Tests run side
  /// by side, so another test's pass may take the poisoned arena first; its
  /// own reference figures then catch what this one would.)
  @Test func aKeptArenaGivesTheSameBitsAsAFreshOne() throws {
    let model = try SegmentationModel.bundled()
    var random = SeededGenerator(seed: 7)
    let input = random.floats(3 * 96 * 64, scale: 1.5)
    let fresh = try model.probabilities(normalizedInput: input, width: 64, height: 96)
    #expect(!fresh.contains { $0.isNaN })
    for threads in [1, 2, 1, 3] {
      let arena = KeptArena.take(capacity: 1 << 21)
      #expect(arena.capacity >= 1 << 21)
      arena.start.update(repeating: .nan, count: arena.capacity)
      KeptArena.give(arena)
      let again = try model.probabilities(normalizedInput: input, width: 64, height: 96, threads: threads)
      #expect(again.map(\.bitPattern) == fresh.map(\.bitPattern), "\(threads) threads")
    }
  }
}
