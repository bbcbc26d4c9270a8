import ArgumentParser
import FoundationEssentials
import WoundCore

#if canImport(Glibc)
  import Glibc
#endif

/// Parsing and printing helpers of every subcommand: one place for the stderr line, the
/// JSON encodings and number formats.
enum CommandLineValues {
  /// `count` comma-separated integers, or `nil`.
  static func integers(_ text: String, count: Int) -> [Int]? {
    let values = text.split(separator: ",").map { Int($0.trimmingSpaces()) }
    guard values.count == count, values.allSatisfy({ $0 != nil }) else { return nil }
    return values.map { $0! }
  }

  /// `count` comma-separated finite numbers, or `nil`.
  static func numbers(_ text: String, count: Int) -> [Double]? {
    let values = text.split(separator: ",").map { Double($0.trimmingSpaces()) }
    guard values.count == count, values.allSatisfy({ $0?.isFinite == true }) else { return nil }
    return values.map { $0! }
  }

  /// Writes one line to stderr.
  static func printError(_ line: String) {
    writeUnbuffered(line + "\n", to: STDERR_FILENO)
  }

  /// Writes one line to stdout at once, bypassing `print`'s buffer (batch progress lines).
  static func printLineNow(_ line: String) {
    writeUnbuffered(line + "\n", to: STDOUT_FILENO)
  }

  /// Writes `text` to a standard stream with `write(2)`, all of it unless the stream fails.
  static func writeUnbuffered(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return }
      bytes = bytes.dropFirst(written)
    }
  }

  /// Pretty JSON with sorted keys, as the timeline stores it.
  static func json<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  /// Compact JSON with sorted keys on one line (`--json` outputs of one object per line).
  static func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  /// A number with `digits` decimals.
  static func format(_ value: Double, _ digits: Int) -> String {
    cFormat("%.\(digits)f", value)
  }
}

/// `--max-megapixels N`, shared by the subcommands that decode photos.
struct PixelLimitOptions: ParsableArguments {
  @Option(
    name: .customLong("max-megapixels"),
    help: ArgumentHelp(
      "Refuse photos whose header claims more than this many megapixels (above 0, at most 10000).", valueName: "N"))
  var maxMegapixels: Double = 100

  func validate() throws {
    if !(maxMegapixels.isFinite && maxMegapixels > 0) || maxMegapixels > 10_000 {
      throw ValidationError("--max-megapixels must be above 0 and at most 10000, not \(maxMegapixels)")
    }
  }

  /// The limit in pixels.
  var maxPixels: Int { Int((maxMegapixels * 1_000_000).rounded()) }
}
