import FoundationEssentials
import WoundCore
import WoundTimeline

/// The verdict on one timeline entry.
package enum AuditVerdict: Sendable, Equatable {
  /// The photo was found unchanged and the re-run gave every figure bit for bit.
  case reproduced
  /// The re-run gave some figures differently. Expected only when the tool or model
  /// version differs from the one recorded (`versionsMatch == false`).
  case differs(figures: [FigureDifference], versionsMatch: Bool, versionNote: String)
  /// The photo is neither at its recorded path nor under the photos root.
  case photoMissing(searched: [String])
  /// A file was found but its SHA-256 differs from the recorded one.
  case photoAltered(path: String, recordedSha256: String, foundSha256: String)
  /// The entry itself was changed after it was written, or the chain around it is broken
  /// (an entry before it was deleted, inserted or reordered).
  case entryAltered(TimelineError.ChainBreak)
  /// The photo was found unchanged but could not be measured again.
  case rerunFailed(AuditRerunFailure)
  /// The entry names another patient than the timeline holding it (it was moved).
  case wrongPatient(recorded: String, timeline: String)
  /// The photo's own date (EXIF, or the date in its file name) is not the recorded
  /// `takenAt`: the taken time was changed after measuring.
  case takenAtMismatch(recorded: Date, fromPhoto: Date, source: String)
  /// The same photo stands in another patient's timeline too.
  case sharedPhoto(patients: [String])

  /// A short name for the verdict, as printed and in JSON: `reproduced`, `differs`,
  /// `photo-missing`, `photo-altered`, `entry-altered`, `rerun-failed`.
  package var name: String {
    switch self {
    case .reproduced: return "reproduced"
    case .differs: return "differs"
    case .photoMissing: return "photo-missing"
    case .photoAltered: return "photo-altered"
    case .entryAltered: return "entry-altered"
    case .rerunFailed: return "rerun-failed"
    case .wrongPatient: return "wrong-patient"
    case .takenAtMismatch: return "taken-time-altered"
    case .sharedPhoto: return "shared-photo"
    }
  }

  /// True only for ``reproduced``.
  package var isReproduced: Bool { self == .reproduced }
}

/// Why an entry whose photo was found could not be measured again.
package enum AuditRerunFailure: Error, Sendable, Equatable, CustomStringConvertible {
  /// The recorded settings cannot be run again.
  case unknownSettings(TimelineAccess.UnknownSettings)
  /// The mask (or outline) it was measured with is missing or was changed.
  case maskMissing(mask: String)
  /// The measurement itself failed.
  case measurement(MeasurementError)

  package var description: String {
    switch self {
    case .unknownSettings(let error): return error.description
    case .maskMissing(let mask): return "the mask \(mask) it was measured with is missing or was changed"
    case .measurement(let error): return error.description
    }
  }
}

/// What is wrong with a timeline file as a whole.
package enum TimelineProblem: Sendable, Equatable, CustomStringConvertible {
  /// The file's name is not its patient's (a timeline was copied over another).
  case misnamed(fileName: String, patient: String)
  /// The recovery record at its start does not match its hash.
  case recoveryAltered
  /// The file disagrees with its head (``TimelineStore/Head/mismatch(with:)``).
  case headMismatch(String, file: String)
  /// The head beside the file cannot be read.
  case headUnreadable(TimelineError)
  /// A correction or withdrawal names an entry that is not in the timeline.
  case orphanCorrection(entryId: String, amends: String?)

  package var description: String {
    switch self {
    case .misnamed(let name, let patient):
      return "the file is named \(name) but holds patient '\(patient)' (a timeline was copied over another)"
    case .recoveryAltered:
      return "the recovery record at its start does not match its hash"
    case .headMismatch(let mismatch, let file):
      return "\(mismatch): entries were deleted or the file was replaced (head \(file).head)"
    case .headUnreadable(let error):
      return "its head cannot be read: \(error)"
    case .orphanCorrection(let id, let amends):
      return "entry \(id) corrects or withdraws \(amends ?? "nothing"), which is not in the timeline"
    }
  }
}

/// What an auditor should know about a timeline file that is not wrong.
package enum TimelineNote: Sendable, Equatable, CustomStringConvertible {
  /// The head records fewer entries than the file holds.
  case headBehind(headEntries: Int, fileEntries: Int)
  /// No head file beside the timeline.
  case noHead

  package var description: String {
    switch self {
    case .headBehind(let head, let file):
      return "its head records \(head) of its \(file) entries (the last append was "
        + "interrupted before the head was written, or entries were added by hand)"
    case .noHead:
      return
        "no head file beside it (written before heads were kept, or deleted): deleted last entries cannot be detected"
    }
  }
}

/// Why a timeline file could not be audited at all.
package enum UnreadableTimeline: Error, Sendable, Equatable, CustomStringConvertible {
  /// No file at the path.
  case missing(file: String)
  /// The file cannot be read as a timeline.
  case timeline(TimelineError)

  package var description: String {
    switch self {
    case .missing(let file): return "\(file): the file does not exist"
    case .timeline(let error): return error.description
    }
  }
}

/// The audit of one entry.
package struct AuditedEntry: Sendable {
  /// Position in the timeline, from 0.
  package var index: Int
  /// The entry's ID as stored.
  package var entryId: String
  /// The photo path as recorded.
  package var recordedPath: String
  /// Where the photo was found, if anywhere.
  package var foundPath: String?
  package var verdict: AuditVerdict
}

/// The audit of one timeline file.
package struct TimelineAudit: Sendable {
  /// The timeline file.
  package var file: String
  /// Why the file could not be read at all, if so (then `entries` is empty).
  package var unreadable: UnreadableTimeline?
  /// What is wrong with the timeline as a whole: a name that is not its patient's, a
  /// file shorter than its head, a broken recovery record, corrections naming no entry.
  package var problems: [TimelineProblem] = []
  /// What an auditor should know but is not wrong (a head one append behind).
  package var notes: [TimelineNote] = []
  /// Per entry, in file order.
  package var entries: [AuditedEntry]

  /// True when the file was read, nothing is wrong with it and every entry was reproduced.
  package var allReproduced: Bool {
    unreadable == nil && problems.isEmpty && entries.allSatisfy { $0.verdict.isReproduced }
  }
}

/// Checks stored measurements: hash chain, photo identity and reproduction.
///
/// For each entry: verifies its hash and its link to the previous entry; finds its photo
/// (the recorded path, else under `photosRoot` by the recorded relative path or any of
/// its trailing parts, else by file name anywhere under the root); checks the photo's
/// SHA-256; measures it again with the recorded settings and compares every figure of
/// `results` exactly.
package enum Auditor {
  /// Audits timeline files together: besides each file's own checks, a photo standing
  /// in two of them (or in another patient's timeline of the same folder) is reported.
  package static func audit(timelineFiles files: [String], photosRoot: String?) -> [TimelineAudit] {
    let loaded = files.map { (file: $0, view: load(file: $0)) }
    var holders: [String: Set<String>] = [:]
    for case .success(let view) in loaded.map(\.view) {
      for entry in view.timeline.standingEntries() {
        holders[entry.photo.sha256, default: []].insert(view.timeline.patient)
      }
    }
    return loaded.map { audit(file: $0.file, loaded: $0.view, photosRoot: photosRoot, photoHolders: holders) }
  }

  /// Audits one timeline file.
  ///
  /// - Parameters:
  ///   - file: the timeline's path (`<dir>/<patient>.json`).
  ///   - photosRoot: a folder to search for photos that are not at their recorded path.
  ///   - photoHolders: patients holding each photo SHA-256 in other timelines audited with it.
  package static func audit(timelineFile file: String, photosRoot: String?, photoHolders: [String: Set<String>] = [:])
    -> TimelineAudit
  {
    audit(file: file, loaded: load(file: file), photosRoot: photosRoot, photoHolders: photoHolders)
  }

  /// Reads a timeline file for auditing, once.
  static func load(file: String) -> Result<TimelineAccess.AuditView, UnreadableTimeline> {
    if !FileManager.default.fileExists(atPath: file) { return .failure(.missing(file: file)) }
    do {
      return .success(try TimelineAccess.loadForAudit(file: file))
    } catch {
      return .failure(.timeline(error))
    }
  }

  static func audit(
    file: String, loaded view: Result<TimelineAccess.AuditView, UnreadableTimeline>, photosRoot: String?,
    photoHolders: [String: Set<String>]
  ) -> TimelineAudit {
    let loaded: TimelineAccess.AuditView
    switch view {
    case .success(let value): loaded = value
    case .failure(let error): return TimelineAudit(file: file, unreadable: error, entries: [])
    }
    let timeline = loaded.timeline
    var problems: [TimelineProblem] = []
    var notes: [TimelineNote] = []
    let name = PathName.last(of: file)
    if name != timeline.patient + ".json" { problems.append(.misnamed(fileName: name, patient: timeline.patient)) }
    if !loaded.recoveryIntact { problems.append(.recoveryAltered) }
    let directory = PathName.parent(of: file)
    let store = TimelineStore(directory: directory.isEmpty ? "." : directory)
    do {
      if let head = try store.head(patient: timeline.patient), name == timeline.patient + ".json" {
        if let mismatch = head.mismatch(with: timeline) {
          problems.append(.headMismatch(mismatch, file: file))
        } else if head.entries < timeline.entries.count {
          notes.append(.headBehind(headEntries: head.entries, fileEntries: timeline.entries.count))
        }
      } else if name == timeline.patient + ".json" {
        notes.append(.noHead)
      }
    } catch {
      problems.append(.headUnreadable(error))
    }
    let statuses = timeline.statuses()
    for entry in timeline.entries where statuses[entry.id] == .orphan {
      problems.append(.orphanCorrection(entryId: entry.id, amends: entry.amends?.entryId))
    }

    var fileIndex = FileNameIndex(root: photosRoot)
    var audited: [AuditedEntry] = []
    for (index, entry) in timeline.entries.enumerated() {
      let recordedPath = entry.photo.path
      var result = AuditedEntry(
        index: index, entryId: entry.id, recordedPath: recordedPath, foundPath: nil, verdict: .reproduced)
      if let chainBreak = loaded.chainBreaks[index] {
        result.verdict = .entryAltered(chainBreak)
        audited.append(result)
        continue
      }
      if let recorded = entry.patient, recorded != timeline.patient {
        result.verdict = .wrongPatient(recorded: recorded, timeline: timeline.patient)
        audited.append(result)
        continue
      }
      let candidates = candidatePaths(recorded: recordedPath, photosRoot: photosRoot, index: &fileIndex)
      var found: (path: String, bytes: [UInt8])?
      var altered: (path: String, sha256: String)?
      let maxPixels = entry.settings.maxPixels ?? MeasurementSettings.defaultMaxPixels
      for path in candidates {
        guard let bytes = try? MeasurementPipeline.readFile(path, maxPixels: maxPixels) else { continue }
        let sha = sha256Hex(bytes)
        if sha == entry.photo.sha256 {
          found = (path, bytes)
          break
        }
        if altered == nil { altered = (path, sha) }
      }
      guard let found else {
        if let altered {
          result.foundPath = altered.path
          result.verdict = .photoAltered(
            path: altered.path, recordedSha256: entry.photo.sha256, foundSha256: altered.sha256)
        } else {
          result.verdict = .photoMissing(searched: candidates)
        }
        audited.append(result)
        continue
      }
      result.foundPath = found.path
      result.verdict = reproduce(
        entry: entry, photoBytes: found.bytes, foundPath: found.path,
        photosRoot: photosRoot, index: &fileIndex)
      if result.verdict.isReproduced, statuses[entry.id] == .standing {
        var others = photoHolders[entry.photo.sha256] ?? []
        others.formUnion(store.photoIndexPatients(sha256: entry.photo.sha256))
        others.remove(timeline.patient)
        if !others.isEmpty { result.verdict = .sharedPhoto(patients: others.sorted()) }
      }
      audited.append(result)
    }
    return TimelineAudit(file: file, unreadable: nil, problems: problems, notes: notes, entries: audited)
  }

  /// Measures the photo again with the entry's settings and compares the results.
  static func reproduce(
    entry: TimelineEntry, photoBytes: [UInt8], foundPath: String, photosRoot: String?, index: inout FileNameIndex
  ) -> AuditVerdict {
    var settings: MeasurementSettings
    do {
      settings = try TimelineAccess.settings(of: entry)
    } catch {
      return .rerunFailed(.unknownSettings(error))
    }
    if let maskPath = settings.maskPath {
      guard
        let match = locateMask(
          recorded: maskPath, entry: entry, photosRoot: photosRoot, index: &index, maxPixels: settings.maxPixels)
      else {
        return .rerunFailed(.maskMissing(mask: maskPath))
      }
      settings.maskPath = match
    }
    // A date the photo itself carries (EXIF, or its file name) is derived again, not taken from the entry.
    let rederivesTakenTime = entry.takenAtSource == .exif || entry.takenAtSource == .filename
    if rederivesTakenTime { settings.takenGiven = nil }
    let outcome: MeasurementOutcome
    do {
      outcome = try MeasurementPipeline.measure(
        photoBytes: photoBytes, path: entry.photo.path, modificationDate: entry.takenAt, settings: settings)
    } catch {
      return .rerunFailed(.measurement(error))
    }
    if rederivesTakenTime, outcome.taken.date != entry.takenAt {
      return .takenAtMismatch(
        recorded: entry.takenAt, fromPhoto: outcome.taken.date, source: outcome.taken.source.rawValue)
    }
    let stored = TimelineAccess.encodedResults(of: entry)
    let recomputed = TimelineAccess.encodedResults(of: outcome.entry)
    let differences = FigureComparison.differences(stored: stored, recomputed: recomputed)
    if differences.isEmpty { return .reproduced }
    let storedTool = TimelineAccess.toolIdentity(of: entry)
    let currentTool = TimelineAccess.toolIdentity(of: outcome.entry)
    let versionsMatch = storedTool == currentTool
    let note: String
    func describe(_ tool: TimelineAccess.ToolIdentity) -> String {
      "tool \(tool.version), model \(tool.modelSha256.map { String($0.prefix(12)) } ?? "none"), tissue model "
        + (tool.tissueModelSha256.map { String($0.prefix(12)) } ?? "none")
    }
    if versionsMatch {
      note = describe(currentTool) + " match the recorded ones: the difference is not expected"
    } else {
      note =
        "recorded with \(describe(storedTool)); re-run with \(describe(currentTool)): "
        + "differences are expected across versions"
    }
    return .differs(figures: differences, versionsMatch: versionsMatch, versionNote: note)
  }

  /// Where the mask (or outline) an entry was measured with is now: the first candidate path
  /// whose SHA-256 is the recorded one; `nil` when none is.
  static func locateMask(
    recorded maskPath: String, entry: TimelineEntry, photosRoot: String?, index: inout FileNameIndex,
    maxPixels: Int = MeasurementSettings.defaultMaxPixels
  ) -> String? {
    let recordedMaskSha = TimelineAccess.maskSha256(of: entry)
    return candidatePaths(recorded: maskPath, photosRoot: photosRoot, index: &index).first { path in
      guard let bytes = try? MeasurementPipeline.readFile(path, maxPixels: maxPixels) else { return false }
      return recordedMaskSha == nil || sha256Hex(bytes) == recordedMaskSha
    }
  }

  /// Where to look for a recorded file, in order: the recorded path; then under the photos
  /// root, the recorded path itself (when relative) and each of its shorter trailing parts;
  /// then every file under the root with the same file name (sorted).
  static func candidatePaths(recorded: String, photosRoot: String?, index: inout FileNameIndex) -> [String] {
    var out = [recorded]
    guard let root = photosRoot else { return out }
    let parts = recorded.split(separator: "/").map(String.init)
    for start in 0..<parts.count {
      let tail = parts[start...].joined(separator: "/")
      let path = BatchPlan.join(root, tail)
      if !out.contains(path) { out.append(path) }
    }
    for path in index.paths(named: parts.last ?? recorded) where !out.contains(path) {
      out.append(path)
    }
    return out
  }
}

extension TimelineError.ChainBreak {
  /// The audit's reading of a chain break at entry `index`.
  package func auditText(index: Int) -> String {
    switch self {
    case .hashMismatch, .idMismatch:
      return "its content no longer matches its hash (a value was edited after it was written)"
    case .previousHashMismatch:
      return index == 0
        ? "it is first but links to an earlier entry (an entry before it was deleted)"
        : "it does not link to entry #\(index - 1) (an entry was deleted, inserted or reordered)"
    }
  }
}

/// Files under a root folder by file name, built on first use.
struct FileNameIndex {
  let root: String?
  private var byName: [String: [String]]?

  init(root: String?) {
    self.root = root
  }

  mutating func paths(named name: String) -> [String] {
    guard let root else { return [] }
    if byName == nil {
      var index: [String: [String]] = [:]
      // The batch walk: regular files only, each real folder once, however links loop.
      let files = (try? BatchPlan.walk(folder: root, including: { _ in true }).files) ?? []
      for relative in files {
        index[PathName.last(of: relative), default: []].append(BatchPlan.join(root, relative))
      }
      byName = index
    }
    return byName?[name] ?? []
  }
}
