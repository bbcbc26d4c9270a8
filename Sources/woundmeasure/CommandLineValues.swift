import ArgumentParser
import Foundation

/// Parsing and printing helpers of every subcommand: one place for the stderr line, the
/// JSON encodings and number formats.
enum CommandLineValues {
  /// `count` comma-separated integers, or `nil`.
  static func integers(_ text: String, count: Int) -> [Int]? {
    let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard values.count == count, values.allSatisfy({ $0 != nil }) else { return nil }
    return values.map { $0! }
  }

  /// `count` comma-separated finite numbers, or `nil`.
  static func numbers(_ text: String, count: Int) -> [Double]? {
    let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard values.count == count, values.allSatisfy({ $0?.isFinite == true }) else { return nil }
    return values.map { $0! }
  }

  /// Writes one line to stderr.
  static func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
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
    String(format: "%.\(digits)f", value)
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
