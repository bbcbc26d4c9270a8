import Foundation
import Testing

@testable import WoundTimeline

/// The record's rules: duplicates refused under the lock, corrections appended,
/// heads against truncation, strict reading, and recovery that keeps the evidence.
@Suite struct RecordsTests {
  private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  @Test func aPhotoAlreadyStandingIsRefusedAndTheFileLeftUnchanged() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let stored = try store.append(TimelineEntry._example(index: 1), patient: "P001")
    let before = try bytes(directory + "/P001.json")
    #expect(
      throws: TimelineError.duplicatePhoto(
        file: directory + "/P001.json", sha256: stored.photo.sha256, entryId: stored.id)
    ) {
      try store.append(TimelineEntry._example(index: 1), patient: "P001")
    }
    #expect(try bytes(directory + "/P001.json") == before)
  }

  @Test func aPhotoOfAnotherPatientIsRefusedUnlessAllowed() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let stored = try store.append(TimelineEntry._example(index: 1), patient: "P001")
    #expect(throws: TimelineError.photoOfAnotherPatient(sha256: stored.photo.sha256, patients: ["P001"])) {
      try store.append(TimelineEntry._example(index: 1), patient: "P002")
    }
    #expect(!FileManager.default.fileExists(atPath: directory + "/P002.json"))
    try store.append(TimelineEntry._example(index: 1), patient: "P002", allowSharedPhoto: true)
    #expect(store.photoIndexPatients(sha256: stored.photo.sha256) == ["P001", "P002"])
  }

  @Test func aWithdrawnPhotoCanBeRecordedForTheRightPatient() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let stored = try store.append(TimelineEntry._example(index: 1), patient: "P001")
    var withdrawal = stored
    withdrawal.kind = .void
    withdrawal.amends = .init(entryId: stored.id, reason: "photo of P002")
    try store.append(withdrawal, patient: "P001")
    #expect(store.photoIndexPatients(sha256: stored.photo.sha256).isEmpty)
    try store.append(TimelineEntry._example(index: 1), patient: "P002")
    let timeline = try store.load(patient: "P001")
    #expect(timeline.standingEntries().isEmpty)
    #expect(timeline.statuses()[stored.id] == .voided(by: timeline.entries[1].id))
  }

  @Test func amendmentsSupersedeAndVoidsWithdrawTheWholeMeasurement() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let original = try store.append(TimelineEntry._example(index: 1, areaCm2: 6), patient: "P001")
    var correction = original
    correction.kind = .amendment
    correction.amends = .init(entryId: original.id, reason: "slough rim left out")
    correction.results.areaCm2 = 7.5
    let amended = try store.append(correction, patient: "P001")
    var timeline = try store.load(patient: "P001")
    #expect(timeline.standingEntries().map(\.id) == [amended.id])
    #expect(timeline.statuses()[original.id] == .superseded(by: amended.id))
    #expect(HealingReport(timeline: timeline, woundSite: "left-heel")?.rows.map(\.areaCm2) == [7.5])
    // Voiding the original withdraws its amendment too.
    var withdrawal = original
    withdrawal.kind = .void
    withdrawal.amends = .init(entryId: original.id, reason: "wrong patient")
    let voided = try store.append(withdrawal, patient: "P001")
    timeline = try store.load(patient: "P001")
    #expect(timeline.standingEntries().isEmpty)
    #expect(timeline.statuses()[amended.id] == .voided(by: voided.id))
    #expect(HealingReport.historyText(timeline).contains("[withdrawn by \(voided.id)]"))
    // Nothing further can be said of a withdrawn measurement.
    #expect(
      throws: TimelineError.entryAlreadyVoided(
        file: directory + "/P001.json", entryId: original.id, voidedBy: voided.id)
    ) {
      try store.append(withdrawal, patient: "P001")
    }
  }

  @Test func correctionsMustNameAnEntryOfTheTimelineAndItsPhoto() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let file = directory + "/P001.json"
    let original = try store.append(TimelineEntry._example(index: 1), patient: "P001")
    var unknown = TimelineEntry._example(index: 1)
    unknown.kind = .amendment
    unknown.amends = .init(entryId: "0123456789abcdef", reason: "x")
    #expect(throws: TimelineError.unknownEntry(file: file, entryId: "0123456789abcdef")) {
      try store.append(unknown, patient: "P001")
    }
    var otherPhoto = TimelineEntry._example(index: 2)
    otherPhoto.kind = .amendment
    otherPhoto.amends = .init(entryId: original.id, reason: "x")
    #expect(
      throws: TimelineError.amendmentPhotoDiffers(
        file: file, entryId: original.id, recordedSha256: original.photo.sha256, givenSha256: otherPhoto.photo.sha256)
    ) {
      try store.append(otherPhoto, patient: "P001")
    }
    var moved = TimelineEntry._example(index: 3)
    moved.patient = "P002"
    #expect(throws: TimelineError.entryPatientMismatch(file: file, expected: "P001", found: "P002")) {
      try store.append(moved, patient: "P001")
    }
  }

  @Test func deletingTheLastEntriesIsCaughtByTheHead() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let file = directory + "/P001.json"
    for index in 0..<3 { try store.append(TimelineEntry._example(index: index), patient: "P001") }
    var timeline = try store.load(patient: "P001")
    let lastHash = timeline.lastHash
    timeline.entries.removeLast()
    try timeline.encoded().write(to: URL(fileURLWithPath: file))
    let before = try bytes(file)
    #expect(
      throws: TimelineError.headMismatch(
        file: file, headFile: file + ".head", headEntries: 3, headLastHash: lastHash, fileEntries: 2)
    ) {
      try store.append(TimelineEntry._example(index: 7), patient: "P001")
    }
    #expect(try bytes(file) == before)
    // Deleting the whole file is caught too.
    try FileManager.default.removeItem(atPath: file)
    #expect(throws: TimelineError.missingButHeadExists(file: file, headFile: file + ".head", headEntries: 3)) {
      try store.append(TimelineEntry._example(index: 7), patient: "P001")
    }
    #expect(!FileManager.default.fileExists(atPath: file))
  }

  @Test func duplicateKeysAndUnknownFieldsAreRefused() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let file = directory + "/P001.json"
    try store.append(TimelineEntry._example(index: 1, areaCm2: 4.9), patient: "P001")
    let original = try String(contentsOfFile: file, encoding: .utf8)
    // "areaCm2": 4.9, ... "areaCm2": 0.01 in the same object.
    let doubled = original.replacingOccurrences(
      of: "\"areaCm2\" : 4.9,", with: "\"areaCm2\" : 4.9, \"areaCm2\" : 0.01,")
    #expect(doubled != original)
    try doubled.write(toFile: file, atomically: false, encoding: .utf8)
    #expect {
      try store.load(patient: "P001")
    } throws: { error in
      guard case .malformed(_, let reason) = error as? TimelineError else { return false }
      return reason.contains("'areaCm2' appears twice")
    }
    let extra = original.replacingOccurrences(
      of: "\"woundSite\" :", with: "\"note\" : \"hidden\",\n      \"woundSite\" :")
    try extra.write(toFile: file, atomically: false, encoding: .utf8)
    #expect {
      try store.append(TimelineEntry._example(index: 2), patient: "P001")
    } throws: { error in
      guard case .malformed(_, let reason) = error as? TimelineError else { return false }
      return reason.contains("unknown field 'entries[0].note'")
    }
    #expect(try String(contentsOfFile: file, encoding: .utf8) == extra)
  }

  @Test func recoveryKeepsTheDamagedFileAndStartsAChainOnIt() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let file = directory + "/P001.json"
    try store.append(TimelineEntry._example(index: 1), patient: "P001")
    var damaged = try bytes(file)
    damaged[damaged.count / 2] = UInt8(ascii: "#")
    try damaged.write(to: URL(fileURLWithPath: file))
    #expect(throws: (any Error).self) { try store.load(patient: "P001") }
    let recovery = try store.recover(
      patient: "P001", reason: "disk fault", recordedBy: .init(operator: "nurse A", host: "ward"),
      at: Date(timeIntervalSince1970: 1_790_000_000))
    #expect(try bytes(directory + "/" + recovery.damagedFileName) == damaged)
    #expect(recovery.damagedSha256.count == 64)
    let appended = try store.append(TimelineEntry._example(index: 2), patient: "P001")
    #expect(appended.previousHash == recovery.hash)
    let timeline = try store.load(patient: "P001")
    #expect(timeline.recovery == recovery)
    // A readable timeline has nothing to recover.
    #expect(throws: TimelineError.nothingToRecover(file: file)) {
      try store.recover(patient: "P001", reason: "x", recordedBy: .init(operator: "a", host: "b"))
    }
    // Editing the recovery record breaks the chain.
    let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
      of: "disk fault", with: "no fault")
    try text.write(toFile: file, atomically: false, encoding: .utf8)
    #expect(throws: TimelineError.brokenRecovery(file: file)) { try store.load(patient: "P001") }
  }

  @Test func versionOneFilesAreReadAndGrowIntoVersionTwo() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let file = directory + "/P001.json"
    // A version 1 file: entries without the version 2 fields, as the earlier tool wrote them.
    var entry = TimelineEntry._example(index: 1)
    entry.kind = nil
    entry = try entry.sealed(previousHash: Timeline.genesisHash)
    var v1 = Timeline(patient: "P001", entries: [entry])
    v1.schemaVersion = 1
    try v1.encoded().write(to: URL(fileURLWithPath: file))
    let appended = try store.append(TimelineEntry._example(index: 2), patient: "P001")
    let timeline = try store.load(patient: "P001")
    #expect(timeline.schemaVersion == 2)
    #expect(timeline.entries[0] == entry)
    #expect(appended.previousHash == entry.hash)
  }

  @Test func anAppendWithoutParsingWritesTheSameBytesAsAFullRewrite() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let file = directory + "/P001.json"
    var appended: [TimelineEntry] = []
    for index in 0..<4 { appended.append(try store.append(TimelineEntry._example(index: index), patient: "P001")) }
    // Entries 1-3 went in without parsing the file (the head vouched for its bytes).
    let timeline = try store.load(patient: "P001")
    #expect(timeline.entries == appended)
    #expect(try bytes(file) == (try timeline.encoded()))
    let head = try #require(try store.head(patient: "P001"))
    #expect(head.entries == 4 && head.lastHash == appended[3].hash)
    // The duplicate check on that path names the standing entry, from the photo index.
    #expect(throws: TimelineError.duplicatePhoto(file: file, sha256: appended[2].photo.sha256, entryId: appended[2].id))
    {
      try store.append(TimelineEntry._example(index: 2), patient: "P001")
    }
    // A file edited behind the store's back takes the full path and is refused.
    let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
      of: "\"areaCm2\" : 4.25", with: "\"areaCm2\" : 4.26")
    try text.write(toFile: file, atomically: false, encoding: .utf8)
    #expect {
      try store.append(TimelineEntry._example(index: 9), patient: "P001")
    } throws: { error in
      if case .brokenChain = error as? TimelineError { return true }
      return false
    }
  }
}
