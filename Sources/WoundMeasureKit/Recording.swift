import FoundationEssentials
import WoundCalibration
import WoundCore
import WoundTimeline

/// Where and by whom a measurement is recorded.
package struct RecordingContext: Sendable {
  /// The folder of the per-patient timelines.
  package var timelineDirectory: String
  /// The patient whose timeline receives the entry.
  package var patient: String
  /// Who records it, on which machine.
  package var recordedBy: TimelineEntry.Attribution
  /// Accept a photo already recorded for another patient of the folder.
  package var allowSharedPhoto: Bool

  package init(
    timelineDirectory: String, patient: String, recordedBy: TimelineEntry.Attribution,
    allowSharedPhoto: Bool = false
  ) {
    self.timelineDirectory = timelineDirectory
    self.patient = patient
    self.recordedBy = recordedBy
    self.allowSharedPhoto = allowSharedPhoto
  }

  var store: TimelineStore { TimelineStore(directory: timelineDirectory) }
}

/// An entry as stored (or, for a preview, as it would be stored).
package struct RecordedEntry: Sendable {
  /// The entry with its `id` and `hash`.
  package var entry: TimelineEntry
  /// The timeline file written, or `nil` for a preview.
  package var savedTo: String?
}

/// What an amendment changes in the settings of the entry it corrects; `nil` keeps
/// the recorded setting.
package struct SettingsCorrection: Sendable {
  package var maskPath: String?
  package var regionOfInterest: PixelRect?
  package var seedPixels: Point?
  package var calibration: CalibrationRequest?
  package var takenGiven: Date?
  package var closureConfirmed: Bool?
  package var woundSite: String?

  package init(
    maskPath: String? = nil, regionOfInterest: PixelRect? = nil, seedPixels: Point? = nil,
    calibration: CalibrationRequest? = nil, takenGiven: Date? = nil, closureConfirmed: Bool? = nil,
    woundSite: String? = nil
  ) {
    self.maskPath = maskPath
    self.regionOfInterest = regionOfInterest
    self.seedPixels = seedPixels
    self.calibration = calibration
    self.takenGiven = takenGiven
    self.closureConfirmed = closureConfirmed
    self.woundSite = woundSite
  }

  /// True when nothing would change.
  package var isEmpty: Bool {
    maskPath == nil && regionOfInterest == nil && seedPixels == nil && calibration == nil && takenGiven == nil
      && closureConfirmed == nil && woundSite == nil
  }
}

/// Why an amendment could not be made, beyond the store's own refusals.
package enum AmendmentError: Error, Sendable, Equatable, CustomStringConvertible {
  case timeline(TimelineError)
  case measurement(MeasurementError)
  /// The entry to correct is a void.
  case notAMeasurement(entryId: String)
  /// The recorded settings cannot be run again.
  case unknownSettings(entryId: String, TimelineAccess.UnknownSettings)
  /// Neither the recorded path nor the given one holds the photo.
  case photoNotFound(entryId: String, looked: [String])

  package var description: String {
    switch self {
    case .timeline(let error): return error.description
    case .measurement(let error): return error.description
    case .notAMeasurement(let id): return "entry \(id) withdraws another entry; it cannot be amended"
    case .unknownSettings(let id, let error): return "entry \(id): \(error)"
    case .photoNotFound(let id, let looked):
      return "entry \(id): its photo is not at \(looked.joined(separator: " nor ")) (or was changed); "
        + "give its current path with --photo"
    }
  }
}

/// Records measurements, corrections and withdrawals in patients' timelines: the one
/// place the command line (`measure`, `amend`) and `batch` go through.
package enum Recorder {
  /// Records a measured photo (or, with `save == false`, seals it against the
  /// timeline's last hash without writing, so that a preview shows its id).
  package static func record(_ outcome: MeasurementOutcome, context: RecordingContext, save: Bool = true)
    throws(TimelineError) -> RecordedEntry
  {
    var entry = outcome.entry
    entry.warnings = outcome.warnings.map(\.message)
    entry.recordedBy = context.recordedBy
    entry.patient = context.patient
    let store = context.store
    guard save else {
      let lastHash =
        (try? store.load(patient: context.patient, verifyingChain: false))?.lastHash ?? Timeline.genesisHash
      return RecordedEntry(entry: try entry.sealed(previousHash: lastHash), savedTo: nil)
    }
    let stored = try store.append(entry, patient: context.patient, allowSharedPhoto: context.allowSharedPhoto)
    return RecordedEntry(entry: stored, savedTo: try store.path(patient: context.patient))
  }

  /// Measures the photo of entry `entryId` again with corrected settings and records
  /// the result as an amendment that supersedes it.
  ///
  /// - Parameters:
  ///   - photoPath: where the photo is now; default its recorded path. Its SHA-256 must
  ///     be the recorded one.
  ///   - correction: the settings that change; the others are the recorded ones.
  ///   - reason: why, in the operator's words; recorded.
  /// - Returns: the amendment as stored, and the outcome (for an overlay).
  package static func amend(
    entryId: String, correction: SettingsCorrection, reason: String, photoPath: String?, context: RecordingContext,
    save: Bool = true
  ) throws(AmendmentError) -> (RecordedEntry, MeasurementOutcome) {
    let timeline: Timeline
    do {
      timeline = try context.store.load(patient: context.patient)
    } catch {
      throw .timeline(error)
    }
    guard let target = timeline.entry(id: entryId) else {
      throw .timeline(.unknownEntry(file: (try? context.store.path(patient: context.patient)) ?? "", entryId: entryId))
    }
    guard target.effectiveKind != .void else { throw .notAMeasurement(entryId: entryId) }
    var settings: MeasurementSettings
    do {
      settings = try TimelineAccess.settings(of: target)
    } catch {
      throw .unknownSettings(entryId: entryId, error)
    }
    // Keep the recorded taken time and its source unless a new one is given.
    settings.takenGiven = correction.takenGiven
    if let mask = correction.maskPath { settings.maskPath = mask }
    if let roi = correction.regionOfInterest { settings.regionOfInterest = roi }
    if let seed = correction.seedPixels { settings.seedPixels = seed }
    if let calibration = correction.calibration { settings.calibration = calibration }
    if let closed = correction.closureConfirmed { settings.closureConfirmed = closed }
    if let site = correction.woundSite { settings.woundSite = site }

    let candidates = [photoPath, target.photo.path].compactMap { $0 }
    var found: (path: String, bytes: [UInt8])?
    for path in candidates {
      guard let bytes = try? MeasurementPipeline.readFile(path) else { continue }
      if sha256Hex(bytes) == target.photo.sha256 {
        found = (path, bytes)
        break
      }
    }
    guard let found else { throw .photoNotFound(entryId: entryId, looked: candidates) }
    var outcome: MeasurementOutcome
    do {
      outcome = try MeasurementPipeline.measure(
        photoBytes: found.bytes, path: target.photo.path, modificationDate: target.takenAt, settings: settings)
    } catch {
      throw .measurement(error)
    }
    if correction.takenGiven == nil {
      outcome.entry.takenAt = target.takenAt
      outcome.entry.takenAtSource = target.takenAtSource
      outcome.warnings.removeAll { $0.code == .takenTimeUnknown }
    }
    outcome.entry.kind = .amendment
    outcome.entry.amends = TimelineEntry.Amends(entryId: entryId, reason: reason)
    do {
      return (try record(outcome, context: context, save: save), outcome)
    } catch {
      throw .timeline(error)
    }
  }

  /// Withdraws entry `entryId` (and every version of its measurement) with a reason.
  /// The void entry carries a copy of the withdrawn entry's photo, settings and results.
  package static func void(entryId: String, reason: String, context: RecordingContext) throws(TimelineError)
    -> RecordedEntry
  {
    let store = context.store
    let timeline = try store.load(patient: context.patient)
    guard var entry = timeline.entry(id: entryId), entry.effectiveKind != .void else {
      throw .unknownEntry(file: try store.path(patient: context.patient), entryId: entryId)
    }
    entry.kind = .void
    entry.amends = TimelineEntry.Amends(entryId: entryId, reason: reason)
    entry.recordedBy = context.recordedBy
    entry.measuredAt = Date()
    entry.closureConfirmed = nil
    entry.warnings = []
    let stored = try store.append(entry, patient: context.patient, allowSharedPhoto: true)
    return RecordedEntry(entry: stored, savedTo: try store.path(patient: context.patient))
  }

  /// Starts the patient's timeline anew after it was found damaged; see
  /// ``TimelineStore/recover(patient:reason:recordedBy:at:)``.
  package static func recover(reason: String, context: RecordingContext) throws(TimelineError) -> Timeline.Recovery {
    try context.store.recover(patient: context.patient, reason: reason, recordedBy: context.recordedBy)
  }
}
