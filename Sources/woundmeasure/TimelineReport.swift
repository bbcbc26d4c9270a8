import ArgumentParser
import FoundationEssentials
import WoundCore
import WoundExport
import WoundMeasureKit
import WoundTimeline

extension WoundMeasureCommand {
  /// `woundmeasure timeline PATIENT`: the healing figures of a patient's wounds.
  struct TimelineReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "timeline",
      abstract: "Show a patient's healing figures per wound site.",
      discussion: """
        Reads TIMELINE_DIR/PATIENT.json, checks its hash chain and prints, per wound site \
        and in order of the date each photo was taken: the area, its change against the \
        first (baseline) photo, re-epithelialisation, Gilman's healing rate and the area \
        rate per week, tissue shares, the area reduction about four weeks after baseline \
        and, when the latest areas fall on a line, a projected closure date. Definitions \
        are in docs/timeline.md. Exit status: 0 shown, 1 the timeline is missing, \
        unreadable or its hash chain is broken (figures are still shown, with a warning), \
        or --chart finds several wound sites without --wound; 64 bad arguments.

        Examples:
          woundmeasure timeline P001
          woundmeasure timeline P001 --wound left-heel --chart P001-left-heel.svg
          woundmeasure timeline P001 --csv > P001.csv
          woundmeasure timeline P001 --html P001.html --photos-root /archive/photos
          woundmeasure timeline P001 --fhir P001.fhir.json
        """)

    @Argument(
      help: ArgumentHelp(
        "Patient ID: letters, digits, '.', '_', '-' (1-64), starting with a letter or digit.", valueName: "PATIENT"))
    var patient: String

    @Option(
      name: .customLong("wound"),
      help: ArgumentHelp("Only this wound site (default: every site in the timeline).", valueName: "SITE"))
    var woundSite: String?

    @Option(
      name: .customLong("timeline-dir"), help: ArgumentHelp("Folder of the per-patient timelines.", valueName: "DIR"))
    var timelineDirectory: String = "timelines"

    @Flag(help: "Print CSV: a header line, then one line per photo.")
    var csv = false

    @Flag(help: "Print the healing reports as JSON.")
    var json = false

    @Flag(
      help: "Print every entry in append order with its status (standing, superseded, withdrawn) and who recorded it.")
    var history = false

    @Option(
      help: ArgumentHelp(
        "Write an SVG chart of the area over time (one wound site; pass --wound when there are several).",
        valueName: "OUT.svg"))
    var chart: String?

    @Option(
      help: ArgumentHelp(
        "Write a self-contained HTML report: per wound site the flags, area chart, figures, tissue shares and "
          + "the photos' overlays (measured again from the photos).",
        valueName: "OUT.html"))
    var html: String?

    @Option(
      help: ArgumentHelp(
        "Write an HL7 FHIR R4 Bundle (collection): per measured photo an Observation (LOINC 72287-6) and the "
          + "Media it derives from.",
        valueName: "OUT.json"))
    var fhir: String?

    @Option(
      name: .customLong("fhir-patient-system"),
      help: ArgumentHelp("The identifier system (a URI) of the patient ID in the FHIR Bundle.", valueName: "URI"))
    var fhirPatientSystem: String = FHIRBundle.defaultPatientSystem

    @Option(
      name: .customLong("photos-root"),
      help: ArgumentHelp(
        "For --html: a folder to search for photos and masks no longer at their recorded path.", valueName: "DIR"))
    var photosRoot: String?

    func validate() throws {
      if fhirPatientSystem.isEmpty || fhirPatientSystem.contains(where: { $0 == " " })
        || !fhirPatientSystem.contains(":")
      {
        throw ValidationError("--fhir-patient-system takes a URI such as urn:oid:1.2.3 or https://hospital.example/mrn")
      }
      if csv && json { throw ValidationError("--csv and --json cannot be combined; pick one output format") }
      if let problem = SafeIdentifier.problem(with: patient) {
        throw ValidationError("\(TimelineError.invalidPatientID(patient, problem))")
      }
      if let woundSite, let problem = SafeIdentifier.problem(with: woundSite) {
        throw ValidationError("\(TimelineError.invalidWoundSite(woundSite, problem))")
      }
    }

    func run() async throws {
      let store = TimelineStore(directory: timelineDirectory)
      let protected = OutputTargets.protectedFiles(
        inputs: [try? store.path(patient: patient)], timelineDirectory: timelineDirectory)
      let timeline: Timeline
      do {
        try OutputTargets.check([chart, html, fhir], protecting: protected)
        timeline = try store.load(patient: patient, verifyingChain: false)
      } catch {
        CommandLineValues.printError("error: \(error)")
        throw ExitCode.failure
      }
      var chainIntact = true
      do {
        try timeline.verifyChain(file: try store.path(patient: patient))
      } catch {
        chainIntact = false
        CommandLineValues.printError("warning: \(error)")
      }

      if history {
        print(HealingReport.historyText(timeline), terminator: "")
        if !chainIntact { throw ExitCode.failure }
        return
      }
      let sites = woundSite.map { [$0] } ?? timeline.standingWoundSites
      let reports = sites.compactMap { HealingReport(timeline: timeline, woundSite: $0) }
      if let woundSite, reports.isEmpty {
        let known = timeline.woundSites.isEmpty ? "none" : timeline.woundSites.joined(separator: ", ")
        CommandLineValues.printError(
          "error: patient \(patient) has no photo of wound site '\(woundSite)' (sites: \(known))")
        throw ExitCode.failure
      }
      if let chart {
        guard reports.count == 1 else {
          CommandLineValues.printError(
            "error: --chart draws one wound site; pass --wound SITE (sites: \(sites.joined(separator: ", ")))")
          throw ExitCode.failure
        }
        do {
          try SafeFile.write(Array(HealingChart.svg(reports[0]).utf8), to: chart, protecting: protected)
        } catch {
          CommandLineValues.printError("error: cannot write the chart: \(error)")
          throw ExitCode.failure
        }
      }

      if let html {
        let photos = ReportPhotos.render(
          timeline: timeline, woundSites: reports.map(\.woundSite), photosRoot: photosRoot)
        for report in reports {
          for entry in timeline.standingEntries(woundSite: report.woundSite) {
            if case .missing(let reason)? = photos[entry.id]?.content {
              CommandLineValues.printError(
                "warning: \(html): entry \(entry.id) of \(report.woundSite): \(reason); shown as a placeholder")
            }
          }
        }
        let page = ReportPage.html(
          timeline: timeline, reports: reports, photos: photos, legend: ReportPhotos.legend,
          problems: chainIntact ? [] : ["the timeline's hash chain is broken: the record may have been edited"],
          toolVersion: WoundMeasureVersion.string)
        try write(Array(page.utf8), to: html, what: "the HTML report", protecting: protected)
      }
      if let fhir {
        try write(
          [UInt8](FHIRBundle.json(timeline: timeline, woundSite: woundSite, patientSystem: fhirPatientSystem)),
          to: fhir,
          what: "the FHIR Bundle", protecting: protected)
      }

      if json {
        print(try CommandLineValues.json(reports))
      } else if csv {
        print(HealingReport.csvHeader)
        print(reports.map { $0.csvLines() }.joined(), terminator: "")
      } else if reports.isEmpty {
        print("Patient \(patient): no photos in the timeline.")
      } else {
        print(reports.map { $0.textTable() }.joined(separator: "\n"), terminator: "")
      }
      if !chainIntact { throw ExitCode.failure }
    }

    private func write(_ bytes: [UInt8], to path: String, what: String, protecting protected: SafeFile.ProtectedFiles)
      throws
    {
      do {
        try SafeFile.write(bytes, to: path, protecting: protected)
      } catch {
        CommandLineValues.printError("error: cannot write \(what): \(error)")
        throw ExitCode.failure
      }
    }
  }
}
