import FoundationEssentials

/// Dates as UTC clock times in the proleptic Gregorian calendar: the tool's one
/// reader and writer of date text (recorded times, report dates, file-name stamps).
///
/// Every time the tool records or prints is UTC, so no time-zone database is needed.
package enum UTCTime {
  /// A UTC clock time, whole seconds.
  package struct Fields: Equatable, Sendable {
    package var year: Int
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int
  }

  /// The clock time of `date` in UTC, seconds rounded down.
  package static func fields(_ date: Date) -> Fields {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down))
    let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
    let inDay = seconds - days * 86_400
    // Days to civil date (H. Hinnant's algorithm, eras of 400 years from 0000-03-01).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return Fields(
      year: year, month: month, day: day, hour: inDay / 3600, minute: inDay % 3600 / 60, second: inDay % 60)
  }

  /// The instant of a UTC clock time, or `nil` when it is not a real date and time
  /// (month 13, 30 February, hour 24; a leap second 60 is read as the next minute's 0).
  package static func date(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0)
    -> Date?
  {
    guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), (0...23).contains(hour),
      (0...59).contains(minute), (0...60).contains(second), abs(year) < 1_000_000
    else { return nil }
    // Civil date to days (the inverse of `fields`).
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
  }

  /// `2026-03-14T10:22:05Z`.
  package static func iso8601(_ date: Date) -> String {
    let f = fields(date)
    return cFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", f.year, f.month, f.day, f.hour, f.minute, f.second)
  }

  /// `2026-03-14`.
  package static func day(_ date: Date) -> String {
    let f = fields(date)
    return cFormat("%04d-%02d-%02d", f.year, f.month, f.day)
  }

  /// `2026-03-14 10:22`.
  package static func minute(_ date: Date) -> String {
    let f = fields(date)
    return cFormat("%04d-%02d-%02d %02d:%02d", f.year, f.month, f.day, f.hour, f.minute)
  }

  /// `20260314T102205Z`, for file names.
  package static func compact(_ date: Date) -> String {
    let f = fields(date)
    return cFormat("%04d%02d%02dT%02d%02d%02dZ", f.year, f.month, f.day, f.hour, f.minute, f.second)
  }

  /// Reads an RFC 3339 date-time: `2026-03-14T10:22:05Z`, with optional fractional
  /// seconds and a `Z` or an offset (`+HH:MM`, and `+HHMM` or `+HH` as `ISO8601DateFormatter`
  /// also reads them); `nil` for anything else.
  package static func parseInternetDateTime(_ text: String) -> Date? {
    let b = Array(text.utf8)
    func number(_ at: Int, _ count: Int) -> Int? {
      guard at + count <= b.count else { return nil }
      var value = 0
      for byte in b[at..<at + count] {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
      }
      return value
    }
    func byte(_ at: Int, _ expected: Character) -> Bool { at < b.count && b[at] == expected.asciiValue! }
    guard let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"), let day = number(8, 2),
      byte(10, "T") || byte(10, "t"), let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2),
      byte(16, ":"), let second = number(17, 2)
    else { return nil }
    var index = 19
    var fraction = 0.0
    if byte(index, ".") {
      var scale = 0.1
      index += 1
      let start = index
      while let digit = number(index, 1) {
        fraction += Double(digit) * scale
        scale /= 10
        index += 1
      }
      guard index > start else { return nil }
    }
    var offsetSeconds = 0
    if byte(index, "Z") || byte(index, "z") {
      index += 1
    } else if byte(index, "+") || byte(index, "-") {
      let sign = byte(index, "-") ? -1 : 1
      guard let hours = number(index + 1, 2), hours <= 23 else { return nil }
      var minutes = 0
      if byte(index + 3, ":") {
        guard let value = number(index + 4, 2) else { return nil }
        minutes = value
        index += 6
      } else if let value = number(index + 3, 2) {
        minutes = value
        index += 5
      } else {
        index += 3
      }
      guard minutes <= 59 else { return nil }
      offsetSeconds = sign * (hours * 3600 + minutes * 60)
    } else {
      return nil
    }
    guard index == b.count,
      let base = date(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    else { return nil }
    return Date(timeIntervalSince1970: base.timeIntervalSince1970 - Double(offsetSeconds) + fraction)
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}
