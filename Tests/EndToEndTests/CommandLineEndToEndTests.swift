import Foundation
import Testing

/// What a new user meets first: help examples that work, clear refusals.
@Suite struct CommandLineEndToEndTests {
  @Test func anUnknownSubcommandSuggestsTheNearestAndExits64() throws {
    let run = try Tool.run(["mesure", "photo.jpg"], in: Tool.packageRoot)
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("error: unknown subcommand 'mesure'; did you mean 'measure'?"), "\(run.stderr)")
    let far = try Tool.run(["frobnicate"], in: Tool.packageRoot)
    #expect(far.status == 64)
    #expect(!far.stderr.contains("did you mean"), "\(far.stderr)")
    #expect(try Tool.run(["help", "measure"], in: Tool.packageRoot).status == 0)
  }

  @Test func theMainHelpsSamplePathsExist() throws {
    let run = try Tool.run(["--help"], in: Tool.packageRoot)
    let paths = run.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
      .filter { $0.hasPrefix("samples/") && !$0.contains("*") }
    #expect(!paths.isEmpty)
    for path in paths {
      #expect(FileManager.default.fileExists(atPath: Tool.packageRoot.appendingPathComponent(path).path), "\(path)")
    }
    for subcommand in ["calibrate", "marker"] {
      #expect(try Tool.run([subcommand, "--help"], in: Tool.packageRoot).stdout.contains("Examples:"))
    }
  }

  @Test func batchShowsTheJobsDefaultOnce() throws {
    let help = try Tool.run(["batch", "--help"], in: Tool.packageRoot).stdout
    let option = try #require(help.range(of: "--jobs <N>"))
    let text = help[option.upperBound...].prefix(200)
    #expect(text.components(separatedBy: "default").count - 1 == 1, "\(text)")
  }

  @Test func auditingAMissingFileSaysItIsMissing() throws {
    let run = try Tool.run(["audit", "no-such-timeline.json"], in: FileManager.default.temporaryDirectory)
    #expect(run.status == 1)
    #expect(run.stdout.contains("the file does not exist"), "\(run.stdout)\(run.stderr)")
  }
}
