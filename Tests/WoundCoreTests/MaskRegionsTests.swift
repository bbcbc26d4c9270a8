import Testing

@testable import WoundCore

/// A mask written as rows of text: `#` is set, `.` is not.
private func mask(_ rows: [String]) -> Mask {
  Mask(
    width: rows.first?.count ?? 0, height: rows.count,
    pixels: rows.flatMap { row in row.map { $0 == "#" ? UInt8(255) : 0 } })
}

/// The labelling on small literal masks (as scikit-image's `SAMPLE` in its
/// `regionprops` tests).
@Suite struct MaskRegionsTests {
  /// Labelling a window's mask and placing it gives the regions of the whole mask
  /// that holds the window's content and nothing else (runs, boxes, first pixels, centroids).
  @Test func placedRegionsAreThoseOfTheLargerMask() {
    let window = mask([
      "##...#",
      ".#..#.",
      "...#..",
      "#.....",
      "##.###",
    ])
    let origin = PixelRect(x: 7, y: 4, width: 6, height: 5)
    var whole = Mask(width: 20, height: 12)
    for y in 0..<5 { for x in 0..<6 { whole[x + 7, y + 4] = window[x, y] } }
    let placed = MaskRegions(mask: window).placed(at: origin, inWidth: 20, height: 12)
    #expect(placed == MaskRegions(mask: whole))
    #expect(placed.regions[0].centroid == Point(x: 7 + 2.0 / 3, y: 4 + 1.0 / 3))
    #expect(placed.width == 20 && placed.height == 12)
  }

  @Test func regionsUseEightNeighbours() {
    let labelled = MaskRegions(
      mask: mask([
        "##...#",
        ".#..#.",
        "...#..",
        "#.....",
        "##.###",
      ]))
    #expect(labelled.regions.count == 4)
    #expect(labelled.regions.map(\.areaPixels) == [3, 3, 3, 3])
    // The diagonal chain from the top right is one region.
    #expect(labelled.regions[1].boundingBox == PixelRect(x: 3, y: 0, width: 3, height: 3))
    #expect(labelled.regions[0].sumX == 0 + 1 + 1 && labelled.regions[0].sumY == 0 + 0 + 1)
    #expect(labelled.regions[0].centroid == Point(x: 2.0 / 3, y: 1.0 / 3))
    #expect(labelled.runs.count == 8)
    #expect(labelled.runs.map(\.region) == [0, 1, 0, 1, 1, 2, 2, 3])
  }

  @Test func uShapesAreOneRegionInRasterOrder() {
    // Two arms joined only at the bottom: one region, numbered by its first pixel.
    let labelled = MaskRegions(
      mask: mask([
        "#..#.#",
        "#..#..",
        "####..",
      ]))
    #expect(labelled.regions.map(\.areaPixels) == [8, 1])
    #expect(labelled.regions.map { $0.firstPixel.x } == [0, 5])
  }

  @Test func wideRowsTakeTheWordPath() {
    // Rows longer than eight bytes take the word-at-a-time path; values other
    // than 255 count as set.
    var pixels = [UInt8](repeating: 0, count: 40 * 3)
    for x in 3..<37 { pixels[x] = x == 10 ? 1 : 255 }
    pixels[40 + 20] = 255
    for x in 0..<40 where x % 2 == 0 { pixels[80 + x] = 7 }
    let labelled = MaskRegions(mask: Mask(width: 40, height: 3, pixels: pixels))
    // The second row's pixel joins the run above and the pixel below it (its
    // diagonal neighbours below, 19 and 21, are unset); the other 19 pixels
    // of the third row stay alone.
    #expect(labelled.regions.count == 1 + 19)
    #expect(labelled.regions[0].areaPixels == 34 + 1 + 1)
    #expect(labelled.runs[0] == MaskRegions.Run(y: 0, start: 3, end: 37, region: 0))
  }

  @Test func wholeMaskProperties() {
    let labelled = MaskRegions(
      mask: mask([
        "......",
        ".##...",
        ".##..#",
        "......",
      ]))
    #expect(labelled.areaPixels == 5)
    #expect(labelled.boundingBox == PixelRect(x: 1, y: 1, width: 5, height: 2))
    #expect(labelled.centroid == Point(x: (1 + 2 + 1 + 2 + 5) / 5.0, y: (1 + 1 + 2 + 2 + 2) / 5.0))
    #expect(labelled.touchesBorder)
    #expect(!labelled.keeping([true, false]).touchesBorder)

    let empty = MaskRegions(mask: Mask(width: 6, height: 4))
    #expect(empty == MaskRegions.empty(width: 6, height: 4))
    #expect(empty.centroid == nil && empty.boundingBox == nil && !empty.touchesBorder)
  }

  @Test func windowsGiveTheRegionsOfTheClearedMask() {
    let whole = mask([
      "##....#.",
      "##....##",
      "........",
      "..#..###",
      ".###..#.",
    ])
    let windows = [
      PixelRect(x: 5, y: 0, width: 3, height: 2), PixelRect(x: 0, y: 0, width: 2, height: 2),
      PixelRect(x: 0, y: 3, width: 4, height: 2),
    ]
    let windowed = MaskRegions(mask: whole, windows: windows)
    // Window order first; the region at (5...7, 3...4) lies outside every window.
    #expect(windowed.regions.map(\.areaPixels) == [3, 4, 4])
    #expect(windowed.regions.map { $0.firstPixel.x } == [6, 0, 2])

    var cleared = whole
    for y in 0..<whole.height {
      for x in 0..<whole.width where !windows.contains(where: { $0.contains(column: x, row: y) }) {
        cleared[x, y] = 0
      }
    }
    #expect(windowed.keeping([true, true, true]) == MaskRegions(mask: cleared))
  }

  @Test func keepingRenumbersInRasterOrder() {
    let labelled = MaskRegions(
      mask: mask([
        "#..#",
        "....",
        ".#..",
      ]))
    let kept = labelled.keeping([false, true, true])
    #expect(kept.regions.map { $0.firstPixel.x } == [3, 1])
    #expect(
      kept.runs == [
        MaskRegions.Run(y: 0, start: 3, end: 4, region: 0), MaskRegions.Run(y: 2, start: 1, end: 2, region: 1),
      ])
  }
}

@Suite struct PixelRectTests {
  @Test func intersectionAndUnion() {
    let a = PixelRect(x: 0, y: 0, width: 10, height: 5)
    let b = PixelRect(x: 8, y: 3, width: 4, height: 4)
    #expect(a.intersection(b) == PixelRect(x: 8, y: 3, width: 2, height: 2))
    #expect(a.union(b) == PixelRect(x: 0, y: 0, width: 12, height: 7))
    let apart = PixelRect(x: 20, y: 20, width: 1, height: 1)
    #expect(a.intersection(apart).isEmpty)
    #expect(a.contains(column: 9, row: 4) && !a.contains(column: 10, row: 4))
    #expect(b.description == "4x4+8+3")
  }
}

@Suite struct HomographyTests {
  @Test func fourCorrespondencesAndTheInverse() throws {
    let square = [Point(0, 0), Point(1, 0), Point(1, 1), Point(0, 1)]
    let quad = [Point(10, 20), Point(50, 22), Point(48, 70), Point(8, 65)]
    let h = try #require(Homography.fromCorrespondences(square, quad))
    for (s, q) in zip(square, quad) {
      let p = h.apply(s)
      #expect(abs(p.x - q.x) < 1e-9 && abs(p.y - q.y) < 1e-9)
    }
    let back = try #require(h.inverted())
    let p = back.apply(h.apply(Point(0.3, 0.7)))
    #expect(abs(p.x - 0.3) < 1e-12 && abs(p.y - 0.7) < 1e-12)
    let identity = h.composed(after: back)
    let q = identity.apply(Point(25, 40))
    #expect(abs(q.x - 25) < 1e-9 && abs(q.y - 40) < 1e-9)
    #expect(Homography.fromCorrespondences(square, [Point(0, 0), Point(1, 1), Point(2, 2), Point(3, 3)]) == nil)
    #expect(Homography([1, 2, 3, 2, 4, 6, 0, 0, 0]).inverted() == nil)
  }
}
