import ArgumentParser
import FoundationEssentials
import WoundCore
import WoundImaging
import WoundMeasureKit
import WoundTimeline

extension WoundMeasureCommand {
  /// `woundmeasure amend PATIENT --entry ID ... --reason TEXT`: corrects a record by appending.
  struct Amend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "amend",
      abstract:
        "Correct a patient's record by appending: re-measure an entry, withdraw it, or start anew after damage.",
      discussion: """
        Entries are never edited. An amendment measures the same photo again with corrected \
        settings (--mask, --roi, --seed, --taken, --closed, --wound, or a scale option) and \
        supersedes the entry; --void withdraws it. Both record the reason and the operator; \
        reports use the latest standing version, 'timeline --history' shows every version, \
        and audit checks amendments like any entry. --recover starts a timeline that cannot \
        be read or verified anew: the damaged file is kept byte for byte beside it and its \
        SHA-256 and the reason head the new chain. Exit status: 0 recorded, 1 refused, 64 \
        bad arguments.

        Examples:
          woundmeasure amend P001 --entry 3f2a9c0d1e2b4a5c --mask corrected.png --reason "rim of slough left out"
          woundmeasure amend P001 --entry 3f2a9c0d1e2b4a5c --void --reason "photo of patient P002"
          woundmeasure amend P001 --recover --reason "file damaged by a disk fault"
        """)

    @Argument(help: ArgumentHelp("Patient ID.", valueName: "PATIENT"))
    var patient: String

    @Option(
      help: ArgumentHelp("The id of the entry to correct or withdraw (see 'timeline --history').", valueName: "ID"))
    var entry: String?

    @Option(help: ArgumentHelp("Why (required; recorded with the entry).", valueName: "TEXT"))
    var reason: String

    @Flag(name: .customLong("void"), help: "Withdraw the entry instead of re-measuring it.")
    var withdraw = false

    @Flag(help: "Start the timeline anew after it was found damaged, keeping the damaged file.")
    var recover = false

    @Option(
      name: .customLong("timeline-dir"), help: ArgumentHelp("Folder of the per-patient timelines.", valueName: "DIR"))
    var timelineDirectory: String = "timelines"

    @Option(help: ArgumentHelp("Where the entry's photo is now (default: its recorded path).", valueName: "PHOTO"))
    var photo: String?

    @Option(
      help: ArgumentHelp("A corrected wound mask: the photo's displayed size, white = wound.", valueName: "MASK.png"))
    var mask: String?

    @Option(help: ArgumentHelp("A corrected region of interest, displayed pixels.", valueName: "X,Y,W,H"))
    var roi: String?

    @Option(help: ArgumentHelp("A corrected point inside the wound, displayed pixels.", valueName: "X,Y"))
    var seed: String?

    @Option(help: ArgumentHelp("The corrected taken time (as measure --taken).", valueName: "DATE"))
    var taken: String?

    @Option(name: .customLong("wound"), help: ArgumentHelp("The corrected wound site.", valueName: "SITE"))
    var woundSite: String?

    @Flag(help: "Confirm that the wound on this photo is closed (recorded with area 0).")
    var closed = false

    @Option(
      name: .customLong("operator"),
      help: ArgumentHelp(
        "Who records the correction (default: $WOUNDMEASURE_OPERATOR, else the login name).", valueName: "NAME"))
    var operatorName: String?

    @Flag(help: "Print the new entry as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Write the amended overlay as PNG.", valueName: "OUT.png"))
    var overlay: String?

    @OptionGroup var calibration: CalibrationOptions

    var correctsCalibration: Bool {
      calibration.markerSizeMm != nil || calibration.pixelsPerMm != nil || calibration.ruler != nil
    }

    var correction: SettingsCorrection {
      SettingsCorrection(
        maskPath: mask,
        regionOfInterest: roi.flatMap { CommandLineValues.integers($0, count: 4) }.flatMap(PixelRect.init(components:)),
        seedPixels: seed.flatMap { CommandLineValues.numbers($0, count: 2) }.map { Point(x: $0[0], y: $0[1]) },
        calibration: correctsCalibration ? calibration.request : nil, takenGiven: taken.flatMap(TakenTime.parseGiven),
        closureConfirmed: closed ? true : nil, woundSite: woundSite)
    }

    func validate() throws {
      if let problem = TimelineAccess.problemWithPatientID(patient) {
        throw ValidationError(problem)
      }
      if let woundSite, let problem = TimelineAccess.problemWithWoundSite(woundSite) {
        throw ValidationError(problem)
      }
      if reason.trimmingWhitespace().isEmpty {
        throw ValidationError("--reason must say why the record is corrected")
      }
      if recover {
        if entry != nil || withdraw || !correction.isEmpty {
          throw ValidationError("--recover takes only --reason (and --operator, --timeline-dir)")
        }
        return
      }
      guard entry != nil else { throw ValidationError("give --entry ID (or --recover)") }
      if withdraw && !correction.isEmpty {
        throw ValidationError("--void withdraws the entry; it takes no corrected settings")
      }
      if !withdraw && correction.isEmpty {
        throw ValidationError(
          "say what is corrected (--mask, --roi, --seed, --taken, --wound, --closed or a scale option), or --void")
      }
      if let roi, CommandLineValues.integers(roi, count: 4) == nil {
        throw ValidationError("--roi takes four integers X,Y,W,H (displayed pixels), not '\(roi)'")
      }
      if let seed, CommandLineValues.numbers(seed, count: 2) == nil {
        throw ValidationError("--seed takes two numbers X,Y (displayed pixels), not '\(seed)'")
      }
      if let taken, TakenTime.parseGiven(taken) == nil {
        throw ValidationError("--taken: unreadable date '\(taken)'; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")
      }
    }

    func run() async throws {
      let context = RecordingContext(
        timelineDirectory: timelineDirectory, patient: patient,
        recordedBy: TimelineEntry.Attribution.current(operator: operatorName))
      if recover {
        do {
          let recovery = try Recorder.recover(reason: reason, context: context)
          print(
            "\(patient): timeline started anew; the damaged file is kept as "
              + "\(recovery.damagedFileName.isEmpty ? "(it was missing)" : recovery.damagedFileName) "
              + "(SHA-256 \(recovery.damagedSha256.prefix(16))...); problem found: \(recovery.problem)")
        } catch {
          CommandLineValues.printError("error: \(error)")
          throw ExitCode.failure
        }
        return
      }
      let entryId = entry ?? ""
      let recorded: RecordedEntry
      if withdraw {
        do {
          recorded = try Recorder.void(entryId: entryId, reason: reason, context: context)
        } catch {
          CommandLineValues.printError("error: \(error)")
          throw ExitCode.failure
        }
      } else {
        do {
          let (stored, outcome) = try Recorder.amend(
            entryId: entryId, correction: correction, reason: reason, photoPath: photo, context: context)
          recorded = stored
          for warning in stored.entry.warnings { CommandLineValues.printError("warning: \(warning)") }
          if let overlay { try ImageEncoder.writePNG(outcome.overlay(patient: patient), to: overlay) }
        } catch let error as AmendmentError {
          CommandLineValues.printError("error: \(error)")
          throw ExitCode.failure
        }
      }
      if json {
        print(try CommandLineValues.json(recorded.entry))
      } else {
        let e = recorded.entry
        let what =
          e.effectiveKind == .void
          ? "withdraws entry \(entryId)"
          : cFormat("supersedes entry \(entryId): area %.2f cm²", e.results.areaCm2)
        print("\(patient): entry \(e.id) \(what); reason: \(reason); saved to \(recorded.savedTo ?? "-")")
      }
    }
  }
}
