import Testing
import WoundCore

@testable import WoundImaging

/// Every PNG colour type and bit depth decodes to exactly the expected
/// 8-bit RGB (the `.rgb` file beside each fixture).
@Suite struct PNGDecodingTests {
  /// Fixtures without alpha: expected values are exact.
  @Test(arguments: [
    "grey1", "grey2", "grey4", "grey8", "grey16", "grey2-adam7", "palette4", "rgb8", "rgb8-adam7",
    "rgb16",
  ])
  func opaqueFixturesDecodeExactly(name: String) throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path(name + ".png"))
    #expect(photo.metadata.format == .png)
    #expect(photo.metadata.storedWidth == 13 && photo.metadata.storedHeight == 7)
    #expect(photo.metadata.orientation == 1)
    #expect(photo.image == Fixtures.rgb(name + ".rgb", width: 13, height: 7))
  }

  /// Fixtures with alpha (grey+alpha, tRNS palette, RGBA, interlaced RGBA):
  /// composited over white, `round((c * a + 255 * (255 - a)) / 255)`, exactly.
  @Test(arguments: ["grey-alpha8", "palette-trns", "rgba8", "rgba8-adam7"])
  func alphaIsCompositedOverWhite(name: String) throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path(name + ".png"))
    #expect(photo.image == Fixtures.rgb(name + ".rgb", width: 13, height: 7))
  }

  @Test func fullyTransparentPixelsBecomeWhite() throws {
    // rgba8: alpha is 0 wherever (2x + y) % 9 == 1.
    let image = try PhotoDecoder.decode(path: Fixtures.path("rgba8.png")).image
    for y in 0..<image.height {
      for x in 0..<image.width where (2 * x + y) % 9 == 1 {
        #expect(image[x, y] == (255, 255, 255))
      }
    }
  }

  @Test func interlacedMatchesNonInterlaced() throws {
    let plain = try PhotoDecoder.decode(path: Fixtures.path("rgb8.png")).image
    let interlaced = try PhotoDecoder.decode(path: Fixtures.path("rgb8-adam7.png")).image
    #expect(plain == interlaced)
  }

  @Test func readMetadataDoesNotNeedPixels() throws {
    let metadata = try PhotoDecoder.readMetadata(path: Fixtures.path("rgb16.png"))
    #expect(metadata.format == .png)
    #expect(metadata.storedWidth == 13 && metadata.storedHeight == 7)
    #expect(metadata.displayedWidth == 13 && metadata.displayedHeight == 7)
    #expect(metadata.captureTime == nil && metadata.cameraMake == nil)
  }
}
