import Foundation
import Testing

@testable import WoundTimeline

@Suite struct TimelineStoreTests {
  @Test func appendedEntriesRoundTripAndMatchTheSchema() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    // One entry with every optional field set, one with none.
    var sparse = TimelineEntry._example(index: 2, takenAt: utc(2026, 3, 8))
    sparse.tool.segmentationModelSha256 = nil
    sparse.settings = .init(calibration: .init(method: .scale, pixelsPerMm: 11.5))
    sparse.results.tissue = nil
    sparse.results.calibrationQuality = .init()
    var ruler = TimelineEntry._example(index: 3, takenAt: utc(2026, 3, 15, 10, 30))
    ruler.settings.calibration = .init(
      method: .ruler, rulerPointsPixels: [[10, 20], [310.5, 20]], rulerDistanceMm: 30)
    var first = TimelineEntry._example(index: 1, takenAt: utc(2026, 3, 1))
    first.recordedBy = .init(operator: "nurse A", host: "ward-3")
    var written = try [first, sparse, ruler].map { try store.append($0, patient: "P001") }
    // A correction and a withdrawal, appended.
    var amendment = written[0]
    amendment.kind = .amendment
    amendment.amends = .init(entryId: written[0].id, reason: "rim of slough left out")
    amendment.closureConfirmed = true
    amendment.results.areaCm2 = 0
    written.append(try store.append(amendment, patient: "P001"))
    var withdrawal = written[1]
    withdrawal.kind = .void
    withdrawal.amends = .init(entryId: written[1].id, reason: "photo of another patient")
    written.append(try store.append(withdrawal, patient: "P001"))

    let loaded = try store.load(patient: "P001")
    #expect(loaded.schemaVersion == 2)
    #expect(loaded.patient == "P001")
    #expect(loaded.entries == written)
    #expect(loaded.entries[0].previousHash == String(repeating: "0", count: 64))
    #expect(loaded.entries[1].previousHash == loaded.entries[0].hash)
    #expect(loaded.entries[2].previousHash == loaded.entries[1].hash)
    #expect(loaded.entries.allSatisfy { $0.id.count == 16 && $0.hash.count == 64 && $0.patient == "P001" })
    #expect(Set(loaded.entries.map(\.id)).count == 5)
    #expect(loaded.standingEntries().map(\.id) == [written[3].id, written[2].id])

    // The file, as written, against the schema.
    let fileData = try Data(contentsOf: URL(fileURLWithPath: directory + "/P001.json"))
    let schemaData = try Data(contentsOf: repositoryRoot.appendingPathComponent("schemas/timeline-v2.schema.json"))
    var validator = try SchemaValidator(schemaData: schemaData)
    let problems = validator.validate(try JSONSerialization.jsonObject(with: fileData))
    #expect(problems.isEmpty, "\(problems)")
    // A timeline started anew after damage, with its recovery record.
    try Data("{ damaged".utf8).write(to: URL(fileURLWithPath: directory + "/P009.json"))
    try store.recover(patient: "P009", reason: "disk fault", recordedBy: .init(operator: "it", host: "srv"))
    try store.append(TimelineEntry._example(index: 9), patient: "P009")
    let recovered = try Data(contentsOf: URL(fileURLWithPath: directory + "/P009.json"))
    let recoveredProblems = validator.validate(try JSONSerialization.jsonObject(with: recovered))
    #expect(recoveredProblems.isEmpty, "\(recoveredProblems)")
    // Every property the schema declares was written at least once, so the
    // schema cannot drift from the encoder in either direction.
    let unseen = validator.declaredProperties().subtracting(validator.seenProperties)
    #expect(unseen.isEmpty, "declared in the schema but never written: \(unseen.sorted())")
  }

  @Test func schemaValidatorRejectsWhatTheSchemaForbids() throws {
    let schemaData = try Data(contentsOf: repositoryRoot.appendingPathComponent("schemas/timeline-v2.schema.json"))
    let directory = try makeTemporaryDirectory()
    try TimelineStore(directory: directory).append(TimelineEntry._example(index: 1), patient: "P002")
    let good = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/P002.json")))
    func problems(_ edit: (inout [String: Any]) -> Void) throws -> [String] {
      var document = good as! [String: Any]
      var entry = (document["entries"] as! [[String: Any]])[0]
      var results = entry["results"] as! [String: Any]
      var wrapper: [String: Any] = ["doc": document, "entry": entry, "results": results]
      edit(&wrapper)
      results = wrapper["results"] as! [String: Any]
      entry = wrapper["entry"] as! [String: Any]
      entry["results"] = results
      document = wrapper["doc"] as! [String: Any]
      document["entries"] = [entry]
      var validator = try SchemaValidator(schemaData: schemaData)
      return validator.validate(document)
    }
    #expect(try problems { _ in }.isEmpty)
    #expect(
      try !problems { $0["results"] = ($0["results"] as! [String: Any]).merging(["areaCm2": "big"]) { $1 } }.isEmpty)
    #expect(try !problems { $0["entry"] = ($0["entry"] as! [String: Any]).merging(["extra": 1]) { $1 } }.isEmpty)
    #expect(
      try !problems { $0["entry"] = ($0["entry"] as! [String: Any]).merging(["takenAtSource": "guess"]) { $1 } }.isEmpty
    )
    #expect(try !problems { $0["doc"] = ($0["doc"] as! [String: Any]).merging(["schemaVersion": 3]) { $1 } }.isEmpty)
    #expect(try !problems { $0["entry"] = ($0["entry"] as! [String: Any]).filter { $0.key != "hash" } }.isEmpty)
  }

  @Test func hashCoversTheCanonicalEntryWithoutItsHash() throws {
    let directory = try makeTemporaryDirectory()
    let entry = try TimelineStore(directory: directory).append(TimelineEntry._example(index: 5), patient: "P003")
    let canonical = try entry.canonicalJSON()
    let text = String(decoding: canonical, as: UTF8.self)
    #expect(!text.contains("\"hash\""))
    #expect(text.contains("\"previousHash\":\"\(String(repeating: "0", count: 64))\""))
    #expect(!text.contains("\n") && !text.contains("\": "))
    #expect(text.hasPrefix("{\"id\":"))  // keys sorted: id < measuredAt < ...
    // An independent SHA-256: coreutils' sha256sum over the canonical bytes.
    let canonicalFile = directory + "/canonical.json"
    try canonical.write(to: URL(fileURLWithPath: canonicalFile))
    let sum = Process()
    sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    sum.arguments = [canonicalFile]
    let output = Pipe()
    sum.standardOutput = output
    try sum.run()
    sum.waitUntilExit()
    let digest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
    #expect(String(digest) == entry.hash)
  }

  @Test func sealingIsDeterministic() throws {
    let entry = TimelineEntry._example(index: 9)
    let a = try entry.sealed(previousHash: Timeline.genesisHash)
    let b = try entry.sealed(previousHash: Timeline.genesisHash)
    #expect(a == b)
    let c = try entry.sealed(previousHash: String(repeating: "1", count: 64))
    #expect(c.id != a.id && c.hash != a.hash)
  }

  @Test(arguments: [
    ("../x", TimelineError.IdentifierProblem.forbiddenCharacter("/")),
    ("a/b", .forbiddenCharacter("/")),
    ("", .empty),
    (String(repeating: "p", count: 65), .tooLong(count: 65)),
    (".hidden", .startsWithDot),
    ("a..b", .containsDotDot),
    ("P 01", .forbiddenCharacter(" ")),
    ("Pé", .forbiddenCharacter("é")),
    ("-rf", .startsWithSymbol("-")),
    ("--help", .startsWithSymbol("-")),
    ("_P001", .startsWithSymbol("_")),
  ])
  func unsafePatientIDsAreRefused(patient: String, problem: TimelineError.IdentifierProblem) throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    #expect(throws: TimelineError.invalidPatientID(patient, problem)) {
      try store.append(TimelineEntry._example(index: 1), patient: patient)
    }
    #expect(throws: TimelineError.invalidPatientID(patient, problem)) { try store.load(patient: patient) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
  }

  @Test func safeIdentifiersAreAccepted() throws {
    for id in ["P001", "a", "x.y_z-1", String(repeating: "p", count: 64), "a.b"] {
      #expect(SafeIdentifier.problem(with: id) == nil, "\(id)")
    }
  }

  @Test func unsafeWoundSiteIsRefused() throws {
    let directory = try makeTemporaryDirectory()
    let entry = TimelineEntry._example(index: 1, woundSite: "left/heel")
    #expect(throws: TimelineError.invalidWoundSite("left/heel", .forbiddenCharacter("/"))) {
      try TimelineStore(directory: directory).append(entry, patient: "P001")
    }
  }

  @Test func missingTimelineIsReportedAndHoldsNoPhoto() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    #expect(throws: TimelineError.notFound(file: directory + "/P404.json")) { try store.load(patient: "P404") }
    #expect(try !store.holds(photoSha256: String(repeating: "01", count: 32), patient: "P404"))
  }

  @Test func containsFindsAPhotoByItsHash() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    let entry = try store.append(TimelineEntry._example(index: 7), patient: "P005")
    #expect(try store.holds(photoSha256: entry.photo.sha256, patient: "P005"))
    #expect(try store.holds(photoSha256: entry.photo.sha256, patient: "P005", woundSite: "left-heel"))
    #expect(try !store.holds(photoSha256: entry.photo.sha256, patient: "P005", woundSite: "sacrum"))
    #expect(try !store.holds(photoSha256: String(repeating: "ee", count: 32), patient: "P005"))
    #expect(store.patients() == ["P005"])
  }

  @Test func unencodableNumbersAreRefusedAndNothingIsWritten() throws {
    let directory = try makeTemporaryDirectory()
    let store = TimelineStore(directory: directory)
    try store.append(TimelineEntry._example(index: 1), patient: "P006")
    let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/P006.json"))
    var entry = TimelineEntry._example(index: 2)
    entry.results.areaCm2 = .nan
    #expect {
      try store.append(entry, patient: "P006")
    } throws: { error in
      if case .unencodableEntry = error as? TimelineError { return true }
      return false
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/P006.json")) == before)
  }
}
