import FoundationEssentials

/// A JSON document without a schema: the one reader of free-form JSON (a model file's
/// header, the timeline's check for fields this version does not know, `audit`'s
/// figure comparison) and the one builder of documents in formats defined outside this
/// package (FHIR).
///
/// Numbers are `Double` (every number these documents hold is exact in one; `JSONEncoder`
/// writes whole numbers without a fraction); documents with a schema of this package's
/// own are decoded with `Codable` types instead.
package indirect enum JSONValue: Sendable, Equatable, Codable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Reads one JSON document (an object, an array or a single value).
  package init(parsing bytes: some Sequence<UInt8>) throws {
    self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
  }

  package init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// Pretty-printed, keys sorted, `/` not escaped, with a final line break.
  package func encoded() -> Data {
    var data = encoded(formatting: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    data.append(UInt8(ascii: "\n"))
    return data
  }

  /// The document as compact JSON with sorted keys.
  package func sortedJSON() -> String {
    String(decoding: encoded(formatting: [.sortedKeys]), as: UTF8.self)
  }

  private func encoded(formatting: JSONEncoder.OutputFormatting) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = formatting
    // Encoding a value of this enum cannot fail: every case is valid JSON.
    return (try? encoder.encode(self)) ?? Data("null".utf8)
  }

  package var isNull: Bool { self == .null }
  package var objectValue: [String: JSONValue]? { if case .object(let value) = self { value } else { nil } }
  package var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
  package var stringValue: String? { if case .string(let value) = self { value } else { nil } }
  package var numberValue: Double? { if case .number(let value) = self { value } else { nil } }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
  package init(stringLiteral value: String) { self = .string(value) }
  package init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
  }
  package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}
