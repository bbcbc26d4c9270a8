import FoundationEssentials
import WoundCore
import WoundExport
import WoundImaging
import WoundTimeline

/// The overlays of a patient report (``ReportPage``), measured again from the photos.
///
/// Each standing entry's photo is looked for as `audit` does (the recorded path, then
/// under the photos root), checked against its recorded SHA-256, and measured again
/// with the entry's recorded settings; the overlay of that run is reduced to at most
/// ``longSidePixels`` on its long side and encoded as JPEG. A photo that is missing,
/// changed or cannot be measured again gets the reason instead, never a failure.
package enum ReportPhotos {
  /// The longest side of an overlay in the report, pixels.
  package static let longSidePixels = 800
  /// JPEG quality of the overlays.
  package static let jpegQuality = 85

  /// The overlay colours, as the report's legend names them.
  package static var legend: [ReportLegendItem] {
    Overlay.legend.map { ReportLegendItem(label: $0.label, red: $0.colour.0, green: $0.colour.1, blue: $0.colour.2) }
  }

  /// The overlay of every standing entry of `woundSites`, by entry id.
  ///
  /// - Parameters:
  ///   - timeline: the patient's timeline.
  ///   - woundSites: the sites shown.
  ///   - photosRoot: a folder to search for photos (and masks) moved since measuring.
  package static func render(timeline: Timeline, woundSites: [String], photosRoot: String?) -> [String: ReportPhoto] {
    var index = FileNameIndex(root: photosRoot)
    var out: [String: ReportPhoto] = [:]
    for site in woundSites {
      for entry in timeline.standingEntries(woundSite: site) {
        out[entry.id] = render(entry: entry, photosRoot: photosRoot, index: &index)
      }
    }
    return out
  }

  static func render(entry: TimelineEntry, photosRoot: String?, index: inout FileNameIndex) -> ReportPhoto {
    let candidates = Auditor.candidatePaths(recorded: entry.photo.path, photosRoot: photosRoot, index: &index)
    var found: [UInt8]?
    var changed = false
    for path in candidates {
      guard let bytes = try? MeasurementPipeline.readFile(path) else { continue }
      if sha256Hex(bytes) == entry.photo.sha256 {
        found = bytes
        break
      }
      changed = true
    }
    guard let bytes = found else {
      let reason =
        changed
        ? "\(entry.photo.path) was changed since it was measured (its SHA-256 differs)"
        : "\(entry.photo.path) not found (pass --photos-root to search a folder)"
      return ReportPhoto(content: .missing(reason: reason))
    }
    var settings: MeasurementSettings
    do {
      settings = try TimelineAccess.settings(of: entry)
    } catch {
      return ReportPhoto(content: .missing(reason: "cannot measure again: \(error)"))
    }
    if let maskPath = settings.maskPath {
      guard let match = Auditor.locateMask(recorded: maskPath, entry: entry, photosRoot: photosRoot, index: &index)
      else {
        return ReportPhoto(
          content: .missing(reason: "the mask \(maskPath) it was measured with is missing or was changed"))
      }
      settings.maskPath = match
    }
    let outcome: MeasurementOutcome
    do {
      outcome = try MeasurementPipeline.measure(
        photoBytes: bytes, path: entry.photo.path, modificationDate: entry.takenAt, settings: settings)
    } catch {
      return ReportPhoto(content: .missing(reason: "cannot measure again: \(error.description)"))
    }
    // Entries written before they named their patient are captioned as audits always were.
    let overlay = outcome.overlay(patient: entry.patient ?? "audit")
    let factor = max(1, (max(overlay.width, overlay.height) + longSidePixels - 1) / longSidePixels)
    let reduced = overlay.boxReduced(by: factor)
    let jpeg: [UInt8]
    do {
      jpeg = try ImageEncoder.encodeJPEG(reduced, quality: jpegQuality)
    } catch {
      return ReportPhoto(content: .missing(reason: "cannot encode the overlay: \(error)"))
    }
    var note: String?
    if outcome.entry.results.areaCm2 != entry.results.areaCm2 {
      note =
        cFormat(
          "measured again: %.2f cm² (recorded %.2f cm²", outcome.entry.results.areaCm2,
          entry.results.areaCm2) + " with tool \(entry.tool.version))"
    }
    return ReportPhoto(content: .jpeg(bytes: jpeg, width: reduced.width, height: reduced.height), note: note)
  }
}
