import Testing
import WoundCore

@testable import WoundImaging

/// All eight EXIF orientations come out upright.
@Suite struct OrientationTests {
  static let upright = Fixtures.rgb("orient-upright-6x4.rgb", width: 6, height: 4)

  /// PNG with eXIf, pixel-exact: every pixel of the 6x4 image has its own colour.
  @Test(arguments: 1...8)
  func pngInEachOrientationDecodesUpright(orientation: Int) throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path("orient-\(orientation).png"))
    #expect(photo.metadata.orientation == orientation)
    #expect(photo.metadata.displayedWidth == 6 && photo.metadata.displayedHeight == 4)
    let swapped = orientation >= 5
    #expect(photo.metadata.storedWidth == (swapped ? 4 : 6))
    #expect(photo.image == Self.upright)
  }

  /// JPEG: 6x4 blocks of 8x8 flat colour at quality 100, 4:4:4. Every
  /// orientation decodes to exactly the same pixels as the upright file, and
  /// each block is within 2 of its source colour.
  @Test(arguments: 1...8)
  func jpegInEachOrientationDecodesUpright(orientation: Int) throws {
    let reference = try PhotoDecoder.decode(path: Fixtures.path("orient-1.jpg")).image
    let photo = try PhotoDecoder.decode(path: Fixtures.path("orient-\(orientation).jpg"))
    #expect(photo.metadata.orientation == orientation)
    #expect(photo.image.width == 48 && photo.image.height == 32)
    #expect(photo.image == reference)
    let blocks = RGBImage(
      width: 48, height: 32,
      pixels: (0..<(48 * 32)).flatMap { i in
        let pixel = Self.upright[(i % 48) / 8, (i / 48) / 8]
        return [pixel.r, pixel.g, pixel.b]
      })
    #expect(PixelDifference(photo.image, blocks).maximum <= 2)
  }

  /// The strip-wise placement against the definition in `storedPixel`, on
  /// an image taller than one strip with a ragged last strip.
  @Test(arguments: EXIFOrientation.allCases)
  func placementMatchesTheMapping(orientation: EXIFOrientation) {
    let width = 23
    let height = 41
    var stored = RGBImage(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width {
        stored[x, y] = (UInt8(x), UInt8(y), UInt8((x * 7 + y * 3) & 0xFF))
      }
    }
    let displayed = stored.displayed(orientation: orientation)
    let size = orientation.displayedSize(storedWidth: width, storedHeight: height)
    #expect(displayed.width == size.width && displayed.height == size.height)
    var mismatches = 0
    for y in 0..<size.height {
      for x in 0..<size.width {
        let source = orientation.storedPixel(displayedX: x, displayedY: y, storedWidth: width, storedHeight: height)
        if displayed[x, y] != stored[source.x, source.y] { mismatches += 1 }
      }
    }
    #expect(mismatches == 0)
  }

  @Test func outOfRangeValuesMeanUpright() {
    #expect(EXIFOrientation(exifValue: 0) == .topLeft)
    #expect(EXIFOrientation(exifValue: 9) == .topLeft)
    #expect(EXIFOrientation(exifValue: 6) == .rightTop)
  }
}
