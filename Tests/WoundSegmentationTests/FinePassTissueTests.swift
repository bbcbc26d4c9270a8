import Foundation
import Testing
import WoundCore
import WoundImaging

@testable import WoundSegmentation

/// The tissue model run in the outline's fine pass (``FinePassTissue``): the
/// layers the two bundled networks have in common are computed once, and each
/// output has the bits of its own network run alone on the crop.
@Suite struct FinePassTissueTests {
  static let outline = Result { try SegmentationModel.bundled() }
  static let tissue = Result { try TissueModel.bundled() }

  /// The hard eschar fixture (FUSeg 0420, CC0) and one fine-pass crop around its true wound.
  static func crop() throws -> (image: RGBImage, mask: Mask, crop: FinePass.Crop, input: [Float]) {
    let (image, mask) = try TissueModelTests.hardCase("0420-eschar")
    let model = try outline.get()
    let rule = try #require(model.finePass)
    let box = try #require(MaskRegions(mask: mask).boundingBox)
    let crop = try #require(FinePass.crops(boxes: [box], rule: rule).first)
    let input = FinePass.input(
      image: image, crop: crop, size: rule.cropSizePixels, subtract: model.normalizeSubtract,
      divide: model.normalizeDivide)
    return (image, mask, crop, input)
  }

  static func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.elementsEqual(b) { $0.bitPattern == $1.bitPattern }
  }

  @Test func theBundledNetworksShareTheirFirstLayers() throws {
    let joined = try #require(FinePassTissue(outline: Self.outline.get(), tissue: Self.tissue.get()))
    // The tissue model was trained with the outline model's stem and blocks 0-2 fixed.
    #expect(joined.sharedOperations == 10)
    let tissueOperations = try Self.tissue.get().network.graph.operations.count
    #expect(joined.joint.operations.count == joined.outlineOperations + tissueOperations - joined.sharedOperations)
  }

  @Test(arguments: [1, 2]) func eachOutputHasTheBitsOfItsOwnNetwork(threads: Int) throws {
    let outline = try Self.outline.get()
    let tissue = try Self.tissue.get()
    let joined = try #require(FinePassTissue(outline: outline, tissue: tissue))
    let (_, _, crop, input) = try Self.crop()
    let size = tissue.cropRule.cropSizePixels
    let both = try joined.run(
      outline: outline, crop: crop, normalizedInput: input, size: size, timings: nil, threads: threads)
    let alone = try outline.probabilities(normalizedInput: input, width: size, height: size, threads: threads)
    let classes = try tissue.network.classProbabilities(
      normalizedInput: input, width: size, height: size, threads: threads)
    #expect(Self.sameBits(both.outline, alone))
    #expect(Self.sameBits(both.tissue.probabilities, classes))
    #expect(both.tissue.crop == crop)
  }

  @Test func networksThatDifferFromTheFirstLayerShareNothingAndStillAgree() throws {
    let outline = try Self.outline.get()
    // The tissue file with its first weight changed in the last bit.
    let url = try #require(SegmentationModel.bundledURL(named: TissueModel.bundledResourceName))
    var bytes = [UInt8](try Data(contentsOf: url))
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
    let blob = (12 + headerLength + 3) / 4 * 4
    bytes[blob] ^= 1
    let changed = try TissueModel(network: SegmentationModel(bytes: bytes, name: "changed.wmseg"))
    let joined = try #require(FinePassTissue(outline: outline, tissue: changed))
    #expect(joined.sharedOperations == 0)
    let (_, _, crop, input) = try Self.crop()
    let size = changed.cropRule.cropSizePixels
    let both = try joined.run(
      outline: outline, crop: crop, normalizedInput: input, size: size, timings: nil, threads: 1)
    #expect(Self.sameBits(both.outline, try outline.probabilities(normalizedInput: input, width: size, height: size)))
    #expect(
      Self.sameBits(
        both.tissue.probabilities,
        try changed.network.classProbabilities(normalizedInput: input, width: size, height: size)))
  }

  @Test func aModelWithoutTheOutlinesCropRuleIsNotJoined() throws {
    #expect(FinePassTissue(outline: try Self.outline.get().coarseOnly(), tissue: try Self.tissue.get()) == nil)
  }

  @Test func theSegmenterGivesTheSameOutlineAndTheCropsOfItsFinePass() throws {
    let outline = try Self.outline.get()
    let tissue = try Self.tissue.get()
    let joined = try #require(FinePassTissue(outline: outline, tissue: tissue))
    let (image, _, _, _) = try Self.crop()
    let plain = try Segmenter.segment(image: image, excluding: [], hints: .none, model: outline)
    let both = try Segmenter.segment(image: image, excluding: [], hints: .none, model: outline, tissue: joined)
    #expect(plain.tissueCrops == nil)
    #expect(both.mask == plain.mask)
    let crops = try #require(both.tissueCrops)
    #expect(!crops.isEmpty)
    // The classes sampled from them are those the tissue network gives on the same crops alone.
    let size = tissue.cropRule.cropSizePixels
    for tissueCrop in crops {
      let input = FinePass.input(
        image: image, crop: tissueCrop.crop, size: size, subtract: outline.normalizeSubtract,
        divide: outline.normalizeDivide)
      let alone = try tissue.network.classProbabilities(normalizedInput: input, width: size, height: size)
      #expect(Self.sameBits(tissueCrop.probabilities, alone))
    }
    let map = try TissueClassifier.classify(
      image: image, mask: both.wound, reference: nil, model: tissue, crops: crops)
    #expect(map.shares.granulation + map.shares.slough + map.shares.necrosis + map.shares.epithelium > 0.99)
  }

  @Test func cropsThatMissPartOfTheWoundAreNotUsed() throws {
    let tissue = try Self.tissue.get()
    let (image, mask, _, _) = try Self.crop()
    let own = try TissueClassifier.classify(image: image, mask: BoxMask(mask), reference: nil, model: tissue)
    // A crop far from the wound covers none of it: the model runs on its own crops.
    let away = TissueCrop(
      crop: FinePass.Crop(centreX: 10, centreY: 10, side: 8), size: 256,
      probabilities: [Float](repeating: 0.25, count: 4 * 256 * 256))
    let given = try TissueClassifier.classify(
      image: image, mask: BoxMask(mask), reference: nil, model: tissue, crops: [away])
    #expect(given.boxLabels == own.boxLabels)
    #expect(given.shares == own.shares)
  }
}
