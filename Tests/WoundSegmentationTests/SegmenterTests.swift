import Foundation
import Testing
import WoundCore

@testable import WoundSegmentation

/// The segmentation stage with a transparent one-layer "redness" model
/// (logit = 10 * (r - g) - 8 on the normalised input), so every expected
/// outline follows from the drawn shapes.
@Suite struct SegmenterTests {
  static let rednessModel: SegmentationModel = {
    var b = ModelFileBuilder()
    b.conv("input", "logits", cin: 3, cout: 1, k: 1, pad: [0, 0, 0, 0], weights: [10, -10, 0], bias: [-8])
    return try! SegmentationModel(bytes: b.bytes(), name: "redness.wmseg")
  }()

  static let skin: (UInt8, UInt8, UInt8) = (215, 170, 140)
  static let wound: (UInt8, UInt8, UInt8) = (190, 40, 45)

  /// A skin-coloured photo with wound-coloured discs `(centre x, centre y, radius)`.
  static func photo(width: Int, height: Int, discs: [(Double, Double, Double)]) -> RGBImage {
    var image = RGBImage(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width {
        let inside = discs.contains { d in
          let dx = Double(x) - d.0
          let dy = Double(y) - d.1
          return dx * dx + dy * dy <= d.2 * d.2
        }
        image[x, y] = inside ? (wound.0, wound.1, wound.2) : (skin.0, skin.1, skin.2)
      }
    }
    return image
  }

  static func segment(
    _ image: RGBImage, excluding: [[Point]] = [], hints: SegmentationHints = .none
  ) throws -> SegmentationResult {
    try Segmenter.segment(image: image, excluding: excluding, hints: hints, model: rednessModel)
  }

  /// Pixels set in the mask.
  static func count(_ mask: Mask) -> Int { mask.pixels.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

  // Large disc, small disc, and a 3-pixel speck, on a 1000 x 800 photo (f = 4).
  static let scene = photo(
    width: 1000, height: 800, discs: [(300, 400, 150), (800, 200, 60), (850, 700, 1.5)])

  @Test func findsDiscsAtPhotoResolutionAndDropsSpecks() throws {
    let result = try Self.segment(Self.scene)
    #expect(result.mask.width == 1000 && result.mask.height == 800)
    #expect(result.probabilities.photoPixelsPerCell == 4)
    #expect(result.probabilities.width == 250 && result.probabilities.height == 200)
    try #require(result.regions.count == 2)
    let big = result.regions[0]
    let small = result.regions[1]
    // The refined outline follows the disc to within a pixel or so along its rim.
    #expect(abs(Double(big.areaPixels) - Double.pi * 150 * 150) < 2 * Double.pi * 150 * 1.5)
    #expect(abs(Double(small.areaPixels) - Double.pi * 60 * 60) < 2 * Double.pi * 60 * 1.5)
    #expect(abs(big.centroid.x - 300) < 1 && abs(big.centroid.y - 400) < 1)
    #expect(abs(small.centroid.x - 800) < 1 && abs(small.centroid.y - 200) < 1)
    #expect(abs(big.boundingBox.x - 150) <= 2 && abs(big.boundingBox.maxX - 451) <= 2)
    #expect(Self.count(result.mask) == big.areaPixels + small.areaPixels)
    #expect(result.mask[300, 400] == 255 && result.mask[850, 700] == 0 && result.mask[10, 10] == 0)
  }

  @Test func sameResultTwice() throws {
    let first = try Self.segment(Self.scene)
    let second = try Self.segment(Self.scene)
    #expect(first.mask == second.mask)
    #expect(first.regions == second.regions)
    #expect(first.probabilities == second.probabilities)
  }

  @Test func regionsAreTheLabellingOfTheMask() throws {
    // What the stage hands on is what labelling its mask again would give.
    let result = try Self.segment(Self.scene, hints: SegmentationHints(seed: Point(800, 200)))
    #expect(result.labelled == MaskRegions(mask: result.mask))
    #expect(result.labelled.regions.count == 1)
    let both = try Self.segment(Self.scene)
    #expect(both.labelled == MaskRegions(mask: both.mask))
    #expect(both.labelled.regions.map(\.areaPixels).sorted() == both.regions.map(\.areaPixels).sorted())
  }

  @Test func flatSkinGivesEmptyOutline() throws {
    let result = try Self.segment(Self.photo(width: 640, height: 480, discs: []))
    #expect(result.regions.isEmpty)
    #expect(Self.count(result.mask) == 0)
  }

  @Test func excludedPolygonIsNeverWound() throws {
    // A square covering the small disc, as a marker outline would.
    let square = [Point(730, 130), Point(870, 130), Point(870, 270), Point(730, 270)]
    let result = try Self.segment(Self.scene, excluding: [square])
    #expect(result.regions.count == 1)
    #expect(abs(result.regions[0].centroid.x - 300) < 1)
    // A polygon cutting the big disc in half removes exactly that half.
    let half = [Point(300, 0), Point(1000, 0), Point(1000, 800), Point(300, 800)]
    let cut = try Self.segment(Self.scene, excluding: [half])
    try #require(cut.regions.count == 1)
    #expect(cut.regions[0].boundingBox.maxX == 300)
    #expect(abs(Double(cut.regions[0].areaPixels) - Double.pi * 150 * 150 / 2) < 600)
  }

  @Test func regionOfInterestLimitsTheSearch() throws {
    let roi = PixelRect(x: 600, y: 50, width: 350, height: 300)
    let result = try Self.segment(Self.scene, hints: SegmentationHints(regionOfInterest: roi))
    try #require(result.regions.count == 1)
    #expect(abs(result.regions[0].centroid.x - 800) < 1)
    // Nothing outside the rectangle, even where the big disc is.
    for y in 0..<800 {
      for x in 0..<1000 where result.mask[x, y] != 0 {
        #expect(roi.contains(column: x, row: y))
      }
    }
    // A rectangle cutting the big disc keeps only its part inside.
    let partial = PixelRect(x: 0, y: 0, width: 300, height: 800)
    let cut = try Self.segment(Self.scene, hints: SegmentationHints(regionOfInterest: partial))
    try #require(cut.regions.count == 1)
    #expect(cut.regions[0].boundingBox.maxX == 300)
  }

  @Test func seedKeepsTheRegionItPointsAt() throws {
    let onSmall = try Self.segment(Self.scene, hints: SegmentationHints(seed: Point(810, 190)))
    try #require(onSmall.regions.count == 1)
    #expect(abs(onSmall.regions[0].centroid.x - 800) < 1)
    #expect(onSmall.mask[300, 400] == 0)
    // Off any region: the nearest one (the big disc's rim is 50 px away, the small disc's 300+).
    let nearBig = try Self.segment(Self.scene, hints: SegmentationHints(seed: Point(500, 400)))
    try #require(nearBig.regions.count == 1)
    #expect(abs(nearBig.regions[0].centroid.x - 300) < 1)
    // Far from every region (the small disc's rim 200+ px, the big one's 300+): refused.
    let far = #expect(throws: SegmentationError.self) {
      try Self.segment(Self.scene, hints: SegmentationHints(seed: Point(560, 700)))
    }
    guard case .seedFarFromWound(_, let distance, let limit)? = far else {
      Issue.record("expected .seedFarFromWound, got \(String(describing: far))")
      return
    }
    #expect(limit == 64 && distance > 100)
    // With nothing found, a seed gives an empty result rather than an error.
    let empty = try Self.segment(
      Self.photo(width: 320, height: 240, discs: []), hints: SegmentationHints(seed: Point(100, 100)))
    #expect(empty.regions.isEmpty)
  }

  @Test func refusesHintsOutsideThePhoto() {
    #expect(
      throws: SegmentationError.regionOfInterestOutsideImage(
        PixelRect(x: 2000, y: 0, width: 10, height: 10), imageWidth: 1000, imageHeight: 800)
    ) {
      try Self.segment(
        Self.scene, hints: SegmentationHints(regionOfInterest: PixelRect(x: 2000, y: 0, width: 10, height: 10)))
    }
    #expect(throws: SegmentationError.seedOutside(Point(-5, 10), area: PixelRect(x: 0, y: 0, width: 1000, height: 800)))
    {
      try Self.segment(Self.scene, hints: SegmentationHints(seed: Point(-5, 10)))
    }
    let roi = PixelRect(x: 0, y: 0, width: 100, height: 100)
    #expect(throws: SegmentationError.seedOutside(Point(500, 500), area: roi)) {
      try Self.segment(Self.scene, hints: SegmentationHints(regionOfInterest: roi, seed: Point(500, 500)))
    }
    #expect(throws: SegmentationError.emptyImage(width: 0, height: 0)) {
      try Self.segment(RGBImage(width: 0, height: 0))
    }
  }

  @Test func smallPhotoRunsAtItsOwnSize() throws {
    // 200 x 150 is below the working size: no downscaling, padded to 224 x 160.
    let result = try Self.segment(Self.photo(width: 200, height: 150, discs: [(100, 75, 40)]))
    #expect(result.probabilities.photoPixelsPerCell == 1)
    #expect(result.probabilities.width == 200 && result.probabilities.height == 150)
    try #require(result.regions.count == 1)
    #expect(abs(Double(result.regions[0].areaPixels) - Double.pi * 1600) < 2 * Double.pi * 40)
  }
}

/// The helpers of the stage, on small literal inputs.
@Suite struct SegmenterHelperTests {
  @Test func polygonCoversCellCentres() {
    // A square from 1.5 to 4.5 covers pixel centres 2, 3, 4 on each axis.
    let square = [Point(1.5, 1.5), Point(4.5, 1.5), Point(4.5, 4.5), Point(1.5, 4.5)]
    var covered: [[Int]] = []
    PolygonRasterizer.forEachSpan(of: square, rows: 0..<10, columns: 0..<10, origin: 0, spacing: 1) { row, span in
      covered.append([row, span.lowerBound, span.upperBound])
    }
    #expect(covered == [[2, 2, 5], [3, 2, 5], [4, 2, 5]])
    // On a grid shrunk by 4 (cell centres at 1.5, 5.5, 9.5, ...), a polygon
    // from 0 to 8 covers cells 0 and 1.
    let big = [Point(0, 0), Point(8, 0), Point(8, 8), Point(0, 8)]
    var cells: [[Int]] = []
    PolygonRasterizer.forEachSpan(of: big, rows: 0..<10, columns: 0..<10, origin: 1.5, spacing: 4) { row, span in
      cells.append([row, span.lowerBound, span.upperBound])
    }
    #expect(cells == [[0, 0, 2], [1, 0, 2]])
    // A triangle, clipped by the columns.
    let triangle = [Point(-10, 0), Point(3, 0), Point(-10, 13)]
    var rows: [Int: Range<Int>] = [:]
    PolygonRasterizer.forEachSpan(of: triangle, rows: 0..<20, columns: 0..<20, origin: 0, spacing: 1) { row, span in
      rows[row] = span
    }
    #expect(rows[0] == 0..<3 && rows[1] == 0..<2 && rows[2] == 0..<1 && rows[3] == nil)
  }

  @Test func areaDownscalerAveragesBlocksAndRepeatsEdges() {
    // 5 x 3 photo, factor 2: blocks 2x2, 2x2, 1x2 / 2x1, 2x1, 1x1.
    var image = RGBImage(width: 5, height: 3)
    for y in 0..<3 {
      for x in 0..<5 { image[x, y] = (UInt8(10 * x + y), 0, 255) }
    }
    let planes = AreaDownscaler.normalizedPlanes(
      image, factor: 2, paddedWidth: 4, paddedHeight: 3, subtract: 0, divide: 1)
    let red = Array(planes[0..<12])
    #expect(red == [5.5, 25.5, 40.5, 40.5, 7, 27, 42, 42, 7, 27, 42, 42])
    #expect(planes[12..<24].allSatisfy { $0 == 0 })
    #expect(planes[24..<36].allSatisfy { $0 == 255 })
  }

  @Test func touchingBoxesMerge() {
    let boxes = [
      PixelRect(x: 0, y: 0, width: 10, height: 10), PixelRect(x: 10, y: 10, width: 5, height: 5),
      PixelRect(x: 30, y: 0, width: 5, height: 5),
    ]
    #expect(
      Segmenter.mergeTouching(boxes) == [
        PixelRect(x: 0, y: 0, width: 15, height: 15), PixelRect(x: 30, y: 0, width: 5, height: 5),
      ])
  }
}
