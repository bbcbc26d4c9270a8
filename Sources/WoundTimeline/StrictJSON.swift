import FoundationEssentials
import WoundCore

/// Checks that JSONDecoder does not make: duplicate keys and fields it silently drops.
///
/// A timeline is read by other programs too (jq, Python, a spreadsheet import): a
/// key that appears twice is read one way by one and another way by the next, so
/// such a file is refused. A field the schema does not know would be dropped on the
/// next append without being hashed, so it is refused as well.
enum StrictJSON {
  /// The first object key that appears twice in the same object, with the object's
  /// path (`entries[2].results`), or `nil`. Invalid JSON gives `nil` (the decoder
  /// reports it).
  static func firstDuplicateKey(in data: Data) -> (key: String, path: String)? {
    var scanner = Scanner(bytes: [UInt8](data))
    return scanner.duplicateInValue(path: "top level")
  }

  /// The path of the first key of `original` that `known` (the same document as this
  /// version re-encodes it) does not have, or `nil`.
  static func firstUnknownKey(original: Data, known: Data) -> String? {
    guard let a = try? JSONValue(parsing: original), let b = try? JSONValue(parsing: known) else { return nil }
    return unknownKey(a, b, path: "")
  }

  private static func unknownKey(_ original: JSONValue, _ known: JSONValue, path: String) -> String? {
    if let a = original.objectValue {
      guard let b = known.objectValue else { return nil }
      for key in a.keys.sorted() {
        let here = path.isEmpty ? key : path + "." + key
        guard let value = b[key] else {
          // A null the encoder leaves out is the same as a missing optional.
          if a[key]!.isNull { continue }
          return here
        }
        if let found = unknownKey(a[key]!, value, path: here) { return found }
      }
    } else if let a = original.arrayValue, let b = known.arrayValue {
      for (index, element) in a.enumerated() where index < b.count {
        if let found = unknownKey(element, b[index], path: path + "[\(index)]") { return found }
      }
    }
    return nil
  }

  /// A minimal JSON reader that only tracks object keys.
  private struct Scanner {
    let bytes: [UInt8]
    var i = 0
    var failed = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
      while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func duplicateInValue(path: String) -> (key: String, path: String)? {
      skipSpace()
      guard i < bytes.count else {
        failed = true
        return nil
      }
      switch bytes[i] {
      case UInt8(ascii: "{"):
        i += 1
        var seen = Set<String>()
        if consume(UInt8(ascii: "}")) { return nil }
        repeat {
          skipSpace()
          guard let key = string() else {
            failed = true
            return nil
          }
          if !seen.insert(key).inserted { return (key, path) }
          guard consume(UInt8(ascii: ":")) else {
            failed = true
            return nil
          }
          if let found = duplicateInValue(path: path == "top level" ? key : path + "." + key) { return found }
        } while nextElement(closing: UInt8(ascii: "}"))
        return nil
      case UInt8(ascii: "["):
        i += 1
        if consume(UInt8(ascii: "]")) { return nil }
        var index = 0
        repeat {
          if let found = duplicateInValue(path: "\(path)[\(index)]") { return found }
          index += 1
        } while nextElement(closing: UInt8(ascii: "]"))
        return nil
      case UInt8(ascii: "\""):
        if string() == nil { failed = true }
        return nil
      default:
        // number, true, false, null
        while i < bytes.count, !",}] \n\r\t".utf8.contains(bytes[i]) { i += 1 }
        return nil
      }
    }

    /// Skips white space, then `byte` if it comes next; whether it did.
    mutating func consume(_ byte: UInt8) -> Bool {
      skipSpace()
      guard i < bytes.count, bytes[i] == byte else { return false }
      i += 1
      return true
    }

    /// After an element of an object or array: `true` past a comma (another element
    /// follows), `false` past `closing` or on anything else (then `failed` is set).
    mutating func nextElement(closing: UInt8) -> Bool {
      if consume(UInt8(ascii: ",")) { return !failed }
      if !consume(closing) { failed = true }
      return false
    }

    /// A JSON string at `i` with its escapes decoded, or `nil`.
    mutating func string() -> String? {
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
      var j = i + 1
      var hasEscape = false
      while j < bytes.count, bytes[j] != UInt8(ascii: "\"") {
        if bytes[j] == UInt8(ascii: "\\") {
          hasEscape = true
          j += 1
        }
        j += 1
      }
      guard j < bytes.count else { return nil }
      let raw = Array(bytes[i...j])
      i = j + 1
      if !hasEscape { return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self) }
      return (try? JSONValue(parsing: raw))?.stringValue
    }
  }
}
