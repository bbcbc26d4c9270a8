import Foundation
import Testing
import WoundCore
import WoundImaging
import WoundTimeline

@testable import WoundMeasureKit

/// The pipeline on the sample photos with their true masks (`samples/masks`), so that the
/// measured area can be held against `samples/truth.csv`.
@Suite struct PipelineTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// `(photo path relative to samples/photos, true area cm²)` from `samples/truth.csv`.
  static func truth() throws -> [(String, Double)] {
    let text = try String(contentsOf: root.appendingPathComponent("samples/truth.csv"), encoding: .utf8)
    var rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",").map(String.init) }
    let header = rows.removeFirst()
    let file = try #require(header.firstIndex(of: "file"))
    let area = try #require(header.firstIndex(of: "trueAreaCm2"))
    return rows.compactMap { row in
      guard row.count > max(file, area), let value = Double(row[area]) else { return nil }
      var path = row[file]
      for prefix in ["samples/photos/", "photos/"] where path.hasPrefix(prefix) { path.removeFirst(prefix.count) }
      return (path, value)
    }
  }

  static func photo(_ relative: String) -> String { root.appendingPathComponent("samples/photos/" + relative).path }
  static func mask(_ relative: String) -> String {
    root.appendingPathComponent("samples/masks/" + (relative as NSString).deletingPathExtension + ".png").path
  }

  @Test func theTrueMaskGivesTheTrueAreaOnEverySample() throws {
    let rows = try Self.truth()
    #expect(rows.count >= 6)
    for (relative, trueAreaCm2) in rows {
      let settings = MeasurementSettings(maskPath: Self.mask(relative))
      let outcome = try MeasurementPipeline.measure(photoAt: Self.photo(relative), settings: settings)
      let area = outcome.entry.results.areaCm2
      #expect(abs(area - trueAreaCm2) / trueAreaCm2 < 0.01, "\(relative): \(area) cm², true \(trueAreaCm2) cm²")
    }
  }

  @Test func theEntryRecordsThePhotoToolAndSettings() throws {
    let (relative, _) = try #require(try Self.truth().first)
    let path = Self.photo(relative)
    let settings = MeasurementSettings(maskPath: Self.mask(relative), woundSite: "left-heel")
    let outcome = try MeasurementPipeline.measure(photoAt: path, settings: settings)
    let entry = outcome.entry
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(entry.photo.path == path)
    #expect(entry.photo.byteSize == bytes.count)
    #expect(entry.photo.sha256 == MeasurementPipeline.sha256Hex(bytes))
    #expect(entry.photo.sha256.count == 64)
    #expect(entry.tool.version == WoundMeasureVersion.string)
    #expect(entry.tool.segmentationModelSha256 == nil)
    #expect(entry.woundSite == "left-heel")
    #expect(entry.takenAtSource == .exif)
    #expect(entry.settings.calibration.method == .marker)
    #expect(entry.settings.markerCornersPixels?.count == 4)
    #expect(entry.settings.maskPath == Self.mask(relative))
    let maskBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.mask(relative))))
    #expect(entry.settings.maskSha256 == MeasurementPipeline.sha256Hex(maskBytes))
    #expect(entry.results.regionCount == entry.results.regions.count)
    #expect(entry.results.openAreaCm2 <= entry.results.areaCm2)
    #expect(abs(entry.results.lengthTimesWidthCm2 - entry.results.lengthCm * entry.results.widthCm) < 1e-9)
    #expect(outcome.mask.width == outcome.image.width && outcome.mask.height == outcome.image.height)
    // The recorded settings read back into the same settings.
    let reread = try TimelineAccess.settings(of: entry)
    #expect(reread.calibration == settings.calibration)
    #expect(reread.maskPath == settings.maskPath)
    #expect(reread.maxPixels == settings.maxPixels)
  }

  @Test func theSameBytesAndSettingsGiveIdenticalFigures() throws {
    let (relative, _) = try #require(try Self.truth().first)
    let settings = MeasurementSettings(maskPath: Self.mask(relative))
    let a = try MeasurementPipeline.measure(photoAt: Self.photo(relative), settings: settings)
    let b = try MeasurementPipeline.measure(photoAt: Self.photo(relative), settings: settings)
    #expect(a.entry.results == b.entry.results)
    #expect(a.entry.settings == b.entry.settings)
  }

  @Test func aGivenTakenDateAndAnExplicitScaleAreRecordedAsGiven() throws {
    let (relative, _) = try #require(try Self.truth().first)
    let taken = try #require(TakenTime.parseGiven("2026-01-02T03:04:05Z"))
    let settings = MeasurementSettings(
      calibration: .scale(pixelsPerMm: 8.5), maskPath: Self.mask(relative), takenGiven: taken)
    let entry = try MeasurementPipeline.measure(photoAt: Self.photo(relative), settings: settings).entry
    #expect(entry.takenAt == taken)
    #expect(entry.takenAtSource == .given)
    #expect(entry.settings.calibration.method == .scale)
    #expect(entry.settings.calibration.pixelsPerMm == 8.5)
    #expect(entry.results.pixelsPerMm == 8.5)
    #expect(entry.settings.markerCornersPixels == nil)
  }

  @Test func aMaskOfAnotherSizeIsRefused() throws {
    let (relative, _) = try #require(try Self.truth().first)
    let small = FileManager.default.temporaryDirectory.appendingPathComponent("wm-small-\(UUID().uuidString).png").path
    defer { try? FileManager.default.removeItem(atPath: small) }
    try ImageEncoder.writePNG(GreyImage(width: 8, height: 6, value: 255), to: small)
    do {
      _ = try MeasurementPipeline.measure(
        photoAt: Self.photo(relative), settings: MeasurementSettings(maskPath: small))
      Issue.record("a mask of the wrong size was accepted")
    } catch .maskSizeMismatch(let mask, let mw, let mh, let photo, _, _) {
      #expect(mask == small)
      #expect(mw == 8 && mh == 6)
      #expect(photo == Self.photo(relative))
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func anUnreadablePhotoNamesTheFile() {
    #expect(throws: MeasurementError.self) {
      try MeasurementPipeline.measure(photoAt: "/nonexistent/photo.jpg", settings: MeasurementSettings())
    }
    do {
      _ = try MeasurementPipeline.measure(photoAt: "/nonexistent/photo.jpg", settings: MeasurementSettings())
    } catch {
      #expect(error.description.hasPrefix("/nonexistent/photo.jpg: "))
    }
  }
}
