import FoundationEssentials
import WoundCalibration
import WoundCore
import WoundTimeline

/// Everything that decides a measurement besides the photo, the tool version and
/// the segmentation model.
///
/// All of it is recorded in the timeline entry, so that `audit` can run the same
/// measurement again (`docs/pipeline.md`).
package struct MeasurementSettings: Sendable, Equatable {
  /// Where the scale comes from: a marker (optionally with an explicit size), a fixed
  /// scale, or two ruler points.
  package var calibration: CalibrationRequest
  /// A wound mask to use instead of segmentation: a PNG or JPEG of the photo's displayed
  /// size, white (grey level >= 128) = wound. Its SHA-256 is recorded.
  package var maskPath: String?
  /// Region of interest in displayed pixels. Segmentation ignores everything outside it.
  package var regionOfInterest: PixelRect?
  /// A point inside the wound, displayed pixels: only the region holding it (or nearest
  /// to it) is kept.
  package var seedPixels: Point?
  /// Photos whose header claims more pixels than this are refused before decoding.
  package var maxPixels: Int
  /// The wound site within the patient's timeline.
  package var woundSite: String
  /// A taken time given by the user, overriding EXIF, file name and modification time.
  package var takenGiven: Date?
  /// A person confirmed that the wound is closed: the photo is recorded with an area
  /// of 0 whatever the outline finds (a warning says what it found). Without it, a
  /// photo with no wound found is refused (``MeasurementError/noWoundFound(file:)``).
  package var closureConfirmed: Bool
  /// Whether the file's modification time may stand in for a missing capture time
  /// (with a warning). `batch` refuses it unless `--allow-file-time`.
  package var allowFileTime: Bool
  /// The kind of wound (`--wound-type`), recorded in the entry's `settings.other`;
  /// it decides which four-week figure the healing report applies.
  package var woundType: WoundType?

  /// The default pixel limit: 100 megapixels.
  package static let defaultMaxPixels = 100_000_000
  /// The default wound site.
  package static let defaultWoundSite = "wound"

  package init(
    calibration: CalibrationRequest = .marker, maskPath: String? = nil, regionOfInterest: PixelRect? = nil,
    seedPixels: Point? = nil, maxPixels: Int = MeasurementSettings.defaultMaxPixels,
    woundSite: String = MeasurementSettings.defaultWoundSite, takenGiven: Date? = nil,
    closureConfirmed: Bool = false, allowFileTime: Bool = true, woundType: WoundType? = nil
  ) {
    self.woundType = woundType
    self.closureConfirmed = closureConfirmed
    self.allowFileTime = allowFileTime
    self.calibration = calibration
    self.maskPath = maskPath
    self.regionOfInterest = regionOfInterest
    self.seedPixels = seedPixels
    self.maxPixels = maxPixels
    self.woundSite = woundSite
    self.takenGiven = takenGiven
  }
}
