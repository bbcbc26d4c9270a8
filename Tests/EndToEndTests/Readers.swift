import Foundation

/// The independent programs the output tests check woundmeasure's files with: headless
/// Chromium (Debian's `chromium`) and Python readers (`tools/readers`, installed by
/// `.ci/run`). A test that needs one that is missing is skipped, saying what to install.
enum Readers {
  /// The first of `names` found on `PATH`.
  static func executable(_ names: [String]) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for name in names {
      for folder in path.split(separator: ":") {
        let candidate = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }

  /// Debian's Chromium (or Chrome), if installed.
  static let chromium = executable(["chromium", "chromium-browser", "google-chrome"])

  /// The Python that has the readers: `$WOUNDMEASURE_READERS_PYTHON`, else the virtual
  /// environment `.ci/run` makes (`.build/readers-venv`), else `python3` on `PATH`.
  static let python: String? = {
    if let given = ProcessInfo.processInfo.environment["WOUNDMEASURE_READERS_PYTHON"] { return given }
    let venv = Tool.packageRoot.appendingPathComponent(".build/readers-venv/bin/python3").path
    if FileManager.default.isExecutableFile(atPath: venv) { return venv }
    return executable(["python3"])
  }()

  /// Whether `python` can import `modules`.
  static func pythonHas(_ modules: [String]) -> Bool {
    guard let python else { return false }
    let result = run(python, ["-c", modules.map { "import \($0)" }.joined(separator: "; ")])
    return result.status == 0
  }

  static let hasFHIRReader = pythonHas(["fhir.resources.bundle"])
  static let hasROIReader = pythonHas(["roifile", "numpy"])

  static let skipFHIR =
    "python3 with fhir.resources 6.4.0 not found: run .ci/run, or "
    + "pip install -r tools/readers/requirements.txt (or set WOUNDMEASURE_READERS_PYTHON)"
  static let skipROI = "python3 with roifile not found: run .ci/run, or pip install -r tools/readers/requirements.txt"
  static let skipChromium = "chromium not found: install Debian's chromium (.ci/run does) to render the report"

  /// A reader script of `tools/readers`.
  static func script(_ name: String) -> String {
    Tool.packageRoot.appendingPathComponent("tools/readers/\(name)").path
  }

  /// Runs `executable` with `arguments`, killed after `timeoutSeconds`.
  static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 120) -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let tmp = FileManager.default.temporaryDirectory
    let outURL = tmp.appendingPathComponent("wm-reader-out-\(UUID().uuidString)")
    let errURL = tmp.appendingPathComponent("wm-reader-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
      try? FileManager.default.removeItem(at: outURL)
      try? FileManager.default.removeItem(at: errURL)
    }
    do {
      process.standardOutput = try FileHandle(forWritingTo: outURL)
      process.standardError = try FileHandle(forWritingTo: errURL)
      try process.run()
    } catch {
      return CommandResult(status: -1, stdout: "", stderr: "cannot start \(executable): \(error)")
    }
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while process.isRunning && Date() < deadline { usleep(50_000) }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return CommandResult(status: process.terminationStatus, stdout: out, stderr: err)
  }

  /// Headless Chromium on `page` with a fresh profile: its stdout and stderr (console
  /// messages are logged there as `:CONSOLE` lines).
  static func chromium(_ extra: [String], page: URL, profile: URL) -> CommandResult {
    run(
      chromium!,
      [
        "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)",
        "--enable-logging=stderr", "--v=0",
      ] + extra + [page.absoluteString])
  }

  /// The console lines of a Chromium log.
  static func consoleLines(_ log: String) -> [String] {
    log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
  }
}
