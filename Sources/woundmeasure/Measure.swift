import ArgumentParser
import FoundationEssentials
import WoundCore
import WoundImaging
import WoundMeasureKit
import WoundTimeline

extension WoundMeasureCommand {
  /// `woundmeasure measure PHOTO --patient ID`: measures one photo and appends the
  /// result to the patient's timeline.
  struct Measure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "measure",
      abstract: "Measure a wound photo and record it in the patient's timeline.",
      discussion: """
        Finds the scale (the photo's marker, or --scale / --ruler), outlines the wound \
        (or takes --mask), classifies its tissue and measures it in the marker's plane. \
        Length is the maximum Feret diameter; width is the greatest extent perpendicular \
        to it. The entry is appended to TIMELINE_DIR/PATIENT.json unless --no-save. \
        Warnings go to stderr as 'warning:' lines. Exit status: 0 measured, 1 the photo \
        was refused or could not be recorded, 64 bad arguments.

        Taken time: --taken, else the photo's EXIF capture time, else a date at the start \
        of the file name (2026-03-14_1.jpg), else the file's modification time.

        Examples:
          woundmeasure measure photo.jpg --patient P001 --wound left-heel --wound-type diabetic-foot
          woundmeasure measure photo.jpg --patient P001 --json --no-save
          woundmeasure measure photo.jpg --patient P001 --scale 12.5 --overlay photo.overlay.png
          woundmeasure measure photo.jpg --patient P001 --mask photo.mask.png --taken 2026-03-14
          woundmeasure measure photo.jpg --patient P001 --outline-out photo.roi
          woundmeasure measure photo.jpg --patient P001 --outline traced-in-fiji.roi
        """)

    @Argument(help: ArgumentHelp("The wound photo (JPEG, PNG or HEIC).", valueName: "PHOTO"))
    var photo: String

    @Option(help: ArgumentHelp("Patient ID: letters, digits, '.', '_', '-' (1-64).", valueName: "ID"))
    var patient: String

    @Option(
      name: .customLong("wound"), help: ArgumentHelp("Wound site within the patient's timeline.", valueName: "SITE"))
    var woundSite: String = MeasurementSettings.defaultWoundSite

    @Option(
      name: .customLong("timeline-dir"), help: ArgumentHelp("Folder of the per-patient timelines.", valueName: "DIR"))
    var timelineDirectory: String = "timelines"

    @Option(
      name: .customLong("wound-type"),
      help: ArgumentHelp(
        "The kind of wound, recorded with the entry: the healing report applies its 4-week figure "
          + "(diabetic-foot 50 %, venous 40 %; none for the others).", valueName: "TYPE"))
    var woundType: WoundType?

    @Option(
      help: ArgumentHelp(
        "When the photo was taken: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] (UTC unless an offset is given).",
        valueName: "DATE"))
    var taken: String?

    @Option(
      help: ArgumentHelp(
        "Use this wound mask instead of segmentation: the photo's displayed size, white = wound.", valueName: "MASK.png"
      ))
    var mask: String?

    @Option(
      help: ArgumentHelp(
        "Measure this ImageJ/Fiji outline instead of segmenting: a polygon, freehand or traced selection (.roi) "
          + "or a ROI Manager set (.zip), in the photo's displayed pixels.", valueName: "FILE.roi"))
    var outline: String?

    @Option(
      help: ArgumentHelp("Only look for the wound inside this rectangle of displayed pixels.", valueName: "X,Y,W,H"))
    var roi: String?

    @Option(
      help: ArgumentHelp("A point inside the wound (displayed pixels); keeps only that region.", valueName: "X,Y"))
    var seed: String?

    @Flag(name: .customLong("no-save"), help: "Measure and print, but do not append to the timeline.")
    var noSave = false

    @Flag(
      help: ArgumentHelp(
        "Confirm that the wound is closed (fully re-epithelialised): recorded with area 0. Without it a photo "
          + "with no wound found is refused."))
    var closed = false

    @Option(
      name: .customLong("operator"),
      help: ArgumentHelp(
        "Who records the measurement (default: $WOUNDMEASURE_OPERATOR, else the login name).", valueName: "NAME"))
    var operatorName: String?

    @Flag(
      name: .customLong("allow-shared-photo"), help: "Record the photo although another patient's timeline holds it.")
    var allowSharedPhoto = false

    @Flag(help: "Print the timeline entry as JSON instead of the summary.")
    var json = false

    @Option(
      help: ArgumentHelp(
        "Write the overlay (outline, tissue, marker, scale bar): JPEG when the name ends in .jpg or .jpeg, else PNG.",
        valueName: "OUT.png"))
    var overlay: String?

    @Option(name: .customLong("mask-out"), help: ArgumentHelp("Write the wound mask as PNG.", valueName: "OUT.png"))
    var maskOut: String?

    @Option(
      name: .customLong("tissue-out"),
      help: ArgumentHelp(
        "Write the tissue label map as an 8-bit grey PNG of the photo's size: 0 outside the wound, 1 granulation, "
          + "2 slough, 3 necrosis, 4 epithelium.", valueName: "OUT.png"))
    var tissueOut: String?

    @Option(
      name: .customLong("outline-out"),
      help: ArgumentHelp(
        "Write the wound outline as an ImageJ ROI: FILE.roi for one region, FILE.zip (a ROI Manager set) for any "
          + "number.", valueName: "FILE.roi"))
    var outlineOut: String?

    @Option(
      help: ArgumentHelp(
        "Threads for this photo (default: the cores this process may use, at most 4); the figures do not depend on it.",
        valueName: "N"))
    var threads: Int?

    @OptionGroup var pixelLimit: PixelLimitOptions

    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
      if let threads, !(1...64).contains(threads) {
        throw ValidationError("--threads takes a count from 1 to 64, not \(threads)")
      }
      if mask != nil && outline != nil { throw ValidationError("--mask and --outline cannot be combined; pick one") }
      if let outlineOut, !["roi", "zip"].contains(PathName.extension(of: outlineOut).lowercased()) {
        throw ValidationError(
          "--outline-out writes FILE.roi (one region) or FILE.zip (a ROI Manager set), not '\(outlineOut)'")
      }
      if let roi, CommandLineValues.integers(roi, count: 4) == nil {
        throw ValidationError("--roi takes four integers X,Y,W,H (displayed pixels), not '\(roi)'")
      }
      if let roi = roi.flatMap({ CommandLineValues.integers($0, count: 4) }), roi[2] <= 0 || roi[3] <= 0 {
        throw ValidationError("--roi needs a positive width and height")
      }
      if let seed, CommandLineValues.numbers(seed, count: 2) == nil {
        throw ValidationError("--seed takes two numbers X,Y (displayed pixels), not '\(seed)'")
      }
      if let taken, TakenTime.parseGiven(taken) == nil {
        throw ValidationError("--taken: unreadable date '\(taken)'; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")
      }
      if let problem = TimelineAccess.problemWithPatientID(patient) {
        throw ValidationError(problem)
      }
      if let problem = TimelineAccess.problemWithWoundSite(woundSite) {
        throw ValidationError(problem)
      }
    }

    var settings: MeasurementSettings {
      MeasurementSettings(
        calibration: calibration.request, maskPath: mask ?? outline,
        regionOfInterest: roi.flatMap { CommandLineValues.integers($0, count: 4) }.flatMap(PixelRect.init(components:)),
        seedPixels: seed.flatMap { CommandLineValues.numbers($0, count: 2) }.map { Point(x: $0[0], y: $0[1]) },
        maxPixels: pixelLimit.maxPixels, woundSite: woundSite,
        takenGiven: taken.flatMap(TakenTime.parseGiven), closureConfirmed: closed, woundType: woundType)
    }

    func run() async throws {
      let protected = OutputTargets.protectedFiles(
        inputs: [photo, mask, outline], timelineDirectory: timelineDirectory)
      var outcome: MeasurementOutcome
      do {
        try OutputTargets.check([overlay, maskOut, outlineOut, tissueOut], protecting: protected)
        outcome = try MeasurementPipeline.measure(
          photoAt: photo, settings: settings, threads: threads ?? MeasurementPipeline.defaultThreads)
      } catch {
        CommandLineValues.printError("error: \(error)")
        throw ExitCode.failure
      }
      for warning in outcome.warnings { CommandLineValues.printError("warning: \(photo): \(warning)") }

      do {
        if let overlay { try Overlay.write(outcome.takeOverlay(patient: patient), to: overlay, protecting: protected) }
        if let maskOut { try ImageEncoder.writePNG(outcome.mask, to: maskOut, protecting: protected) }
      } catch {
        CommandLineValues.printError("error: \(photo): cannot write the overlay or mask: \(error)")
        throw ExitCode.failure
      }
      do {
        if let tissueOut { try ImageEncoder.writePNG(outcome.tissue.labels, to: tissueOut, protecting: protected) }
      } catch {
        CommandLineValues.printError("error: \(photo): cannot write the tissue map: \(error)")
        throw ExitCode.failure
      }
      do throws(OutlineFileError) {
        if let outlineOut { try OutlineFiles.write(outcome.wound, to: outlineOut, protecting: protected) }
      } catch {
        CommandLineValues.printError("error: \(photo): cannot write the outline: \(error)")
        throw ExitCode.failure
      }

      // With --no-save the entry is sealed as it would be appended, so --json shows its id and hash.
      let context = RecordingContext(
        timelineDirectory: timelineDirectory, patient: patient,
        recordedBy: TimelineEntry.Attribution.current(operator: operatorName), allowSharedPhoto: allowSharedPhoto)
      let recorded: RecordedEntry
      do {
        recorded = try Recorder.record(outcome, context: context, save: !noSave)
      } catch {
        CommandLineValues.printError("error: \(photo): measured but not recorded: \(error)")
        throw ExitCode.failure
      }
      let stored = recorded.entry
      let savedTo = recorded.savedTo
      if json {
        print(try CommandLineValues.json(stored))
      } else {
        print(MeasurementText.summary(outcome, photo: photo, patient: patient, woundSite: woundSite, savedTo: savedTo))
      }
    }
  }
}

extension WoundType: ExpressibleByArgument {}
