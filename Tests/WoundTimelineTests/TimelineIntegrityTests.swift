import Foundation
import Testing

@testable import WoundTimeline

/// Damaged timelines are refused and never rewritten; concurrent and killed
/// writers never corrupt a timeline.
@Suite(.serialized) struct TimelineIntegrityTests {
  /// A timeline of three entries in a fresh directory, and its file's path.
  private func threeEntryTimeline(_ name: String = #function) throws -> (TimelineStore, String) {
    let directory = try makeTemporaryDirectory(name)
    let store = TimelineStore(directory: directory)
    for i in 0..<3 { try store.append(TimelineEntry._example(index: i), patient: "P001") }
    return (store, directory + "/P001.json")
  }

  /// Replaces the first occurrence of `old` in the file.
  private func replace(_ file: String, _ old: String, with new: String) throws {
    let text = try String(contentsOfFile: file, encoding: .utf8)
    #expect(text.contains(old), "fixture edit target '\(old)' not found")
    guard let range = text.range(of: old) else { return }
    try text.replacingCharacters(in: range, with: new).write(toFile: file, atomically: false, encoding: .utf8)
  }

  /// Appending to `file` throws `expected` and leaves its bytes unchanged.
  private func expectRefusal(
    _ store: TimelineStore, _ file: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ matches: (TimelineError) -> Bool
  ) throws {
    let before = try Data(contentsOf: URL(fileURLWithPath: file))
    var caught: TimelineError?
    do {
      try store.append(TimelineEntry._example(index: 99), patient: "P001")
    } catch {
      caught = error
    }
    #expect(caught.map(matches) == true, "got \(String(describing: caught))", sourceLocation: sourceLocation)
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: file)) == before, "file was modified", sourceLocation: sourceLocation)
  }

  @Test func invalidJSONIsRefusedAndLeftUnchanged() throws {
    let (store, file) = try threeEntryTimeline()
    let text = try String(contentsOfFile: file, encoding: .utf8)
    try String(text.prefix(text.count / 2)).write(toFile: file, atomically: false, encoding: .utf8)
    try expectRefusal(store, file) { if case .malformed(file, _) = $0 { return true } else { return false } }
  }

  @Test func editedValueBreaksTheChainAndIsRefused() throws {
    let (store, file) = try threeEntryTimeline()
    // Make the second entry's wound smaller: its hash no longer matches.
    let loaded = try store.load(patient: "P001")
    try replace(file, "\"path\" : \"photos/example/1.jpg\"", with: "\"path\" : \"photos/example/1b.jpg\"")
    try expectRefusal(store, file) {
      if case .brokenChain(file, 1, .hashMismatch(stored: loaded.entries[1].hash, computed: _)) = $0 { return true }
      return false
    }
    #expect(throws: TimelineError.self) { try store.load(patient: "P001", verifyingChain: true) }
  }

  @Test func editedAreaIsDetected() throws {
    let (store, file) = try threeEntryTimeline()
    // The first entry's total area, 4.25 -> 3.25 cm^2.
    try replace(file, "\"areaCm2\" : 4.25,", with: "\"areaCm2\" : 3.25,")
    try expectRefusal(store, file) {
      if case .brokenChain(file, 0, .hashMismatch) = $0 { return true } else { return false }
    }
  }

  @Test func removedEntryBreaksTheChain() throws {
    let (store, file) = try threeEntryTimeline()
    var timeline = try store.load(patient: "P001")
    let removedHash = timeline.entries[1].hash
    timeline.entries.remove(at: 1)
    try timeline.encoded().write(to: URL(fileURLWithPath: file))
    try expectRefusal(store, file) {
      if case .brokenChain(file, 1, .previousHashMismatch(expected: timeline.entries[0].hash, found: removedHash)) = $0
      {
        return true
      }
      return false
    }
  }

  @Test func newerSchemaVersionIsRefusedAndLeftUnchanged() throws {
    let (store, file) = try threeEntryTimeline()
    try replace(file, "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 3")
    try expectRefusal(store, file) { $0 == .newerSchemaVersion(file: file, found: 3, supported: 2) }
    #expect(throws: TimelineError.newerSchemaVersion(file: file, found: 3, supported: 2)) {
      try store.load(patient: "P001")
    }
  }

  @Test func newerVersionIsRefusedEvenWhenItsBodyIsUnknown() throws {
    let directory = try makeTemporaryDirectory()
    let file = directory + "/P001.json"
    try #"{"schemaVersion": 7, "patient": "P001", "records": {"shape": "unknown to version 1"}}"#
      .write(toFile: file, atomically: false, encoding: .utf8)
    try expectRefusal(TimelineStore(directory: directory), file) {
      $0 == .newerSchemaVersion(file: file, found: 7, supported: 2)
    }
  }

  @Test func otherPatientsFileIsRefused() throws {
    let (store, file) = try threeEntryTimeline()
    try replace(
      file, "\"patient\" : \"P001\",\n  \"schemaVersion\"", with: "\"patient\" : \"P002\",\n  \"schemaVersion\"")
    try expectRefusal(store, file) { $0 == .patientMismatch(file: file, expected: "P001", found: "P002") }
  }

  @Test func fourProcessesAppendingTwentyFiveEachGiveOneHundredChainedEntries() throws {
    let directory = try makeTemporaryDirectory()
    let processes = try (0..<4).map {
      try startStressHelper(directory: directory, patient: "P100", count: 25, tag: "w\($0)")
    }
    for process in processes { process.waitUntilExit() }
    #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0])
    let timeline = try TimelineStore(directory: directory).load(patient: "P100")  // verifies the chain
    #expect(timeline.entries.count == 100)
    // Each writer's entries appear in its own order, none lost or repeated.
    for writer in 0..<4 {
      let tags = timeline.entries.compactMap { $0.settings.other?["stress-tag"] }.filter { $0.hasPrefix("w\(writer)-") }
      #expect(tags == (0..<25).map { "w\(writer)-\($0)" })
    }
    print("concurrent appends: 4 processes x 25 = \(timeline.entries.count) entries, chain valid")
  }

  @Test func writersKilledMidAppendNeverLeaveACorruptFile() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    // A long timeline makes each rewrite take a while, so kills land mid-write.
    let seed = try startStressHelper(directory: directory, patient: "P200", count: 150, tag: "seed")
    seed.waitUntilExit()
    #expect(seed.terminationStatus == 0)
    var previousCount = 150
    var corrupt = 0
    var killedWhileWriting = 0
    let kills = 20
    var generator = SystemRandomNumberGenerator()
    // Temporary files are `.P200.json.<random>.tmp`, fresh for every write.
    func temporaryFiles() -> [String] {
      ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasPrefix(".P200.json.") && $0.hasSuffix(".tmp") }
    }
    for round in 0..<kills {
      for name in temporaryFiles() { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
      let writer = try startStressHelper(directory: directory, patient: "P200", count: 0, tag: "k\(round)")
      if round % 2 == 0 {
        // Long enough for several appends, so the kill lands at a random point of one.
        usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
      } else {
        // Aim at the write itself: wait for the temporary file to appear, then
        // kill within a few milliseconds (during the write, fsync or rename).
        let deadline = Date().addingTimeInterval(10)
        while temporaryFiles().isEmpty && Date() < deadline { usleep(200) }
        usleep(UInt32.random(in: 0...3_000, using: &generator))
      }
      kill(writer.processIdentifier, SIGKILL)
      writer.waitUntilExit()
      #expect(writer.terminationReason == .uncaughtSignal)
      // A temporary file left behind means the kill came between its creation and the rename.
      if !temporaryFiles().isEmpty { killedWhileWriting += 1 }
      do {
        let timeline = try store.load(patient: "P200")
        #expect(timeline.entries.count >= previousCount)
        previousCount = timeline.entries.count
      } catch {
        corrupt += 1
        Issue.record("after kill \(round + 1): \(error)")
      }
    }
    // The lock died with the killed writers: a normal append still works.
    try store.append(TimelineEntry._example(index: 1), patient: "P200")
    #expect(try store.load(patient: "P200").entries.count == previousCount + 1)
    #expect(corrupt == 0)
    #expect(previousCount > 150, "no writer appended anything before being killed")
    print(
      "killed writers: \(kills) SIGKILLs, \(killedWhileWriting) during a write, \(corrupt) corrupt files, "
        + "\(previousCount + 1) entries, chain valid")
  }
}
