import ArgumentParser
import FoundationEssentials
import WoundCore
import WoundMeasureKit

extension WoundMeasureCommand {
  /// `woundmeasure audit TIMELINE...`: checks that stored measurements still hold.
  struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "audit",
      abstract: "Verify timelines: hash chain, photo identity, and that each measurement reproduces.",
      discussion: """
        For each entry: checks its hash and its link to the previous entry, finds its photo \
        (the recorded path, else under --photos-root by relative path or file name), checks \
        the photo's SHA-256, measures it again with the recorded settings and compares every \
        figure. Verdicts: reproduced, differs (which figures, by how much; expected only \
        across tool or model versions), photo-missing, photo-altered, entry-altered (the \
        entry was edited, or an entry before it was deleted or reordered), rerun-failed.

        Exit status: 0 every entry reproduced, 1 any other verdict or an unreadable \
        timeline, 64 bad arguments. See docs/batch-and-audit.md.

        Examples:
          woundmeasure audit timelines/P001.json
          woundmeasure audit timelines/*.json --photos-root /archive/photos --json
        """)

    @Argument(help: ArgumentHelp("Timeline files (<patient>.json).", valueName: "TIMELINE"))
    var timelines: [String]

    @Option(
      name: .customLong("photos-root"),
      help: ArgumentHelp(
        "Folder to search for photos that are no longer at their recorded path.", valueName: "DIR"))
    var photosRoot: String?

    @Flag(help: "Print one JSON object per timeline per line instead of text.")
    var json = false

    func validate() throws {
      if timelines.isEmpty { throw ValidationError("give at least one timeline file") }
    }

    func run() async throws {
      var counts: [String: Int] = [:]
      var entryCount = 0
      var problems = false
      for audit in Auditor.audit(timelineFiles: timelines, photosRoot: photosRoot) {
        if !audit.allReproduced { problems = true }
        if audit.unreadable != nil { counts["unreadable timeline", default: 0] += 1 }
        if !audit.problems.isEmpty { counts["timeline problem", default: 0] += audit.problems.count }
        for entry in audit.entries {
          counts[entry.verdict.name, default: 0] += 1
          entryCount += 1
        }
        if json {
          print(try AuditText.jsonLine(audit))
        } else {
          print(AuditText.text(audit))
        }
      }
      if !json {
        let order = [
          "reproduced", "differs", "photo-missing", "photo-altered", "entry-altered", "rerun-failed",
          "wrong-patient", "taken-time-altered", "shared-photo", "unreadable timeline", "timeline problem",
        ]
        let parts = order.compactMap { name in counts[name].map { "\($0) \(name)" } }
        print(
          "audit: \(entryCount) entries in \(timelines.count) timeline(s): "
            + (parts.isEmpty ? "nothing to check" : parts.joined(separator: ", ")))
      }
      if problems { throw ExitCode.failure }
    }
  }
}

/// How audit results are printed.
enum AuditText {
  static func text(_ audit: TimelineAudit) -> String {
    var lines = [audit.file]
    if let unreadable = audit.unreadable {
      lines.append("  cannot be read: \(unreadable)")
      return lines.joined(separator: "\n")
    }
    for problem in audit.problems { lines.append("  PROBLEM: \(problem)") }
    for note in audit.notes { lines.append("  note: \(note)") }
    if audit.entries.isEmpty { lines.append("  no entries") }
    for entry in audit.entries {
      let head = "  #\(entry.index) \(entry.entryId) \(entry.recordedPath): "
      lines.append(head + describe(entry.verdict, index: entry.index))
      if case .differs(let figures, _, _) = entry.verdict {
        for figure in figures {
          var line = "      \(figure.figure): stored \(figure.stored), now \(figure.recomputed)"
          if let d = figure.difference {
            line += " (\(d >= 0 ? "+" : "")\(d)"
            if let r = figure.relativeDifference { line += ", \(CommandLineValues.format(r * 100, 3)) %" }
            line += ")"
          }
          lines.append(line)
        }
      }
    }
    return lines.joined(separator: "\n")
  }

  static func describe(_ verdict: AuditVerdict, index: Int) -> String {
    switch verdict {
    case .reproduced:
      return "reproduced"
    case .differs(let figures, _, let note):
      return "differs in \(figures.count) figure(s); \(note)"
    case .photoMissing(let searched):
      return "photo missing (looked at \(searched.joined(separator: ", ")))"
    case .photoAltered(let path, let recorded, let found):
      return "photo altered: \(path) has SHA-256 \(found.prefix(16))..., recorded \(recorded.prefix(16))..."
    case .entryAltered(let chainBreak):
      return "entry altered: \(chainBreak.auditText(index: index))"
    case .rerunFailed(let failure):
      return "could not be measured again: \(failure)"
    case .wrongPatient(let recorded, let timeline):
      return "wrong patient: the entry was recorded for \(recorded) but sits in \(timeline)'s timeline"
    case .takenAtMismatch(let recorded, let fromPhoto, let source):
      return "taken time altered: recorded \(UTCTime.iso8601(recorded)), the photo's \(source) says "
        + "\(UTCTime.iso8601(fromPhoto))"
    case .sharedPhoto(let patients):
      return "shared photo: the same photo stands in the timeline of \(patients.joined(separator: ", "))"
    }
  }

  struct EntryJSON: Encodable {
    var index: Int
    var id: String
    var recordedPath: String
    var foundPath: String?
    var verdict: String
    var detail: String
    var differences: [FigureDifference]?
    var versionsMatch: Bool?
  }

  struct TimelineJSON: Encodable {
    var file: String
    var unreadable: String?
    var problems: [String]
    var notes: [String]
    var allReproduced: Bool
    var entries: [EntryJSON]
  }

  static func jsonLine(_ audit: TimelineAudit) throws -> String {
    let entries = audit.entries.map { entry -> EntryJSON in
      var out = EntryJSON(
        index: entry.index, id: entry.entryId, recordedPath: entry.recordedPath, foundPath: entry.foundPath,
        verdict: entry.verdict.name, detail: describe(entry.verdict, index: entry.index))
      if case .differs(let figures, let versionsMatch, _) = entry.verdict {
        out.differences = figures
        out.versionsMatch = versionsMatch
      }
      return out
    }
    let value = TimelineJSON(
      file: audit.file, unreadable: audit.unreadable?.description, problems: audit.problems.map(\.description),
      notes: audit.notes.map(\.description), allReproduced: audit.allReproduced, entries: entries)
    return try CommandLineValues.jsonLine(value)
  }
}
