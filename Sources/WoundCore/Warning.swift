/// A reason to doubt a result that does not stop it.
///
/// Warnings are data: each stage returns them with its result, and only the command
/// line prints them (as `warning:` lines on stderr), as swift-format's `Finding` travels
/// from the linter to its diagnostics engine. The message is what the user reads and
/// what the timeline records; the code says which warning it is, for callers and tests.
package struct Warning: Sendable, Hashable, CustomStringConvertible {
  /// Which warning this is: a stable name, declared beside the stage that raises it.
  package struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    package var rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }
    package init(_ rawValue: String) { self.rawValue = rawValue }
    package var description: String { rawValue }
  }

  package var code: Code
  /// One sentence for the user, naming what is doubtful and how to fix it.
  package var message: String

  package init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  package var description: String { message }
}

extension Warning.Code {
  /// A warning read back from a record, which keeps only its message.
  package static let recorded = Warning.Code("recorded")
}
