import FoundationEssentials
import WoundCore

/// One measured photo in a patient's timeline.
///
/// Plain data: the pipeline fills it, the store gives it its `id`,
/// `previousHash` and `hash` when appending (whatever the caller put there is
/// replaced). Field names are the JSON keys of schema version 1
/// (`schemas/timeline-v1.schema.json`, `docs/timeline.md`). Optional fields
/// are left out of the JSON when `nil`.
///
/// Times are recorded to the whole second, in UTC, as ISO 8601
/// (`2026-03-14T10:22:05Z`).
package struct TimelineEntry: Sendable, Equatable, Codable {
  /// What an entry records; the raw values are the JSON values (schema version 2).
  package enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
    /// A photo measured for the first time. Entries of schema version 1 have no
    /// `kind` and are measurements.
    case measurement
    /// The same photo measured again with corrected settings (a corrected mask,
    /// region, seed, scale or taken time); it supersedes the entry it amends.
    case amendment
    /// Withdraws the entry it names (with a reason); its photo, settings and
    /// results are a copy of the withdrawn entry's, for the reader.
    case void
  }

  /// The entry an amendment or a void refers to, and why.
  package struct Amends: Sendable, Equatable, Codable {
    /// The `id` of the entry corrected or withdrawn.
    package var entryId: String
    /// Why, in the operator's words.
    package var reason: String
    package init(entryId: String, reason: String) {
      self.entryId = entryId
      self.reason = reason
    }
  }

  /// Who recorded an entry, and on which machine.
  package struct Attribution: Sendable, Equatable, Codable {
    /// The operator: `--operator`, else `WOUNDMEASURE_OPERATOR`, else the login name.
    package var `operator`: String
    /// The host name of the machine that wrote the entry.
    package var host: String
    package init(operator: String, host: String) {
      self.operator = `operator`
      self.host = host
    }
  }

  /// Where ``takenAt`` came from; the raw values are the JSON values.
  package enum TakenAtSource: String, Sendable, Equatable, Codable, CaseIterable {
    /// The photo's EXIF `DateTimeOriginal`.
    case exif
    /// A date at the start of the photo's file name.
    case filename
    /// The photo file's modification time.
    case mtime
    /// Given by the user.
    case given
  }

  /// The photo file that was measured.
  package struct Photo: Sendable, Equatable, Codable {
    /// The path as the user gave it (relative paths stay relative).
    package var path: String
    /// Size of the file in bytes.
    package var byteSize: Int
    /// SHA-256 of the file's bytes, 64 lowercase hex digits.
    package var sha256: String
    package init(path: String, byteSize: Int, sha256: String) {
      self.path = path
      self.byteSize = byteSize
      self.sha256 = sha256
    }
  }

  /// The tool that made the measurement.
  package struct Tool: Sendable, Equatable, Codable {
    /// The woundmeasure version string.
    package var version: String
    /// SHA-256 of the segmentation model file, or `nil` when no model was used
    /// (a mask was given).
    package var segmentationModelSha256: String?
    /// SHA-256 of the tissue model file, or `nil` when tissue was classified by the
    /// colour rule alone (entries before the tissue model).
    package var tissueModelSha256: String?
    package init(version: String, segmentationModelSha256: String?, tissueModelSha256: String? = nil) {
      self.version = version
      self.segmentationModelSha256 = segmentationModelSha256
      self.tissueModelSha256 = tissueModelSha256
    }
  }

  /// How the scale was given, exactly as needed to obtain it again.
  package struct CalibrationSettings: Sendable, Equatable, Codable {
    /// How the scale was obtained; the raw values are the JSON values.
    package enum Method: String, Sendable, Equatable, Codable, CaseIterable {
      /// The photo's AprilTag marker.
      case marker
      /// A fixed scale given with `--scale`.
      case scale
      /// Two ruler points given with `--ruler`.
      case ruler
    }

    /// How the scale was obtained.
    package var method: Method
    /// The marker's black-square edge as given by the user (overrides the
    /// size implied by the tag ID), mm; `nil` when the ID's size was used.
    package var markerSizeOverrideMm: Double?
    /// The explicit scale as given (`method == "scale"`), pixels per mm.
    package var pixelsPerMm: Double?
    /// The two ruler points in displayed pixels, `[[x1, y1], [x2, y2]]`
    /// (`method == "ruler"`).
    package var rulerPointsPixels: [[Double]]?
    /// The distance between the ruler points, mm (`method == "ruler"`).
    package var rulerDistanceMm: Double?
    package init(
      method: Method, markerSizeOverrideMm: Double? = nil, pixelsPerMm: Double? = nil,
      rulerPointsPixels: [[Double]]? = nil, rulerDistanceMm: Double? = nil
    ) {
      self.method = method
      self.markerSizeOverrideMm = markerSizeOverrideMm
      self.pixelsPerMm = pixelsPerMm
      self.rulerPointsPixels = rulerPointsPixels
      self.rulerDistanceMm = rulerDistanceMm
    }
  }

  /// Everything besides the photo, tool and model needed to re-run the
  /// measurement exactly.
  package struct Settings: Sendable, Equatable, Codable {
    /// How the scale was obtained.
    package var calibration: CalibrationSettings
    /// The tag ID of the marker used (`nil` without a marker).
    package var markerId: Int?
    /// The marker's black-square edge used, mm (from the ID or the override).
    package var markerSizeMm: Double?
    /// The marker's black-square corners found, displayed pixels, `[[x, y]] x 4`.
    package var markerCornersPixels: [[Double]]?
    /// SHA-256 of a mask file given instead of segmentation, or `nil`.
    package var maskSha256: String?
    /// The mask file's path as given, or `nil`.
    package var maskPath: String?
    /// Region of interest, displayed pixels: `[x, y, width, height]`.
    package var roiPixels: [Int]?
    /// A point inside the wound, displayed pixels: `[x, y]`.
    package var seedPixels: [Double]?
    /// The decoder's pixel limit in force.
    package var maxPixels: Int?
    /// Any further named settings, as text (sorted by key in the JSON).
    package var other: [String: String]?
    package init(
      calibration: CalibrationSettings, markerId: Int? = nil, markerSizeMm: Double? = nil,
      markerCornersPixels: [[Double]]? = nil, maskSha256: String? = nil, maskPath: String? = nil,
      roiPixels: [Int]? = nil, seedPixels: [Double]? = nil, maxPixels: Int? = nil,
      other: [String: String]? = nil
    ) {
      self.calibration = calibration
      self.markerId = markerId
      self.markerSizeMm = markerSizeMm
      self.markerCornersPixels = markerCornersPixels
      self.maskSha256 = maskSha256
      self.maskPath = maskPath
      self.roiPixels = roiPixels
      self.seedPixels = seedPixels
      self.maxPixels = maxPixels
      self.other = other
    }
  }

  /// Shares of the wound area by tissue class, each in [0, 1] (the tissue stage's own type).
  package typealias TissueShares = WoundCore.TissueShares

  /// What decided each tissue class (`"model"` or `"colour rule"`) and the share of the
  /// wound's pixels the colour rule decided (the tissue stage's own type).
  package typealias TissueMethods = WoundCore.TissueProvenance

  /// One connected wound region.
  package struct Region: Sendable, Equatable, Codable {
    package var areaCm2: Double
    package var perimeterCm: Double
    package var areaPixels: Int
    /// Half-open box in displayed pixels: `[x, y, width, height]`.
    package var boundingBoxPixels: [Int]
    package init(areaCm2: Double, perimeterCm: Double, areaPixels: Int, boundingBoxPixels: [Int]) {
      self.areaCm2 = areaCm2
      self.perimeterCm = perimeterCm
      self.areaPixels = areaPixels
      self.boundingBoxPixels = boundingBoxPixels
    }
  }

  /// How far the scale can be trusted (figures from the calibration).
  package struct CalibrationQuality: Sendable, Equatable, Codable {
    /// The marker detector's decision margin.
    package var decisionMargin: Double?
    /// Bits the marker detector corrected.
    package var hammingDistance: Int?
    /// Mean side of the marker's black square, pixels.
    package var markerSizePixels: Double?
    /// Shortest over longest side of the marker in the photo (1 = square on).
    package var sideRatio: Double?
    /// Estimated tilt of the marker plane, degrees.
    package var tiltDegrees: Double?
    package init(
      decisionMargin: Double? = nil, hammingDistance: Int? = nil, markerSizePixels: Double? = nil,
      sideRatio: Double? = nil, tiltDegrees: Double? = nil
    ) {
      self.decisionMargin = decisionMargin
      self.hammingDistance = hammingDistance
      self.markerSizePixels = markerSizePixels
      self.sideRatio = sideRatio
      self.tiltDegrees = tiltDegrees
    }
  }

  /// The measured figures, in the marker's plane.
  package struct Results: Sendable, Equatable, Codable {
    /// Total wound area, cm^2.
    package var areaCm2: Double
    /// Sum of the regions' outer perimeters, cm.
    package var perimeterCm: Double
    /// Maximum Feret diameter, cm.
    package var lengthCm: Double
    /// Extent perpendicular to the length, cm.
    package var widthCm: Double
    /// Length times width, cm^2 (the ruler estimate).
    package var lengthTimesWidthCm2: Double
    /// Length times width times pi / 4, cm^2 (the ellipse estimate).
    package var ellipseAreaCm2: Double
    /// Number of 8-connected regions.
    package var regionCount: Int
    /// The regions, in raster order of their first pixel.
    package var regions: [Region]
    /// Tissue shares, or `nil` when tissue was not classified.
    package var tissue: TissueShares?
    /// What decided each class; `nil` when tissue was not classified, and in entries
    /// made before the tissue model (the colour rule decided every class).
    package var tissueMethods: TissueMethods?
    /// Area not yet covered by epithelium, cm^2: `areaCm2 x (1 - epithelium)`,
    /// or `areaCm2` when tissue was not classified.
    package var openAreaCm2: Double
    /// Scale at the marker, pixels per mm.
    package var pixelsPerMm: Double
    /// Calibration quality figures.
    package var calibrationQuality: CalibrationQuality
    package init(
      areaCm2: Double, perimeterCm: Double, lengthCm: Double, widthCm: Double,
      lengthTimesWidthCm2: Double, ellipseAreaCm2: Double, regionCount: Int, regions: [Region],
      tissue: TissueShares?, tissueMethods: TissueMethods? = nil, openAreaCm2: Double, pixelsPerMm: Double,
      calibrationQuality: CalibrationQuality
    ) {
      self.tissueMethods = tissueMethods
      self.areaCm2 = areaCm2
      self.perimeterCm = perimeterCm
      self.lengthCm = lengthCm
      self.widthCm = widthCm
      self.lengthTimesWidthCm2 = lengthTimesWidthCm2
      self.ellipseAreaCm2 = ellipseAreaCm2
      self.regionCount = regionCount
      self.regions = regions
      self.tissue = tissue
      self.openAreaCm2 = openAreaCm2
      self.pixelsPerMm = pixelsPerMm
      self.calibrationQuality = calibrationQuality
    }
  }

  /// Deterministic identifier: the first 16 hex digits of the SHA-256 of the
  /// entry's canonical JSON without `id` and `hash` (previousHash included).
  /// Set by the store.
  package var id: String
  /// What the entry records; `nil` in schema version 1 files (a measurement).
  package var kind: Kind?
  /// The patient, the same as the timeline's (schema version 2; `nil` in version 1),
  /// so that an entry moved to another patient's file is caught.
  package var patient: String?
  /// Who recorded the entry (schema version 2; `nil` in version 1).
  package var recordedBy: Attribution?
  /// The entry an amendment or void refers to; `nil` for a measurement.
  package var amends: Amends?
  /// `true` when the operator confirmed that the wound is closed (`measure --closed`):
  /// the recorded area is then 0 whatever the outline finds. `nil` otherwise.
  package var closureConfirmed: Bool?
  /// When the photo was taken (UTC, whole seconds).
  package var takenAt: Date
  /// Where ``takenAt`` came from.
  package var takenAtSource: TakenAtSource
  /// When the measurement was made (UTC, whole seconds).
  package var measuredAt: Date
  /// The wound site within the patient, e.g. `left-heel` (safe characters only).
  package var woundSite: String
  package var photo: Photo
  package var tool: Tool
  package var settings: Settings
  package var results: Results
  /// Warnings raised while measuring, for the reader.
  package var warnings: [String]
  /// The previous entry's `hash`; 64 zeros for the first entry. Set by the store.
  package var previousHash: String
  /// SHA-256 (hex) of this entry's canonical JSON without the `hash` field.
  /// Set by the store.
  package var hash: String

  /// Makes an entry; `id`, `previousHash` and `hash` are filled by
  /// ``TimelineStore/append(_:patient:)``.
  package init(
    id: String = "", takenAt: Date, takenAtSource: TakenAtSource, measuredAt: Date, woundSite: String,
    photo: Photo, tool: Tool, settings: Settings, results: Results, warnings: [String] = [],
    previousHash: String = "", hash: String = "", kind: Kind? = nil, patient: String? = nil,
    recordedBy: Attribution? = nil, amends: Amends? = nil, closureConfirmed: Bool? = nil
  ) {
    self.id = id
    self.kind = kind
    self.patient = patient
    self.recordedBy = recordedBy
    self.amends = amends
    self.closureConfirmed = closureConfirmed
    self.takenAt = takenAt
    self.takenAtSource = takenAtSource
    self.measuredAt = measuredAt
    self.woundSite = woundSite
    self.photo = photo
    self.tool = tool
    self.settings = settings
    self.results = results
    self.warnings = warnings
    self.previousHash = previousHash
    self.hash = hash
  }
}

extension TimelineEntry {
  /// The JSON keys of an entry.
  enum CodingKeys: String, CodingKey, CaseIterable {
    case id, takenAt, takenAtSource, measuredAt, woundSite, photo, tool, settings, results, warnings
    case previousHash, hash
    case kind, patient, recordedBy, amends, closureConfirmed
  }

  /// What the entry records, with schema version 1's missing `kind` read as a measurement.
  package var effectiveKind: Kind { kind ?? .measurement }

  /// Encodes every field except those listed under ``TimelineJSON/omittedFields``.
  package func encode(to encoder: any Encoder) throws {
    let omitted = encoder.userInfo[TimelineJSON.omittedFields] as? Set<CodingKeys> ?? []
    var container = encoder.container(keyedBy: CodingKeys.self)
    if !omitted.contains(.id) { try container.encode(id, forKey: .id) }
    try container.encodeIfPresent(kind, forKey: .kind)
    try container.encodeIfPresent(patient, forKey: .patient)
    try container.encodeIfPresent(recordedBy, forKey: .recordedBy)
    try container.encodeIfPresent(amends, forKey: .amends)
    try container.encodeIfPresent(closureConfirmed, forKey: .closureConfirmed)
    try container.encode(takenAt, forKey: .takenAt)
    try container.encode(takenAtSource, forKey: .takenAtSource)
    try container.encode(measuredAt, forKey: .measuredAt)
    try container.encode(woundSite, forKey: .woundSite)
    try container.encode(photo, forKey: .photo)
    try container.encode(tool, forKey: .tool)
    try container.encode(settings, forKey: .settings)
    try container.encode(results, forKey: .results)
    try container.encode(warnings, forKey: .warnings)
    try container.encode(previousHash, forKey: .previousHash)
    if !omitted.contains(.hash) { try container.encode(hash, forKey: .hash) }
  }
}
