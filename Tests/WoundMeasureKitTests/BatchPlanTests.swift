import Foundation
import Testing

@testable import WoundMeasureKit

@Suite struct BatchPlanTests {
  @Test func layoutGivesPatientAndSite() {
    #expect(BatchPlan.parseLayout(relativePath: "P001/left-heel/2026-03-14_1.jpg")! == ("P001", "left-heel"))
    #expect(BatchPlan.parseLayout(relativePath: "P001/2026-03-14_1.jpg") == nil)
    #expect(BatchPlan.parseLayout(relativePath: "P001/heel/extra/x.jpg") == nil)
    #expect(BatchPlan.parseLayout(relativePath: "x.jpg") == nil)
  }

  @Test func folderWalkIsRecursiveSortedAndFiltersByExtension() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wm-plan-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let files = [
      "P2/heel/b.JPG", "P1/sacrum/2026-01-02_1.png", "P1/heel/a.jpeg", "P1/heel/notes.txt", "P1/heel/.hidden.jpg",
      "loose.jpg", "P3/x/y/deep.jpg",
    ]
    for file in files {
      let path = root + "/" + file
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
    }
    #expect(
      try BatchPlan.findPhotos(in: root) == [
        "P1/heel/a.jpeg", "P1/sacrum/2026-01-02_1.png", "P2/heel/b.JPG", "P3/x/y/deep.jpg", "loose.jpg",
      ])
    let (items, problems) = try BatchPlan.fromLayout(folder: root)
    #expect(items.map(\.patient) == ["P1", "P1", "P2"])
    #expect(items.map(\.woundSite) == ["heel", "sacrum", "heel"])
    #expect(items[0].path == root + "/P1/heel/a.jpeg")
    #expect(problems.map(\.path) == [root + "/P3/x/y/deep.jpg", root + "/loose.jpg"])
    #expect(problems[0].reason.hasPrefix(root + "/P3/x/y/deep.jpg: not in the layout <patient>/<wound-site>/<photo>"))
    #expect(throws: BatchPlanError.notAFolder(path: root + "/nope")) { try BatchPlan.findPhotos(in: root + "/nope") }
  }

  @Test func manifestColumnsQuotesAndDefaults() throws {
    let text = """
      patient,path,taken,wound,mask
      P001,"heel, left/a.jpg",2026-03-14,left-heel,masks/a.png
      P002,/abs/b.png,,

      P001,c.jpg,2026-03-15T10:30:00,
      """
    let items = try BatchPlan.parseManifest(text: text, file: "m.csv", folder: "photos")
    #expect(items.map(\.path) == ["/abs/b.png", "photos/c.jpg", "photos/heel, left/a.jpg"])
    #expect(items.map(\.patient) == ["P002", "P001", "P001"])
    #expect(items.map(\.woundSite) == ["wound", "wound", "left-heel"])
    #expect(items[0].takenGiven == nil)
    #expect(items[1].takenGiven == TakenTimeTests.utc(2026, 3, 15, 10, 30))
    #expect(items[2].takenGiven == TakenTimeTests.utc(2026, 3, 14))
    #expect(items.map(\.maskPath) == [nil, nil, "photos/masks/a.png"])
  }

  @Test func outputFilesStayInsideTheOutputFolder() {
    #expect(BatchPlan.outputBase(directory: "out", relativePath: "P1/heel/a.jpg") == "out/P1/heel/a")
    #expect(BatchPlan.outputBase(directory: "out", relativePath: "/abs/b.png") == "out/abs/b")
    #expect(BatchPlan.outputBase(directory: "out/", relativePath: "../../etc/c.jpeg") == "out/_/_/etc/c")
  }

  @Test func manifestErrorsNameTheLine() {
    #expect(
      throws: BatchPlanError.badManifestLine(
        file: "m.csv", line: 1,
        reason: "the header must name the columns path and patient (and optionally wound, taken, mask)")
    ) {
      try BatchPlan.parseManifest(text: "file,who\na.jpg,P1\n", file: "m.csv", folder: ".")
    }
    #expect(throws: BatchPlanError.badManifestLine(file: "m.csv", line: 3, reason: "empty patient")) {
      try BatchPlan.parseManifest(text: "path,patient\na.jpg,P1\nb.jpg,\n", file: "m.csv", folder: ".")
    }
    do {
      _ = try BatchPlan.parseManifest(text: "path,patient,taken\na.jpg,P1,last week\n", file: "m.csv", folder: ".")
      Issue.record("an unreadable date was accepted")
    } catch {
      #expect(error.description.hasPrefix("m.csv:2: unreadable taken date 'last week'"))
    }
  }
}
