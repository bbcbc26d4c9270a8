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

  /// libheif and the codecs it brings (libde265, libx265, libdav1d, libaom) are loaded on the
  /// first HEIC photo, not with the tool: they cost every run 10 ms and 2 MB. (HEIC photos
  /// are measured through the loaded library in `OutputsEndToEndTests`.) The whole of
  /// Foundation and its ICU data are not linked at all (FoundationEssentials is): they
  /// cost every `measure` about 11 MB of its peak memory.
  @Test func theToolStartsWithoutLibheifOrFoundation() throws {
    let ldd = Process()
    ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
    ldd.arguments = [Tool.binary.path]
    let output = Pipe()
    ldd.standardOutput = output
    try ldd.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    ldd.waitUntilExit()
    #expect(ldd.terminationStatus == 0)
    #expect(text.contains("libjpeg"), "\(text)")
    #expect(text.contains("libFoundationEssentials.so"), "\(text)")
    for library in [
      "libheif", "libde265", "libx265", "libaom", "libdav1d", "libFoundation.so", "libFoundationInternationalization",
      "_FoundationICU",
    ] {
      #expect(!text.contains(library), "\(library) is linked: \(text)")
    }
  }

  /// The bundled models are looked for beside the executable; a copy of it elsewhere
  /// finds them in the source tree it was built from.
  @Test func aCopyOfTheToolStillFindsItsModels() throws {
    let folder = try Tool.temporaryFolder("copy")
    defer { try? FileManager.default.removeItem(at: folder) }
    let copy = folder.appendingPathComponent("woundmeasure")
    try FileManager.default.copyItem(at: Tool.binary, to: copy)
    let photo = Tool.samplePhotos.appendingPathComponent("P002/right-hallux/2026-10-12_1.jpg").path
    let running = try Tool.start(["measure", photo, "--patient", "X", "--no-save"], in: folder, executable: copy)
    running.process.waitUntilExit()
    let run = running.result()
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("10.93 cm²"), "\(run.stdout)")
  }

  @Test func auditingAMissingFileSaysItIsMissing() throws {
    let run = try Tool.run(["audit", "no-such-timeline.json"], in: FileManager.default.temporaryDirectory)
    #expect(run.status == 1)
    #expect(run.stdout.contains("the file does not exist"), "\(run.stdout)\(run.stderr)")
  }

  /// Sample P001's first photo: its marker gives 8.96 px/mm.
  @Test func aRulerThatDisagreesWithTheMarkerIsWarnedAbout() throws {
    let photo = "samples/photos/P001/left-heel/2026-09-07_1.jpg"
    let wrong = try Tool.run(["calibrate", photo, "--ruler", "100,100,500,100,50"], in: Tool.packageRoot)
    #expect(wrong.status == 0)
    #expect(
      wrong.stderr.contains("the ruler gives 8.00 px/mm but marker ID 20 in the same photo gives 8.96 px/mm"),
      "\(wrong.stderr)")
    let agreeing = try Tool.run(["calibrate", photo, "--ruler", "100,100,548,100,50"], in: Tool.packageRoot)
    #expect(agreeing.status == 0)
    #expect(!agreeing.stderr.contains("the ruler gives"), "\(agreeing.stderr)")
  }
}
