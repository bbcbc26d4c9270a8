import Foundation
import Testing

@testable import WoundCore

/// The tool's own text primitives (it links FoundationEssentials only) against the whole
/// of Foundation, which the tests may use as the independent reference.
@Suite struct TextPrimitivesTests {
  /// A deterministic spread of instants from 1900 to 2200, whole and fractional seconds.
  private func instants() -> [Double] {
    var generator = SplitMix64(seed: 20_261_203)
    var out: [Double] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_399, -2_208_988_800]
    for _ in 0..<3000 {
      out.append(Double(Int64.random(in: -2_208_988_800...7_258_118_399, using: &generator)))
    }
    for _ in 0..<200 { out.append(Double.random(in: -2e9...7e9, using: &generator)) }
    return out
  }

  @Test func utcFieldsAreFoundationsGregorianUTCCalendar() {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    for seconds in instants() {
      let date = Date(timeIntervalSince1970: seconds)
      let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
      let f = UTCTime.fields(date)
      #expect(
        [f.year, f.month, f.day, f.hour, f.minute, f.second] == [c.year, c.month, c.day, c.hour, c.minute, c.second],
        "\(seconds)")
      let back = UTCTime.date(
        year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: f.second)
      #expect(back?.timeIntervalSince1970 == seconds.rounded(.down), "\(seconds)")
    }
  }

  @Test func utcTextIsWhatISO8601DateFormatterWrites() {
    let iso = ISO8601DateFormatter()
    iso.formatOptions = [.withInternetDateTime]
    for seconds in instants() where seconds == seconds.rounded() {
      let date = Date(timeIntervalSince1970: seconds)
      #expect(UTCTime.iso8601(date) == iso.string(from: date))
      #expect(UTCTime.parseInternetDateTime(iso.string(from: date)) == date)
      #expect(UTCTime.day(date) == String(iso.string(from: date).prefix(10)))
    }
    #expect(UTCTime.compact(Date(timeIntervalSince1970: 1_773_483_725)) == "20260314T102205Z")
    #expect(UTCTime.minute(Date(timeIntervalSince1970: 1_773_483_725)) == "2026-03-14 10:22")
  }

  @Test func internetDateTimesWithOffsetsAndFractionsReadAsFoundationReadsThem() {
    let iso = ISO8601DateFormatter()
    iso.formatOptions = [.withInternetDateTime]
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    for text in [
      "2026-03-14T10:22:05Z", "2026-03-14T10:22:05+01:00", "2026-03-14T00:22:05-05:30", "2024-02-29T23:59:59Z",
      "1999-12-31T23:59:59+14:00", "2026-03-14T10:22:05+0100", "2026-03-14T10:22:05-01",
    ] {
      #expect(UTCTime.parseInternetDateTime(text) == iso.date(from: text), "\(text)")
    }
    let withFraction = try? #require(UTCTime.parseInternetDateTime("2026-03-14T10:22:05.250Z"))
    #expect(withFraction == fractional.date(from: "2026-03-14T10:22:05.250Z"))
    for bad in [
      "2026-02-30T10:22:05Z", "2026-13-01T00:00:00Z", "2026-03-14T24:00:00Z", "2026-03-14 10:22:05Z",
      "2026-03-14T10:22:05", "2026-03-14T10:22:05Z ", "2026-03-14", "", "2026-03-14T10:22:05.Z",
    ] {
      #expect(UTCTime.parseInternetDateTime(bad) == nil, "\(bad)")
    }
    #expect(UTCTime.date(year: 2026, month: 2, day: 29) == nil)
    #expect(UTCTime.date(year: 2000, month: 2, day: 29) != nil)
    #expect(UTCTime.date(year: 1900, month: 2, day: 29) == nil)
  }

  @Test func pathNamesFollowNSStringsRules() {
    // Not "a", "a/" or "//": this Foundation's NSString path methods crash on the first two
    // (a relative name without a dot or slash inside) and read "//" as empty.
    let paths = [
      "", "/", "/a", "/a/", "a/b", "a/b/", "/a/b.jpg", "a/b.tar.gz", ".bashrc", "a/.bashrc", "a.", "a/b.JPG",
      "timelines/P001.json", "/tmp/x/../y.png", "a/b..c", "P001.json", "photo.jpg",
    ]
    for path in paths {
      let ns = path as NSString
      #expect(PathName.last(of: path) == ns.lastPathComponent, "last of '\(path)'")
      #expect(PathName.parent(of: path) == ns.deletingLastPathComponent, "parent of '\(path)'")
      #expect(PathName.extension(of: path) == ns.pathExtension, "extension of '\(path)'")
      #expect(PathName.removingExtension(path) == ns.deletingPathExtension, "removing extension of '\(path)'")
      for component in ["c", "c.json", ".photo-index"] where !path.isEmpty {
        #expect(PathName.join(path, component) == ns.appendingPathComponent(component), "'\(path)' + '\(component)'")
      }
    }
    #expect(PathName.join("", "c") == "c")
    for path in ["a", "a/", "a//"] {
      #expect(PathName.last(of: path) == "a")
      #expect(PathName.parent(of: path) == "")
      #expect(PathName.extension(of: path) == "")
      #expect(PathName.removingExtension(path) == "a")
      #expect(PathName.join(path, "c") == "a/c")
    }
  }

  @Test func cFormatIsStringFormat() {
    let values: [Double] = [0, -0.0, 0.005, 0.015, 1.005, 2.675, -1.25, 12.345, 1e-7, 123_456.789, 0.5, 1.5, 2.5]
    for value in values {
      for format in ["%.0f", "%.1f", "%.2f", "%.3f", "%+.1f", "%+.2f", "%g", "%.4f"] {
        #expect(cFormat(format, value) == String(format: format, value), "\(format) \(value)")
      }
    }
    #expect(cFormat("%04d-%02d-%02d", 2026, 3, 4) == "2026-03-04")
    #expect(cFormat("%02x", UInt8(0xAB)) == "ab")
    #expect(cFormat("%016llx", UInt64(0xDEAD)) == "000000000000dead")
    #expect(cFormat("area %.2f cm²", 1.234) == "area 1.23 cm²")
    #expect(cFormat("%.1f %%", 12.34) == "12.3 %")
    let long = cFormat("%.40f", 1.0 / 3.0)
    #expect(long == String(format: "%.40f", 1.0 / 3.0) && long.count == 42)
  }

  @Test func trimmingIsFoundationsTrimming() {
    for text in [
      "", " ", "  a b  ", "\ta\t", "\n a \r\n", "\u{00A0}x\u{2003}", "\u{2028}y\u{0085}", "a", " \n ", "é ",
    ] {
      #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "'\(text)'")
      #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "'\(text)'")
    }
  }

  @Test func jsonValuesReadAndWriteAsJSONSerializationDoes() throws {
    let text = #"{"b":[1,2.5,-3e2,true,null,"x\"y\u00e9"],"a":{"c":{}},"d":"a/b"}"#
    let value = try JSONValue(parsing: Array(text.utf8))
    let reference = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    #expect(value.objectValue?.keys.sorted() == reference.keys.sorted())
    #expect(value.objectValue?["b"]?.arrayValue?[2] == .number(-300))
    #expect(value.objectValue?["b"]?.arrayValue?[4] == .null)
    #expect(value.objectValue?["b"]?.arrayValue?[5] == .string("x\"yé"))
    #expect(value.sortedJSON() == #"{"a":{"c":{}},"b":[1,2.5,-300,true,null,"x\"yé"],"d":"a\/b"}"#)
    let pretty = String(decoding: value.encoded(), as: UTF8.self)
    #expect(pretty.hasSuffix("}\n") && pretty.contains(#""d" : "a/b""#))
    let reread = try JSONSerialization.jsonObject(with: value.encoded()) as! [String: Any]
    #expect(NSDictionary(dictionary: reread).isEqual(to: reference))
    // `JSONDecoder` reads "[1,]" as [1]; JSONSerialization refuses it. Neither file this reads is typed by hand.
    for bad in ["", "{", "{\"a\":}", "nul", "[1 2]"] {
      #expect(throws: (any Error).self) { try JSONValue(parsing: Array(bad.utf8)) }
    }
  }
}
