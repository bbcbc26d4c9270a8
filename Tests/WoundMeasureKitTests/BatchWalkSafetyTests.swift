import Foundation
import Testing

@testable import WoundMeasureKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The batch walk on hostile folders: links that loop, links to folders already walked, and
/// special files named like photos.
@Suite struct BatchWalkSafetyTests {
  /// A batch folder with `P1/heel/a.jpg` (a regular file), removed by the caller.
  static func batchFolder() throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wm-walk-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root + "/P1/heel", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: root + "/P1/heel/a.jpg", contents: Data([1, 2, 3]))
    return root
  }

  @Test func twoLinksToTheFolderItselfAddNothingAndEndAtOnce() throws {
    let root = try Self.batchFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createSymbolicLink(atPath: root + "/loop1", withDestinationPath: ".")
    try FileManager.default.createSymbolicLink(atPath: root + "/loop2", withDestinationPath: ".")
    try FileManager.default.createSymbolicLink(atPath: root + "/P1/heel/up", withDestinationPath: "../..")
    let started = Date()
    #expect(try BatchPlan.findPhotos(in: root) == ["P1/heel/a.jpg"])
    #expect(Date().timeIntervalSince(started) < 1)
  }

  @Test func aLinkedFolderIsWalkedOnceUnderItsShallowestName() throws {
    let root = try Self.batchFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let outside = FileManager.default.temporaryDirectory.appendingPathComponent("wm-walk-out-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: outside) }
    try FileManager.default.createDirectory(atPath: outside + "/knee", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: outside + "/knee/b.png", contents: Data([1]))
    try FileManager.default.createSymbolicLink(atPath: root + "/P2", withDestinationPath: outside)
    try FileManager.default.createSymbolicLink(atPath: root + "/P1/heel/again", withDestinationPath: outside)
    #expect(try BatchPlan.findPhotos(in: root) == ["P1/heel/a.jpg", "P2/knee/b.png"])
  }

  @Test func aFIFONamedLikeAPhotoIsRefusedAndTheWalkGoesOn() throws {
    let root = try Self.batchFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    #expect(mkfifo(root + "/P1/heel/f.jpg", 0o644) == 0)
    #expect(mkfifo(root + "/P1/heel/notes.txt", 0o644) == 0)  // not named like a photo: not mentioned
    try FileManager.default.createSymbolicLink(atPath: root + "/P1/heel/z.jpg", withDestinationPath: "/dev/zero")
    let (items, problems) = try BatchPlan.fromLayout(folder: root)
    #expect(items.map(\.relativePath) == ["P1/heel/a.jpg"])
    #expect(
      problems.map(\.reason) == [
        "\(root)/P1/heel/f.jpg: is a FIFO (named pipe), not a regular file; skipped (only regular files are read)",
        "\(root)/P1/heel/z.jpg: is a character device, not a regular file; skipped (only regular files are read)",
      ])
  }

  @Test func aManifestThatIsAFIFOIsRefusedWithoutBlocking() throws {
    let root = try Self.batchFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let manifest = root + "/m.csv"
    #expect(mkfifo(manifest, 0o644) == 0)
    #expect(
      throws: BatchPlanError.unreadableManifest(
        file: manifest, reason: "is a FIFO (named pipe), not a regular file, so it was not used")
    ) {
      try BatchPlan.fromManifest(file: manifest, folder: root)
    }
    #expect(throws: BatchPlanError.unreadableManifest(file: root + "/none.csv", reason: "No such file or directory")) {
      try BatchPlan.fromManifest(file: root + "/none.csv", folder: root)
    }
    #expect(
      BatchPlanError.unreadableManifest(file: "m.csv", reason: "No such file or directory").description
        == "m.csv: cannot read the manifest: No such file or directory")
  }

  @Test func impossibleEXIFDatesAreReportedAsSuch() {
    let mtime = TakenTime(date: Date(timeIntervalSince1970: 0), source: .mtime)
    #expect(mtime.warning(exifCaptureTime: "2026:02:30 10:00:00")?.code == .takenTimeUnknown)
    #expect(
      mtime.warning(exifCaptureTime: "2026:02:30 10:00:00")?.message
        == "TAKEN TIME UNKNOWN: the photo's EXIF capture time '2026:02:30 10:00:00' is not a possible date and the "
        + "file name holds none; using the file's modification time 1970-01-01T00:00:00Z, which changes with every "
        + "copy and bends every healing rate (set it with --taken, or the taken column of a batch manifest)")
    #expect(
      mtime.warning(exifCaptureTime: nil)?.message.hasPrefix(
        "TAKEN TIME UNKNOWN: no capture time in the photo's EXIF or file name")
        == true)
    #expect(
      mtime.warning(exifCaptureTime: "0000:00:00 00:00:00")?.message.hasPrefix("TAKEN TIME UNKNOWN: no capture time")
        == true)
    let named = TakenTime(date: Date(timeIntervalSince1970: 0), source: .filename)
    #expect(named.warning(exifCaptureTime: "2026:13:01 10:00:00")?.code == .impossibleCaptureTime)
    #expect(
      named.warning(exifCaptureTime: "2026:13:01 10:00:00")?.message.contains(
        "is not a possible date; using the date "
          + "in the file name") == true)
    #expect(named.warning(exifCaptureTime: nil) == nil)
    #expect(TakenTime(date: Date(), source: .exif).warning(exifCaptureTime: "2026:03:14 10:00:00") == nil)
  }
}
