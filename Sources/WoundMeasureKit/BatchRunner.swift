import Dispatch
import FoundationEssentials
import WoundCalibration
import WoundCore
import WoundImaging
import WoundTimeline

/// How a batch runs.
package struct BatchOptions: Sendable {
  /// Photos measured at once; each worker holds one photo at a time.
  package var jobs: Int
  /// Where the per-patient timelines live.
  package var timelineDirectory: String
  /// When set, each measured photo's overlay and mask are written here, mirroring the
  /// batch folder's layout: `<relative path without extension>.overlay.png` and `.mask.png`.
  package var outputDirectory: String?
  /// Where the scale comes from, for every photo of the batch.
  package var calibration: CalibrationRequest
  /// Photos whose header claims more pixels than this are refused.
  package var maxPixels: Int
  /// Who records the batch's entries, on which machine.
  package var recordedBy: TimelineEntry.Attribution
  /// Accept a photo already recorded for another patient of the timeline folder.
  package var allowSharedPhoto: Bool
  /// Accept the file's modification time for photos with no other date (else refused).
  package var allowFileTime: Bool

  package init(
    jobs: Int, timelineDirectory: String, outputDirectory: String? = nil, calibration: CalibrationRequest = .marker,
    maxPixels: Int = MeasurementSettings.defaultMaxPixels,
    recordedBy: TimelineEntry.Attribution = .current(), allowSharedPhoto: Bool = false, allowFileTime: Bool = false
  ) {
    self.recordedBy = recordedBy
    self.allowSharedPhoto = allowSharedPhoto
    self.allowFileTime = allowFileTime
    self.jobs = jobs
    self.timelineDirectory = timelineDirectory
    self.outputDirectory = outputDirectory
    self.calibration = calibration
    self.maxPixels = maxPixels
  }
}

/// What happened to one photo of a batch.
package enum BatchOutcome: Sendable, Equatable {
  /// Measured and appended to its timeline, with the entry's warnings.
  case measured(areaCm2: Double, entryId: String, warnings: [Warning])
  /// Not measured: its SHA-256 is already in the patient's timeline, or it duplicates an
  /// earlier photo of the same batch.
  case skipped(BatchSkip)
  /// Not measured or not recorded; the failure names the file.
  case failed(BatchFailure)
  /// Not recorded because a person must look at it: no wound was found and closure
  /// was not confirmed (a `closed` column of yes in the manifest); always
  /// ``MeasurementError/noWoundFound(file:)``.
  case needsReview(MeasurementError)
}

/// Why a photo of a batch was left alone.
package enum BatchSkip: Sendable, Equatable, CustomStringConvertible {
  /// The patient's timeline already holds the photo (`entryId` when another run
  /// recorded it while this batch was measuring).
  case alreadyRecorded(patient: String, entryId: String?)
  /// An earlier photo of the same batch and patient has the same bytes.
  case samePhoto(as: String)

  package var description: String {
    switch self {
    case .alreadyRecorded(let patient, nil): return "already in \(patient)'s timeline"
    case .alreadyRecorded(let patient, let entryId?): return "already in \(patient)'s timeline (entry \(entryId))"
    case .samePhoto(let first): return "same photo as \(first)"
    }
  }
}

/// Why one photo of a batch was not measured or not recorded. Every case names the
/// photo; the command line prints the description.
package enum BatchFailure: Error, Sendable, Equatable, CustomStringConvertible {
  /// The photo could not be placed in the batch (its patient or wound site is not a
  /// valid identifier, or the folder layout or manifest does not give them).
  case unplaced(BatchPlanProblem)
  /// The photo could not be read or measured.
  case measurement(MeasurementError)
  /// The patient's timeline cannot be read or its chain is broken: none of the patient's
  /// photos is measured, so that a batch never adds to a timeline it cannot trust.
  case untrustedTimeline(photo: String, TimelineError)
  /// Measured, but the timeline refused the entry.
  case notRecorded(photo: String, TimelineError)
  /// The overlay or mask could not be written under the output folder.
  case outputsNotWritten(photo: String, directory: String, reason: String)

  package var description: String {
    switch self {
    case .unplaced(let problem): return problem.reason
    case .measurement(let error): return error.description
    case .untrustedTimeline(let photo, let error): return "\(photo): not measured: \(error.description)"
    case .notRecorded(let photo, let error): return "\(photo): not recorded: \(error.description)"
    case .outputsNotWritten(let photo, let directory, let reason):
      return "\(photo): cannot write its overlay or mask under \(directory): \(reason)"
    }
  }
}

/// One finished photo, reported while the batch runs.
package struct BatchEvent: Sendable {
  package var item: BatchItem
  package var outcome: BatchOutcome
  /// Photos finished so far (this one included) and in all.
  package var done: Int
  package var total: Int
  /// Seconds since the batch started.
  package var elapsedSeconds: Double
}

/// Totals of a finished batch.
package struct BatchSummary: Sendable, Equatable {
  package var measured: Int
  package var skipped: Int
  package var failed: Int
  /// Photos that need a person's review (no wound found, closure not confirmed): their paths.
  package var needsReview: [String]
  /// Each failure, in the order the photos finished.
  package var failures: [BatchFailure]
  /// Wall-clock seconds.
  package var elapsedSeconds: Double
}

/// What a dry run would do with one photo.
package struct BatchDryRunLine: Sendable, Equatable {
  package var item: BatchItem
  /// `nil` when the photo would be measured; else why it would be skipped or fail.
  package var outcome: BatchOutcome?
}

/// Measures a batch of photos into their patients' timelines.
///
/// Photos are measured by `jobs` worker threads, each holding one photo at a time. A
/// patient's entries are appended once all of that patient's photos of the batch are
/// measured, in order of taken time (then path), so a timeline grows in capture order
/// whatever order the workers finish in. Idempotent: a photo whose SHA-256 is already in
/// its patient's timeline is skipped, and so is a second copy of the same photo within
/// the batch. A batch that is killed leaves every timeline valid (each append is atomic);
/// running it again measures what is missing. Figures do not depend on `jobs`.
package enum BatchRunner {
  /// Runs the batch.
  ///
  /// First every photo is read and hashed, in order, to find those already in their
  /// patient's timeline and second copies within the batch (the first by path is kept);
  /// then the rest are measured by `jobs` workers.
  ///
  /// - Parameters:
  ///   - items: the photos, in the order they are handed to workers.
  ///   - problems: photos that could not be placed (reported as failures first).
  ///   - options: see ``BatchOptions``.
  ///   - report: called once per photo as it finishes, from any thread, one call at a time.
  /// - Returns: the totals.
  package static func run(
    items: [BatchItem], problems: [BatchPlanProblem] = [], options: BatchOptions,
    report: @escaping @Sendable (BatchEvent) -> Void = { _ in }
  ) -> BatchSummary {
    let state = BatchState(items: items, problems: problems, options: options, report: report)
    for problem in problems {
      state.finishProblem(problem)
    }
    var toMeasure: [(index: Int, sha256: String)] = []
    for (index, screened) in screen(items: items, options: options).enumerated() {
      switch screened {
      case .measure(let sha256): toMeasure.append((index, sha256))
      case .done(let outcome): state.record(index: index, outcome: outcome)
      }
    }
    state.planMeasurements(toMeasure)
    let workers = max(1, min(options.jobs, toMeasure.count))
    if toMeasure.isEmpty { return state.summary() }
    runWorkerThreads(count: workers, stackBytes: 16 << 20) {
      while let next = state.nextMeasurement() {
        state.process(index: next.index, sha256: next.sha256)
      }
    }
    state.waitForCommits()
    return state.summary()
  }

  /// What the batch would do, without measuring or writing anything: each photo's bytes
  /// are hashed and looked up in its timeline.
  package static func dryRun(items: [BatchItem], options: BatchOptions) -> [BatchDryRunLine] {
    zip(items, screen(items: items, options: options)).map { item, screened in
      switch screened {
      case .measure: return BatchDryRunLine(item: item, outcome: nil)
      case .done(let outcome): return BatchDryRunLine(item: item, outcome: outcome)
      }
    }
  }

  /// Whether a photo is to be measured (with its SHA-256) or is already settled.
  enum Screened {
    case measure(sha256: String)
    case done(BatchOutcome)
  }

  /// Reads and hashes every photo, in order: unreadable photos fail; photos already in their
  /// patient's timeline, and later copies of a photo within the batch, are skipped. A
  /// timeline that cannot be read (or whose chain is broken) fails all of its photos, so a
  /// batch never adds to a timeline it cannot trust.
  static func screen(items: [BatchItem], options: BatchOptions) -> [Screened] {
    var known: [String: Result<Set<String>, TimelineError>] = [:]
    var firstPath: [String: [String: String]] = [:]
    var out: [Screened] = []
    for item in items {
      if known[item.patient] == nil {
        known[item.patient] = Result { () throws(TimelineError) -> Set<String> in
          try TimelineAccess.photoHashes(directory: options.timelineDirectory, patient: item.patient)
        }
      }
      let bytes: [UInt8]
      do {
        bytes = try MeasurementPipeline.readFile(item.path, maxPixels: options.maxPixels)
      } catch {
        out.append(.done(.failed(.measurement(error))))
        continue
      }
      let sha = sha256Hex(bytes)
      switch known[item.patient]! {
      case .failure(let error):
        out.append(.done(.failed(.untrustedTimeline(photo: item.path, error))))
        continue
      case .success(let hashes) where hashes.contains(sha):
        out.append(.done(.skipped(.alreadyRecorded(patient: item.patient, entryId: nil))))
        continue
      default: break
      }
      if let first = firstPath[item.patient]?[sha] {
        out.append(.done(.skipped(.samePhoto(as: first))))
        continue
      }
      firstPath[item.patient, default: [:]][sha] = item.path
      out.append(.measure(sha256: sha))
    }
    return out
  }
}

/// The shared state of a running batch. Every mutable field is guarded by `lock`;
/// measuring happens outside it. Appends run one at a time on `commits`, a serial queue,
/// so that a worker never waits for a timeline's `fsync`.
private final class BatchState: @unchecked Sendable {
  let items: [BatchItem]
  let options: BatchOptions
  let report: @Sendable (BatchEvent) -> Void
  let start = Date()
  let total: Int
  /// Every photo and mask of the batch, and the timeline folder: no output may replace them.
  let protected: SafeFile.ProtectedFiles

  private let lock = WorkerLock()
  private let commits = DispatchQueue(label: "woundmeasure.batch.commits")
  private var queue: [(index: Int, sha256: String)] = []
  private var next = 0
  private var done = 0
  private var outcomes: [BatchOutcome?]
  private var failures: [BatchFailure] = []
  /// Photos of each patient still being measured.
  private var pendingByPatient: [String: Int] = [:]
  /// Measured, not yet appended, per patient.
  private var measuredByPatient: [String: [(index: Int, outcome: MeasurementOutcome)]] = [:]

  init(
    items: [BatchItem], problems: [BatchPlanProblem], options: BatchOptions,
    report: @escaping @Sendable (BatchEvent) -> Void
  ) {
    self.items = items
    self.options = options
    self.report = report
    self.total = items.count + problems.count
    self.outcomes = [BatchOutcome?](repeating: nil, count: items.count)
    self.protected =
      options.outputDirectory == nil
      ? .none
      : SafeFile.ProtectedFiles(
        inputs: items.map(\.path) + items.compactMap(\.maskPath), timelineFolders: [options.timelineDirectory])
  }

  /// Sets the photos to measure, in order.
  func planMeasurements(_ planned: [(index: Int, sha256: String)]) {
    lock.lock()
    defer { lock.unlock() }
    queue = planned
    for p in planned { pendingByPatient[items[p.index].patient, default: 0] += 1 }
  }

  func nextMeasurement() -> (index: Int, sha256: String)? {
    lock.lock()
    defer { lock.unlock() }
    guard next < queue.count else { return nil }
    next += 1
    return queue[next - 1]
  }

  func finishProblem(_ problem: BatchPlanProblem) {
    lock.lock()
    defer { lock.unlock() }
    failures.append(.unplaced(problem))
    done += 1
    report(
      BatchEvent(
        item: BatchItem(path: problem.path, relativePath: problem.path, patient: "", woundSite: ""),
        outcome: .failed(.unplaced(problem)), done: done, total: total,
        elapsedSeconds: Date().timeIntervalSince(start)))
  }

  /// Measures one photo (outside the lock), then counts it as finished for its patient.
  func process(index: Int, sha256: String) {
    let item = items[index]
    switch measure(item, sha256: sha256) {
    case .success(let outcome):
      lock.lock()
      measuredByPatient[item.patient, default: []].append((index, outcome))
      lock.unlock()
    case .failure(let failure):
      record(index: index, outcome: failure.outcome)
    }
    finishPending(patient: item.patient)
  }

  private struct Failure: Error {
    var outcome: BatchOutcome
  }

  private func measure(_ item: BatchItem, sha256: String) -> Result<MeasurementOutcome, Failure> {
    let contents: SafeFile.Contents
    do {
      contents = try MeasurementPipeline.readPhoto(item.path, maxPixels: options.maxPixels)
    } catch {
      return .failure(Failure(outcome: .failed(.measurement(error))))
    }
    let bytes = contents.bytes
    guard sha256Hex(bytes) == sha256 else {
      return .failure(Failure(outcome: .failed(.measurement(.photoChanged(file: item.path)))))
    }
    let settings = MeasurementSettings(
      calibration: options.calibration, maskPath: item.maskPath, maxPixels: options.maxPixels,
      woundSite: item.woundSite, takenGiven: item.takenGiven, closureConfirmed: item.closureConfirmed,
      allowFileTime: options.allowFileTime)
    var outcome: MeasurementOutcome
    do {
      outcome = try MeasurementPipeline.measure(
        photoBytes: bytes, path: item.path, modificationDate: Date(timeIntervalSince1970: contents.modificationTime),
        settings: settings)
    } catch .noWoundFound(let file) {
      return .failure(Failure(outcome: .needsReview(.noWoundFound(file: file))))
    } catch {
      return .failure(Failure(outcome: .failed(.measurement(error))))
    }
    if let output = options.outputDirectory {
      let base = BatchPlan.outputBase(directory: output, relativePath: item.relativePath)
      do {
        try SafeFile.makeDirectories(PathName.parent(of: base))
        try Overlay.write(outcome.overlay(patient: item.patient), to: base + ".overlay.png", protecting: protected)
        try ImageEncoder.writePNG(outcome.mask, to: base + ".mask.png", protecting: protected)
      } catch {
        return .failure(
          Failure(
            outcome: .failed(.outputsNotWritten(photo: item.path, directory: output, reason: "\(error)"))))
      }
    }
    // Keep only the entry until the patient's photos are all measured.
    outcome.image = RGBImage(width: 0, height: 0)
    outcome.wound = BoxMask(width: 0, height: 0)
    outcome.tissue.releaseLabels()
    return .success(outcome)
  }

  func record(index: Int, outcome: BatchOutcome) {
    lock.lock()
    defer { lock.unlock() }
    outcomes[index] = outcome
    if case .failed(let failure) = outcome { failures.append(failure) }
    done += 1
    report(
      BatchEvent(
        item: items[index], outcome: outcome, done: done, total: total, elapsedSeconds: Date().timeIntervalSince(start))
    )
  }

  /// Counts one of the patient's photos as finished; after the last one the patient's
  /// measured entries are appended (on the commit queue) in order of taken time, then path.
  private func finishPending(patient: String) {
    lock.lock()
    pendingByPatient[patient, default: 1] -= 1
    let isLast = pendingByPatient[patient] == 0
    let measured = isLast ? (measuredByPatient.removeValue(forKey: patient) ?? []) : []
    lock.unlock()
    guard isLast else { return }
    commits.async { self.commit(measured, patient: patient) }
  }

  /// Appends one patient's entries in order of taken time, then path.
  private func commit(_ measured: [(index: Int, outcome: MeasurementOutcome)], patient: String) {
    let ordered = measured.sorted { a, b in
      let ta = a.outcome.taken.date
      let tb = b.outcome.taken.date
      if ta != tb { return ta < tb }
      return Array(items[a.index].path.utf8).lexicographicallyPrecedes(Array(items[b.index].path.utf8))
    }
    let context = RecordingContext(
      timelineDirectory: options.timelineDirectory, patient: patient, recordedBy: options.recordedBy,
      allowSharedPhoto: options.allowSharedPhoto)
    for m in ordered {
      do {
        let stored = try Recorder.record(m.outcome, context: context).entry
        record(
          index: m.index,
          outcome: .measured(areaCm2: stored.results.areaCm2, entryId: stored.id, warnings: m.outcome.warnings))
      } catch .duplicatePhoto(_, _, let entryId) {
        // Another run recorded it first: the check under the lock keeps one entry per photo.
        record(index: m.index, outcome: .skipped(.alreadyRecorded(patient: patient, entryId: entryId)))
      } catch {
        record(index: m.index, outcome: .failed(.notRecorded(photo: items[m.index].path, error)))
      }
    }
  }

  /// Returns once every queued append has been made.
  func waitForCommits() {
    commits.sync {}
  }

  func summary() -> BatchSummary {
    lock.lock()
    defer { lock.unlock() }
    var measured = 0
    var skipped = 0
    var needsReview: [String] = []
    for (index, outcome) in outcomes.enumerated() {
      switch outcome {
      case .measured: measured += 1
      case .skipped: skipped += 1
      case .needsReview: needsReview.append(items[index].path)
      default: break
      }
    }
    return BatchSummary(
      measured: measured, skipped: skipped, failed: failures.count, needsReview: needsReview, failures: failures,
      elapsedSeconds: Date().timeIntervalSince(start))
  }
}
