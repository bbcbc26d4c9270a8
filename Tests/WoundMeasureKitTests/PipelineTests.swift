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

  /// The dominant tissue of each sample wound, with its true outline: P001 is a yellow
  /// slough bed with red islands (FUSeg 0176), P002 a red granulation crater (0138), P003
  /// a black eschar (0029). The floors are the shares measured with the shipped model
  /// (0.924, 0.951, 0.882), less about 0.1 (the colour rule alone gave 0.97, 0.92, 0.90).
  @Test func eachSampleWoundGetsTheTissueItShows() throws {
    let expectations: [(String, KeyPath<TimelineEntry.TissueShares, Double>, Double)] = [
      ("P001/left-heel/2026-09-07_1.jpg", \.slough, 0.82),
      ("P002/right-hallux/2026-10-12_1.jpg", \.granulation, 0.85),
      ("P003/left-plantar/2026-10-19_1.jpg", \.necrosis, 0.78),
    ]
    for (relative, share, floor) in expectations {
      let settings = MeasurementSettings(maskPath: Self.mask(relative))
      let entry = try MeasurementPipeline.measure(photoAt: Self.photo(relative), settings: settings).entry
      let tissue = try #require(entry.results.tissue)
      print("tissue \(relative): \(tissue)")
      #expect(tissue[keyPath: share] >= floor, "\(relative): \(tissue)")
      let methods = try #require(entry.results.tissueMethods)
      #expect(methods.granulation == .model && methods.slough == .model)
      #expect(methods.necrosis == .colourRule && methods.epithelium == .colourRule)
      #expect(entry.tool.tissueModelSha256?.count == 64)
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
    #expect(entry.photo.sha256 == sha256Hex(bytes))
    #expect(entry.photo.sha256.count == 64)
    #expect(entry.tool.version == WoundMeasureVersion.string)
    #expect(entry.tool.segmentationModelSha256 == nil)
    #expect(entry.woundSite == "left-heel")
    #expect(entry.takenAtSource == .exif)
    #expect(entry.settings.calibration.method == .marker)
    #expect(entry.settings.markerCornersPixels?.count == 4)
    #expect(entry.settings.maskPath == Self.mask(relative))
    let maskBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.mask(relative))))
    #expect(entry.settings.maskSha256 == sha256Hex(maskBytes))
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

  /// With the bundled model (segmentation, both passes) on every sample: more threads
  /// (the model loaded beside the decoding, the coarse pass beside the marker search,
  /// the convolutions shared out) give the same entry, mask and tissue map, bit for bit.
  @Test func threadsDoNotChangeTheFigures() throws {
    for (relative, _) in try Self.truth() {
      let settings = MeasurementSettings(takenGiven: Date(timeIntervalSince1970: 1_800_000_000))
      let one = try MeasurementPipeline.measure(photoAt: Self.photo(relative), settings: settings, threads: 1)
      #expect(one.measures.areaMm2 > 0, "\(relative)")
      for threads in [2, 3] {
        var many = try MeasurementPipeline.measure(photoAt: Self.photo(relative), settings: settings, threads: threads)
        many.entry.measuredAt = one.entry.measuredAt  // the clock, not a figure
        #expect(many.entry == one.entry, "\(relative), \(threads) threads")
        #expect(many.mask == one.mask, "\(relative), \(threads) threads")
        #expect(many.tissue.labels == one.tissue.labels, "\(relative), \(threads) threads")
      }
    }
  }

  /// The overlay drawn on the outcome's own photo is the overlay drawn on a copy.
  @Test func theOverlayTakenFromTheOutcomeIsTheSame() throws {
    let (relative, _) = try #require(try Self.truth().first)
    var outcome = try MeasurementPipeline.measure(
      photoAt: Self.photo(relative), settings: MeasurementSettings(maskPath: Self.mask(relative)))
    let photo = outcome.image
    let copy = outcome.overlay(patient: "P1")
    #expect(outcome.image == photo)
    #expect(copy != photo)
    let taken = outcome.takeOverlay(patient: "P1")
    #expect(taken == copy)
    #expect(outcome.image.pixels.isEmpty)
  }
}
