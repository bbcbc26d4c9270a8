/// Checks of patient IDs and wound sites, which become file names and CSV fields.
///
/// Safe means 1-64 characters from `[A-Za-z0-9._-]`, starting with a letter or
/// digit and not containing `..`: such a name can never leave the timeline
/// directory, hide a file, need quoting or be read as an option (`-rf`, `--help`).
package enum SafeIdentifier {
  /// The longest identifier accepted.
  package static let maximumLength = 64

  /// The first problem with `identifier`, or `nil` when it is safe.
  package static func problem(with identifier: String) -> TimelineError.IdentifierProblem? {
    if identifier.isEmpty { return .empty }
    if identifier.count > maximumLength { return .tooLong(count: identifier.count) }
    if let bad = identifier.first(where: { !isSafe($0) }) { return .forbiddenCharacter(bad) }
    if identifier.hasPrefix(".") { return .startsWithDot }
    if let first = identifier.first, !first.isLetter && !first.isNumber { return .startsWithSymbol(first) }
    if identifier.contains("..") { return .containsDotDot }
    return nil
  }

  /// Throws ``TimelineError/invalidPatientID(_:_:)`` unless `patient` is safe.
  package static func checkPatient(_ patient: String) throws(TimelineError) {
    if let problem = problem(with: patient) { throw .invalidPatientID(patient, problem) }
  }

  /// Throws ``TimelineError/invalidWoundSite(_:_:)`` unless `site` is safe.
  package static func checkWoundSite(_ site: String) throws(TimelineError) {
    if let problem = problem(with: site) { throw .invalidWoundSite(site, problem) }
  }

  private static func isSafe(_ character: Character) -> Bool {
    guard character.isASCII, let ascii = character.asciiValue else { return false }
    switch ascii {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
      return true
    default:
      return false
    }
  }
}
