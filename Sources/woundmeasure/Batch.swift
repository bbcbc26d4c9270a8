import ArgumentParser
import FoundationEssentials
import WoundMeasureKit
import WoundTimeline

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension WoundMeasureCommand {
  /// `woundmeasure batch FOLDER`: measures every photo of a folder into its patient's timeline.
  struct Batch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "batch",
      abstract: "Measure a folder of photos into the patients' timelines.",
      discussion: """
        Photos (.jpg, .jpeg, .png, .heic, .heif) are found recursively and sorted by path. Patient and \
        wound site come from the layout FOLDER/<patient>/<wound-site>/<photo>, or from a \
        CSV --manifest with the header path,patient,wound,taken[,mask] (paths relative to \
        FOLDER; an optional mask column gives a wound mask to use instead of segmentation). \
        Taken time: the manifest's, else EXIF, else a date at the start of the file name, \
        else the file's modification time.

        Every photo is first hashed: a photo already in its patient's timeline (same \
        SHA-256), or a second copy within the batch, is skipped, so a batch can be run \
        again after an interruption. The rest are measured by --jobs workers; each \
        patient's new entries are appended in taken order. A photo that fails is reported \
        with its reason and the batch goes on. Exit status: 0 no failures, 1 any photo \
        failed, 64 bad arguments. See docs/batch-and-audit.md.

        Examples:
          woundmeasure batch samples/photos --jobs 2
          woundmeasure batch photos/ --manifest photos.csv --output out/
          woundmeasure batch photos/ --dry-run
        """)

    @Argument(help: ArgumentHelp("Folder of photos.", valueName: "FOLDER"))
    var folder: String

    @Option(
      name: .customLong("timeline-dir"), help: ArgumentHelp("Folder of the per-patient timelines.", valueName: "DIR"))
    var timelineDirectory: String = "timelines"

    @Option(help: ArgumentHelp("Photos measured at once (default: the number of cores).", valueName: "N"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Write each photo's overlay and mask under this folder.", valueName: "DIR"))
    var output: String?

    @Flag(name: .customLong("dry-run"), help: "List what would be measured or skipped; measure and write nothing.")
    var dryRun = false

    @Option(
      help: ArgumentHelp(
        "CSV of path,patient,wound,taken[,mask] instead of the folder layout.", valueName: "FILE.csv"))
    var manifest: String?

    @OptionGroup var pixelLimit: PixelLimitOptions

    @Option(
      name: .customLong("operator"),
      help: ArgumentHelp(
        "Who records the batch (default: $WOUNDMEASURE_OPERATOR, else the login name).", valueName: "NAME"))
    var operatorName: String?

    @Flag(
      name: .customLong("allow-file-time"),
      help: ArgumentHelp(
        "Accept the file's modification time for photos with no EXIF date and no dated file name "
          + "(refused by default: a copy changes it)."))
    var allowFileTime = false

    @Flag(name: .customLong("allow-shared-photo"), help: "Record photos that another patient's timeline already holds.")
    var allowSharedPhoto = false

    @Option(
      help: ArgumentHelp(
        "Measure only shard K of N (K = 0 ... N-1): the photos of the patients whose ID hashes to K "
          + "(FNV-1a 64 mod N), so shards run on several machines share no timeline. See docs/sharded-batches.md.",
        valueName: "K/N"))
    var shard: String?

    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
      if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
      if let shard, BatchShard(shard) == nil {
        throw ValidationError("--shard takes K/N with 0 <= K < N (for example 0/3, 1/3, 2/3), not '\(shard)'")
      }
      var isDirectory = false
      if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory {
        throw ValidationError("\(folder): not a folder")
      }
    }

    func run() async throws {
      let items: [BatchItem]
      let problems: [BatchPlanProblem]
      do {
        if let manifest {
          items = try BatchPlan.fromManifest(file: manifest, folder: folder)
          problems = []
        } else {
          (items, problems) = try BatchPlan.fromLayout(folder: folder)
        }
      } catch {
        CommandLineValues.printError("error: \(error.description)")
        throw ExitCode.failure
      }
      var selected = items
      var unplaced = problems
      let chosenShard = shard.flatMap(BatchShard.init)
      if let chosenShard {
        selected = chosenShard.select(items)
        unplaced = chosenShard.select(problems, folder: folder)
      }
      var placed: [BatchItem] = []
      for item in selected {
        if let problem = TimelineAccess.problemWithPatientID(item.patient)
          ?? TimelineAccess.problemWithWoundSite(item.woundSite)
        {
          unplaced.append(BatchPlanProblem(path: item.path, reason: problem))
        } else {
          placed.append(item)
        }
      }
      let options = BatchOptions(
        jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, timelineDirectory: timelineDirectory,
        outputDirectory: output, calibration: calibration.request,
        maxPixels: pixelLimit.maxPixels,
        recordedBy: TimelineEntry.Attribution.current(operator: operatorName), allowSharedPhoto: allowSharedPhoto,
        allowFileTime: allowFileTime)

      if dryRun {
        if let chosenShard {
          let patients = Set(placed.map(\.patient))
          print(
            "shard \(chosenShard): \(placed.count) of \(items.count) photos, \(patients.count) of "
              + "\(Set(items.map(\.patient)).count) patients")
        }
        try runDry(items: placed, problems: unplaced, options: options)
        return
      }

      let progress = BatchProgressPrinter(isTerminal: isatty(2) == 1)
      let summary = BatchRunner.run(items: placed, problems: unplaced, options: options) { event in
        progress.show(event)
      }
      progress.finish()
      if !summary.needsReview.isEmpty {
        print("needs review (no wound found; not recorded: confirm closure with a 'closed' column, or give a mask):")
        for path in summary.needsReview { print("  \(path)") }
      }
      print(
        "measured \(summary.measured), skipped \(summary.skipped), failed \(summary.failed), "
          + "needs review \(summary.needsReview.count) in \(CommandLineValues.format(summary.elapsedSeconds, 1)) s")
      if summary.failed > 0 || !summary.needsReview.isEmpty { throw ExitCode.failure }
    }

    private func runDry(items: [BatchItem], problems: [BatchPlanProblem], options: BatchOptions) throws {
      var counts = (measure: 0, skip: 0, fail: problems.count)
      for problem in problems { print("would fail     \(problem.path): \(problem.reason)") }
      for line in BatchRunner.dryRun(items: items, options: options) {
        let target = "\(line.item.patient)/\(line.item.woundSite)"
        switch line.outcome {
        case .none:
          counts.measure += 1
          print("would measure  \(line.item.path) -> \(target)")
        case .skipped(let reason):
          counts.skip += 1
          print("would skip     \(line.item.path) -> \(target): \(reason)")
        case .failed(let failure):
          counts.fail += 1
          print("would fail     \(line.item.path): \(failure)")
        case .needsReview(let error):
          counts.fail += 1
          print("would fail     \(line.item.path): \(error)")
        case .measured:
          break
        }
      }
      print("dry run: would measure \(counts.measure), skip \(counts.skip), fail \(counts.fail)")
      if counts.fail > 0 { throw ExitCode.failure }
    }
  }
}

/// Shows a batch's progress: a bar redrawn in place on a terminal, plain lines otherwise.
///
/// Called one event at a time (the runner serialises the calls).
final class BatchProgressPrinter: @unchecked Sendable {
  let isTerminal: Bool
  private var drewBar = false

  init(isTerminal: Bool) {
    self.isTerminal = isTerminal
  }

  func show(_ event: BatchEvent) {
    let counter = "[\(event.done)/\(event.total)]"
    let line: String
    var isFailure = false
    var warningLines: [String] = []
    switch event.outcome {
    case .measured(let areaCm2, _, let warnings):
      line =
        "\(counter) measured \(event.item.path) -> \(event.item.patient)/\(event.item.woundSite): "
        + "\(CommandLineValues.format(areaCm2, 2)) cm²"
      warningLines = warnings.map { "warning: \(event.item.path): \($0)" }
    case .skipped(let reason):
      line = "\(counter) skipped \(event.item.path): \(reason)"
    case .failed(let failure):
      line = "\(counter) failed: \(failure)"
      isFailure = true
    case .needsReview(let error):
      line = "\(counter) needs review: \(error)"
      isFailure = true
    }
    if isTerminal {
      // Failures and warnings stay on screen above the bar; other lines are folded into it.
      if isFailure { write("\r\u{1B}[2K" + line + "\n") }
      for warning in warningLines { write("\r\u{1B}[2K" + warning + "\n") }
      write("\r\u{1B}[2K" + bar(event))
      drewBar = true
    } else if isFailure {
      CommandLineValues.printError(line)
    } else {
      for warning in warningLines { CommandLineValues.printError(warning) }
      CommandLineValues.printLineNow(line)
    }
  }

  func finish() {
    if drewBar { write("\n") }
  }

  private func bar(_ event: BatchEvent) -> String {
    let width = 30
    let filled = event.total == 0 ? width : width * event.done / event.total
    var text =
      "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
      + "\(event.done)/\(event.total)"
    // Rate and ETA once there is a second of history to go on.
    if event.elapsedSeconds >= 1, event.done > 0 {
      let rate = Double(event.done) / event.elapsedSeconds
      let eta = Int((Double(event.total - event.done) / rate).rounded())
      text += "  \(CommandLineValues.format(rate, 2)) photos/s  ETA \(eta / 60):\(eta % 60 < 10 ? "0" : "")\(eta % 60)"
    }
    return text
  }

  private func write(_ text: String) {
    CommandLineValues.writeUnbuffered(text, to: STDERR_FILENO)
  }
}
