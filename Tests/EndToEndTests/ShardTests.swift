import Foundation
import Testing
import WoundMeasureKit
import WoundTimeline

// `batch --shard K/N` run by GNU parallel (Debian's `parallel`), as a scheduler would.

@Suite(.serialized) struct ShardTests {
  /// Nine patients, each with a copy of two sample photos, and a manifest giving the true masks.
  static func nineP(_ work: URL) throws -> [(path: String, patient: String)] {
    let samples = Array(Tool.sampleRelativePaths().prefix(2))
    var rows: [(path: String, patient: String, wound: String, mask: String)] = []
    for n in 1...9 {
      let patient = String(format: "S%03d", n)
      for (k, sample) in samples.enumerated() {
        let relative = "\(patient)/heel/\(k)-\((sample as NSString).lastPathComponent)"
        let target = work.appendingPathComponent("in/" + relative)
        try FileManager.default.createDirectory(
          at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Distinct bytes per patient: a photo belongs to one patient.
        var bytes = try Data(contentsOf: Tool.samplePhotos.appendingPathComponent(sample))
        bytes.append(contentsOf: Array("patient \(patient)".utf8))
        try bytes.write(to: target)
        rows.append((relative, patient, "heel", Tool.sampleMask(sample).path))
      }
    }
    try Tool.writeManifest(rows, to: work.appendingPathComponent("m.csv"))
    return rows.map { ($0.path, $0.patient) }
  }

  static var parallel: String? {
    ["/usr/bin/parallel", "/usr/local/bin/parallel"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Runs `parallel` with `arguments` in `directory`.
  static func runParallel(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(parallel))
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test func threeShardsAtOnceIntoOneFolderRecordEveryPhotoOnce() throws {
    guard Self.parallel != nil else {
      print("skipped: GNU parallel is not installed (Debian package 'parallel'; .ci/run installs it)")
      return
    }
    let work = try Tool.temporaryFolder("shards-at-once")
    defer { try? FileManager.default.removeItem(at: work) }
    let rows = try Self.nineP(work)
    let run = try Self.runParallel(
      [
        "--will-cite", "-j", "3", "--halt", "never", Tool.binary.path, "batch", "in", "--manifest", "m.csv",
        "--timeline-dir", "tl", "--jobs", "1", "--shard", "{}/3", ":::", "0", "1", "2",
      ], in: work)
    #expect(run.status == 0, "\(run.output)")
    let timelines = try Tool.timelines(in: work.appendingPathComponent("tl"))
    let hashes = timelines.flatMap(\.photoHashes)
    #expect(hashes.count == rows.count)
    #expect(Set(hashes).count == rows.count)
    #expect(timelines.count == 9)
    // Every timeline verifies.
    let store = TimelineStore(directory: work.appendingPathComponent("tl").path)
    for patient in store.patients() { _ = try store.load(patient: patient) }
  }

  @Test func shardsRunApartAreDisjointAndTogetherComplete() throws {
    guard Self.parallel != nil else {
      print("skipped: GNU parallel is not installed (Debian package 'parallel'; .ci/run installs it)")
      return
    }
    let work = try Tool.temporaryFolder("shards-apart")
    defer { try? FileManager.default.removeItem(at: work) }
    let rows = try Self.nineP(work)
    // One folder per shard, one after the other (-j 1), as three machines without shared storage would.
    let run = try Self.runParallel(
      [
        "--will-cite", "-j", "1", Tool.binary.path, "batch", "in", "--manifest", "m.csv", "--timeline-dir", "tl-{}",
        "--jobs", "1", "--shard", "{}/3", ":::", "0", "1", "2",
      ], in: work)
    #expect(run.status == 0, "\(run.output)")
    var patientsByShard: [Set<String>] = []
    for k in 0..<3 {
      let store = TimelineStore(directory: work.appendingPathComponent("tl-\(k)").path)
      let patients = Set(store.patients())
      patientsByShard.append(patients)
      for patient in patients { #expect(BatchShard.shard(ofPatient: patient, count: 3) == k) }
    }
    #expect(patientsByShard[0].isDisjoint(with: patientsByShard[1]))
    #expect(patientsByShard[0].isDisjoint(with: patientsByShard[2]))
    #expect(patientsByShard[1].isDisjoint(with: patientsByShard[2]))
    #expect(patientsByShard.reduce(Set<String>()) { $0.union($1) } == Set(rows.map(\.patient)))
    // The dry run of a shard says what it would do, and the same K/N selects the same photos.
    let dry = try Tool.run(["batch", "in", "--manifest", "m.csv", "--shard", "1/3", "--dry-run"], in: work)
    let again = try Tool.run(["batch", "in", "--manifest", "m.csv", "--shard", "1/3", "--dry-run"], in: work)
    #expect(dry.stdout == again.stdout)
    #expect(dry.stdout.contains("shard 1/3: \(2 * patientsByShard[1].count) of \(rows.count) photos"), "\(dry.stdout)")
  }

  @Test func theShardRuleIsAStableHashOfThePatient() {
    #expect(BatchShard("2/3") == BatchShard(index: 2, count: 3))
    #expect(BatchShard("3/3") == nil && BatchShard("-1/3") == nil && BatchShard("1/0") == nil && BatchShard("x") == nil)
    // FNV-1a 64 of "P001" is 0x4b6a9... : fixed values, the same on every machine.
    let shards = (1...12).map { BatchShard.shard(ofPatient: String(format: "P%03d", $0), count: 4) }
    #expect(shards == (1...12).map { BatchShard.shard(ofPatient: String(format: "P%03d", $0), count: 4) })
    #expect(Set(shards).count > 1)
  }
}
