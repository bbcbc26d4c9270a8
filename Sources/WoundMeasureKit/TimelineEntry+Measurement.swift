import FoundationEssentials
import WoundCalibration
import WoundCore
import WoundImaging
import WoundMeasurement
import WoundSegmentation
import WoundTimeline

/// The facts of one measurement, gathered for the timeline entry.
struct MeasurementFacts {
  var path: String
  var byteSize: Int
  var photoSha256: String
  var metadata: PhotoMetadata
  var settings: MeasurementSettings
  var maskSha256: String?
  var modelSha256: String?
  var tissueModelSha256: String?
  var calibration: Calibration
  var measures: PlaneMeasures
  var epitheliumAreaMm2: Double
  var tissue: TissueMap
  var reference: ColourReference?
  var taken: TakenTime
  var warnings: [Warning]

  /// The entry, in cm and cm², with every setting needed to run it again. The store fills
  /// in `id`, `previousHash` and `hash` when it appends.
  func timelineEntry(measuredAt: Date = Date()) -> TimelineEntry {
    let hasWound = measures.areaMm2 > 0
    let shares = tissue.shares
    let results = TimelineEntry.Results(
      areaCm2: measures.areaMm2 / 100,
      perimeterCm: measures.perimeterMm / 10,
      lengthCm: measures.lengthMm / 10,
      widthCm: measures.widthMm / 10,
      lengthTimesWidthCm2: measures.lengthTimesWidthMm2 / 100,
      ellipseAreaCm2: measures.ellipseAreaMm2 / 100,
      regionCount: measures.regions.count,
      regions: measures.regions.map {
        TimelineEntry.Region(
          areaCm2: $0.areaMm2 / 100, perimeterCm: $0.perimeterMm / 10, areaPixels: $0.areaPixels,
          boundingBoxPixels: $0.boundingBox.components)
      },
      tissue: hasWound
        ? shares : nil,
      tissueMethods: hasWound ? tissue.provenance : nil,
      openAreaCm2: max(0, measures.areaMm2 - epitheliumAreaMm2) / 100,
      pixelsPerMm: calibration.pixelsPerMm,
      calibrationQuality: TimelineEntry.CalibrationQuality(
        decisionMargin: calibration.marker?.decisionMargin, hammingDistance: calibration.marker?.hammingDistance,
        markerSizePixels: calibration.marker?.sizePixels, sideRatio: calibration.marker?.sideRatio,
        tiltDegrees: calibration.marker?.tiltDegrees))
    return TimelineEntry(
      takenAt: taken.date,
      takenAtSource: taken.source,
      measuredAt: measuredAt,
      woundSite: settings.woundSite,
      photo: TimelineEntry.Photo(path: path, byteSize: byteSize, sha256: photoSha256),
      tool: TimelineEntry.Tool(
        version: WoundMeasureVersion.string, segmentationModelSha256: modelSha256,
        tissueModelSha256: tissueModelSha256),
      settings: recordedSettings(),
      results: results,
      warnings: warnings.map(\.message),
      kind: .measurement,
      closureConfirmed: settings.closureConfirmed ? true : nil)
  }

  /// The settings as recorded: the request as given, and what the calibration chose.
  func recordedSettings() -> TimelineEntry.Settings {
    let calibrationSettings: TimelineEntry.CalibrationSettings
    switch settings.calibration {
    case .marker(let sizeMmOverride):
      calibrationSettings = TimelineEntry.CalibrationSettings(method: .marker, markerSizeOverrideMm: sizeMmOverride)
    case .scale(let pixelsPerMm):
      calibrationSettings = TimelineEntry.CalibrationSettings(method: .scale, pixelsPerMm: pixelsPerMm)
    case .ruler(let x1, let y1, let x2, let y2, let mm):
      calibrationSettings = TimelineEntry.CalibrationSettings(
        method: .ruler, rulerPointsPixels: [[x1, y1], [x2, y2]], rulerDistanceMm: mm)
    }
    var other: [String: String] = [:]
    if let reference {
      other["colourReferenceWhite"] = reference.white.map { cFormat("%.2f", $0) }.joined(separator: ",")
      other["colourReferenceBlack"] = reference.black.map { cFormat("%.2f", $0) }.joined(separator: ",")
    }
    other["photoFormat"] = metadata.format.rawValue
    if let woundType = settings.woundType { other[WoundType.settingsKey] = woundType.rawValue }
    other["displayedSizePixels"] = "\(metadata.displayedWidth)x\(metadata.displayedHeight)"
    if metadata.orientation != 1 { other["exifOrientation"] = String(metadata.orientation) }
    return TimelineEntry.Settings(
      calibration: calibrationSettings,
      markerId: calibration.marker?.id,
      markerSizeMm: calibration.marker?.sizeMm,
      markerCornersPixels: calibration.marker?.corners.map(\.coordinates),
      maskSha256: maskSha256,
      maskPath: settings.maskPath,
      roiPixels: settings.maskPath == nil ? settings.regionOfInterest?.components : nil,
      seedPixels: settings.maskPath == nil ? settings.seedPixels.map(\.coordinates) : nil,
      maxPixels: settings.maxPixels,
      other: other)
  }
}

/// How the pipeline reads and writes timelines; a thin layer over ``TimelineStore``.
package enum TimelineAccess {
  /// The timeline file of a patient in `directory`.
  package static func file(directory: String, patient: String) -> String {
    PathName.join(directory, patient + ".json")
  }

  /// Why `patient` cannot be a patient ID, as a message; `nil` when it can.
  package static func problemWithPatientID(_ patient: String) -> String? {
    SafeIdentifier.problem(with: patient).map { TimelineError.invalidPatientID(patient, $0).description }
  }

  /// Why `site` cannot be a wound site, as a message; `nil` when it can.
  package static func problemWithWoundSite(_ site: String) -> String? {
    SafeIdentifier.problem(with: site).map { TimelineError.invalidWoundSite(site, $0).description }
  }

  /// The SHA-256 of every photo in the patient's timeline (empty when there is none).
  ///
  /// - Throws: ``TimelineError`` when the timeline exists but cannot be read or its chain is
  ///   broken: a batch must not add to a timeline it cannot trust.
  package static func photoHashes(directory: String, patient: String) throws(TimelineError) -> Set<String> {
    do {
      let timeline = try TimelineStore(directory: directory).load(patient: patient, verifyingChain: true)
      return Set(timeline.entries.map(\.photo.sha256))
    } catch .notFound {
      return []
    }
  }

  /// A timeline read for auditing: the timeline, and per entry how it breaks the
  /// hash chain (`nil` when its hash, id and link are right).
  struct AuditView {
    var timeline: Timeline
    var chainBreaks: [TimelineError.ChainBreak?]
    var recoveryIntact: Bool
  }

  /// Reads a timeline file without refusing a broken chain, and checks every entry's link.
  static func loadForAudit(file: String) throws(TimelineError) -> AuditView {
    let timeline = try TimelineStore.read(file: file, verifyingChain: false)
    var recoveryIntact = true
    if let recovery = timeline.recovery { recoveryIntact = try recovery.computedHash() == recovery.hash }
    return AuditView(timeline: timeline, chainBreaks: try timeline.chainBreaks(), recoveryIntact: recoveryIntact)
  }

  /// Why an entry's recorded settings cannot be turned back into ``MeasurementSettings``.
  package enum UnknownSettings: Error, Sendable, Equatable, CustomStringConvertible {
    /// Method `scale` without its pixels per millimetre.
    case scaleWithoutPixelsPerMm
    /// Method `ruler` without its two points and distance.
    case rulerWithoutPoints
    /// A region of interest that is not four integers.
    case malformedRegionOfInterest([Int])

    package var description: String {
      switch self {
      case .scaleWithoutPixelsPerMm: return "the entry records method 'scale' without pixelsPerMm"
      case .rulerWithoutPoints: return "the entry records method 'ruler' without its two points and distance"
      case .malformedRegionOfInterest(let values):
        return "the entry records a region of interest of \(values.count) numbers, not x, y, width, height"
      }
    }
  }

  /// The settings an entry was measured with, ready to run again.
  static func settings(of entry: TimelineEntry) throws(UnknownSettings)
    -> MeasurementSettings
  {
    let recorded = entry.settings
    let c = recorded.calibration
    let request: CalibrationRequest
    switch c.method {
    case .marker:
      request = .marker(sizeMmOverride: c.markerSizeOverrideMm)
    case .scale:
      guard let pixelsPerMm = c.pixelsPerMm else {
        throw .scaleWithoutPixelsPerMm
      }
      request = .scale(pixelsPerMm: pixelsPerMm)
    case .ruler:
      guard let points = c.rulerPointsPixels, points.count == 2, points.allSatisfy({ $0.count == 2 }),
        let mm = c.rulerDistanceMm
      else {
        throw .rulerWithoutPoints
      }
      request = .ruler(x1: points[0][0], y1: points[0][1], x2: points[1][0], y2: points[1][1], mm: mm)
    }
    var regionOfInterest: PixelRect?
    if let values = recorded.roiPixels {
      guard let rect = PixelRect(components: values) else { throw .malformedRegionOfInterest(values) }
      regionOfInterest = rect
    }
    return MeasurementSettings(
      calibration: request, maskPath: recorded.maskPath, regionOfInterest: regionOfInterest,
      seedPixels: recorded.seedPixels.flatMap(Point.init(coordinates:)),
      maxPixels: recorded.maxPixels ?? MeasurementSettings.defaultMaxPixels,
      woundSite: entry.woundSite, takenGiven: entry.takenAt, closureConfirmed: entry.closureConfirmed == true,
      woundType: entry.woundType)
  }

  /// The recorded mask's SHA-256, if a mask was given.
  static func maskSha256(of entry: TimelineEntry) -> String? { entry.settings.maskSha256 }

  /// The tool version and model an entry was measured with.
  struct ToolIdentity: Equatable {
    var version: String
    var modelSha256: String?
    var tissueModelSha256: String?
  }

  static func toolIdentity(of entry: TimelineEntry) -> ToolIdentity {
    ToolIdentity(
      version: entry.tool.version, modelSha256: entry.tool.segmentationModelSha256,
      tissueModelSha256: entry.tool.tissueModelSha256)
  }

  /// An entry's `results` as canonical JSON (sorted keys), for comparing figure by figure.
  static func encodedResults(of entry: TimelineEntry) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(entry.results)) ?? Data()
  }
}
