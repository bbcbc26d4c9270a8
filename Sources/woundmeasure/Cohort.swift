import ArgumentParser
import FoundationEssentials
import WoundTimeline

extension WoundMeasureCommand {
  /// `woundmeasure cohort TIMELINE_DIR`: one row per patient and wound site, for studies.
  struct Cohort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "cohort",
      abstract: "One row per patient and wound site of a timeline folder: baseline, course and closure.",
      discussion: """
        Reads every <patient>.json of the folder with its hash chain and head checked, and \
        prints per wound site: baseline date and area, latest date and area, change %, the \
        4-week area reduction %, Gilman's healing rate to the latest photo, closed (only when \
        a person confirmed it) and its date, weeks to closure, the number of standing photos \
        and the entries needing review. Timelines that cannot be used are listed with the \
        reason, never skipped silently. Exit status: 0 every timeline used, 1 some refused, \
        64 bad arguments.

        Examples:
          woundmeasure cohort timelines
          woundmeasure cohort timelines --csv > cohort.csv
        """)

    @Argument(help: ArgumentHelp("Folder of the per-patient timelines.", valueName: "TIMELINE_DIR"))
    var directory: String

    @Flag(help: "Print CSV: a header line, then one line per wound.")
    var csv = false

    @Flag(help: "Print the table as JSON (rows and refused timelines).")
    var json = false

    func validate() throws {
      if csv && json { throw ValidationError("--csv and --json cannot be combined; pick one output format") }
    }

    func run() async throws {
      var isDirectory = false
      guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
        CommandLineValues.printError("error: \(directory): not a folder")
        throw ExitCode.failure
      }
      let cohort = WoundTimeline.Cohort(directory: directory)
      if json {
        print(try CommandLineValues.json(cohort))
      } else if csv {
        print(WoundTimeline.Cohort.csvHeader)
        print(cohort.csvLines(), terminator: "")
        for r in cohort.refused { CommandLineValues.printError("error: \(r.file): \(r.reason)") }
      } else {
        print(cohort.textTable(), terminator: "")
      }
      if !cohort.refused.isEmpty { throw ExitCode.failure }
    }
  }
}
