// Appends example entries to one patient's timeline, for the store's
// concurrency and crash tests (WoundTimelineTests).
//
//   wm-timeline-stress DIRECTORY PATIENT COUNT TAG
//
// Appends COUNT entries (COUNT 0: until killed), each tagged `TAG-<n>` in
// its settings, and prints one line per entry written. Exits 1 with the
// error on stderr when an append fails.

import Foundation
import WoundTimeline

let arguments = CommandLine.arguments
guard arguments.count == 5, let count = Int(arguments[3]) else {
  FileHandle.standardError.write(Data("usage: wm-timeline-stress DIRECTORY PATIENT COUNT TAG\n".utf8))
  exit(2)
}
let store = TimelineStore(directory: arguments[1])
let patient = arguments[2]
let tag = arguments[4]
var n = 0
while count == 0 || n < count {
  var entry = TimelineEntry._example(index: n, tag: tag)
  entry.settings.other = ["stress-tag": "\(tag)-\(n)"]
  do {
    let written = try store.append(entry, patient: patient)
    FileHandle.standardOutput.write(Data("\(tag)-\(n) \(written.hash)\n".utf8))
  } catch {
    FileHandle.standardError.write(Data("wm-timeline-stress: \(error)\n".utf8))
    exit(1)
  }
  n += 1
}
