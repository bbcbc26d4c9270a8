import Testing
import WoundCore

@testable import WoundImaging

/// HEIC through libheif: the same pixels as the JPEG it was made from, the file's own
/// rotation applied, the EXIF orientation not applied again, and damaged files refused.
/// Fixtures from `tools/fixtures/make_heic_fixtures.py` (heif-enc, quality 95).
@Suite struct HEICDecodingTests {
  /// orient-1.jpg: 6x4 blocks of 8x8 flat colour.
  static let reference = try! PhotoDecoder.decode(path: Fixtures.path("orient-1.jpg")).image

  @Test func formatIsTakenFromTheFtypBox() {
    #expect(PhotoDecoder.format(of: Fixtures.bytes("heic-upright.heic")) == .heic)
    var mp4 = Fixtures.bytes("heic-upright.heic")
    mp4.replaceSubrange(8..<12, with: Array("isom".utf8))
    #expect(PhotoDecoder.format(of: mp4) == nil)
  }

  @Test func anUprightHEICDecodesToTheJPEGsPixels() throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path("heic-upright.heic"))
    #expect(photo.metadata.format == .heic)
    #expect(photo.metadata.orientation == 1)
    #expect(photo.image.width == 48 && photo.image.height == 32)
    let difference = PixelDifference(photo.image, Self.reference)
    #expect(difference.meanAbsolute < 3 && difference.maximum <= 24, "\(difference)")
  }

  /// An `irot` of 90 degrees anticlockwise: displayed 32x48, turned as EXIF orientation 8 turns.
  @Test func theFilesRotationIsApplied() throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path("heic-irot.heic"))
    #expect(photo.metadata.storedWidth == 48 && photo.metadata.storedHeight == 32)
    #expect(photo.metadata.displayedWidth == 32 && photo.metadata.displayedHeight == 48)
    let turned = Self.reference.displayed(orientation: .leftBottom)
    let difference = PixelDifference(photo.image, turned)
    #expect(difference.meanAbsolute < 3 && difference.maximum <= 24, "\(difference)")
    let metadata = try PhotoDecoder.readMetadata(path: Fixtures.path("heic-irot.heic"))
    #expect(metadata == photo.metadata)
  }

  /// heif-enc keeps exif-rotated.jpg's pixels as stored (32x48) and its EXIF block with
  /// orientation 6, and writes no `irot`. libheif displays the file as its transformations
  /// say, as stored: the EXIF tag, informative in HEIF (iPhones write it beside an `irot`
  /// that already turns the image), is not applied again. Capture time and camera still
  /// come from EXIF.
  @Test func theEXIFOrientationIsNotAppliedAgain() throws {
    let photo = try PhotoDecoder.decode(path: Fixtures.path("heic-exif6.heic"))
    let jpeg = try PhotoDecoder.decode(path: Fixtures.path("exif-rotated.jpg"))
    let storedJPEG = jpeg.image.displayed(orientation: .leftBottom)  // undoes orientation 6
    #expect(photo.image.width == 32 && photo.image.height == 48)
    let difference = PixelDifference(photo.image, storedJPEG)
    #expect(difference.meanAbsolute < 3, "\(difference)")
    #expect(photo.metadata.orientation == 1)
    #expect(photo.metadata.captureTime == "2026:03:14 09:26:53")
    #expect(photo.metadata.cameraMake == "WoundCam")
  }

  @Test func aReducedAndARegionDecodeCutTheWholeImage() throws {
    let path = Fixtures.path("heic-upright.heic")
    let whole = try PhotoDecoder.decode(path: path).image
    let reduced = try PhotoDecoder.decode(path: path, options: DecodeOptions(scaleDenominator: 2)).image
    #expect(reduced == whole.boxReduced(by: 2))
    let region = try PhotoDecoder.decode(path: path, region: PixelRect(x: 8, y: 4, width: 16, height: 8)).image
    #expect(region == whole.cropped(to: PixelRect(x: 8, y: 4, width: 16, height: 8)))
  }

  @Test func aTruncatedHEICIsRefused() {
    let path = Fixtures.path("heic-truncated.heic")
    #expect(throws: DecodeError.truncated(file: path, format: .heic)) { try PhotoDecoder.decode(path: path) }
  }

  @Test func aDamagedHeaderIsRefusedWithLibheifsMessage() throws {
    let path = Fixtures.path("heic-corrupt-header.heic")
    let error = #expect(throws: DecodeError.self) { try PhotoDecoder.decode(path: path) }
    guard case .corrupt(let file, .heic, let message)? = error else {
      Issue.record("expected .corrupt, got \(String(describing: error))")
      return
    }
    #expect(file == path)
    #expect(!message.isEmpty)
  }

  @Test func aHugeClaimIsRefusedBeforeDecoding() {
    let path = Fixtures.path("heic-huge.heic")
    #expect(throws: DecodeError.tooLarge(file: path, width: 20000, height: 20000, limit: 100_000_000)) {
      try PhotoDecoder.decode(path: path)
    }
  }

  /// Every prefix of a HEIC file is refused or decoded, never a crash.
  @Test func everyPrefixIsRefusedCleanly() {
    let bytes = Fixtures.bytes("heic-upright.heic")
    for length in stride(from: 0, to: bytes.count, by: 7) {
      do {
        _ = try PhotoDecoder.decode(bytes: Array(bytes.prefix(length)), name: "prefix")
      } catch {
        #expect(error.file == "prefix")
      }
    }
  }
}
