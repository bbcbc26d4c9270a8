import FoundationEssentials
import WoundCore

/// Why a timeline could not be read, checked or written. Cases carry the
/// facts; `description` is the message for the user.
package enum TimelineError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong with a patient ID or wound site.
  package enum IdentifierProblem: Sendable, Equatable {
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
  package enum ChainBreak: Sendable, Equatable {
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
  /// The recovery record at the start of the timeline does not match its hash.
  case brokenRecovery(file: String)
  /// The file holds fewer entries than its head records, or another last entry:
  /// entries were deleted or the file was replaced.
  case headMismatch(file: String, headFile: String, headEntries: Int, headLastHash: String, fileEntries: Int)
  /// The file is missing although its head records entries.
  case missingButHeadExists(file: String, headFile: String, headEntries: Int)
  /// The photo is already recorded in this timeline (a deliberate re-measure goes through `amend`).
  case duplicatePhoto(file: String, sha256: String, entryId: String)
  /// The photo is recorded for another patient in the same folder.
  case photoOfAnotherPatient(sha256: String, patients: [String])
  /// An amendment or void names an entry that is not in the timeline.
  case unknownEntry(file: String, entryId: String)
  /// An amendment or void names an entry that was already withdrawn.
  case entryAlreadyVoided(file: String, entryId: String, voidedBy: String)
  /// An amendment re-measures another photo than the entry it amends.
  case amendmentPhotoDiffers(file: String, entryId: String, recordedSha256: String, givenSha256: String)
  /// The entry names another patient than the timeline it is appended to.
  case entryPatientMismatch(file: String, expected: String, found: String)
  /// `amend --recover` on a timeline that reads and verifies: nothing to recover.
  case nothingToRecover(file: String)

  package var description: String {
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
      return "\(file): entry #\(index) breaks the hash chain (\(chainBreak.text)); the timeline was "
        + "edited or damaged and is left unchanged"
    case .unencodableEntry(let reason):
      return "the entry cannot be written as JSON: \(reason)"
    case .writeFailed(let file, let operation, let errno):
      return "\(file): \(operation) failed: \(SafeFile.systemMessage(errno)); the timeline was left unchanged"
    case .lockFailed(let file, let errno):
      return "\(file): cannot take the lock: \(SafeFile.systemMessage(errno))"
    case .unsafeFile(let error):
      return error.description + "; the timeline was left unchanged"
    case .brokenRecovery(let file):
      return "\(file): the recovery record at its start does not match its hash; the timeline was edited "
        + "and is left unchanged"
    case .headMismatch(let file, let headFile, let headEntries, let headLastHash, let fileEntries):
      return "\(file): holds \(fileEntries) entries but its head \(headFile) records \(headEntries) ending in "
        + "\(headLastHash.prefix(16))...: entries were deleted or the file was replaced; it is left unchanged"
    case .missingButHeadExists(let file, let headFile, let headEntries):
      return "\(file): missing, but its head \(headFile) records \(headEntries) entries: the timeline was "
        + "deleted or moved; restore it, or start anew with 'woundmeasure amend PATIENT --recover --reason ...'"
    case .duplicatePhoto(let file, let sha, let entryId):
      return "\(file): this photo (SHA-256 \(sha.prefix(16))...) is already recorded as entry \(entryId); "
        + "to measure it again with corrected settings use 'woundmeasure amend "
        + "\(PathName.removingExtension(PathName.last(of: file))) --entry \(entryId) ...'"
    case .photoOfAnotherPatient(let sha, let patients):
      return "this photo (SHA-256 \(sha.prefix(16))...) is already recorded for patient "
        + "\(patients.joined(separator: ", ")); a photo belongs to one patient (pass --allow-shared-photo if it "
        + "really shows both)"
    case .unknownEntry(let file, let entryId):
      return "\(file): no entry with id \(entryId) (see 'woundmeasure timeline PATIENT --history')"
    case .entryAlreadyVoided(let file, let entryId, let voidedBy):
      return "\(file): entry \(entryId) was already withdrawn by entry \(voidedBy)"
    case .amendmentPhotoDiffers(let file, let entryId, let recorded, let given):
      return "\(file): entry \(entryId) measured the photo with SHA-256 \(recorded.prefix(16))..., "
        + "the photo given has \(given.prefix(16))...; an amendment re-measures the same photo"
    case .entryPatientMismatch(let file, let expected, let found):
      return "\(file): the entry is for patient '\(found)', the timeline for '\(expected)'"
    case .nothingToRecover(let file):
      return "\(file): reads and its hash chain holds; there is nothing to recover (correct entries with "
        + "'woundmeasure amend')"
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
