import Testing
import WoundCore

@testable import WoundImaging

/// JPEG decodes stay close to the source pattern they were encoded from.
///
/// Tolerance for quality-92 files of the smooth 48x32 pattern: mean absolute
/// error per channel <= 3 and maximum <= 24, against the pattern itself.
@Suite struct JPEGDecodingTests {
  static let pattern = Fixtures.rgb("pattern-48x32.rgb", width: 48, height: 32)

  @Test(arguments: ["baseline.jpg", "progressive.jpg", "cmyk.jpg"])
  func colourJPEGsMatchThePattern(name: String) throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path(name))
    #expect(photo.metadata.format == .jpeg)
    #expect(photo.image.width == 48 && photo.image.height == 32)
    let difference = PixelDifference(photo.image, Self.pattern)
    #expect(difference.meanAbsolute <= 3, "mean \(difference.meanAbsolute)")
    #expect(difference.maximum <= 24, "max \(difference.maximum)")
  }

  @Test func greyJPEGBecomesGreyRGB() throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path("grey.jpg"))
    let grey = Fixtures.bytes("grey-48x32.grey")
    let expected = RGBImage(width: 48, height: 32, pixels: grey.flatMap { [$0, $0, $0] })
    let difference = PixelDifference(photo.image, expected)
    #expect(difference.meanAbsolute <= 3 && difference.maximum <= 24)
    for i in stride(from: 0, to: photo.image.pixels.count, by: 3) {
      #expect(photo.image.pixels[i] == photo.image.pixels[i + 1])
      #expect(photo.image.pixels[i] == photo.image.pixels[i + 2])
    }
  }

  @Test func formatComesFromContentNotName() throws {
    // A PNG under a .jpg name is still decoded as a PNG.
    let bytes = Fixtures.bytes("rgb8.png")
    let photo = try PhotoDecoder.decode(bytes: bytes, name: "photo.jpg")
    #expect(photo.metadata.format == .png)
    #expect(PhotoDecoder.format(of: Fixtures.bytes("baseline.jpg")) == .jpeg)
    #expect(PhotoDecoder.format(of: Fixtures.bytes("not-a-photo.jpg")) == nil)
  }

  @Test func exifCaptureTimeAndCameraAreRead() throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path("exif-rotated.jpg"))
    let metadata = photo.metadata
    #expect(metadata.orientation == 6)
    #expect(metadata.captureTime == "2026:03:14 09:26:53")
    #expect(metadata.cameraMake == "WoundCam")
    #expect(metadata.cameraModel == "Model W-2")  // trailing space trimmed
    #expect(metadata.storedWidth == 32 && metadata.storedHeight == 48)
    #expect(metadata.displayedWidth == 48 && metadata.displayedHeight == 32)
    // Stored turned, displayed upright: close to the upright pattern.
    let difference = PixelDifference(photo.image, Self.pattern)
    #expect(difference.meanAbsolute <= 3 && difference.maximum <= 24)
    #expect(try PhotoDecoder.readMetadata(path: Fixtures.path("exif-rotated.jpg")) == metadata)
  }

  @Test func photosWithoutEXIFHaveNoMetadataFacts() throws {
    let metadata = try PhotoDecoder.readMetadata(path: Fixtures.path("baseline.jpg"))
    #expect(metadata.orientation == 1)
    #expect(metadata.captureTime == nil && metadata.cameraMake == nil && metadata.cameraModel == nil)
  }
}
