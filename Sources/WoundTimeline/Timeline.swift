import Crypto
import Foundation

/// A patient's timeline: the contents of `<directory>/<patient>.json`.
///
/// The file is read in two steps: a header holding only `schemaVersion`,
/// then the body of that version. A file from a newer woundmeasure is refused,
/// never rewritten. See `docs/timeline.md` and `schemas/timeline-v1.schema.json`.
public struct Timeline: Sendable, Equatable, Codable {
  /// The schema version this woundmeasure writes and the newest it reads.
  public static let currentSchemaVersion = 1
  /// The `previousHash` of a timeline's first entry: 64 zeros.
  public static let genesisHash = String(repeating: "0", count: 64)

  /// The version of the file's layout; 1 for this woundmeasure.
  public var schemaVersion: Int
  /// The patient ID, the same as the file name without `.json`.
  public var patient: String
  /// The entries, in the order they were appended.
  public var entries: [TimelineEntry]

  public init(patient: String, entries: [TimelineEntry] = []) {
    self.schemaVersion = Self.currentSchemaVersion
    self.patient = patient
    self.entries = entries
  }

  /// The entries of one wound site, in order of `takenAt` (ties in append order).
  public func entries(woundSite: String) -> [TimelineEntry] {
    entries.enumerated().filter { $0.element.woundSite == woundSite }
      .sorted { ($0.element.takenAt, $0.offset) < ($1.element.takenAt, $1.offset) }.map(\.element)
  }

  /// The wound sites in order of first appearance.
  public var woundSites: [String] {
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
  public static func decode(_ data: Data, file: String) throws(TimelineError) -> Timeline {
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
    do {
      return try decoder.decode(Timeline.self, from: data)
    } catch {
      throw .malformed(file: file, reason: TimelineJSON.describe(error))
    }
  }

  /// The file's bytes: pretty-printed JSON with sorted keys and a final newline.
  public func encoded() throws(TimelineError) -> Data {
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
  public func verifyChain(file: String) throws(TimelineError) {
    var expectedPrevious = Self.genesisHash
    for (index, entry) in entries.enumerated() {
      if entry.previousHash != expectedPrevious {
        throw .brokenChain(
          file: file, index: index, .previousHashMismatch(expected: expectedPrevious, found: entry.previousHash))
      }
      // The hash over the entry as stored (its id included) shows any edit.
      let computedHash = try TimelineJSON.sha256Hex(of: entry, omitting: [.hash])
      if computedHash != entry.hash {
        throw .brokenChain(file: file, index: index, .hashMismatch(stored: entry.hash, computed: computedHash))
      }
      let computedId = String(try TimelineJSON.sha256Hex(of: entry, omitting: [.id, .hash]).prefix(16))
      if computedId != entry.id {
        throw .brokenChain(file: file, index: index, .idMismatch(stored: entry.id, computed: computedId))
      }
      expectedPrevious = entry.hash
    }
  }

  /// The `hash` of the last entry, or the genesis hash when there is none.
  public var lastHash: String { entries.last?.hash ?? Self.genesisHash }
}

extension TimelineEntry {
  /// This entry linked after `previousHash`, with its `id` and `hash` computed
  /// and its times truncated to whole seconds.
  ///
  /// `id` is the first 16 hex digits of the SHA-256 of the canonical JSON
  /// without `id` and `hash`; `hash` is the SHA-256 of the canonical JSON
  /// without `hash` (so it covers `id` and `previousHash`).
  public func sealed(previousHash: String) throws(TimelineError) -> TimelineEntry {
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
  public func canonicalJSON() throws(TimelineError) -> Data {
    try TimelineJSON.canonical(self, omitting: [.hash])
  }
}

/// The JSON conventions of the timeline file.
enum TimelineJSON {
  /// Which fields to leave out of an entry's encoding (for hashing).
  static let omittedFields = CodingUserInfoKey(rawValue: "woundmeasure.timeline.omittedFields")!

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
    hex(SHA256.hash(data: try canonical(entry, omitting: omitting)))
  }

  /// Lowercase hex of a digest.
  static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    digest.map { String(format: "%02x", $0) }.joined()
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
    codingPath.isEmpty ? "top level" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
  }
}
