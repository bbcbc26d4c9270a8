import ArgumentParser

/// The root command: lists the subcommands, one file each.
@main
struct WoundMeasureCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "woundmeasure",
    abstract: "Measure chronic wounds from calibrated photos.",
    discussion: """
      Examples:
        woundmeasure inspect samples/*.jpg
        woundmeasure calibrate samples/patient-A/*.jpg --json
        woundmeasure measure photo.jpg --patient P001 --wound left-heel
        woundmeasure timeline P001 --chart P001.svg
        woundmeasure batch photos/ --jobs 2
        woundmeasure amend P001 --entry 3f2a9c0d1e2b4a5c --mask corrected.png --reason "outline missed the rim"
        woundmeasure audit timelines/P001.json
      """,
    version: WoundMeasureVersion.string,
    subcommands: [
      Inspect.self, Calibrate.self, Marker.self, Measure.self, Amend.self, Timeline.self, Batch.self, Cohort.self, Audit.self,
    ])
}
