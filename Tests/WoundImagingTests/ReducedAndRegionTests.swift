import Testing
import WoundCore

@testable import WoundImaging

/// Reduced decodes (1/2, 1/4, 1/8) and region decodes.
@Suite struct ReducedAndRegionTests {
  @Test(arguments: [(2, 24, 16), (4, 12, 8), (8, 6, 4)])
  func jpegReducedSizes(scale: Int, width: Int, height: Int) throws {
    let options = DecodeOptions(scaleDenominator: scale)
    let photo = try PhotoDecoder.decode(path: Fixtures.path("baseline.jpg"), options: options)
    #expect(photo.image.width == width && photo.image.height == height)
    // Metadata keeps the full-resolution sizes.
    #expect(photo.metadata.displayedWidth == 48)
    // Upright and turned: the reduced decode is upright too.
    let turned = try PhotoDecoder.decode(path: Fixtures.path("exif-rotated.jpg"), options: options)
    #expect(turned.image.width == width && turned.image.height == height)
    let reducedPattern = Fixtures.rgb("pattern-48x32.rgb", width: 48, height: 32).boxReduced(by: scale)
    let difference = PixelDifference(turned.image, reducedPattern)
    #expect(difference.meanAbsolute <= 4, "mean \(difference.meanAbsolute)")
  }

  @Test(arguments: [(2, 7, 4), (4, 4, 2), (8, 2, 1)])
  func pngReducedSizesAndValues(scale: Int, width: Int, height: Int) throws {
    let options = DecodeOptions(scaleDenominator: scale)
    let photo = try PhotoDecoder.decode(path: Fixtures.path("rgb8.png"), options: options)
    #expect(photo.image.width == width && photo.image.height == height)
    let full = Fixtures.rgb("rgb8.rgb", width: 13, height: 7)
    // Output (0, 0) is the rounded mean of the top-left scale x scale box.
    var sum = 0
    for y in 0..<min(scale, 7) {
      for x in 0..<scale { sum += Int(full[x, y].r) }
    }
    let n = min(scale, 7) * scale
    #expect(Int(photo.image[0, 0].r) == (sum + n / 2) / n)
  }

  @Test func boxReductionOfAKnownImage() {
    let image = RGBImage(
      width: 3, height: 2,
      pixels: [
        0, 0, 0, 10, 10, 10, 100, 0, 0,
        20, 20, 20, 31, 31, 31, 200, 0, 0,
      ])
    let reduced = image.boxReduced(by: 2)
    #expect(reduced.width == 2 && reduced.height == 1)
    #expect(reduced[0, 0] == (15, 15, 15))  // (0 + 10 + 20 + 31) / 4 = 15.25
    #expect(reduced[1, 0] == (150, 0, 0))  // the clipped right column: (100 + 200) / 2
  }

  /// A region decode equals the same rectangle cut from the whole decode,
  /// for both formats, upright and turned photos, and unaligned regions.
  @Test(arguments: [
    ("baseline.jpg", PixelRect(x: 13, y: 9, width: 21, height: 11)),
    ("baseline.jpg", PixelRect(x: 0, y: 0, width: 48, height: 32)),
    ("exif-rotated.jpg", PixelRect(x: 5, y: 17, width: 30, height: 15)),
    ("orient-8.jpg", PixelRect(x: 9, y: 3, width: 17, height: 20)),
    ("orient-6.png", PixelRect(x: 1, y: 1, width: 4, height: 2)),
    ("rgba8-adam7.png", PixelRect(x: 2, y: 3, width: 9, height: 4)),
  ])
  func regionMatchesTheWholeDecode(name: String, region: PixelRect) throws {
    let whole = try PhotoDecoder.decode(path: Fixtures.path(name)).image
    let part = try PhotoDecoder.decode(path: Fixtures.path(name), region: region)
    #expect(part.image.width == region.width && part.image.height == region.height)
    var mismatches = 0
    for y in 0..<region.height {
      for x in 0..<region.width where part.image[x, y] != whole[region.x + x, region.y + y] {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }

  @Test func regionOutsideIsRefused() {
    let path = Fixtures.path("baseline.jpg")
    let region = PixelRect(x: 40, y: 0, width: 9, height: 1)
    #expect(throws: DecodeError.regionOutside(file: path, region: region, displayedWidth: 48, displayedHeight: 32)) {
      try PhotoDecoder.decode(path: path, region: region)
    }
  }
}
