import Foundation
import Testing

@testable import WoundMeasureKit

@Suite struct TakenTimeTests {
  static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
  }

  @Test func exifDateTimeIsReadAsUTC() {
    #expect(TakenTime.parseEXIF("2026:03:14 10:22:05") == Self.utc(2026, 3, 14, 10, 22, 5))
    #expect(TakenTime.parseEXIF("0000:00:00 00:00:00") == nil)
    #expect(TakenTime.parseEXIF("    :  :     :  :  ") == nil)
    #expect(TakenTime.parseEXIF("2026:02:30 10:00:00") == nil)
  }

  @Test(arguments: [
    ("2026-03-14_1.jpg", utc(2026, 3, 14)),
    ("2026-03-14.png", utc(2026, 3, 14)),
    ("2026-03-14T10-22-05_left.jpg", utc(2026, 3, 14, 10, 22, 5)),
    ("2026-03-14_10-22.jpg", utc(2026, 3, 14, 10, 22)),
  ])
  func fileNameDates(name: String, expected: Date) {
    #expect(TakenTime.parseFileNameDate(name) == expected)
  }

  @Test(arguments: ["IMG_2026-03-14.jpg", "2026-3-14.jpg", "2026-03-145.jpg", "2026-13-01.jpg", "photo.jpg"])
  func namesWithoutALeadingDate(name: String) {
    #expect(TakenTime.parseFileNameDate(name) == nil)
  }

  @Test func givenDates() {
    #expect(TakenTime.parseGiven("2026-03-14") == Self.utc(2026, 3, 14))
    #expect(TakenTime.parseGiven("2026-03-14T10:22") == Self.utc(2026, 3, 14, 10, 22))
    #expect(TakenTime.parseGiven("2026-03-14 10:22:05") == Self.utc(2026, 3, 14, 10, 22, 5))
    #expect(TakenTime.parseGiven("2026-03-14T10:22:05Z") == Self.utc(2026, 3, 14, 10, 22, 5))
    #expect(TakenTime.parseGiven("2026-03-14T12:22:05+02:00") == Self.utc(2026, 3, 14, 10, 22, 5))
    #expect(TakenTime.parseGiven("14/03/2026") == nil)
    #expect(TakenTime.parseGiven("yesterday") == nil)
  }

  @Test func resolutionOrder() {
    let mtime = Self.utc(2030, 1, 1)
    let given = Self.utc(2025, 5, 5)
    let path = "photos/P1/heel/2026-03-14_1.jpg"
    #expect(
      TakenTime.resolve(given: given, exifCaptureTime: "2026:03:01 08:00:00", path: path, modificationDate: mtime)
        == TakenTime(date: given, source: .given))
    #expect(
      TakenTime.resolve(given: nil, exifCaptureTime: "2026:03:01 08:00:00", path: path, modificationDate: mtime)
        == TakenTime(date: Self.utc(2026, 3, 1, 8), source: .exif))
    #expect(
      TakenTime.resolve(given: nil, exifCaptureTime: nil, path: path, modificationDate: mtime)
        == TakenTime(date: Self.utc(2026, 3, 14), source: .filename))
    #expect(
      TakenTime.resolve(given: nil, exifCaptureTime: "garbage", path: "x/IMG_1.jpg", modificationDate: mtime)
        == TakenTime(date: mtime, source: .mtime))
  }
}
