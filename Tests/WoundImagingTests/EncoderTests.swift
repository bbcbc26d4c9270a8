import Testing
import WoundCore

@testable import WoundImaging

/// PNG and JPEG writing, read back through the decoder.
@Suite struct EncoderTests {
  static let pattern = Fixtures.rgb("pattern-48x32.rgb", width: 48, height: 32)

  @Test func rgbPNGRoundTripsExactly() throws {
    let path = Fixtures.scratchPath("round-trip-rgb.png")
    try ImageEncoder.writePNG(Self.pattern, to: path)
    let photo = try PhotoDecoder.decode(path: path)
    #expect(photo.image == Self.pattern)
  }

  @Test func greyPNGRoundTripsExactly() throws {
    let grey = GreyImage(width: 5, height: 3, pixels: [0, 1, 2, 3, 4, 50, 100, 150, 200, 250, 251, 252, 253, 254, 255])
    let path = Fixtures.scratchPath("round-trip-grey.png")
    try ImageEncoder.writePNG(grey, to: path)
    let image = try PhotoDecoder.decode(path: path).image
    #expect(image.pixels == grey.pixels.flatMap { [$0, $0, $0] })
  }

  @Test func pngCarriesPixelsPerMetre() throws {
    let bytes = try ImageEncoder.encodePNG(Self.pattern, pixelsPerMetre: 11811)  // 300 dpi
    let chunk: [UInt8] = Array("pHYs".utf8) + [0, 0, 0x2E, 0x23, 0, 0, 0x2E, 0x23, 1]
    #expect(bytes.firstRange(of: chunk) != nil)
    let plain = try ImageEncoder.encodePNG(Self.pattern)
    #expect(plain.firstRange(of: Array("pHYs".utf8)) == nil)
  }

  @Test func jpegRoundTripsWithinTolerance() throws {
    let bytes = try ImageEncoder.encodeJPEG(Self.pattern, quality: 95)
    #expect(PhotoDecoder.format(of: bytes) == .jpeg)
    let photo = try PhotoDecoder.decode(bytes: bytes, name: "memory.jpg")
    let difference = PixelDifference(photo.image, Self.pattern)
    #expect(difference.meanAbsolute <= 3 && difference.maximum <= 24)
    #expect(photo.metadata.orientation == 1 && photo.metadata.captureTime == nil)
  }

  @Test func invalidEncodingsAreRefused() {
    #expect(throws: EncodeError.invalidQuality(0)) { try ImageEncoder.encodeJPEG(Self.pattern, quality: 0) }
    #expect(throws: EncodeError.emptyImage(width: 0, height: 4)) {
      try ImageEncoder.encodePNG(RGBImage(width: 0, height: 4))
    }
    #expect(throws: EncodeError.self) {
      try ImageEncoder.writePNG(Self.pattern, to: "/nonexistent-folder/x.png")
    }
  }
}
