import Foundation
import Testing
import WoundCore

@testable import WoundImaging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Hostile inputs and outputs, with the real libjpeg and real files: special files are refused
/// without blocking, reads stop at the limit the pixel limit sets, a JPEG with too many scans
/// is stopped, and writes never go through a link or into a device.
@Suite struct HostileFileTests {
  /// A fresh, empty folder for one test.
  static func folder(_ name: String = #function) throws -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "wm-hostile-\(safe)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func names(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
  }

  static func contents(_ path: String) -> Data? {
    FileManager.default.contents(atPath: path)
  }

  // MARK: Special files as photos

  @Test func aFIFONamedLikeAPhotoIsRefusedWithoutBlocking() throws {
    let path = try Self.folder() + "/x.jpg"
    #expect(mkfifo(path, 0o644) == 0)
    #expect(throws: DecodeError.notAFile(file: path, kind: .fifo)) { try PhotoDecoder.decode(path: path) }
    #expect(throws: DecodeError.notAFile(file: path, kind: .fifo)) { try PhotoDecoder.readMetadata(path: path) }
    #expect(
      DecodeError.notAFile(file: path, kind: .fifo).description
        == "\(path): is a FIFO (named pipe), not a regular file; only regular files are read as photos")
  }

  @Test(arguments: ["/dev/zero", "/dev/null", "/dev/full"])
  func aDeviceIsRefusedBeforeAnythingIsRead(device: String) {
    #expect(throws: DecodeError.notAFile(file: device, kind: .characterDevice)) {
      try PhotoDecoder.decode(path: device, options: DecodeOptions(scaleDenominator: 8))
    }
  }

  @Test func aFolderIsRefused() throws {
    let path = try Self.folder()
    #expect(throws: DecodeError.notAFile(file: path, kind: .directory)) { try PhotoDecoder.decode(path: path) }
  }

  // MARK: Size limit

  /// A 48x32 JPEG followed by 6 MiB of garbage: over the 8 bytes per pixel plus 4 MiB that a
  /// photo of at most 1536 pixels may take, so it is refused from its size, unread.
  @Test func aJPEGPaddedWithTrailingGarbageIsRefusedFromItsSize() throws {
    let path = try Self.folder() + "/padded.jpg"
    let padded = Fixtures.bytes("baseline.jpg") + [UInt8](repeating: 0x55, count: 6 << 20)
    try Data(padded).write(to: URL(fileURLWithPath: path))
    let limit = 1536 * 8 + (4 << 20)
    #expect(PhotoDecoder.fileByteLimit(maxPixels: 1536) == limit)
    let refusal = DecodeError.fileTooLarge(file: path, bytes: padded.count, limitBytes: limit, maxPixels: 1536)
    #expect(throws: refusal) { try PhotoDecoder.decode(path: path, options: DecodeOptions(maxPixels: 1536)) }
    #expect(
      refusal.description == "\(path): the file holds 6 MiB, more than the 4 MiB a photo of at most "
        + "1536 pixels may take (8 bytes per pixel plus 4 MiB); it was not read (raise --max-megapixels if the "
        + "photo is that large)")
    // Under the default limit (804 MiB) the same file is a good photo: the limit refused it.
    #expect(try PhotoDecoder.decode(path: path).image.width == 48)
  }

  @Test func theByteLimitFollowsThePixelLimit() {
    #expect(PhotoDecoder.fileByteLimit(maxPixels: 100_000_000) == 800_000_000 + (4 << 20))
    #expect(PhotoDecoder.fileByteLimit(maxPixels: Int.max) == Int.max / 2)
  }

  @Test func readsStopAtTheLimit() throws {
    let path = try Self.folder() + "/ten.bin"
    try Data([UInt8](repeating: 1, count: 10)).write(to: URL(fileURLWithPath: path))
    #expect(try SafeFile.read(path, limitBytes: 10).bytes.count == 10)
    #expect(throws: SafeFileError.tooLarge(file: path, bytes: 10, limitBytes: 9)) {
      try SafeFile.read(path, limitBytes: 9)
    }
  }

  // MARK: Progressive JPEG scans

  /// An 8x8 grey progressive JPEG: one DC scan, then `acScans` identical AC scans (Ss 1, Se
  /// 63, Ah 0, Al 0) of all-zero coefficients. Each repeat is valid (it sets the same
  /// coefficients again), so only the scan cap stops such a file.
  static func progressiveJPEG(acScans: Int) -> [UInt8] {
    func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
      let length = payload.count + 2
      return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }
    let oneCodeTable = [UInt8(1)] + [UInt8](repeating: 0, count: 15) + [0]  // one code "0" for symbol 0
    var bytes: [UInt8] = [0xFF, 0xD8]
    bytes += segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))  // DQT 0, all ones
    bytes += segment(0xC2, [8, 0, 8, 0, 8, 1, 1, 0x11, 0])  // SOF2: 8x8, one component
    bytes += segment(0xC4, [0x00] + oneCodeTable)  // DC table 0
    bytes += segment(0xC4, [0x10] + oneCodeTable)  // AC table 0
    bytes += segment(0xDA, [1, 1, 0x00, 0, 0, 0]) + [0x7F]  // DC scan: difference 0
    for _ in 0..<acScans {
      bytes += segment(0xDA, [1, 1, 0x00, 1, 63, 0]) + [0x7F]  // AC scan: end of band
    }
    return bytes + [0xFF, 0xD9]
  }

  @Test func theScanBombFixtureIsTheSameFile() {
    #expect(Fixtures.bytes("progressive-5000-scans.jpg") == Self.progressiveJPEG(acScans: 5000))
  }

  @Test func aProgressiveJPEGOfOneHundredScansDecodes() throws {
    let photo = try PhotoDecoder.decode(bytes: Self.progressiveJPEG(acScans: 99), name: "scans-100.jpg")
    #expect(photo.image.width == 8 && photo.image.height == 8)
    #expect(PhotoDecoder.maximumJPEGScans == 100)
  }

  @Test(arguments: [100, 5000])
  func aProgressiveJPEGWithMoreScansIsStopped(acScans: Int) throws {
    let bytes = Self.progressiveJPEG(acScans: acScans)
    let started = Date()
    #expect(throws: DecodeError.tooManyScans(file: "many-scans.jpg", limit: 100)) {
      try PhotoDecoder.decode(bytes: bytes, name: "many-scans.jpg")
    }
    #expect(throws: DecodeError.tooManyScans(file: "many-scans.jpg", limit: 100)) {
      try PhotoDecoder.decode(bytes: bytes, name: "many-scans.jpg", region: PixelRect(x: 0, y: 0, width: 4, height: 4))
    }
    #expect(Date().timeIntervalSince(started) < 2)
    #expect(
      DecodeError.tooManyScans(file: "a.jpg", limit: 100).description
        == "a.jpg: the progressive JPEG has more than 100 scans (photos have about 10); refused so that its "
        + "decoding cannot take minutes")
  }

  // MARK: Memory

  @Test func anAllocationTheSystemCannotGiveIsReportedNotAttempted() {
    #expect(CheckedAllocation.isAvailable(bytes: 1 << 20))
    #expect(!CheckedAllocation.isAvailable(bytes: 1 << 60))
    #expect(!CheckedAllocation.isAvailable(bytes: -1))
  }

  // MARK: Messages

  @Test func libjpegsCorruptDataMessageIsNotDoubled() {
    let error = DecodeError.corrupt(file: "a.jpg", format: .jpeg, message: "Corrupt JPEG data: bad Huffman code")
    #expect(error.description == "a.jpg: corrupt JPEG data: bad Huffman code")
    #expect(
      DecodeError.corrupt(file: "b.jpg", format: .jpeg, message: "Bogus marker length").description
        == "b.jpg: corrupt JPEG data: Bogus marker length")
    #expect(
      DecodeError.corrupt(file: "c.png", format: .png, message: "IDAT: CRC error").description
        == "c.png: corrupt PNG data: IDAT: CRC error")
  }

  @Test func theCorruptScanFixtureSaysCorruptOnce() throws {
    let path = Fixtures.path("corrupt-scan.jpg")
    let error = #expect(throws: DecodeError.self) { try PhotoDecoder.decode(path: path) }
    #expect(error?.reason == "corrupt JPEG data: bad Huffman code")
  }

  // MARK: Outputs

  static let image = RGBImage(width: 4, height: 3)

  @Test func anOutputThatIsALinkIsRefusedAndItsTargetKept() throws {
    let folder = try Self.folder()
    let victim = folder + "/victim.txt"
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: victim))
    let output = folder + "/out.png"
    try FileManager.default.createSymbolicLink(atPath: output, withDestinationPath: victim)
    #expect(throws: EncodeError.output(.outputNotRegularFile(file: output, kind: .symbolicLink))) {
      try ImageEncoder.writePNG(Self.image, to: output)
    }
    #expect(Self.contents(victim) == Data("keep me\n".utf8))
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: output) == victim)
    #expect(try Self.names(folder) == ["out.png", "victim.txt"])
  }

  @Test func linksPlantedAtTheOldTemporaryNamesAreNotWrittenThrough() throws {
    let folder = try Self.folder()
    let victim = folder + "/victim.txt"
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: victim))
    let output = folder + "/out.png"
    for name in ["out.png.partial-\(getpid())", "out.png.tmp", ".out.png.tmp"] {
      try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: victim)
    }
    try ImageEncoder.writePNG(Self.image, to: output)
    #expect(Self.contents(victim) == Data("keep me\n".utf8))
    #expect(try PhotoDecoder.decode(path: output).image.width == 4)
    #expect(
      try Self.names(folder)
        == [".out.png.tmp", "out.png", "out.png.partial-\(getpid())", "out.png.tmp", "victim.txt"])
  }

  @Test(arguments: ["/dev/full", "/dev/null"])
  func aDeviceAsTheOutputIsRefusedNotSucceeded(device: String) {
    #expect(throws: EncodeError.output(.outputNotRegularFile(file: device, kind: .characterDevice))) {
      try ImageEncoder.writePNG(Self.image, to: device)
    }
    #expect(SafeFile.status(device, followingLinks: false)?.kind == .characterDevice)
    #expect(
      EncodeError.output(.outputNotRegularFile(file: "/dev/full", kind: .characterDevice)).description
        == "/dev/full: is a character device, not a regular file; outputs are written only as regular files "
        + "(new, or replacing one), never through links or into devices, so nothing was written")
  }

  @Test func anOutputThatIsAnInputIsRefusedHoweverItIsNamed() throws {
    let folder = try Self.folder()
    let input = folder + "/photo.png"
    try ImageEncoder.writePNG(Self.image, to: input)
    let before = Self.contents(input)
    let protected = SafeFile.ProtectedFiles(inputs: [input])
    let hardLink = folder + "/same.png"
    #expect(link(input, hardLink) == 0)
    for output in [input, folder + "/./photo.png", hardLink] {
      #expect(throws: EncodeError.output(.outputIsInput(file: output, input: input))) {
        try ImageEncoder.writePNG(GreyImage(width: 2, height: 2), to: output, protecting: protected)
      }
    }
    #expect(Self.contents(input) == before)
    #expect(try Self.names(folder) == ["photo.png", "same.png"])
  }

  @Test func anOutputNamedLikeATimelineIsRefused() throws {
    let folder = try Self.folder()
    let protected = SafeFile.ProtectedFiles(timelineFolders: [folder])
    let output = folder + "/P001.json"
    #expect(throws: SafeFileError.outputIsTimeline(file: output)) {
      try SafeFile.write([1, 2, 3], to: output, protecting: protected)
    }
    #expect(try Self.names(folder).isEmpty)
    try SafeFile.write([1, 2, 3], to: folder + "/chart.svg", protecting: protected)
    #expect(try Self.names(folder) == ["chart.svg"])
  }

  @Test func aWriteIntoAMissingFolderNamesTheSystemsReason() throws {
    let output = try Self.folder() + "/missing/out.png"
    let error = #expect(throws: EncodeError.self) { try ImageEncoder.writePNG(Self.image, to: output) }
    guard case .output(.system(let file, _, let code)) = error else {
      Issue.record("expected a system error, got \(String(describing: error))")
      return
    }
    #expect(file == output && code == ENOENT)
    #expect(error?.description.hasSuffix(": No such file or directory") == true)
    #expect(error?.description.contains("errno") == false)
  }
}
