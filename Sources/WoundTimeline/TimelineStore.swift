import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The per-patient timeline files in one directory.
///
/// Each patient has `<directory>/<patient>.json` and a lock file
/// `<patient>.json.lock` beside it. Appending takes an exclusive `flock` on
/// the lock file, reads and checks the current file, writes the new contents
/// to `<patient>.json.tmp` in the same directory, `fsync`s it, `rename`s it
/// over the old file and `fsync`s the directory. A reader therefore sees the
/// old file or the new one, never a mixture, and a writer killed at any point
/// leaves a complete file. A file that does not parse, has a newer schema
/// version or a broken hash chain is never overwritten.
///
/// Readers take no lock. The lock file is never deleted (deleting it would let
/// two writers lock different files).
public struct TimelineStore: Sendable {
  /// The directory holding the timelines.
  public let directory: String

  /// A store over `directory` (created on the first append).
  public init(directory: String) {
    self.directory = directory
  }

  /// The path of a patient's timeline file.
  ///
  /// - Throws: ``TimelineError/invalidPatientID(_:_:)`` for an unsafe ID.
  public func path(patient: String) throws(TimelineError) -> String {
    try SafeIdentifier.checkPatient(patient)
    return (directory as NSString).appendingPathComponent(patient + ".json")
  }

  /// Reads and checks a patient's timeline.
  ///
  /// - Parameter verifyingChain: also check the hash chain (default).
  /// - Throws: ``TimelineError/notFound(file:)`` when the patient has no file,
  ///   and the errors of ``read(file:verifyingChain:)``.
  public func load(patient: String, verifyingChain: Bool = true) throws(TimelineError) -> Timeline {
    let file = try path(patient: patient)
    let timeline = try Self.read(file: file, verifyingChain: verifyingChain)
    if timeline.patient != patient {
      throw .patientMismatch(file: file, expected: patient, found: timeline.patient)
    }
    return timeline
  }

  /// Reads and checks one timeline file, wherever it is.
  ///
  /// - Throws: ``TimelineError/notFound(file:)``, ``TimelineError/unreadable(file:errno:)``,
  ///   the errors of ``Timeline/decode(_:file:)`` and, when `verifyingChain`,
  ///   ``TimelineError/brokenChain(file:index:_:)``.
  public static func read(file: String, verifyingChain: Bool = true) throws(TimelineError) -> Timeline {
    guard let data = try readIfPresent(file: file) else { throw .notFound(file: file) }
    let timeline = try Timeline.decode(data, file: file)
    if verifyingChain { try timeline.verifyChain(file: file) }
    return timeline
  }

  /// Checks a patient's hash chain; see ``Timeline/verifyChain(file:)``.
  public func verifyChain(patient: String) throws(TimelineError) {
    _ = try load(patient: patient, verifyingChain: true)
  }

  /// Whether the patient's timeline already holds a photo with this SHA-256
  /// (optionally at one wound site), so that a batch run can skip it.
  ///
  /// A patient without a timeline holds no photo.
  public func contains(photoSha256: String, patient: String, woundSite: String? = nil) throws(TimelineError)
    -> Bool
  {
    let timeline: Timeline
    do {
      timeline = try load(patient: patient, verifyingChain: false)
    } catch .notFound {
      return false
    }
    return timeline.entries.contains {
      $0.photo.sha256 == photoSha256 && (woundSite == nil || $0.woundSite == woundSite)
    }
  }

  /// The patients with a timeline file in the directory, sorted.
  public func patients() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
      .filter { SafeIdentifier.problem(with: $0) == nil }.sorted()
  }

  /// Appends an entry to a patient's timeline, creating the file (and the
  /// directory) when needed.
  ///
  /// The entry's `id`, `previousHash` and `hash` are computed here and its
  /// times truncated to whole seconds; whatever the caller set is replaced.
  /// Safe against concurrent appends from other threads and processes.
  ///
  /// - Returns: the entry as written.
  /// - Throws: ``TimelineError/invalidPatientID(_:_:)``,
  ///   ``TimelineError/invalidWoundSite(_:_:)``, any error of reading and
  ///   checking the current file (which is then left byte-for-byte
  ///   unchanged), ``TimelineError/lockFailed(file:errno:)`` and
  ///   ``TimelineError/writeFailed(file:operation:errno:)``.
  @discardableResult
  public func append(_ entry: TimelineEntry, patient: String) throws(TimelineError) -> TimelineEntry {
    let file = try path(patient: patient)
    try SafeIdentifier.checkWoundSite(entry.woundSite)
    try Self.makeDirectory(directory)
    let lock = try FileLock(path: file + ".lock")
    defer { lock.release() }

    var timeline: Timeline
    if let data = try Self.readIfPresent(file: file) {
      timeline = try Timeline.decode(data, file: file)
      if timeline.patient != patient {
        throw .patientMismatch(file: file, expected: patient, found: timeline.patient)
      }
      try timeline.verifyChain(file: file)
    } else {
      timeline = Timeline(patient: patient)
    }
    let sealed = try entry.sealed(previousHash: timeline.lastHash)
    timeline.entries.append(sealed)
    try Self.replaceAtomically(file: file, with: try timeline.encoded(), directory: directory)
    return sealed
  }

  // MARK: File system

  /// The file's bytes, or `nil` when it does not exist.
  ///
  /// The file must be a regular file (a FIFO or device is refused without blocking) of at
  /// most ``maximumFileBytes``; see ``TimelineFiles/readIfPresent(file:)``.
  static func readIfPresent(file: String) throws(TimelineError) -> Data? {
    try TimelineFiles.readIfPresent(file: file)
  }

  static func makeDirectory(_ directory: String) throws(TimelineError) {
    try TimelineFiles.makeDirectory(directory)
  }

  /// Writes `data` to a fresh temporary file `.<name>.<random>.tmp` beside `file` (created
  /// with `O_EXCL | O_NOFOLLOW`), flushes it, renames it over `file` and flushes the
  /// directory. A `file` that is a link, a FIFO or a device is refused, never written through.
  static func replaceAtomically(file: String, with data: Data, directory: String) throws(TimelineError) {
    try TimelineFiles.replace(file: file, with: data)
  }
}

/// `read(2)`, named apart from ``TimelineStore/read(file:verifyingChain:)``.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

/// An exclusive `flock` on a lock file, held until ``release()``.
///
/// Not `Sendable`: one owner takes and releases it.
struct FileLock {
  private let fd: Int32

  /// Opens (creating if needed) `path` and waits for an exclusive lock on it.
  init(path: String) throws(TimelineError) {
    // Never through a link; a FIFO or device under the lock's name is refused.
    let fd = try TimelineFiles.openLock(path)
    while flock(fd, LOCK_EX) != 0 {
      if errno == EINTR { continue }
      let code = errno
      close(fd)
      throw .lockFailed(file: path, errno: code)
    }
    self.fd = fd
  }

  /// Releases the lock (closing the descriptor releases it).
  func release() {
    close(fd)
  }
}
