import FoundationEssentials
import WoundCore
import WoundTimeline

/// When a photo was taken, and where that date came from.
///
/// Rules, first match wins (`docs/pipeline.md`):
/// 1. a date given by the user (`--taken`, or the `taken` column of a batch manifest);
/// 2. the photo's EXIF `DateTimeOriginal`;
/// 3. a date at the start of the file name (`2026-03-14_1.jpg`, `2026-03-14T10-22-00.jpg`);
/// 4. the file's modification time.
///
/// EXIF and file-name times carry no time zone; they are read as UTC clock
/// times so that the same file gives the same instant on every machine.
package struct TakenTime: Sendable, Equatable {
  /// Where a taken time came from: the timeline's own enum (`given`, `exif`, `filename`, `mtime`).
  package typealias Source = TimelineEntry.TakenAtSource

  /// The instant the photo was taken.
  package var date: Date
  /// Where `date` came from.
  package var source: Source

  package init(date: Date, source: Source) {
    self.date = date
    self.source = source
  }

  /// Resolves the taken time of one photo by the rules above.
  ///
  /// - Parameters:
  ///   - given: a date the user gave, if any.
  ///   - exifCaptureTime: EXIF `DateTimeOriginal` as written (`YYYY:MM:DD HH:MM:SS`), if any;
  ///     an unparseable value is ignored.
  ///   - path: the photo's path; only its file name is read, for a leading date.
  ///   - modificationDate: the file's modification time, used last.
  package static func resolve(given: Date?, exifCaptureTime: String?, path: String, modificationDate: Date)
    -> TakenTime
  {
    if let given { return TakenTime(date: given, source: .given) }
    if let exif = exifCaptureTime, let date = parseEXIF(exif) { return TakenTime(date: date, source: .exif) }
    let name = PathName.last(of: path)
    if let date = parseFileNameDate(name) { return TakenTime(date: date, source: .filename) }
    return TakenTime(date: modificationDate, source: .mtime)
  }

  /// Parses an EXIF date-time `YYYY:MM:DD HH:MM:SS` as a UTC clock time.
  ///
  /// Returns `nil` for the all-zero or blank values cameras write when the clock is unset.
  package static func parseEXIF(_ text: String) -> Date? {
    let digits = text.trimmingWhitespace().filter { $0 != "\0" }
    let parts = digits.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "-" || $0 == "T" }).map(String.init)
    guard parts.count >= 6, let fields = ints(parts.prefix(6)) else { return nil }
    return makeDate(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
  }

  /// Whether an EXIF date-time is one of the values cameras write when their clock is unset:
  /// empty, blank, or all zeros (`0000:00:00 00:00:00`).
  package static func isUnsetEXIF(_ text: String) -> Bool {
    text.allSatisfy { $0 == "0" || $0 == ":" || $0 == " " || $0 == "\0" }
  }

  /// Whether an EXIF date-time is written but names no possible instant (`2026:02:30 25:00:00`):
  /// set, yet refused by ``parseEXIF(_:)``.
  package static func isImpossibleEXIF(_ text: String) -> Bool {
    !isUnsetEXIF(text) && parseEXIF(text) == nil
  }

  /// The warning a measurement carries about its taken time, if any: the EXIF capture time
  /// was impossible (and so ignored), or there was none and the file's modification time was
  /// used.
  ///
  /// - Parameter exifCaptureTime: EXIF `DateTimeOriginal` as written, if any.
  package func warning(exifCaptureTime: String?) -> Warning? {
    let fix = "(set it with --taken, or the taken column of a batch manifest)"
    let impossible = exifCaptureTime.flatMap { Self.isImpossibleEXIF($0) ? $0 : nil }
    switch (source, impossible) {
    case (.mtime, .some(let raw)):
      return Warning(
        .takenTimeUnknown,
        "TAKEN TIME UNKNOWN: the photo's EXIF capture time '\(raw)' is not a possible date and the file name "
          + "holds none; using the file's modification time \(UTCTime.iso8601(date)), which changes with every copy "
          + "and bends every healing rate \(fix)")
    case (.mtime, .none):
      return Warning(
        .takenTimeUnknown,
        "TAKEN TIME UNKNOWN: no capture time in the photo's EXIF or file name; using the file's modification "
          + "time \(UTCTime.iso8601(date)), which changes with every copy and bends every healing rate \(fix)")
    case (.filename, .some(let raw)):
      return Warning(
        .impossibleCaptureTime,
        "the photo's EXIF capture time '\(raw)' is not a possible date; using the date in the file name "
          + "\(UTCTime.iso8601(date)) \(fix)")
    default:
      return nil
    }
  }

  /// Reads a date at the start of a file name: `YYYY-MM-DD`, optionally followed by
  /// `T` or `_` and `HH-MM[-SS]` (or with `:`), then anything.
  ///
  /// `2026-03-14_1.jpg` gives 2026-03-14 00:00 UTC; `2026-03-14T10-22-05.jpg` gives 10:22:05 UTC.
  package static func parseFileNameDate(_ fileName: String) -> Date? {
    let chars = Array(fileName.utf8)
    func number(_ start: Int, _ count: Int) -> Int? {
      guard start + count <= chars.count else { return nil }
      var value = 0
      for c in chars[start..<(start + count)] {
        guard c >= 48, c <= 57 else { return nil }
        value = value * 10 + Int(c - 48)
      }
      return value
    }
    func isSeparator(_ i: Int, _ allowed: String) -> Bool { i < chars.count && allowed.utf8.contains(chars[i]) }
    guard let year = number(0, 4), isSeparator(4, "-"), let month = number(5, 2), isSeparator(7, "-"),
      let day = number(8, 2)
    else { return nil }
    // A digit right after the day means it was not a date (e.g. "2026-03-145").
    if number(10, 1) != nil { return nil }
    if isSeparator(10, "T_ "), let hour = number(11, 2), isSeparator(13, "-:"), let minute = number(14, 2),
      number(16, 1) == nil || isSeparator(16, "-:")
    {
      let second = isSeparator(16, "-:") ? (number(17, 2) ?? 0) : 0
      if let date = makeDate(year, month, day, hour, minute, second) { return date }
    }
    return makeDate(year, month, day, 0, 0, 0)
  }

  /// Parses a date the user typed: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` (or a space for `T`),
  /// optionally ending in `Z` or a `+HH:MM`/`-HH:MM` offset. Without an offset the time is UTC.
  package static func parseGiven(_ text: String) -> Date? {
    let trimmed = text.trimmingSpaces()
    if let date = UTCTime.parseInternetDateTime(trimmed) { return date }
    let parts = trimmed.split(whereSeparator: { $0 == "-" || $0 == ":" || $0 == "T" || $0 == " " }).map(String.init)
    guard parts.count == 3 || parts.count == 5 || parts.count == 6, let fields = ints(parts[...]) else { return nil }
    guard fields[0] >= 1000 else { return nil }
    let padded = fields + [Int](repeating: 0, count: 6 - fields.count)
    return makeDate(padded[0], padded[1], padded[2], padded[3], padded[4], padded[5])
  }

  private static func ints(_ parts: ArraySlice<String>) -> [Int]? {
    var out: [Int] = []
    for p in parts {
      guard !p.isEmpty, p.allSatisfy(\.isASCII), let v = Int(p) else { return nil }
      out.append(v)
    }
    return out
  }

  private static func makeDate(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Date? {
    guard y >= 1900, y <= 2200, (1...12).contains(mo), (1...31).contains(d), (0...23).contains(h),
      (0...59).contains(mi), (0...60).contains(s)
    else { return nil }
    // `UTCTime` refuses dates a calendar would roll over (2026-02-30).
    return UTCTime.date(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
  }
}

/// The warnings of a measurement, besides its calibration's.
extension Warning.Code {
  /// No capture time in the photo or its name: the file's modification time stands in.
  package static let takenTimeUnknown = Warning.Code("taken-time-unknown")
  /// The photo's EXIF capture time is not a possible date; the file name's date stands in.
  package static let impossibleCaptureTime = Warning.Code("impossible-capture-time")
  /// Closure was confirmed, but the outline still finds a wound; recorded as closed.
  package static let closedButWoundFound = Warning.Code("closed-but-wound-found")
  /// The wound outline touches the photo's edge.
  package static let woundAtPhotoEdge = Warning.Code("wound-at-photo-edge")
}
