import WoundCore

/// Why a timeline could not be read, checked or written. Cases carry the
/// facts; `description` is the message for the user.
public enum TimelineError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong with a patient ID or wound site.
  public enum IdentifierProblem: Sendable, Equatable {
    /// The identifier is empty.
    case empty
    /// Longer than 64 characters; `count` is its length.
    case tooLong(count: Int)
    /// Starts with `.` (hidden files, `.` and `..`).
    case startsWithDot
    /// Starts with `-` or `_` rather than a letter or digit (`-rf`, `--help` would read as options).
    case startsWithSymbol(Character)
    /// Contains `..`.
    case containsDotDot
    /// Contains a character outside `[A-Za-z0-9._-]`.
    case forbiddenCharacter(Character)
  }

  /// Which link of the hash chain is broken.
  public enum ChainBreak: Sendable, Equatable {
    /// The entry's `previousHash` is not the previous entry's `hash` (or 64
    /// zeros for the first entry).
    case previousHashMismatch(expected: String, found: String)
    /// The entry's `hash` is not the SHA-256 of its canonical JSON: the entry
    /// was edited after it was written.
    case hashMismatch(stored: String, computed: String)
    /// The entry's `id` is not the one derived from its content.
    case idMismatch(stored: String, computed: String)
  }

  /// A patient ID that cannot name a file safely.
  case invalidPatientID(String, IdentifierProblem)
  /// A wound site outside the safe character set.
  case invalidWoundSite(String, IdentifierProblem)
  /// No timeline file exists for the patient.
  case notFound(file: String)
  /// The file could not be read (permissions, I/O); `errno` from the system.
  case unreadable(file: String, errno: Int32)
  /// The file is not a timeline: invalid JSON or missing fields.
  case malformed(file: String, reason: String)
  /// The file was written by a newer woundmeasure with a schema this version
  /// does not know; it is left untouched.
  case newerSchemaVersion(file: String, found: Int, supported: Int)
  /// A schema version that never existed (below 1).
  case invalidSchemaVersion(file: String, found: Int)
  /// The file's `patient` field names another patient.
  case patientMismatch(file: String, expected: String, found: String)
  /// Entry `index` (0-based, in file order) breaks the hash chain.
  case brokenChain(file: String, index: Int, ChainBreak)
  /// The entry cannot be written as JSON (for example a NaN or infinite number).
  case unencodableEntry(reason: String)
  /// A system call failed while writing; the file is unchanged.
  case writeFailed(file: String, operation: String, errno: Int32)
  /// The lock file could not be created or locked.
  case lockFailed(file: String, errno: Int32)
  /// The timeline, its lock or its folder is not a regular file (a FIFO, a device, a link
  /// where a file is written), or the timeline is larger than ``TimelineStore/maximumFileBytes``;
  /// nothing was read from it or written to it.
  case unsafeFile(SafeFileError)

  public var description: String {
    switch self {
    case .invalidPatientID(let id, let problem):
      return "invalid patient ID '\(id)': \(problem.text); use 1-64 characters from A-Z a-z 0-9 . _ -, "
        + "starting with a letter or digit"
    case .invalidWoundSite(let site, let problem):
      return "invalid wound site '\(site)': \(problem.text); use 1-64 characters from A-Z a-z 0-9 . _ -, "
        + "starting with a letter or digit"
    case .notFound(let file):
      return "\(file): no timeline (no photo has been measured for this patient yet)"
    case .unreadable(let file, let errno):
      return "\(file): cannot be read: \(SafeFile.systemMessage(errno))"
    case .malformed(let file, let reason):
      return "\(file): not a valid timeline (\(reason)); the file was left unchanged"
    case .newerSchemaVersion(let file, let found, let supported):
      return "\(file): written with timeline schema version \(found), this woundmeasure reads up to "
        + "version \(supported); upgrade woundmeasure. The file was left unchanged"
    case .invalidSchemaVersion(let file, let found):
      return "\(file): invalid schemaVersion \(found); the file was left unchanged"
    case .patientMismatch(let file, let expected, let found):
      return "\(file): holds patient '\(found)', expected '\(expected)'; the file was left unchanged"
    case .brokenChain(let file, let index, let chainBreak):
      return "\(file): entry \(index + 1) breaks the hash chain (\(chainBreak.text)); the timeline was "
        + "edited or damaged and is left unchanged"
    case .unencodableEntry(let reason):
      return "the entry cannot be written as JSON: \(reason)"
    case .writeFailed(let file, let operation, let errno):
      return "\(file): \(operation) failed: \(SafeFile.systemMessage(errno)); the timeline was left unchanged"
    case .lockFailed(let file, let errno):
      return "\(file): cannot take the lock: \(SafeFile.systemMessage(errno))"
    case .unsafeFile(let error):
      return error.description + "; the timeline was left unchanged"
    }
  }
}

extension TimelineError.IdentifierProblem {
  var text: String {
    switch self {
    case .empty: return "empty"
    case .tooLong(let count): return "\(count) characters, more than 64"
    case .startsWithDot: return "starts with '.'"
    case .startsWithSymbol(let character): return "starts with '\(character)'"
    case .containsDotDot: return "contains '..'"
    case .forbiddenCharacter(let character): return "contains '\(character)'"
    }
  }
}

extension TimelineError.ChainBreak {
  var text: String {
    switch self {
    case .previousHashMismatch(let expected, let found):
      return "previousHash \(found.prefix(16))... should be \(expected.prefix(16))..."
    case .hashMismatch(let stored, let computed):
      return "stored hash \(stored.prefix(16))... but its content hashes to \(computed.prefix(16))..."
    case .idMismatch(let stored, let computed):
      return "id \(stored) should be \(computed)"
    }
  }
}
