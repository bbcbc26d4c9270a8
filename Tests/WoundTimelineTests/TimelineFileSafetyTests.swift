import Foundation
import Testing
import WoundCore

@testable import WoundTimeline

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Hostile files where a timeline, its lock or its temporary file go: FIFOs, devices,
/// planted links and oversized files are refused, and nothing else changes.
@Suite(.serialized) struct TimelineFileSafetyTests {
  /// The names in a directory, sorted.
  private func names(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  private func bytes(_ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path))
  }

  @Test func aFIFOAsTheTimelineIsRefusedWithoutBlocking() throws {
    let directory = try makeTemporaryDirectory()
    let file = directory + "/P001.json"
    #expect(mkfifo(file, 0o644) == 0)
    let store = TimelineStore(directory: directory)
    let refusal = TimelineError.unsafeFile(.notRegularFile(file: file, kind: .fifo))
    #expect(throws: refusal) { try store.load(patient: "P001") }
    #expect(throws: refusal) { try store.append(TimelineEntry._example(index: 1), patient: "P001") }
    #expect(
      refusal.description == "\(file): is a FIFO (named pipe), not a regular file, so it was not used; "
        + "the timeline was left unchanged")
    #expect(SafeFile.status(file, followingLinks: false)?.kind == .fifo)
    #expect(try names(directory) == ["P001.json", "P001.json.lock"])
  }

  @Test func aTimelineLinkedToDevZeroIsRefusedBeforeAnythingIsRead() throws {
    let directory = try makeTemporaryDirectory()
    let file = directory + "/P001.json"
    try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/dev/zero")
    let store = TimelineStore(directory: directory)
    #expect(throws: TimelineError.unsafeFile(.notRegularFile(file: file, kind: .characterDevice))) {
      try store.load(patient: "P001")
    }
    #expect(throws: TimelineError.unsafeFile(.notRegularFile(file: file, kind: .characterDevice))) {
      try store.append(TimelineEntry._example(index: 1), patient: "P001")
    }
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: file) == "/dev/zero")
  }

  @Test func aTimelineAboveTheSizeLimitIsRefusedUnread() throws {
    let directory = try makeTemporaryDirectory()
    let file = directory + "/P001.json"
    // A sparse file: 64 MiB and one byte, without writing them.
    let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    #expect(descriptor >= 0)
    #expect(ftruncate(descriptor, off_t(TimelineStore.maximumFileBytes + 1)) == 0)
    close(descriptor)
    let refusal = TimelineError.unsafeFile(
      .tooLarge(file: file, bytes: TimelineStore.maximumFileBytes + 1, limitBytes: 64 << 20))
    #expect(throws: refusal) { try TimelineStore(directory: directory).load(patient: "P001") }
    #expect(refusal.description.contains("more than the limit of 64 MiB, so it was not read"))
  }

  @Test func aLinkPlantedAtTheOldTemporaryNameIsNotWrittenThrough() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    try store.append(TimelineEntry._example(index: 1), patient: "P001")
    let victim = directory + "/victim.txt"
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: victim))
    try FileManager.default.createSymbolicLink(atPath: directory + "/P001.json.tmp", withDestinationPath: victim)

    try store.append(TimelineEntry._example(index: 2), patient: "P001")

    #expect(try bytes(victim) == Data("keep me\n".utf8))
    #expect(try store.load(patient: "P001").entries.count == 2)
    #expect(SafeFile.status(directory + "/P001.json", followingLinks: false)?.kind == .regular)
    // The write used a fresh temporary name of its own, and left nothing behind.
    #expect(
      try names(directory)
        == [".photo-index", "P001.json", "P001.json.head", "P001.json.lock", "P001.json.tmp", "victim.txt"])
  }

  @Test func aTimelineThatIsALinkIsReadButNeverReplaced() throws {
    let directory = try makeTemporaryDirectory()
    let elsewhere = try makeTemporaryDirectory("elsewhere")
    try TimelineStore(directory: elsewhere).append(TimelineEntry._example(index: 1), patient: "P001")
    let real = elsewhere + "/P001.json"
    let before = try bytes(real)
    let file = directory + "/P001.json"
    try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: real)
    let store = TimelineStore(directory: directory)
    #expect(try store.load(patient: "P001").entries.count == 1)
    #expect(throws: TimelineError.unsafeFile(.outputNotRegularFile(file: file, kind: .symbolicLink))) {
      try store.append(TimelineEntry._example(index: 2), patient: "P001")
    }
    #expect(try bytes(real) == before)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: file) == real)
    #expect(try names(directory) == ["P001.json", "P001.json.lock"])
  }

  @Test func aLinkPlantedAsTheLockFileIsRefused() throws {
    let directory = try makeTemporaryDirectory()
    let lock = directory + "/P001.json.lock"
    let target = directory + "/created-through-the-link"
    try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: target)
    #expect(throws: TimelineError.unsafeFile(.notRegularFile(file: lock, kind: .symbolicLink))) {
      try TimelineStore(directory: directory).append(TimelineEntry._example(index: 1), patient: "P001")
    }
    #expect(!FileManager.default.fileExists(atPath: target))
    #expect(try names(directory) == ["P001.json.lock"])
  }

  @Test func aFIFOAsTheLockFileIsRefusedWithoutBlocking() throws {
    let directory = try makeTemporaryDirectory()
    let lock = directory + "/P001.json.lock"
    #expect(mkfifo(lock, 0o644) == 0)
    #expect(throws: TimelineError.unsafeFile(.notRegularFile(file: lock, kind: .fifo))) {
      try TimelineStore(directory: directory).append(TimelineEntry._example(index: 1), patient: "P001")
    }
    #expect(try names(directory) == ["P001.json.lock"])
  }

  @Test func aTimelineFolderThatIsAFileIsReportedWithTheSystemsMessage() throws {
    let directory = try makeTemporaryDirectory()
    let notAFolder = directory + "/timelines"
    try Data("x".utf8).write(to: URL(fileURLWithPath: notAFolder))
    let error = #expect(throws: TimelineError.self) {
      try TimelineStore(directory: notAFolder).append(TimelineEntry._example(index: 1), patient: "P001")
    }
    #expect(error == .writeFailed(file: notAFolder, operation: "mkdir", errno: ENOTDIR))
    #expect(error?.description == "\(notAFolder): mkdir failed: Not a directory; the timeline was left unchanged")
    #expect(try bytes(notAFolder) == Data("x".utf8))
  }

  @Test func systemErrorsAreReportedWithStrerrorText() {
    #expect(
      TimelineError.writeFailed(file: "t/P001.json", operation: "write", errno: ENOSPC).description
        == "t/P001.json: write failed: No space left on device; the timeline was left unchanged")
    #expect(
      TimelineError.unreadable(file: "t/P001.json", errno: EACCES).description
        == "t/P001.json: cannot be read: Permission denied")
    #expect(
      TimelineError.lockFailed(file: "t/P001.json.lock", errno: EROFS).description
        == "t/P001.json.lock: cannot take the lock: Read-only file system")
    for error in [TimelineError.writeFailed(file: "a", operation: "write", errno: ENOSPC)] {
      #expect(!error.description.contains("errno"))
    }
  }

  @Test func identifiersMustStartWithALetterOrDigit() {
    #expect(SafeIdentifier.problem(with: "-rf") == .startsWithSymbol("-"))
    #expect(SafeIdentifier.problem(with: "--help") == .startsWithSymbol("-"))
    #expect(
      TimelineError.invalidPatientID("-rf", .startsWithSymbol("-")).description
        == "invalid patient ID '-rf': starts with '-'; use 1-64 characters from A-Z a-z 0-9 . _ -, "
        + "starting with a letter or digit")
    #expect(throws: TimelineError.invalidWoundSite("-heel", .startsWithSymbol("-"))) {
      try SafeIdentifier.checkWoundSite("-heel")
    }
    #expect(SafeIdentifier.problem(with: "0heel") == nil)
  }
}
