import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs the built `woundmeasure` binary and captures what it prints.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum Tool {
  /// The folder holding the build products (the test bundle and the `woundmeasure` binary).
  static var productsDirectory: URL {
    #if os(macOS)
      for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
      }
      fatalError("no .xctest bundle found")
    #else
      return Bundle.main.bundleURL
    #endif
  }

  /// The `woundmeasure` binary next to the test bundle.
  static var binary: URL { productsDirectory.appendingPathComponent("woundmeasure") }

  /// The package root (three levels above this file).
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The sample photos shipped in `samples/photos`.
  static var samplePhotos: URL { packageRoot.appendingPathComponent("samples/photos") }

  /// Runs `woundmeasure` with `arguments` in `directory`, waiting for it to exit.
  static func run(_ arguments: [String], in directory: URL) throws -> CommandResult {
    let process = try start(arguments, in: directory)
    process.process.waitUntilExit()
    return process.result()
  }

  /// Runs `woundmeasure` like ``run(_:in:)``, but kills it after `seconds`: a command that
  /// blocks (on a FIFO, say) then fails the test with status -1 instead of hanging it.
  static func run(_ arguments: [String], in directory: URL, timeout seconds: Double) throws -> CommandResult {
    try finish(start(arguments, in: directory), timeout: seconds)
  }

  /// Runs `woundmeasure` through `/bin/sh` after the shell commands `limits` (such as
  /// `ulimit -f 16`), killed after `seconds`.
  static func run(_ arguments: [String], in directory: URL, limits: String, timeout seconds: Double = 60) throws
    -> CommandResult
  {
    let script = limits + "; exec \"$0\" \"$@\""
    return try finish(
      start(["-c", script, binary.path] + arguments, in: directory, executable: URL(fileURLWithPath: "/bin/sh")),
      timeout: seconds)
  }

  private static func finish(_ running: Running, timeout seconds: Double) -> CommandResult {
    let deadline = Date().addingTimeInterval(seconds)
    while running.process.isRunning && Date() < deadline { usleep(2_000) }
    if running.process.isRunning {
      kill(running.process.processIdentifier, SIGKILL)
      running.process.waitUntilExit()
      var result = running.result()
      result.status = -1
      result.stderr += "\n(killed after \(seconds) s)"
      return result
    }
    running.process.waitUntilExit()
    return running.result()
  }

  /// A started process whose output goes to temporary files.
  struct Running {
    var process: Process
    var stdoutFile: URL
    var stderrFile: URL

    func result() -> CommandResult {
      let out = (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? ""
      let err = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
      try? FileManager.default.removeItem(at: stdoutFile)
      try? FileManager.default.removeItem(at: stderrFile)
      return CommandResult(status: process.terminationStatus, stdout: out, stderr: err)
    }
  }

  static func start(_ arguments: [String], in directory: URL, executable: URL? = nil) throws -> Running {
    let process = Process()
    process.executableURL = executable ?? binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let tmp = FileManager.default.temporaryDirectory
    let outURL = tmp.appendingPathComponent("wm-out-\(UUID().uuidString)")
    let errURL = tmp.appendingPathComponent("wm-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    return Running(process: process, stdoutFile: outURL, stderrFile: errURL)
  }

  /// A fresh temporary folder, removed by the caller.
  static func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("wm-e2e-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Copies `relativePaths` of the sample photos into `folder`, keeping their layout.
  static func copySamples(_ relativePaths: [String], to folder: URL) throws {
    for relative in relativePaths {
      let target = folder.appendingPathComponent(relative)
      try FileManager.default.createDirectory(
        at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
      try FileManager.default.copyItem(at: samplePhotos.appendingPathComponent(relative), to: target)
    }
  }

  /// The true masks of the sample photos, `samples/masks/<same relative path>.png`.
  static var sampleMasks: URL { packageRoot.appendingPathComponent("samples/masks") }

  /// The true mask of a sample photo given relative to `samples/photos`.
  static func sampleMask(_ relative: String) -> URL {
    sampleMasks.appendingPathComponent((relative as NSString).deletingPathExtension + ".png")
  }

  /// Writes a batch manifest listing `rows` (path relative to the batch folder, patient,
  /// wound site, mask path) and returns its path.
  static func writeManifest(_ rows: [(path: String, patient: String, wound: String, mask: String)], to url: URL)
    throws
  {
    var text = "path,patient,wound,taken,mask\n"
    for row in rows { text += "\(row.path),\(row.patient),\(row.wound),,\(row.mask)\n" }
    try Data(text.utf8).write(to: url)
  }

  /// Manifest rows for sample photos copied under a batch folder with their layout: the
  /// patient and site from the layout, the true mask from `samples/masks`.
  static func manifestRows(_ relatives: [String]) -> [(path: String, patient: String, wound: String, mask: String)] {
    relatives.map { relative in
      let parts = relative.split(separator: "/").map(String.init)
      return (relative, parts[0], parts[1], sampleMask(relative).path)
    }
  }

  /// Every sample photo, relative to `samples/photos`, sorted.
  static func sampleRelativePaths() -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: samplePhotos.path) else { return [] }
    var out: [String] = []
    while let path = enumerator.nextObject() as? String {
      if path.lowercased().hasSuffix(".jpg") { out.append(path) }
    }
    return out.sorted()
  }
}

/// A timeline file read as plain JSON.
struct TimelineFile {
  var entries: [[String: Any]]

  init(_ url: URL) throws {
    let data = try Data(contentsOf: url)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    entries = try #require(object["entries"] as? [[String: Any]])
  }

  var photoHashes: [String] {
    entries.compactMap { ($0["photo"] as? [String: Any])?["sha256"] as? String }
  }

  var results: [[String: Any]] { entries.compactMap { $0["results"] as? [String: Any] } }
}

extension TimelineFile {
  /// The entries' `results`, each as JSON with sorted keys.
  func canonicalResults() throws -> [String] {
    try results.map {
      String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self)
    }
  }
}

extension Tool {
  /// Every timeline in a folder, by file name.
  static func timelines(in folder: URL) throws -> [TimelineFile] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
      .map { try TimelineFile(folder.appendingPathComponent($0)) }
  }

  /// The verdicts of `audit --json` output (one timeline), in entry order.
  static func verdicts(_ output: String) throws -> [String] {
    let line = try #require(output.split(separator: "\n").first)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    let entries = try #require(object["entries"] as? [[String: Any]])
    return entries.compactMap { $0["verdict"] as? String }
  }
}
