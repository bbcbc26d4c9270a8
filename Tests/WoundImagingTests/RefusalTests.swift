import Testing
import WoundCore

@testable import WoundImaging

/// Damaged, empty, foreign and oversized files are refused with the right
/// ``DecodeError`` case, naming the file.
@Suite struct RefusalTests {
  @Test func emptyFile() {
    let path = Fixtures.path("empty.jpg")
    #expect(throws: DecodeError.empty(file: path)) { try PhotoDecoder.decode(path: path) }
  }

  @Test func textFileNamedJPG() {
    let path = Fixtures.path("not-a-photo.jpg")
    #expect(throws: DecodeError.unknownFormat(file: path)) { try PhotoDecoder.decode(path: path) }
  }

  @Test func missingFile() {
    let path = Fixtures.path("no-such-photo.jpg")
    #expect(throws: DecodeError.unreadable(file: path, reason: "No such file or directory")) {
      try PhotoDecoder.decode(path: path)
    }
  }

  @Test(arguments: [("truncated.jpg", PhotoFormat.jpeg), ("truncated.png", .png)])
  func truncatedFiles(name: String, format: PhotoFormat) {
    let path = Fixtures.path(name)
    #expect(throws: DecodeError.truncated(file: path, format: format)) {
      try PhotoDecoder.decode(path: path)
    }
  }

  @Test(arguments: [
    ("corrupt-header.jpg", PhotoFormat.jpeg), ("corrupt-scan.jpg", .jpeg), ("corrupt-crc.png", .png),
  ])
  func corruptFiles(name: String, format: PhotoFormat) throws {
    let path = Fixtures.path(name)
    let error = #expect(throws: DecodeError.self) { try PhotoDecoder.decode(path: path) }
    guard case .corrupt(let file, let errorFormat, let message) = error else {
      Issue.record("expected .corrupt, got \(String(describing: error))")
      return
    }
    #expect(file == path && errorFormat == format)
    #expect(!message.isEmpty)
  }

  @Test func corruptScanNamesLibjpegsMessage() {
    let path = Fixtures.path("corrupt-scan.jpg")
    #expect(throws: DecodeError.corrupt(file: path, format: .jpeg, message: "Corrupt JPEG data: bad Huffman code")) {
      try PhotoDecoder.decode(path: path)
    }
  }

  /// The header's claim is refused before any pixel buffer exists: the
  /// files hold only a 48x32 (JPEG) or 13x7 (PNG) image's data, so a decoder
  /// that allocated first would fail differently (or run out of memory).
  @Test(arguments: [("huge-50000x50000.jpg", PhotoFormat.jpeg), ("huge-50000x50000.png", .png)])
  func headerClaimingTooManyPixels(name: String, format: PhotoFormat) {
    let path = Fixtures.path(name)
    #expect(throws: DecodeError.tooLarge(file: path, width: 50000, height: 50000, limit: 100_000_000)) {
      try PhotoDecoder.decode(path: path)
    }
    // readMetadata does not apply the limit, and sees the claimed size.
    #expect((try? PhotoDecoder.readMetadata(path: path))?.storedWidth == 50000)
  }

  @Test func pixelLimitIsConfigurable() throws {
    let path = Fixtures.path("baseline.jpg")  // 48 x 32 = 1536 pixels
    #expect(throws: DecodeError.tooLarge(file: path, width: 48, height: 32, limit: 1535)) {
      try PhotoDecoder.decode(path: path, options: DecodeOptions(maxPixels: 1535))
    }
    _ = try PhotoDecoder.decode(path: path, options: DecodeOptions(maxPixels: 1536))
  }

  @Test func messagesNameTheFileAndReason() {
    let error = DecodeError.tooLarge(file: "a.jpg", width: 50000, height: 50000, limit: 100_000_000)
    #expect(error.description.hasPrefix("a.jpg: "))
    #expect(error.reason.contains("2500 MP"))
    #expect(error.reason.contains("--max-megapixels"))
    #expect(
      DecodeError.truncated(file: "b.png", format: .png).description
        == "b.png: the PNG data ends early (truncated file)")
  }
}
