import FoundationEssentials
import WoundCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The per-patient timeline files in one directory.
///
/// Each patient has `<directory>/<patient>.json`, its head
/// `<patient>.json.head` (see ``Head``) and a lock file `<patient>.json.lock`
/// beside it; `.photo-index/` records which patients hold each photo. Appending takes an exclusive `flock` on
/// the lock file, reads and checks the current file, writes the new contents
/// to a fresh `.<patient>.json.<random>.tmp` in the same directory (never
/// through a link), `fsync`s it, `rename`s it
/// over the old file and `fsync`s the directory. A reader therefore sees the
/// old file or the new one, never a mixture, and a writer killed at any point
/// leaves a complete file. A file that does not parse, has a newer schema
/// version or a broken hash chain is never overwritten.
///
/// Readers take no lock. The lock file is never deleted (deleting it would let
/// two writers lock different files).
package struct TimelineStore: Sendable {
  /// The directory holding the timelines.
  package let directory: String

  /// A store over `directory` (created on the first append).
  package init(directory: String) {
    self.directory = directory
  }

  /// The path of a patient's timeline file.
  ///
  /// - Throws: ``TimelineError/invalidPatientID(_:_:)`` for an unsafe ID.
  package func path(patient: String) throws(TimelineError) -> String {
    try SafeIdentifier.checkPatient(patient)
    return PathName.join(directory, patient + ".json")
  }

  /// Reads and checks a patient's timeline.
  ///
  /// - Parameter verifyingChain: also check the hash chain (default).
  /// - Throws: ``TimelineError/notFound(file:)`` when the patient has no file,
  ///   and the errors of ``read(file:verifyingChain:)``.
  package func load(patient: String, verifyingChain: Bool = true) throws(TimelineError) -> Timeline {
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
  package static func read(file: String, verifyingChain: Bool = true) throws(TimelineError) -> Timeline {
    guard let data = try readIfPresent(file: file) else { throw .notFound(file: file) }
    let timeline = try Timeline.decode(data, file: file)
    if verifyingChain { try timeline.verifyChain(file: file) }
    return timeline
  }

  /// The patients with a timeline file in the directory, sorted.
  package func patients() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
      .filter { SafeIdentifier.problem(with: $0) == nil }.sorted()
  }

  /// Appends an entry to a patient's timeline, creating the file (and the
  /// directory) when needed.
  ///
  /// Inside the patient's lock, before anything is written, the store checks:
  /// the file reads, its chain holds and it is not shorter than its head
  /// (`<patient>.json.head`, see ``Head``); the entry is for this patient; a
  /// measurement's photo is not already standing in the timeline (a deliberate
  /// re-measure is an amendment) nor recorded for another patient of the folder
  /// (unless `allowSharedPhoto`); an amendment or void names an entry of the
  /// timeline that was not withdrawn, and an amendment measures the same photo.
  ///
  /// The entry's `id`, `previousHash`, `hash` and `patient` are set here and its
  /// times truncated to whole seconds; whatever the caller set is replaced.
  /// Safe against concurrent appends from other threads and processes.
  ///
  /// - Returns: the entry as written.
  /// - Throws: ``TimelineError``; the files are then left byte-for-byte unchanged.
  @discardableResult
  package func append(_ entry: TimelineEntry, patient: String, allowSharedPhoto: Bool = false) throws(TimelineError)
    -> TimelineEntry
  {
    let file = try path(patient: patient)
    try SafeIdentifier.checkWoundSite(entry.woundSite)
    if let found = entry.patient, found != patient {
      throw .entryPatientMismatch(file: file, expected: patient, found: found)
    }
    try Self.makeDirectory(directory)
    let lock = try FileLock(path: file + ".lock")
    defer { lock.release() }

    let state = try LockedFiles(store: self, file: file)
    if let appended = try appendWithoutParsing(
      entry, file: file, patient: patient, allowSharedPhoto: allowSharedPhoto, state: state)
    {
      return appended
    }
    var timeline = try checkedTimeline(file: file, patient: patient, state: state)
    var entry = entry
    entry.patient = patient
    let sha = entry.photo.sha256
    switch entry.effectiveKind {
    case .measurement:
      if let standing = timeline.standingEntries().first(where: { $0.photo.sha256 == sha }) {
        throw .duplicatePhoto(file: file, sha256: sha, entryId: standing.id)
      }
      if !allowSharedPhoto {
        let others = photoIndexPatients(sha256: sha).filter { $0 != patient }
        if !others.isEmpty { throw .photoOfAnotherPatient(sha256: sha, patients: others) }
      }
    case .amendment, .void:
      let targetId = entry.amends?.entryId ?? ""
      guard let target = timeline.entry(id: targetId), target.effectiveKind != .void else {
        throw .unknownEntry(file: file, entryId: targetId)
      }
      switch timeline.statuses()[targetId] {
      case .voided(let by)?: throw .entryAlreadyVoided(file: file, entryId: targetId, voidedBy: by)
      case .orphan?, .withdrawal?, nil: throw .unknownEntry(file: file, entryId: targetId)
      case .standing?, .superseded?: break
      }
      if target.photo.sha256 != sha {
        throw .amendmentPhotoDiffers(
          file: file, entryId: targetId, recordedSha256: target.photo.sha256, givenSha256: sha)
      }
    }
    let sealed = try entry.sealed(previousHash: timeline.lastHash)
    timeline.entries.append(sealed)
    timeline.schemaVersion = Timeline.currentSchemaVersion  // a version 1 file grows into version 2
    let bytes = try timeline.encoded()
    try Self.replaceAtomically(file: file, with: bytes, directory: directory)
    try writeHead(of: timeline, file: file, bytes: bytes)
    // The folder's photo index: which patients hold a standing entry of each photo.
    let standing = timeline.standingEntries().first { $0.photo.sha256 == sha }
    updatePhotoIndex(sha256: sha, patient: patient, standingEntryId: standing?.id)
    return sealed
  }

  /// The append of a new measurement when the file's bytes are exactly those the store
  /// last wrote (their SHA-256 is the head's): the entry's JSON is inserted after the last
  /// entry's without parsing the file, so an append costs reading, hashing and writing the
  /// bytes, not decoding and encoding every entry. The duplicate checks use the photo
  /// index. Returns `nil` (the caller takes the full path) for an amendment or void, a
  /// file without such a head, an index marker without its entry id, or a layout it does
  /// not recognise.
  func appendWithoutParsing(
    _ entry: TimelineEntry, file: String, patient: String, allowSharedPhoto: Bool, state: LockedFiles
  ) throws(TimelineError) -> TimelineEntry? {
    guard entry.effectiveKind == .measurement, state.bytesAreTheHeads, let head = state.head, head.entries > 0,
      let data = state.data
    else { return nil }
    let sha = entry.photo.sha256
    let holders = photoIndexPatients(sha256: sha)
    if holders.contains(patient) {
      guard let standingId = photoIndexEntry(sha256: sha, patient: patient) else { return nil }
      throw .duplicatePhoto(file: file, sha256: sha, entryId: standingId)
    }
    if !allowSharedPhoto, !holders.isEmpty { throw .photoOfAnotherPatient(sha256: sha, patients: holders) }
    var entry = entry
    entry.patient = patient
    let sealed = try entry.sealed(previousHash: head.lastHash)
    // `..."  }\n  ],\n  "patient" : ...`: the entries array ends right before the patient key.
    let end = Array("\n  ],\n  \"patient\" : ".utf8)
    guard let insertAt = Self.lastOffset(of: end, in: data) else { return nil }
    let encoded: Data
    do {
      encoded = try TimelineJSON.fileEncoder().encode(sealed)
    } catch {
      throw .unencodableEntry(reason: TimelineJSON.describe(error))
    }
    var inserted = Data(",\n    ".utf8)
    for byte in encoded {
      inserted.append(byte)
      if byte == UInt8(ascii: "\n") { inserted.append(contentsOf: Array("    ".utf8)) }
    }
    var bytes = data
    bytes.replaceSubrange(insertAt..<insertAt, with: inserted)
    try Self.replaceAtomically(file: file, with: bytes, directory: directory)
    let newHead = Head(
      patient: patient, entries: head.entries + 1, lastHash: sealed.hash, updatedAt: TimelineJSON.wholeSeconds(Date()),
      fileSha256: sha256Hex(bytes))
    try writeHead(newHead, file: file)
    updatePhotoIndex(sha256: sha, patient: patient, standingEntryId: sealed.id)
    return sealed
  }

  /// Starts a patient's timeline anew after it was found damaged (or missing while its
  /// head remains), keeping the evidence.
  ///
  /// The damaged file is kept byte for byte as `<patient>.json.damaged-<UTC time>`
  /// (never overwriting anything); the new timeline holds a ``Timeline/Recovery``
  /// record with that file's SHA-256, the problem found and the operator's reason,
  /// and its first entry will link to that record's hash.
  ///
  /// - Throws: ``TimelineError/nothingToRecover(file:)`` when the timeline reads and
  ///   verifies, and the store's write errors.
  @discardableResult
  package func recover(patient: String, reason: String, recordedBy: TimelineEntry.Attribution, at date: Date = Date())
    throws(TimelineError) -> Timeline.Recovery
  {
    let file = try path(patient: patient)
    try Self.makeDirectory(directory)
    let lock = try FileLock(path: file + ".lock")
    defer { lock.release() }
    let state = try LockedFiles(store: self, file: file)
    let problem: String
    do throws(TimelineError) {
      _ = try checkedTimeline(file: file, patient: patient, state: state)
      throw state.data != nil ? TimelineError.nothingToRecover(file: file) : TimelineError.notFound(file: file)
    } catch .nothingToRecover(let file) {
      throw .nothingToRecover(file: file)
    } catch .notFound(let file) {
      throw .notFound(file: file)
    } catch {
      problem = error.description
    }
    let bytes = state.data
    let stamp = UTCTime.compact(date)
    var keptName = ""
    if bytes != nil {
      keptName = PathName.last(of: file) + ".damaged-" + stamp
      let kept = PathName.join(directory, keptName)
      // link() never replaces an existing name; the damaged bytes stay as they are.
      if link(file, kept) != 0 { throw .writeFailed(file: kept, operation: "link", errno: errno) }
      if unlink(file) != 0 { throw .writeFailed(file: file, operation: "unlink", errno: errno) }
    }
    var recovery = Timeline.Recovery(
      damagedFileName: keptName, damagedSha256: bytes.map { sha256Hex($0) } ?? "",
      damagedByteSize: bytes?.count ?? 0, problem: problem, reason: reason,
      recordedAt: TimelineJSON.wholeSeconds(date), recordedBy: recordedBy)
    recovery.hash = try recovery.computedHash()
    let timeline = Timeline(patient: patient, entries: [], recovery: recovery)
    let newBytes = try timeline.encoded()
    try Self.replaceAtomically(file: file, with: newBytes, directory: directory)
    try writeHead(of: timeline, file: file, bytes: newBytes)
    return recovery
  }

  /// A timeline's bytes and head, read once with the patient's lock held.
  struct LockedFiles {
    var head: Head?
    /// The timeline's bytes, `nil` when there is no file.
    var data: Data?
    /// The bytes are exactly those the store last wrote: their SHA-256 is the head's.
    var bytesAreTheHeads: Bool

    init(store: TimelineStore, file: String) throws(TimelineError) {
      head = try store.readHead(file: file)
      data = try TimelineStore.readIfPresent(file: file)
      let sha = data.map { sha256Hex($0) }
      bytesAreTheHeads = sha != nil && head?.fileSha256 == sha
    }
  }

  /// The patient's timeline for a change, from the bytes read with the lock held: the
  /// file must decode, hold this patient, verify and agree with its head. A missing file
  /// gives an empty timeline, unless its head shows it existed.
  func checkedTimeline(file: String, patient: String, state: LockedFiles) throws(TimelineError) -> Timeline {
    let head = state.head
    guard let data = state.data else {
      if let head, head.entries > 0 || head.lastHash != Timeline.genesisHash {
        throw .missingButHeadExists(file: file, headFile: file + ".head", headEntries: head.entries)
      }
      return Timeline(patient: patient)
    }
    // Bytes exactly as the store last wrote them (their SHA-256 is the head's) were checked
    // when they were written: the chain and the strict reading are not done again, so an
    // append costs hashing the file's bytes rather than re-encoding every entry. Any other
    // bytes (edited, or from an older version without that field) get every check.
    let known = state.bytesAreTheHeads
    let timeline = try Timeline.decode(data, file: file, strict: !known)
    if timeline.patient != patient {
      throw .patientMismatch(file: file, expected: patient, found: timeline.patient)
    }
    if !known { try timeline.verifyChain(file: file) }
    if let moved = timeline.entries.first(where: { $0.patient != nil && $0.patient != patient }) {
      throw .entryPatientMismatch(file: file, expected: patient, found: moved.patient ?? "")
    }
    if let head, head.mismatch(with: timeline) != nil {
      throw .headMismatch(
        file: file, headFile: file + ".head", headEntries: head.entries, headLastHash: head.lastHash,
        fileEntries: timeline.entries.count)
    }
    return timeline
  }

  /// Writes a timeline of `entries` (sealed here, in order) and its head in one go, for
  /// benchmarks and tests that need a long timeline quickly (test hook).
  package func _seed(patient: String, entries: [TimelineEntry]) throws(TimelineError) {
    let file = try path(patient: patient)
    try Self.makeDirectory(directory)
    var timeline = Timeline(patient: patient)
    for var entry in entries {
      entry.patient = patient
      timeline.entries.append(try entry.sealed(previousHash: timeline.lastHash))
    }
    let bytes = try timeline.encoded()
    try Self.replaceAtomically(file: file, with: bytes, directory: directory)
    try writeHead(of: timeline, file: file, bytes: bytes)
  }

  // MARK: Head

  /// The chain's head, kept beside the timeline in `<patient>.json.head` and
  /// rewritten (atomically, under the patient's lock) after every append: the
  /// number of entries and the last hash. A timeline shorter than its head, or
  /// whose entry at the head's position has another hash, had entries deleted or
  /// was replaced. A head behind the file (an append interrupted between the two
  /// renames) is brought forward by the next append and reported by `audit`.
  package struct Head: Sendable, Equatable, Codable {
    package var patient: String
    package var entries: Int
    package var lastHash: String
    package var updatedAt: Date
    /// SHA-256 of the timeline file's bytes as the store wrote them (absent in heads of
    /// earlier versions).
    package var fileSha256: String?

    /// Why `timeline` disagrees with this head, or `nil` when it holds the head's
    /// entries (possibly more).
    package func mismatch(with timeline: Timeline) -> String? {
      if entries > timeline.entries.count {
        return "holds \(timeline.entries.count) entries, its head records \(entries)"
      }
      let hashAtHead = entries == 0 ? timeline.chainStart : timeline.entries[entries - 1].hash
      if hashAtHead != lastHash {
        return "entry \(entries) has hash \(hashAtHead.prefix(16))..., its head records \(lastHash.prefix(16))..."
      }
      return nil
    }
  }

  /// The patient's head, or `nil` when none was written (timelines older than heads).
  package func head(patient: String) throws(TimelineError) -> Head? {
    try readHead(file: try path(patient: patient))
  }

  func readHead(file: String) throws(TimelineError) -> Head? {
    guard let data = try Self.readIfPresent(file: file + ".head") else { return nil }
    do {
      return try TimelineJSON.decoder().decode(Head.self, from: data)
    } catch {
      throw .malformed(file: file + ".head", reason: TimelineJSON.describe(error))
    }
  }

  func writeHead(of timeline: Timeline, file: String, bytes: Data) throws(TimelineError) {
    try writeHead(
      Head(
        patient: timeline.patient, entries: timeline.entries.count, lastHash: timeline.lastHash,
        updatedAt: TimelineJSON.wholeSeconds(Date()), fileSha256: sha256Hex(bytes)),
      file: file)
  }

  func writeHead(_ head: Head, file: String) throws(TimelineError) {
    let data: Data
    do {
      data = try TimelineJSON.fileEncoder().encode(head) + Data([0x0A])
    } catch {
      throw .unencodableEntry(reason: TimelineJSON.describe(error))
    }
    try Self.replaceAtomically(file: file + ".head", with: data, directory: directory)
  }

  // MARK: Photo index

  /// The folder of the photo index: `<directory>/.photo-index/<sha256>/<patient>`,
  /// one empty file per patient holding a standing entry of that photo.
  var photoIndexDirectory: String { PathName.join(directory, ".photo-index") }

  /// The patients of this folder with a standing entry of the photo, sorted.
  package func photoIndexPatients(sha256: String) -> [String] {
    guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return [] }
    let folder = PathName.join(photoIndexDirectory, sha256)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { SafeIdentifier.problem(with: $0) == nil }.sorted()
  }

  /// Records (or, with `nil`, removes) the patient's standing entry of a photo: the marker
  /// file holds that entry's id.
  func updatePhotoIndex(sha256: String, patient: String, standingEntryId: String?) {
    guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return }
    let folder = PathName.join(photoIndexDirectory, sha256)
    let marker = PathName.join(folder, patient)
    if let standingEntryId {
      try? Self.makeDirectory(folder)
      try? Self.replaceAtomically(file: marker, with: Data((standingEntryId + "\n").utf8), directory: folder)
    } else {
      unlink(marker)
    }
  }

  /// The id of the patient's standing entry of a photo, as the index records it.
  func photoIndexEntry(sha256: String, patient: String) -> String? {
    let marker = PathName.join(PathName.join(photoIndexDirectory, sha256), patient)
    guard let data = try? Self.readIfPresent(file: marker) else { return nil }
    let id = String(decoding: data, as: UTF8.self).trimmingWhitespace()
    return id.count == 16 && id.allSatisfy(\.isHexDigit) ? id : nil
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

extension TimelineStore {
  /// Where the last occurrence of `pattern` starts in `data`, as an index of `data`.
  static func lastOffset(of pattern: [UInt8], in data: Data) -> Data.Index? {
    guard !pattern.isEmpty, data.count >= pattern.count else { return nil }
    var start = data.endIndex - pattern.count
    while start >= data.startIndex {
      if data[start..<start + pattern.count].elementsEqual(pattern) { return start }
      start -= 1
    }
    return nil
  }
}
