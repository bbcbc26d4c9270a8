import Foundation
import Testing

@testable import WoundTimeline

/// A fresh empty directory under the system's temporary directory.
func makeTemporaryDirectory(_ name: String = #function) throws -> String {
  let safe = name.filter { $0.isLetter || $0.isNumber }
  let path = NSTemporaryDirectory() + "wm-timeline-\(safe)-\(UUID().uuidString.prefix(8))"
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The stress helper executable, built beside the test bundle.
func stressHelperURL() throws -> URL {
  if let override = ProcessInfo.processInfo.environment["WM_TIMELINE_STRESS"] {
    return URL(fileURLWithPath: override)
  }
  var candidates: [URL] = []
  #if os(Linux)
    candidates.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
  #endif
  candidates.append(Bundle.main.bundleURL)
  candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
  for directory in candidates {
    let url = directory.appendingPathComponent("wm-timeline-stress")
    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
  }
  throw HelperNotFound(searched: candidates.map(\.path))
}

struct HelperNotFound: Error, CustomStringConvertible {
  var searched: [String]
  var description: String { "wm-timeline-stress not found in \(searched); set WM_TIMELINE_STRESS" }
}

/// Starts the stress helper appending `count` entries (0: until killed).
func startStressHelper(directory: String, patient: String, count: Int, tag: String) throws -> Process {
  let process = Process()
  process.executableURL = try stressHelperURL()
  process.arguments = [directory, patient, String(count), tag]
  process.standardOutput = FileHandle.nullDevice
  let errors = Pipe()
  process.standardError = errors
  try process.run()
  return process
}

/// A UTC date from its parts.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 9, _ minute: Int = 0) -> Date {
  var calendar = Calendar(identifier: .gregorian)
  calendar.timeZone = TimeZone(identifier: "UTC")!
  return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}

extension TimelineStore {
  /// Whether the patient's timeline holds a photo with this SHA-256 (optionally at one
  /// wound site); a patient without a timeline holds none.
  func holds(photoSha256: String, patient: String, woundSite: String? = nil) throws(TimelineError) -> Bool {
    let timeline: Timeline
    do {
      timeline = try load(patient: patient, verifyingChain: false)
    } catch .notFound {
      return false
    }
    return timeline.entries.contains {
      $0.photo.sha256 == photoSha256 && (woundSite == nil || $0.woundSite == woundSite)
    }
  }
}
