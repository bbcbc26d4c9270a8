import FoundationEssentials
import WoundCore

/// A patient's timeline: the contents of `<directory>/<patient>.json`.
///
/// The file is read in two steps: a header holding only `schemaVersion`,
/// then the body of that version. A file from a newer woundmeasure is refused,
/// never rewritten. See `docs/timeline.md` and `schemas/timeline-v1.schema.json`.
package struct Timeline: Sendable, Equatable, Codable {
  /// The schema version this woundmeasure writes and the newest it reads.
  /// Version 1 files are read as they are and become version 2 on the next append
  /// (their entries keep their bytes and hashes).
  package static let currentSchemaVersion = 2
  /// The `previousHash` of a timeline's first entry: 64 zeros.
  package static let genesisHash = String(repeating: "0", count: 64)

  /// The version of the file's layout; 1 for this woundmeasure.
  package var schemaVersion: Int
  /// The patient ID, the same as the file name without `.json`.
  package var patient: String
  /// The entries, in the order they were appended.
  package var entries: [TimelineEntry]
  /// Set when this timeline was started anew after its predecessor was found
  /// damaged: the damaged file's identity and the reason. The first entry links to
  /// its ``Recovery/hash`` instead of the genesis hash.
  package var recovery: Recovery?

  package init(patient: String, entries: [TimelineEntry] = [], recovery: Recovery? = nil) {
    self.schemaVersion = Self.currentSchemaVersion
    self.patient = patient
    self.entries = entries
    self.recovery = recovery
  }

  /// The record that starts a timeline anew after a damaged one (`amend --recover`).
  ///
  /// The damaged file is kept byte for byte beside the new one under
  /// ``damagedFileName``; its SHA-256 is recorded here and hashed into the chain.
  package struct Recovery: Sendable, Equatable, Codable {
    /// The name the damaged file was kept under, in the timeline folder.
    package var damagedFileName: String
    /// SHA-256 of the damaged file's bytes.
    package var damagedSha256: String
    /// Size of the damaged file, bytes.
    package var damagedByteSize: Int
    /// Why it could not be used, as the store found it.
    package var problem: String
    /// The operator's reason.
    package var reason: String
    /// When the new timeline was started (UTC, whole seconds).
    package var recordedAt: Date
    package var recordedBy: TimelineEntry.Attribution
    /// SHA-256 of the canonical JSON of this record without `hash`.
    package var hash: String

    package init(
      damagedFileName: String, damagedSha256: String, damagedByteSize: Int, problem: String, reason: String,
      recordedAt: Date, recordedBy: TimelineEntry.Attribution, hash: String = ""
    ) {
      self.damagedFileName = damagedFileName
      self.damagedSha256 = damagedSha256
      self.damagedByteSize = damagedByteSize
      self.problem = problem
      self.reason = reason
      self.recordedAt = recordedAt
      self.recordedBy = recordedBy
      self.hash = hash
    }

    /// The SHA-256 of this record's canonical JSON (sorted keys, no whitespace) without `hash`.
    package func computedHash() throws(TimelineError) -> String {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      encoder.dateEncodingStrategy = .iso8601
      encoder.userInfo[TimelineJSON.omittingHash] = true
      do {
        return sha256Hex(try encoder.encode(self))
      } catch {
        throw .unencodableEntry(reason: TimelineJSON.describe(error))
      }
    }

    enum CodingKeys: String, CodingKey {
      case damagedFileName, damagedSha256, damagedByteSize, problem, reason, recordedAt, recordedBy, hash
    }

    package func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(damagedFileName, forKey: .damagedFileName)
      try container.encode(damagedSha256, forKey: .damagedSha256)
      try container.encode(damagedByteSize, forKey: .damagedByteSize)
      try container.encode(problem, forKey: .problem)
      try container.encode(reason, forKey: .reason)
      try container.encode(recordedAt, forKey: .recordedAt)
      try container.encode(recordedBy, forKey: .recordedBy)
      if encoder.userInfo[TimelineJSON.omittingHash] as? Bool != true { try container.encode(hash, forKey: .hash) }
    }
  }

  /// The hash the first entry links to: the recovery record's, or 64 zeros.
  package var chainStart: String { recovery?.hash ?? Self.genesisHash }

  /// The wound sites in order of first appearance.
  package var woundSites: [String] {
    var seen = Set<String>()
    return entries.map(\.woundSite).filter { seen.insert($0).inserted }
  }
}

/// The part of every timeline file that all versions share.
struct TimelineHeader: Decodable {
  var schemaVersion: Int
}

extension Timeline {
  /// Parses a timeline file's bytes: header first, then the versioned body.
  ///
  /// - Parameter file: the file's path, for error messages.
  /// - Throws: ``TimelineError/malformed(file:reason:)`` for invalid JSON or a
  ///   missing field, ``TimelineError/newerSchemaVersion(file:found:supported:)``
  ///   for a version above ``currentSchemaVersion``, and
  ///   ``TimelineError/invalidSchemaVersion(file:found:)`` below 1.
  package static func decode(_ data: Data, file: String) throws(TimelineError) -> Timeline {
    try decode(data, file: file, strict: true)
  }

  /// ``decode(_:file:)``; with `strict == false` the checks for duplicate keys and unknown
  /// fields are left out: only for bytes known to be exactly what the store wrote (their
  /// SHA-256 is the head's).
  static func decode(_ data: Data, file: String, strict: Bool) throws(TimelineError) -> Timeline {
    let decoder = TimelineJSON.decoder()
    let header: TimelineHeader
    do {
      header = try decoder.decode(TimelineHeader.self, from: data)
    } catch {
      throw .malformed(file: file, reason: TimelineJSON.describe(error))
    }
    if header.schemaVersion > currentSchemaVersion {
      throw .newerSchemaVersion(file: file, found: header.schemaVersion, supported: currentSchemaVersion)
    }
    if header.schemaVersion < 1 { throw .invalidSchemaVersion(file: file, found: header.schemaVersion) }
    if strict, let duplicate = StrictJSON.firstDuplicateKey(in: data) {
      throw .malformed(file: file, reason: "the key '\(duplicate.key)' appears twice at \(duplicate.path)")
    }
    let timeline: Timeline
    do {
      timeline = try decoder.decode(Timeline.self, from: data)
    } catch {
      throw .malformed(file: file, reason: TimelineJSON.describe(error))
    }
    if strict, let unknown = StrictJSON.firstUnknownKey(original: data, known: try timeline.encoded()) {
      throw .malformed(
        file: file,
        reason: "unknown field '\(unknown)' (fields are added by a new schema version, never by hand)")
    }
    if header.schemaVersion == 1 && (timeline.recovery != nil || timeline.entries.contains { $0.kind != nil }) {
      throw .malformed(file: file, reason: "schema version 1 holds fields of version 2")
    }
    return timeline
  }

  /// The file's bytes: pretty-printed JSON with sorted keys and a final newline.
  package func encoded() throws(TimelineError) -> Data {
    do {
      var data = try TimelineJSON.fileEncoder().encode(self)
      data.append(UInt8(ascii: "\n"))
      return data
    } catch {
      throw .unencodableEntry(reason: TimelineJSON.describe(error))
    }
  }

  /// Checks the hash chain: each entry's `id` and `hash` match its content and
  /// its `previousHash` is the previous entry's `hash` (64 zeros for the first).
  ///
  /// - Throws: ``TimelineError/brokenChain(file:index:_:)`` naming the first bad entry.
  package func verifyChain(file: String) throws(TimelineError) {
    if let recovery, try recovery.computedHash() != recovery.hash {
      throw .brokenRecovery(file: file)
    }
    for (index, problem) in try chainBreaks().enumerated() {
      if let problem { throw .brokenChain(file: file, index: index, problem) }
    }
  }

  /// Per entry, how it breaks the chain (`nil` when its id, hash and link are right).
  ///
  /// Unlike ``verifyChain(file:)`` this goes on past the first break, for `audit`:
  /// each entry's own content is checked against its own hash, and its link against
  /// the previous entry's stored hash.
  package func chainBreaks() throws(TimelineError) -> [TimelineError.ChainBreak?] {
    var expectedPrevious = chainStart
    var out: [TimelineError.ChainBreak?] = []
    for entry in entries {
      // The hash over the entry as stored (its id included) shows any edit.
      let computedHash = try TimelineJSON.sha256Hex(of: entry, omitting: [.hash])
      let computedId = String(try TimelineJSON.sha256Hex(of: entry, omitting: [.id, .hash]).prefix(16))
      if computedHash != entry.hash {
        out.append(.hashMismatch(stored: entry.hash, computed: computedHash))
      } else if computedId != entry.id {
        out.append(.idMismatch(stored: entry.id, computed: computedId))
      } else if entry.previousHash != expectedPrevious {
        out.append(.previousHashMismatch(expected: expectedPrevious, found: entry.previousHash))
      } else {
        out.append(nil)
      }
      expectedPrevious = entry.hash
    }
    return out
  }

  /// The `hash` of the last entry, or ``chainStart`` when there is none.
  package var lastHash: String { entries.last?.hash ?? chainStart }
}

extension TimelineEntry {
  /// This entry linked after `previousHash`, with its `id` and `hash` computed
  /// and its times truncated to whole seconds.
  ///
  /// `id` is the first 16 hex digits of the SHA-256 of the canonical JSON
  /// without `id` and `hash`; `hash` is the SHA-256 of the canonical JSON
  /// without `hash` (so it covers `id` and `previousHash`).
  package func sealed(previousHash: String) throws(TimelineError) -> TimelineEntry {
    var entry = self
    entry.takenAt = TimelineJSON.wholeSeconds(takenAt)
    entry.measuredAt = TimelineJSON.wholeSeconds(measuredAt)
    entry.previousHash = previousHash
    entry.id = String(try TimelineJSON.sha256Hex(of: entry, omitting: [.id, .hash]).prefix(16))
    entry.hash = try TimelineJSON.sha256Hex(of: entry, omitting: [.hash])
    return entry
  }

  /// The canonical JSON of this entry as hashed: sorted keys, no whitespace,
  /// no `hash` field. Exposed for documentation and independent checking.
  package func canonicalJSON() throws(TimelineError) -> Data {
    try TimelineJSON.canonical(self, omitting: [.hash])
  }
}

/// The JSON conventions of the timeline file.
enum TimelineJSON {
  /// Which fields to leave out of an entry's encoding (for hashing).
  static let omittedFields = CodingUserInfoKey(rawValue: "woundmeasure.timeline.omittedFields")!
  /// Set to `true` to leave a recovery record's `hash` out (for hashing it).
  static let omittingHash = CodingUserInfoKey(rawValue: "woundmeasure.timeline.omittingHash")!

  static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
  }

  /// The encoder for files: readable, keys sorted.
  static func fileEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
  }

  /// The canonical encoding of an entry: sorted keys, no whitespace, `/` not
  /// escaped, dates as ISO 8601 UTC whole seconds, `nil` fields left out.
  static func canonical(_ entry: TimelineEntry, omitting: Set<TimelineEntry.CodingKeys>) throws(TimelineError)
    -> Data
  {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    encoder.userInfo[omittedFields] = omitting
    do {
      return try encoder.encode(entry)
    } catch {
      throw .unencodableEntry(reason: describe(error))
    }
  }

  static func sha256Hex(of entry: TimelineEntry, omitting: Set<TimelineEntry.CodingKeys>) throws(TimelineError)
    -> String
  {
    WoundCore.sha256Hex(try canonical(entry, omitting: omitting))
  }

  static func wholeSeconds(_ date: Date) -> Date {
    Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
  }

  /// A one-line description of a Codable error.
  static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let context):
      return "invalid JSON or value at \(path(context.codingPath)): \(context.debugDescription)"
    case DecodingError.keyNotFound(let key, let context):
      return "missing field '\(key.stringValue)' at \(path(context.codingPath))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "wrong type at \(path(context.codingPath + [])): \(context.debugDescription)"
    case EncodingError.invalidValue(let value, let context):
      return "cannot encode \(value) at \(path(context.codingPath)): \(context.debugDescription)"
    default:
      return String(describing: error)
    }
  }

  private static func path(_ codingPath: [any CodingKey]) -> String {
    codingPath.isEmpty
      ? "top level" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
  }
}
