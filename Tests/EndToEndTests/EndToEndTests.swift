import Foundation
import Testing
import WoundCore
import WoundImaging
import WoundTimeline

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// These tests run the built `woundmeasure` binary on the sample photos. Most give the
// photo's true mask (`--mask`, or a manifest's `mask` column) so that they exercise the
// pipeline, the timeline and the commands without spending the segmentation model's time
// in a debug build; one test runs the whole flow with segmentation.

@Suite(.serialized) struct MeasureEndToEndTests {
  @Test func measureWithSegmentationPrintsASummaryAndAppendsToTheTimeline() throws {
    let work = try Tool.temporaryFolder("measure")
    defer { try? FileManager.default.removeItem(at: work) }
    let photo = try #require(Tool.sampleRelativePaths().first)
    let run = try Tool.run(
      [
        "measure", Tool.samplePhotos.appendingPathComponent(photo).path, "--patient", "P900", "--wound", "heel",
        "--timeline-dir", "tl", "--overlay", "o.png", "--mask-out", "m.png",
      ],
      in: work)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    for label in [
      "area", "cm²", "perimeter", "maximum Feret diameter", "ellipse estimate", "regions", "tissue",
      "px/mm", "saved to    tl/P900.json",
    ] {
      #expect(run.stdout.contains(label), "missing '\(label)' in\n\(run.stdout)")
    }
    for line in run.stderr.split(separator: "\n") { #expect(line.hasPrefix("warning: ")) }
    let timeline = try TimelineFile(work.appendingPathComponent("tl/P900.json"))
    #expect(timeline.entries.count == 1)
    let overlay = try PhotoDecoder.decode(path: work.appendingPathComponent("o.png").path)
    let mask = try PhotoDecoder.decode(path: work.appendingPathComponent("m.png").path)
    let original = try PhotoDecoder.decode(path: Tool.samplePhotos.appendingPathComponent(photo).path)
    #expect(overlay.image.width == original.image.width && overlay.image.height == original.image.height)
    #expect(mask.image.width == original.image.width && mask.image.height == original.image.height)
    #expect(overlay.image.pixels != original.image.pixels)
  }

  @Test func jsonPrintsTheStoredEntryWithTheTrueArea() throws {
    let work = try Tool.temporaryFolder("json")
    defer { try? FileManager.default.removeItem(at: work) }
    let photo = try #require(Tool.sampleRelativePaths().first)
    let run = try Tool.run(
      [
        "measure", Tool.samplePhotos.appendingPathComponent(photo).path, "--patient", "P901", "--json",
        "--timeline-dir", "tl", "--mask", Tool.sampleMask(photo).path,
      ],
      in: work)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    for key in [
      "\"areaCm2\"", "\"perimeterCm\"", "\"lengthCm\"", "\"widthCm\"", "\"pixelsPerMm\"", "\"warnings\"",
      "\"sha256\"", "\"maskSha256\"", "\"hash\"",
    ] {
      #expect(run.stdout.contains(key), "missing \(key)")
    }
    let printed = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let stored = try TimelineFile(work.appendingPathComponent("tl/P901.json"))
    #expect(printed["hash"] as? String == stored.entries.last?["hash"] as? String)
    let area = try #require((printed["results"] as? [String: Any])?["areaCm2"] as? Double)
    let truth = try #require(Truth.load()[photo])
    #expect(abs(area - truth) / truth < 0.03, "area \(area) cm², true \(truth) cm²")
  }

  @Test func aCorruptPhotoIsRefusedNamingTheFile() throws {
    let work = try Tool.temporaryFolder("corrupt")
    defer { try? FileManager.default.removeItem(at: work) }
    let photo = try #require(Tool.sampleRelativePaths().first)
    let bytes = try [UInt8](Data(contentsOf: Tool.samplePhotos.appendingPathComponent(photo)))
    try Data(bytes.prefix(bytes.count / 3)).write(to: work.appendingPathComponent("broken-photo.jpg"))
    let run = try Tool.run(["measure", "broken-photo.jpg", "--patient", "P902", "--timeline-dir", "tl"], in: work)
    #expect(run.status == 1)
    #expect(run.stderr.hasPrefix("error: broken-photo.jpg: "), "stderr: \(run.stderr)")
    #expect(run.stdout.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("tl/P902.json").path))
  }

  @Test func aPhotoWithoutMarkerIsRefusedNamingTheFlagsThatFixIt() throws {
    let work = try Tool.temporaryFolder("nomarker")
    defer { try? FileManager.default.removeItem(at: work) }
    var image = RGBImage(width: 320, height: 240)
    for y in 0..<240 { for x in 0..<320 { image[x, y] = (UInt8(180 + x % 40), UInt8(130 + y % 30), 110) } }
    try ImageEncoder.writePNG(image, to: work.appendingPathComponent("plain.png").path)
    let run = try Tool.run(["measure", "plain.png", "--patient", "P903", "--no-save"], in: work)
    #expect(run.status == 1)
    #expect(run.stderr.hasPrefix("error: plain.png: no calibration marker"), "stderr: \(run.stderr)")
    #expect(run.stderr.contains("--scale"))
    #expect(run.stderr.contains("--ruler"))
  }

  @Test func aMaskOfTheWrongSizeIsRefused() throws {
    let work = try Tool.temporaryFolder("badmask")
    defer { try? FileManager.default.removeItem(at: work) }
    let photo = try #require(Tool.sampleRelativePaths().first)
    try ImageEncoder.writePNG(
      GreyImage(width: 10, height: 10, value: 255), to: work.appendingPathComponent("small.png").path)
    let run = try Tool.run(
      [
        "measure", Tool.samplePhotos.appendingPathComponent(photo).path, "--patient", "P904", "--no-save",
        "--mask", "small.png",
      ], in: work)
    #expect(run.status == 1)
    #expect(run.stderr.contains("error: small.png: the mask is 10x10 px"), "stderr: \(run.stderr)")
  }

  @Test func badArgumentsAreUsageErrors() throws {
    let work = try Tool.temporaryFolder("usage")
    defer { try? FileManager.default.removeItem(at: work) }
    let patient = try Tool.run(["measure", "x.jpg", "--patient", "../evil"], in: work)
    #expect(patient.status == 64)
    #expect(patient.stderr.contains("invalid patient ID '../evil'"))
    let roi = try Tool.run(["measure", "x.jpg", "--patient", "P1", "--roi", "1,2,3"], in: work)
    #expect(roi.status == 64)
    #expect(roi.stderr.contains("--roi"))
    let taken = try Tool.run(["measure", "x.jpg", "--patient", "P1", "--taken", "last tuesday"], in: work)
    #expect(taken.status == 64)
  }
}

@Suite(.serialized) struct BatchEndToEndTests {
  @Test func batchMeasuresGoodPhotosSkipsDuplicatesAndReportsFailures() throws {
    let work = try Tool.temporaryFolder("batch")
    defer { try? FileManager.default.removeItem(at: work) }
    let samples = Array(Tool.sampleRelativePaths().prefix(3))
    try #require(samples.count == 3)
    let folder = work.appendingPathComponent("in")
    try Tool.copySamples(samples, to: folder)
    // A duplicate (same bytes, same patient, another name) and a corrupt photo.
    let first = samples[0].split(separator: "/").map(String.init)
    let duplicate = "\(first[0])/\(first[1])/2099-01-01_copy.jpg"
    try FileManager.default.copyItem(
      at: folder.appendingPathComponent(samples[0]),
      to: folder.appendingPathComponent(duplicate))
    let corrupt = "\(first[0])/\(first[1])/2026-01-01_corrupt.jpg"
    try Data([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0x42, count: 500)).write(
      to: folder.appendingPathComponent(corrupt))
    var rows = Tool.manifestRows(samples)
    rows.append((duplicate, first[0], first[1], Tool.sampleMask(samples[0]).path))
    rows.append((corrupt, first[0], first[1], ""))
    try Tool.writeManifest(rows, to: work.appendingPathComponent("m.csv"))

    let dry = try Tool.run(["batch", "in", "--dry-run"], in: work)
    #expect(dry.status == 0, "\(dry.stdout)\n\(dry.stderr)")
    #expect(dry.stdout.contains("dry run: would measure 4, skip 1, fail 0"), "\(dry.stdout)")

    let run = try Tool.run(
      ["batch", "in", "--manifest", "m.csv", "--timeline-dir", "tl", "--jobs", "2", "--output", "out"], in: work)
    #expect(run.status == 1, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
    #expect(run.stdout.contains("measured 3, skipped 1, failed 1"), "\(run.stdout)")
    #expect(run.stderr.contains("failed: in/\(corrupt): "), "\(run.stderr)")
    #expect(run.stdout.contains("skipped in/\(duplicate): same photo as in/\(samples[0])"), "\(run.stdout)")
    let overlays =
      (FileManager.default.enumerator(atPath: work.appendingPathComponent("out").path)?
      .compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".overlay.png") }
    #expect(overlays.count == 3)
    #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("tl/.json").path))

    // Idempotent: nothing new the second time.
    let again = try Tool.run(["batch", "in", "--manifest", "m.csv", "--timeline-dir", "tl"], in: work)
    #expect(again.status == 1)
    #expect(again.stdout.contains("measured 0, skipped 4, failed 1"), "\(again.stdout)")
    let hashes = try Tool.timelines(in: work.appendingPathComponent("tl")).flatMap(\.photoHashes)
    #expect(hashes.count == 3)
    #expect(Set(hashes).count == 3)
  }

  @Test func entriesLandInTakenOrderAndFiguresDoNotDependOnJobs() throws {
    let work = try Tool.temporaryFolder("jobs")
    defer { try? FileManager.default.removeItem(at: work) }
    let samples = Tool.sampleRelativePaths()
    try Tool.copySamples(samples, to: work.appendingPathComponent("in"))
    try Tool.writeManifest(Tool.manifestRows(samples), to: work.appendingPathComponent("m.csv"))
    let one = try Tool.run(["batch", "in", "--manifest", "m.csv", "--timeline-dir", "tl1", "--jobs", "1"], in: work)
    let four = try Tool.run(["batch", "in", "--manifest", "m.csv", "--timeline-dir", "tl4", "--jobs", "4"], in: work)
    #expect(one.status == 0, "\(one.stderr)")
    #expect(four.status == 0, "\(four.stderr)")
    let a = try Tool.timelines(in: work.appendingPathComponent("tl1"))
    let b = try Tool.timelines(in: work.appendingPathComponent("tl4"))
    #expect(a.count == b.count)
    #expect(a.flatMap(\.photoHashes).count == samples.count)
    for (x, y) in zip(a, b) {
      #expect(try x.canonicalResults() == y.canonicalResults())
      #expect(x.photoHashes == y.photoHashes)
      let taken = x.entries.compactMap { $0["takenAt"] as? String }
      #expect(taken == taken.sorted())
    }
  }

  @Test func aKilledBatchRerunGivesEveryPhotoExactlyOnce() throws {
    let work = try Tool.temporaryFolder("kill")
    defer { try? FileManager.default.removeItem(at: work) }
    let samples = Tool.sampleRelativePaths()
    try Tool.copySamples(samples, to: work.appendingPathComponent("in"))
    try Tool.writeManifest(Tool.manifestRows(samples), to: work.appendingPathComponent("m.csv"))
    let arguments = ["batch", "in", "--manifest", "m.csv", "--timeline-dir", "tl", "--jobs", "2"]
    // SIGKILL the first run as soon as its first timeline appears: some patients are
    // recorded, others not.
    let running = try Tool.start(arguments, in: work)
    let tl = work.appendingPathComponent("tl")
    let deadline = Date().addingTimeInterval(300)
    while running.process.isRunning, Date() < deadline {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: tl.path)) ?? []
      if files.contains(where: { $0.hasSuffix(".json") }) { break }
      usleep(5_000)
    }
    if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
    running.process.waitUntilExit()
    _ = running.result()
    // Killed midway: every timeline written so far is complete and valid, and some photos
    // are still missing.
    let store = TimelineStore(directory: tl.path)
    var recordedBeforeRerun = 0
    for patient in store.patients() {
      recordedBeforeRerun += try store.load(patient: patient, verifyingChain: true).entries.count
    }
    #expect(recordedBeforeRerun > 0)
    #expect(recordedBeforeRerun < samples.count)

    let rerun = try Tool.run(arguments, in: work)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    var hashes: [String] = []
    for patient in store.patients() {
      let timeline = try store.load(patient: patient, verifyingChain: true)
      hashes += timeline.entries.map(\.photo.sha256)
    }
    #expect(hashes.count == samples.count)
    #expect(Set(hashes).count == samples.count)
  }
}

@Suite(.serialized) struct AuditEndToEndTests {
  /// The first sample patient with at least three photos, measured by a batch into `tl/`.
  static func measuredSeries(_ work: URL) throws -> (patient: String, photos: [String]) {
    var byPatient: [String: [String]] = [:]
    for s in Tool.sampleRelativePaths() { byPatient[String(s.split(separator: "/")[0]), default: []].append(s) }
    let (patient, photos) = try #require(byPatient.sorted { $0.key < $1.key }.first { $0.value.count >= 3 })
    let chosen = Array(photos.prefix(3))
    try Tool.copySamples(chosen, to: work.appendingPathComponent("in"))
    try Tool.writeManifest(Tool.manifestRows(chosen), to: work.appendingPathComponent("m.csv"))
    let run = try Tool.run(["batch", "in", "--manifest", "m.csv", "--timeline-dir", "tl"], in: work)
    try #require(run.status == 0, "\(run.stderr)")
    return (patient, chosen)
  }

  @Test func auditReproducesThenCatchesAnAlteredPhoto() throws {
    let work = try Tool.temporaryFolder("audit")
    defer { try? FileManager.default.removeItem(at: work) }
    let (patient, photos) = try Self.measuredSeries(work)
    let timeline = "tl/\(patient).json"

    let clean = try Tool.run(["audit", timeline], in: work)
    #expect(clean.status == 0, "\(clean.stdout)\n\(clean.stderr)")
    #expect(clean.stdout.contains("\(photos.count) reproduced"), "\(clean.stdout)")

    // One pixel changed and the photo saved again.
    let altered = work.appendingPathComponent("in/" + photos[1]).path
    var decoded = try PhotoDecoder.decode(path: altered)
    let p = decoded.image[10, 10]
    decoded.image[10, 10] = (p.r &+ 60, p.g, p.b)
    try ImageEncoder.writeJPEG(decoded.image, to: altered, quality: 92)
    let after = try Tool.run(["audit", timeline, "--json"], in: work)
    #expect(after.status == 1)
    let verdicts = try Tool.verdicts(after.stdout)
    #expect(verdicts == ["reproduced", "photo-altered", "reproduced"])
  }

  @Test func auditCatchesAnEditedValueAndADeletedEntry() throws {
    let work = try Tool.temporaryFolder("audit-edit")
    defer { try? FileManager.default.removeItem(at: work) }
    let (patient, _) = try Self.measuredSeries(work)
    let url = work.appendingPathComponent("tl/\(patient).json")
    let original = try Data(contentsOf: url)

    // An edited result: the second entry's area changed by hand, everything else kept.
    var timeline = try TimelineStore.read(file: url.path, verifyingChain: true)
    timeline.entries[1].results.areaCm2 += 0.5
    try timeline.encoded().write(to: url)
    let edited = try Tool.run(["audit", url.path, "--json"], in: work)
    #expect(edited.status == 1)
    #expect(try Tool.verdicts(edited.stdout) == ["reproduced", "entry-altered", "reproduced"])

    // A deleted entry: the middle entry removed, the others left as they were.
    timeline = try Timeline.decode(original, file: url.path)
    timeline.entries.remove(at: 1)
    try timeline.encoded().write(to: url)
    let deleted = try Tool.run(["audit", url.path, "--json"], in: work)
    #expect(deleted.status == 1)
    #expect(try Tool.verdicts(deleted.stdout) == ["reproduced", "entry-altered"])
  }

  @Test func auditReportsDifferingFiguresAndWhetherVersionsMatch() throws {
    let work = try Tool.temporaryFolder("audit-differs")
    defer { try? FileManager.default.removeItem(at: work) }
    let (patient, _) = try Self.measuredSeries(work)
    let url = work.appendingPathComponent("tl/\(patient).json")
    // Figures changed and the chain sealed again, as if another version had measured:
    // the chain is valid, the figures are not reproduced.
    var timeline = try TimelineStore.read(file: url.path, verifyingChain: true)
    timeline.entries[0].results.perimeterCm *= 1.02
    timeline.entries[2].results.areaCm2 += 0.25
    timeline.entries[2].tool.version = "0.0.1"
    var previous = Timeline.genesisHash
    for i in timeline.entries.indices {
      timeline.entries[i] = try timeline.entries[i].sealed(previousHash: previous)
      previous = timeline.entries[i].hash
    }
    try timeline.encoded().write(to: url)
    let run = try Tool.run(["audit", url.path, "--json"], in: work)
    #expect(run.status == 1)
    #expect(try Tool.verdicts(run.stdout) == ["differs", "reproduced", "differs"])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(run.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])
    let entries = try #require(object["entries"] as? [[String: Any]])
    let first = try #require(entries[0]["differences"] as? [[String: Any]])
    #expect(first.compactMap { $0["figure"] as? String } == ["perimeterCm"])
    #expect(abs((first[0]["relativeDifference"] as? Double ?? 0) + 0.02 / 1.02) < 1e-9)
    #expect(entries[0]["versionsMatch"] as? Bool == true)
    let third = try #require(entries[2]["differences"] as? [[String: Any]])
    #expect(third.compactMap { $0["figure"] as? String } == ["areaCm2"])
    #expect(abs((third[0]["difference"] as? Double ?? 0) + 0.25) < 1e-9)
    #expect(entries[2]["versionsMatch"] as? Bool == false)
    let text = try Tool.run(["audit", url.path], in: work)
    #expect(text.stdout.contains("differences are expected across versions"))
    #expect(text.stdout.contains("the difference is not expected"))
  }

  @Test func auditFindsRelocatedPhotosUnderThePhotosRoot() throws {
    let work = try Tool.temporaryFolder("audit-move")
    defer { try? FileManager.default.removeItem(at: work) }
    let (patient, photos) = try Self.measuredSeries(work)
    try FileManager.default.createDirectory(
      at: work.appendingPathComponent("archive"), withIntermediateDirectories: true)
    try FileManager.default.moveItem(
      at: work.appendingPathComponent("in"),
      to: work.appendingPathComponent("archive/2026"))
    let missing = try Tool.run(["audit", "tl/\(patient).json"], in: work)
    #expect(missing.status == 1)
    #expect(missing.stdout.contains("photo missing"))
    let found = try Tool.run(["audit", "tl/\(patient).json", "--photos-root", "archive"], in: work)
    #expect(found.status == 0, "\(found.stdout)\n\(found.stderr)")
    #expect(found.stdout.contains("\(photos.count) reproduced"), "\(found.stdout)")
  }
}

/// `samples/truth.csv`: the true wound area of each sample photo, cm².
enum Truth {
  /// True area by photo path relative to `samples/photos`.
  static func load() throws -> [String: Double] { try column("trueAreaCm2") }

  /// One numeric column of `samples/truth.csv` by photo path relative to `samples/photos`.
  static func column(_ name: String) throws -> [String: Double] {
    let text = try String(contentsOf: Tool.packageRoot.appendingPathComponent("samples/truth.csv"), encoding: .utf8)
    var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",").map(String.init) }
    let header = lines.removeFirst()
    let file = try #require(header.firstIndex(of: "file"))
    let value = try #require(header.firstIndex(of: name))
    var out: [String: Double] = [:]
    for line in lines where line.count > max(file, value) {
      var path = line[file]
      if path.hasPrefix("photos/") { path.removeFirst("photos/".count) }
      if path.hasPrefix("samples/photos/") { path.removeFirst("samples/photos/".count) }
      out[path] = Double(line[value])
    }
    return out
  }
}
