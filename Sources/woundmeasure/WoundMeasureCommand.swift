import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// The root command: lists the subcommands, one file each.
@main
struct WoundMeasureCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "woundmeasure",
    abstract: "Measure chronic wounds from calibrated photos.",
    discussion: """
      Examples (with the bundled samples):
        woundmeasure inspect samples/photos/*/*/*.jpg
        woundmeasure calibrate samples/photos/P001/left-heel/*.jpg --json
        woundmeasure measure samples/photos/P001/left-heel/2026-09-07_1.jpg --patient P001 --wound left-heel
        woundmeasure timeline P001 --chart P001.svg --html P001.html
        woundmeasure batch samples/photos --jobs 2
        woundmeasure amend P001 --entry 3f2a9c0d1e2b4a5c --mask corrected.png --reason "outline missed the rim"
        woundmeasure audit timelines/P001.json
      """,
    version: WoundMeasureVersion.string,
    subcommands: [
      Inspect.self, Calibrate.self, Marker.self, Measure.self, Amend.self, TimelineReport.self, Batch.self, Cohort.self,
      Audit.self,
    ])
}

extension WoundMeasureCommand {
  /// Parses and runs the command line; a first word that is no subcommand is refused
  /// with the nearest subcommand's name (exit status 64) before ArgumentParser sees it.
  static func main() async {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let first = arguments.first, let message = unknownSubcommandMessage(first) {
      CommandLineValues.printError(message)
      Self.exit(withError: ExitCode(64))
    }
    do {
      var command = try parseAsRoot(arguments)
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      exit(withError: error)
    }
  }

  /// The message for a first word that is neither an option nor a subcommand, or `nil`.
  static func unknownSubcommandMessage(_ word: String) -> String? {
    let names = configuration.subcommands.map { $0._commandName } + ["help"]
    guard !word.hasPrefix("-"), !names.contains(word) else { return nil }
    let nearest = names.min { editDistance(word, $0) < editDistance(word, $1) }
    var message = "error: unknown subcommand '\(word)'"
    if let nearest, editDistance(word, nearest) <= max(2, nearest.count / 3) {
      message += "; did you mean '\(nearest)'?"
    }
    return message + "\nUsage: woundmeasure <subcommand> (\(names.dropLast().joined(separator: ", ")); "
      + "see 'woundmeasure --help')"
  }

  /// Levenshtein distance between two words.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
      var current = [i] + [Int](repeating: 0, count: b.count)
      for j in 1...max(b.count, 1) where !b.isEmpty {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
  }
}
