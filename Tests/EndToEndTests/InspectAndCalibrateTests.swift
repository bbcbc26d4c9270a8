import Foundation
import Testing

// The first two commands a nurse or a script meets: `inspect` and `calibrate`,
// run as the built binary on the sample photos and on a broken file beside them.

@Suite(.serialized) struct InspectAndCalibrateEndToEndTests {
  /// A sample photo and a truncated copy of it in a fresh folder.
  static func photoAndBrokenCopy(_ name: String) throws -> (work: URL, photo: String) {
    let work = try Tool.temporaryFolder(name)
    let relative = try #require(Tool.sampleRelativePaths().first)
    let bytes = try Data(contentsOf: Tool.samplePhotos.appendingPathComponent(relative))
    try bytes.write(to: work.appendingPathComponent("good.jpg"))
    try bytes.prefix(bytes.count / 2).write(to: work.appendingPathComponent("half.jpg"))
    return (work, relative)
  }

  @Test func inspectReportsEveryPhotoAndFailsOnlyTheBrokenOne() throws {
    let (work, _) = try Self.photoAndBrokenCopy("inspect")
    defer { try? FileManager.default.removeItem(at: work) }
    let run = try Tool.run(["inspect", "half.jpg", "good.jpg", "--json"], in: work)
    #expect(run.status == 1, "one photo failed, so the status says so")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 2, "one JSON line per photo, the broken one included: \(run.stdout)")
    let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    let broken = try #require(objects.first { $0["file"] as? String == "half.jpg" })
    let good = try #require(objects.first { $0["file"] as? String == "good.jpg" })
    #expect(broken["ok"] as? Bool == false)
    #expect(good["ok"] as? Bool == true)
    #expect(good["format"] as? String == "jpeg")
    #expect(good["displayedWidth"] as? Int == 1600)
    #expect(good["displayedHeight"] as? Int == 1200)
    #expect(run.stderr.contains("error: half.jpg: "), "stderr: \(run.stderr)")

    let fine = try Tool.run(["inspect", "good.jpg"], in: work)
    #expect(fine.status == 0)
    #expect(fine.stdout.contains("JPEG"))
  }

  @Test func calibrateJSONCarriesTheContractFieldsAndTheTrueScale() throws {
    let (work, relative) = try Self.photoAndBrokenCopy("calibrate")
    defer { try? FileManager.default.removeItem(at: work) }
    let run = try Tool.run(["calibrate", "good.jpg", "--json"], in: work)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect(object["markerId"] as? Int == 20)
    #expect(object["markerSizeMm"] as? Double == 20)
    let corners = try #require(object["corners"] as? [[Double]])
    #expect(corners.count == 4 && corners.allSatisfy { $0.count == 2 })
    #expect((object["homography"] as? [Double])?.count == 9)
    #expect(object["warnings"] is [Any])
    let scale = try #require(object["pixelsPerMm"] as? Double)
    let truth = try #require(Truth.column("pxPerMm")[relative])
    #expect(abs(scale - truth) / truth < 0.005, "scale \(scale) px/mm, true \(truth)")

    let refused = try Tool.run(["calibrate", "half.jpg", "--json"], in: work)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("half.jpg"), "stderr: \(refused.stderr)")
  }
}
