import FoundationEssentials
import WoundCore

/// One figure that a re-run gave differently from the stored entry.
package struct FigureDifference: Sendable, Equatable, Codable {
  /// The figure's key path in the entry's `results`, e.g. `areaCm2` or `regions[0].perimeterCm`.
  package var figure: String
  /// The stored value, as JSON text (`null` when absent).
  package var stored: String
  /// The re-run's value, as JSON text (`null` when absent).
  package var recomputed: String
  /// `recomputed - stored` for numbers, else `nil`.
  package var difference: Double?
  /// `difference / |stored|` for non-zero numbers, else `nil`.
  package var relativeDifference: Double?

  package init(figure: String, stored: String, recomputed: String, difference: Double?, relativeDifference: Double?) {
    self.figure = figure
    self.stored = stored
    self.recomputed = recomputed
    self.difference = difference
    self.relativeDifference = relativeDifference
  }
}

/// Compares two JSON documents figure by figure.
///
/// Both are flattened to key paths (`a.b`, `list[2].c`) with their leaf values; numbers
/// are compared exactly (a measurement is bit-for-bit reproducible under the same tool
/// and model versions), everything else as JSON text.
enum FigureComparison {
  /// A leaf value: a number, or anything else as JSON text.
  enum Leaf: Equatable {
    case number(Double)
    case text(String)

    var json: String {
      switch self {
      case .number(let value): return formatNumber(value)
      case .text(let text): return text
      }
    }
  }

  /// The differences between `stored` and `recomputed`, in key order.
  static func differences(stored: Data, recomputed: Data) -> [FigureDifference] {
    let a = flatten(data: stored)
    let b = flatten(data: recomputed)
    let keys = Set(a.keys).union(b.keys).sorted()
    var out: [FigureDifference] = []
    for key in keys {
      let x = a[key]
      let y = b[key]
      if x == y { continue }
      var difference: Double?
      var relative: Double?
      if case .number(let s) = x, case .number(let r) = y {
        difference = r - s
        if s != 0 { relative = (r - s) / abs(s) }
      }
      out.append(
        FigureDifference(
          figure: key, stored: x?.json ?? "null", recomputed: y?.json ?? "null", difference: difference,
          relativeDifference: relative))
    }
    return out
  }

  /// Flattens JSON data into key paths and leaves; invalid JSON gives one `$` leaf with the raw text.
  static func flatten(data: Data) -> [String: Leaf] {
    guard let root = try? JSONDecoder().decode(JSONValue.self, from: data) else {
      return ["$": .text(String(decoding: data, as: UTF8.self))]
    }
    var out: [String: Leaf] = [:]
    flatten(root, path: "", into: &out)
    return out
  }

  private static func flatten(_ value: JSONValue, path: String, into out: inout [String: Leaf]) {
    switch value {
    case .object(let dictionary):
      if dictionary.isEmpty { out[path] = .text("{}") }
      for (key, child) in dictionary {
        flatten(child, path: path.isEmpty ? key : path + "." + key, into: &out)
      }
    case .array(let array):
      if array.isEmpty { out[path] = .text("[]") }
      for (i, child) in array.enumerated() {
        flatten(child, path: path + "[\(i)]", into: &out)
      }
    case .null: out[path] = .text("null")
    case .bool(let flag): out[path] = .text(flag ? "true" : "false")
    case .number(let number): out[path] = .number(number)
    case .string(let string): out[path] = .text("\"" + string + "\"")
    }
  }

  /// A number as the shortest text that reads back to the same `Double`.
  static func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }
}
