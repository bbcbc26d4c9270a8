import Foundation

/// A validator for the subset of JSON Schema draft 2020-12 that
/// `schemas/timeline-v1.schema.json` and `timeline-v2.schema.json` use.
///
/// Supported: `type` (string or list), `properties`, `required`,
/// `additionalProperties` (false or a schema), `items`, `$ref` to `#/$defs/...`,
/// `enum`, `const`, `oneOf`, `pattern`, `minimum`, `maximum`, `minItems`,
/// `maxItems`. Annotations (`$schema`, `$id`, `title`, `description`,
/// `format`, `$defs`) are ignored. Any other keyword makes validation fail,
/// so the schema cannot silently use a rule this validator skips.
struct SchemaValidator {
  let root: [String: Any]
  /// Every `properties` name declared in the schema, by JSON pointer of its
  /// parent; filled as documents are validated with ``seenProperties``.
  private(set) var seenProperties: Set<String> = []

  static let annotations: Set<String> = ["$schema", "$id", "title", "description", "format", "$defs", "$comment"]
  static let supported: Set<String> = [
    "type", "properties", "required", "additionalProperties", "items", "$ref", "enum", "const", "oneOf", "pattern",
    "minimum", "maximum", "minItems", "maxItems",
  ]

  init(schemaData: Data) throws {
    root = try JSONSerialization.jsonObject(with: schemaData) as! [String: Any]
  }

  /// The problems of `instance` against the root schema (empty when valid).
  mutating func validate(_ instance: Any) -> [String] {
    var problems: [String] = []
    check(instance, against: root, at: "$", schemaPath: "#", problems: &problems)
    return problems
  }

  /// Every property declared anywhere in the schema, as `schemaPath/name`.
  func declaredProperties() -> Set<String> {
    var names: Set<String> = []
    func walk(_ schema: Any, _ path: String) {
      if let object = schema as? [String: Any] {
        for (key, value) in object {
          if key == "properties", let properties = value as? [String: Any] {
            for (name, sub) in properties {
              names.insert("\(path)/properties/\(name)")
              walk(sub, "\(path)/properties/\(name)")
            }
          } else {
            walk(value, "\(path)/\(key)")
          }
        }
      } else if let array = schema as? [Any] {
        for (i, item) in array.enumerated() { walk(item, "\(path)/\(i)") }
      }
    }
    walk(root, "#")
    return names
  }

  private func resolve(_ reference: String) -> [String: Any]? {
    guard reference.hasPrefix("#/") else { return nil }
    var node: Any = root
    for part in reference.dropFirst(2).split(separator: "/") {
      guard let object = node as? [String: Any], let next = object[String(part)] else { return nil }
      node = next
    }
    return node as? [String: Any]
  }

  private static func typeName(_ value: Any) -> String {
    if value is NSNull { return "null" }
    if value is String { return "string" }
    if value is [Any] { return "array" }
    if value is [String: Any] { return "object" }
    if let number = value as? NSNumber {
      let double = number.doubleValue
      return double == double.rounded() && abs(double) < 9e15 ? "integer" : "number"
    }
    return "unknown"
  }

  private static func matches(type: String, _ value: Any) -> Bool {
    let actual = typeName(value)
    return actual == type || (type == "number" && actual == "integer")
  }

  private static func equal(_ a: Any, _ b: Any) -> Bool {
    if let a = a as? String, let b = b as? String { return a == b }
    if let a = a as? NSNumber, let b = b as? NSNumber { return a.doubleValue == b.doubleValue }
    if a is NSNull && b is NSNull { return true }
    return false
  }

  private mutating func check(
    _ value: Any, against schema: [String: Any], at path: String, schemaPath: String, problems: inout [String]
  ) {
    for key in schema.keys where !Self.annotations.contains(key) && !Self.supported.contains(key) {
      problems.append("\(schemaPath): unsupported keyword '\(key)'")
    }
    if let reference = schema["$ref"] as? String {
      if let target = resolve(reference) {
        check(value, against: target, at: path, schemaPath: reference, problems: &problems)
      } else {
        problems.append("\(schemaPath): unresolvable $ref \(reference)")
      }
    }
    if let type = schema["type"] {
      let types = (type as? [String]) ?? [type as? String ?? "?"]
      if !types.contains(where: { Self.matches(type: $0, value) }) {
        problems.append("\(path): is \(Self.typeName(value)), expected \(types.joined(separator: " or "))")
        return
      }
    }
    if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) {
      problems.append("\(path): \(value) is not one of \(options)")
    }
    if let constant = schema["const"], !Self.equal(constant, value) {
      problems.append("\(path): \(value) is not \(constant)")
    }
    if let alternatives = schema["oneOf"] as? [[String: Any]] {
      var matching = 0
      for (i, alternative) in alternatives.enumerated() {
        var sub: [String] = []
        check(value, against: alternative, at: path, schemaPath: "\(schemaPath)/oneOf/\(i)", problems: &sub)
        if sub.isEmpty { matching += 1 }
      }
      if matching != 1 { problems.append("\(path): matches \(matching) of the oneOf alternatives, expected 1") }
    }
    if let string = value as? String, let pattern = schema["pattern"] as? String {
      let regex = try! NSRegularExpression(pattern: pattern)
      if regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) == nil {
        problems.append("\(path): '\(string)' does not match \(pattern)")
      }
    }
    if let number = value as? NSNumber, !(value is String) {
      if let minimum = schema["minimum"] as? NSNumber, number.doubleValue < minimum.doubleValue {
        problems.append("\(path): \(number) < minimum \(minimum)")
      }
      if let maximum = schema["maximum"] as? NSNumber, number.doubleValue > maximum.doubleValue {
        problems.append("\(path): \(number) > maximum \(maximum)")
      }
    }
    if let array = value as? [Any] {
      if let minItems = schema["minItems"] as? Int, array.count < minItems {
        problems.append("\(path): \(array.count) items, fewer than \(minItems)")
      }
      if let maxItems = schema["maxItems"] as? Int, array.count > maxItems {
        problems.append("\(path): \(array.count) items, more than \(maxItems)")
      }
      if let items = schema["items"] as? [String: Any] {
        for (i, item) in array.enumerated() {
          check(item, against: items, at: "\(path)[\(i)]", schemaPath: "\(schemaPath)/items", problems: &problems)
        }
      }
    }
    if let object = value as? [String: Any] {
      let properties = schema["properties"] as? [String: Any] ?? [:]
      for name in schema["required"] as? [String] ?? [] where object[name] == nil {
        problems.append("\(path): missing required '\(name)'")
      }
      for (name, member) in object {
        if let sub = properties[name] as? [String: Any] {
          seenProperties.insert("\(schemaPath)/properties/\(name)")
          check(
            member, against: sub, at: "\(path).\(name)", schemaPath: "\(schemaPath)/properties/\(name)",
            problems: &problems)
        } else if let additional = schema["additionalProperties"] {
          if let allowed = additional as? Bool, !allowed {
            problems.append("\(path): property '\(name)' is not in the schema")
          } else if let sub = additional as? [String: Any] {
            check(
              member, against: sub, at: "\(path).\(name)", schemaPath: "\(schemaPath)/additionalProperties",
              problems: &problems)
          }
        }
      }
    }
  }
}
