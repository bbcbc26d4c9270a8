import Foundation
import Testing
import WoundCore
import WoundImaging
import WoundTimeline

// The files other people and programs read, each checked with an independent reader:
// the HTML report in headless Chromium, the FHIR Bundle with fhir.resources (R4), the
// ImageJ outlines with roifile. See docs/outputs.md.

/// A patient series with a correction, a withdrawal, moved photos and a missing one.
struct OutputSeries {
  var work: URL
  var patient = "P001"
  var timeline: Timeline
  /// The standing entries whose photo is still there (moved under `archive`).
  var presentIds: [String]
  /// The standing entry whose photo was deleted.
  var missingId: String
  var amendedId: String
  var voidedId: String

  /// Measures the four photos of P001 with their true masks, corrects the second (a
  /// later taken time), withdraws the third, moves photos and masks under `archive/`
  /// and deletes the last photo.
  static func make(_ name: String) throws -> OutputSeries {
    let work = try Tool.temporaryFolder(name)
    let photos = Tool.sampleRelativePaths().filter { $0.hasPrefix("P001/") }
    #expect(photos.count == 4)
    for photo in photos {
      let photoTarget = "photos/" + photo
      let maskTarget = "masks/" + (photo as NSString).deletingPathExtension + ".png"
      for (source, target) in [
        (Tool.samplePhotos.appendingPathComponent(photo), photoTarget),
        (Tool.sampleMask(photo), maskTarget),
      ] {
        let url = work.appendingPathComponent(target)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: url)
      }
      let run = try Tool.run(
        [
          "measure", photoTarget, "--patient", "P001", "--wound", "left-heel", "--wound-type", "diabetic-foot",
          "--mask", maskTarget, "--timeline-dir", "tl",
        ],
        in: work)
      #expect(run.status == 0, "\(run.stderr)")
    }
    let store = TimelineStore(directory: work.appendingPathComponent("tl").path)
    let measured = try store.load(patient: "P001").entries
    let amend = try Tool.run(
      [
        "amend", "P001", "--entry", measured[1].id, "--taken", "2026-09-21T11:00:00Z", "--reason",
        "clock of the camera",
        "--timeline-dir", "tl",
      ], in: work)
    #expect(amend.status == 0, "\(amend.stderr)")
    let void = try Tool.run(
      [
        "amend", "P001", "--entry", measured[2].id, "--void", "--reason", "photo of the other heel", "--timeline-dir",
        "tl",
      ],
      in: work)
    #expect(void.status == 0, "\(void.stderr)")
    try FileManager.default.createDirectory(
      at: work.appendingPathComponent("archive"), withIntermediateDirectories: true)
    for folder in ["photos", "masks"] {
      try FileManager.default.moveItem(
        at: work.appendingPathComponent(folder), to: work.appendingPathComponent("archive/\(folder)"))
    }
    try FileManager.default.removeItem(at: work.appendingPathComponent("archive/photos/" + photos[3]))
    let timeline = try store.load(patient: "P001")
    let amended = try #require(timeline.entries.first { $0.kind == .amendment })
    return OutputSeries(
      work: work, timeline: timeline, presentIds: [measured[0].id, amended.id], missingId: measured[3].id,
      amendedId: amended.id, voidedId: measured[2].id)
  }
}

@Suite(.serialized) struct HTMLReportEndToEndTests {
  @Test func theReportIsSelfContainedAndShowsEveryStandingPhotoOrAPlaceholder() throws {
    let series = try OutputSeries.make("html")
    defer { try? FileManager.default.removeItem(at: series.work) }
    let run = try Tool.run(
      ["timeline", "P001", "--timeline-dir", "tl", "--html", "report.html", "--photos-root", "archive"], in: series.work
    )
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("warning: report.html: entry \(series.missingId)"), "\(run.stderr)")
    let html = try String(contentsOf: series.work.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(html.components(separatedBy: "<img src=\"data:image/jpeg;base64,").count - 1 == 2)
    #expect(html.components(separatedBy: "class=\"photo-missing\"").count - 1 == 1)
    for external in ["src=\"http", "href=\"http", "<link", "<script", "url(http", "@import"] {
      #expect(!html.contains(external), "the page refers to something outside it: \(external)")
    }
    for text in [
      "Wound site left-heel (diabetic foot ulcer)", "4-week area reduction", "Projected closure", "was corrected by",
      "was withdrawn by", "photo of the other heel", "Sheehan", "Phillips", "@media print", "granulation",
    ] {
      #expect(html.contains(text), "missing '\(text)'")
    }
    // Withdrawn entries are not shown; the corrected one is, by its latest version.
    #expect(!html.contains("entry <code>\(series.voidedId)</code>, photo"))
    #expect(html.contains("entry <code>\(series.amendedId)</code>, photo"))
  }

  @Test(.enabled(if: Readers.chromium != nil, Comment(rawValue: Readers.skipChromium)))
  func headlessChromiumRendersTheChartsAndEveryPhotoWithoutConsoleErrors() throws {
    let series = try OutputSeries.make("chromium")
    defer { try? FileManager.default.removeItem(at: series.work) }
    let run = try Tool.run(
      ["timeline", "P001", "--timeline-dir", "tl", "--html", "report.html", "--photos-root", "archive"], in: series.work
    )
    #expect(run.status == 0, "\(run.stderr)")
    let page = series.work.appendingPathComponent("report.html")
    let profile = series.work.appendingPathComponent("chromium-profile")

    // The detector works: a page with console errors is caught.
    let bad = series.work.appendingPathComponent("bad.html")
    try Data("<!DOCTYPE html><p>x</p><script>console.error('deliberate'); missingFunction();</script>".utf8).write(
      to: bad)
    let badRun = Readers.chromium(["--dump-dom"], page: bad, profile: profile)
    #expect(Readers.consoleLines(badRun.stderr).count >= 2, "console errors not seen in:\n\(badRun.stderr)")

    // Screenshot: rendered, not blank.
    let shot = series.work.appendingPathComponent("report.png")
    let shotRun = Readers.chromium(
      ["--screenshot=\(shot.path)", "--window-size=1200,3600", "--hide-scrollbars"], page: page, profile: profile)
    #expect(Readers.consoleLines(shotRun.stderr).isEmpty, "console messages:\n\(shotRun.stderr)")
    let image = try PhotoDecoder.decode(path: shot.path).image
    #expect(image.width == 1200)
    let (mean, variance) = Self.greyStatistics(image)
    #expect(variance > 500, "the screenshot looks blank: mean \(mean), variance \(variance)")
    let coloured = Self.colouredFraction(image)
    #expect(coloured > 0.003, "too few coloured pixels (\(coloured)): photos and chart not drawn")

    // The DOM after loading: both charts, every overlay decoded, the placeholder. A copy of
    // the page gets a script that records how many images decoded.
    let probe = series.work.appendingPathComponent("probe.html")
    let html = try String(contentsOf: page, encoding: .utf8)
    let script =
      "<script>window.addEventListener('load', () => { const i = Array.from(document.images); "
      + "document.body.setAttribute('data-images-loaded', i.filter(x => x.complete && x.naturalWidth > 0).length "
      + "+ '/' + i.length); });</script></body>"
    try Data(html.replacingOccurrences(of: "</body>", with: script).utf8).write(to: probe)
    let dom = Readers.chromium(["--dump-dom"], page: probe, profile: profile)
    #expect(dom.status == 0, "\(dom.stderr)")
    #expect(Readers.consoleLines(dom.stderr).isEmpty, "console messages:\n\(dom.stderr)")
    #expect(dom.stdout.components(separatedBy: "<svg").count - 1 == 2, "expected the area chart and the tissue bars")
    #expect(dom.stdout.contains("area over time</title>"))
    #expect(dom.stdout.contains("data-images-loaded=\"2/2\""), "not every overlay decoded")
    #expect(dom.stdout.components(separatedBy: "class=\"photo-missing\"").count - 1 == 1)

    // Printed: A4 pages (595 x 842 pt), few of them.
    let pdf = series.work.appendingPathComponent("report.pdf")
    let printRun = Readers.chromium(
      ["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)"], page: page, profile: profile)
    #expect(Readers.consoleLines(printRun.stderr).isEmpty, "console messages:\n\(printRun.stderr)")
    let bytes = try Data(contentsOf: pdf)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(bytes.starts(with: Array("%PDF".utf8)))
    let pages =
      text.components(separatedBy: "/Type /Page").count - 1 - (text.components(separatedBy: "/Type /Pages").count - 1)
    #expect((1...3).contains(pages), "\(pages) printed pages")
    #expect(text.contains("/MediaBox [0 0 594.95996 841.91998]"), "not A4")
  }

  static func greyStatistics(_ image: RGBImage) -> (mean: Double, variance: Double) {
    var sum = 0.0
    var sumSquares = 0.0
    let n = image.width * image.height
    for i in 0..<n {
      let grey = (Double(image.pixels[3 * i]) + Double(image.pixels[3 * i + 1]) + Double(image.pixels[3 * i + 2])) / 3
      sum += grey
      sumSquares += grey * grey
    }
    let mean = sum / Double(n)
    return (mean, sumSquares / Double(n) - mean * mean)
  }

  /// The share of pixels whose channels differ by more than 40 (not grey, white or black).
  static func colouredFraction(_ image: RGBImage) -> Double {
    var coloured = 0
    let n = image.width * image.height
    for i in 0..<n {
      let r = Int(image.pixels[3 * i])
      let g = Int(image.pixels[3 * i + 1])
      let b = Int(image.pixels[3 * i + 2])
      if max(r, g, b) - min(r, g, b) > 40 { coloured += 1 }
    }
    return Double(coloured) / Double(n)
  }
}

@Suite(.serialized) struct FHIREndToEndTests {
  @Test(.enabled(if: Readers.hasFHIRReader, Comment(rawValue: Readers.skipFHIR)))
  func theBundleIsValidR4ForFhirResourcesAndCarriesTheRecordedFigures() throws {
    let series = try OutputSeries.make("fhir")
    defer { try? FileManager.default.removeItem(at: series.work) }
    let run = try Tool.run(["timeline", "P001", "--timeline-dir", "tl", "--fhir", "bundle.json"], in: series.work)
    #expect(run.status == 0, "\(run.stderr)")
    let bundle = series.work.appendingPathComponent("bundle.json").path
    let check = Readers.run(Readers.python!, [Readers.script("check_fhir.py"), bundle])
    #expect(check.status == 0, "fhir.resources refused the Bundle: \(check.stderr)")
    let observations = try check.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    // Four photos: two final, one amended (the correction), one withdrawn.
    #expect(observations.count == 4)
    let byEntry = Dictionary(
      uniqueKeysWithValues: observations.map { (($0["entryIds"] as? [String])?.first ?? "", $0) })
    let amended = try #require(byEntry[series.amendedId])
    #expect(amended["status"] as? String == "amended")
    #expect((amended["oldIds"] as? [String])?.count == 1)
    #expect(amended["effective"] as? String == "2026-09-21T11:00:00+00:00")
    #expect(byEntry[series.voidedId]?["status"] as? String == "entered-in-error")
    #expect(byEntry[series.presentIds[0]]?["status"] as? String == "final")
    for (id, observation) in byEntry {
      let entry = try #require(series.timeline.entry(id: id))
      #expect(abs((observation["areaCm2"] as? Double ?? -1) - entry.results.areaCm2) < 5e-5)
      #expect(abs((observation["lengthCm"] as? Double ?? -1) - entry.results.lengthCm) < 5e-4)
      #expect(abs((observation["widthCm"] as? Double ?? -1) - entry.results.widthCm) < 5e-4)
      #expect(observation["photoSha256"] as? String == entry.photo.sha256)
      #expect(observation["patient"] as? String == "P001")
      #expect(observation["bodySite"] as? String == "left-heel")
    }

    // The reader is strict: a status outside R4's value set and an unknown element are refused.
    let text = try String(contentsOfFile: bundle, encoding: .utf8)
    for (label, broken) in [
      ("status", text.replacingOccurrences(of: "\"amended\"", with: "\"revised\"")),
      ("element", text.replacingOccurrences(of: "\"effectiveDateTime\"", with: "\"effectiveDate\"")),
    ] {
      let path = series.work.appendingPathComponent("broken-\(label).json")
      try Data(broken.utf8).write(to: path)
      let refused = Readers.run(Readers.python!, [Readers.script("check_fhir.py"), path.path])
      #expect(refused.status != 0, "a Bundle with a bad \(label) was accepted")
    }
  }
}

@Suite(.serialized) struct ImageJOutlineEndToEndTests {
  static let photo = "P001/left-heel/2026-09-07_1.jpg"

  /// The true mask of the photo with a second region (a 60 x 40 block far from the wound).
  static func twoRegionMask(in work: URL) throws -> (url: URL, mask: Mask) {
    let decoded = try PhotoDecoder.decode(path: Tool.sampleMask(photo).path).image
    var mask = Mask(width: decoded.width, height: decoded.height)
    for i in 0..<mask.pixels.count where decoded.pixels[3 * i] >= 128 { mask.pixels[i] = 255 }
    for y in 40..<80 { for x in 40..<100 { mask.pixels[y * mask.width + x] = 255 } }
    let url = work.appendingPathComponent("two-regions.png")
    try ImageEncoder.writePNG(mask, to: url.path)
    return (url, mask)
  }

  @Test(.enabled(if: Readers.hasROIReader, Comment(rawValue: Readers.skipROI)))
  func roifileReadsTheOutlinesBackAsExactlyTheMasksPixels() throws {
    let work = try Tool.temporaryFolder("roi")
    defer { try? FileManager.default.removeItem(at: work) }
    let photoPath = Tool.samplePhotos.appendingPathComponent(Self.photo).path
    // One region: a .roi.
    let one = try Tool.run(
      [
        "measure", photoPath, "--patient", "P001", "--no-save", "--mask", Tool.sampleMask(Self.photo).path,
        "--outline-out", "wound.roi", "--mask-out", "wound-mask.png",
      ], in: work)
    #expect(one.status == 0, "\(one.stderr)")
    let written = try PhotoDecoder.decode(path: work.appendingPathComponent("wound-mask.png").path).image
    var mask = Mask(width: written.width, height: written.height)
    for i in 0..<mask.pixels.count where written.pixels[3 * i] != 0 { mask.pixels[i] = 255 }
    let single = try Self.check(work.appendingPathComponent("wound.roi"), against: mask, work: work)
    #expect(single.mismatched == 0)
    #expect(single.rois.count == 1)
    #expect(single.rois.first?.type == "TRACED")
    #expect(single.rois.first?.name == "wound-1")
    #expect(single.rois.first?.shoelace == Double(single.maskPixels), "a region without holes encloses its pixels")

    // Two regions: a .roi is refused with the fix, a .zip holds both.
    let (maskURL, twoMask) = try Self.twoRegionMask(in: work)
    let refused = try Tool.run(
      ["measure", photoPath, "--patient", "P001", "--no-save", "--mask", maskURL.path, "--outline-out", "two.roi"],
      in: work)
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("--outline-out two.zip"), "\(refused.stderr)")
    let two = try Tool.run(
      [
        "measure", photoPath, "--patient", "P001", "--no-save", "--mask", maskURL.path, "--outline-out", "two.zip",
        "--json",
      ], in: work)
    #expect(two.status == 0, "\(two.stderr)")
    let set = try Self.check(work.appendingPathComponent("two.zip"), against: twoMask, work: work)
    #expect(set.mismatched == 0)
    #expect(set.rois.map(\.name) == ["wound-1", "wound-2"])
    #expect(set.rois.map(\.filled).reduce(0, +) == set.maskPixels)
    let entry = try #require(try JSONSerialization.jsonObject(with: Data(two.stdout.utf8)) as? [String: Any])
    let regions = try #require((entry["results"] as? [String: Any])?["regions"] as? [[String: Any]])
    #expect(regions.compactMap { $0["areaPixels"] as? Int } == set.rois.map(\.filled), "ROIs in the regions' order")
  }

  /// The reverse: a deflated ROI Manager set written by roifile (sub-pixel and integer
  /// polygons), measured with --outline, draws the pixels roifile's polygons cover.
  @Test(.enabled(if: Readers.hasROIReader, Comment(rawValue: Readers.skipROI)))
  func aSetWrittenByRoifileIsMeasuredAsItsPolygons() throws {
    let work = try Tool.temporaryFolder("roi-in")
    defer { try? FileManager.default.removeItem(at: work) }
    let set = work.appendingPathComponent("fiji.zip")
    let write = Readers.run(Readers.python!, [Readers.script("write_roi.py"), set.path])
    #expect(write.status == 0, "\(write.stderr)")
    let run = try Tool.run(
      [
        "measure", Tool.samplePhotos.appendingPathComponent(Self.photo).path, "--patient", "P001", "--no-save",
        "--outline", set.path, "--mask-out", "drawn.png", "--json",
      ], in: work)
    #expect(run.status == 0, "\(run.stderr)")
    let drawn = try PhotoDecoder.decode(path: work.appendingPathComponent("drawn.png").path).image
    var mask = Mask(width: drawn.width, height: drawn.height)
    for i in 0..<mask.pixels.count where drawn.pixels[3 * i] != 0 { mask.pixels[i] = 255 }
    let check = try Self.check(set, against: mask, work: work)
    #expect(check.mismatched == 0, "woundmeasure and roifile fill the polygons differently")
    #expect(check.rois.map(\.name) == ["tracing-1", "tracing-2"])
    #expect(check.rois.last?.filled == 100 * 60)
    let entry = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect((entry["results"] as? [String: Any])?["regionCount"] as? Int == 2)
    #expect((entry["settings"] as? [String: Any])?["maskPath"] as? String == set.path, "recorded for audit")
  }

  @Test func measuringTheOutlineGivesTheMasksFigures() throws {
    let work = try Tool.temporaryFolder("outline-in")
    defer { try? FileManager.default.removeItem(at: work) }
    let photoPath = Tool.samplePhotos.appendingPathComponent(Self.photo).path
    let (maskURL, _) = try Self.twoRegionMask(in: work)
    var results: [String] = []
    for (option, file) in [("--mask", maskURL.path), ("--outline", "two.zip")] {
      var arguments = ["measure", photoPath, "--patient", "P001", "--no-save", "--json", option, file]
      if option == "--mask" { arguments += ["--outline-out", "two.zip"] }
      let run = try Tool.run(arguments, in: work)
      #expect(run.status == 0, "\(run.stderr)")
      let entry = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
      let figures = try #require(entry["results"] as? [String: Any])
      results.append(
        String(decoding: try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]), as: UTF8.self))
    }
    #expect(results[0] == results[1], "the outline measured differently from the mask it was written from")
    let notROI = try Tool.run(
      ["measure", photoPath, "--patient", "P001", "--no-save", "--outline", maskURL.path, "--mask", maskURL.path],
      in: work)
    #expect(notROI.status == 64)
  }

  struct ROICheck {
    struct ROI {
      var name: String
      var type: String
      var shoelace: Double
      var filled: Int
    }
    var rois: [ROI]
    var maskPixels: Int
    var mismatched: Int
  }

  /// Runs `tools/readers/check_roi.py` on `file` against `mask`.
  static func check(_ file: URL, against mask: Mask, work: URL) throws -> ROICheck {
    let raw = work.appendingPathComponent("mask-\(UUID().uuidString).raw")
    try Data(mask.pixels).write(to: raw)
    let run = Readers.run(
      Readers.python!, [Readers.script("check_roi.py"), file.path, raw.path, "\(mask.width)", "\(mask.height)"])
    #expect(run.status == 0, "roifile could not read \(file.lastPathComponent): \(run.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let rois = (object["rois"] as? [[String: Any]] ?? []).map {
      ROICheck.ROI(
        name: $0["name"] as? String ?? "", type: $0["type"] as? String ?? "",
        shoelace: ($0["shoelaceArea"] as? NSNumber)?.doubleValue ?? -1, filled: $0["filledPixels"] as? Int ?? -1)
    }
    return ROICheck(
      rois: rois, maskPixels: object["maskPixels"] as? Int ?? -1, mismatched: object["mismatchedPixels"] as? Int ?? -1)
  }
}

@Suite struct TissueMapEndToEndTests {
  /// The label map's class fractions are the shares the entry reports.
  @Test func theTissueMapsFractionsAreTheReportedShares() throws {
    let work = try Tool.temporaryFolder("tissue-out")
    defer { try? FileManager.default.removeItem(at: work) }
    let photo = "P001/left-heel/2026-09-07_1.jpg"
    let run = try Tool.run(
      [
        "measure", Tool.samplePhotos.appendingPathComponent(photo).path, "--patient", "P001", "--no-save", "--json",
        "--mask", Tool.sampleMask(photo).path, "--tissue-out", "tissue.png",
      ], in: work)
    #expect(run.status == 0, "\(run.stderr)")
    let map = try PhotoDecoder.decode(path: work.appendingPathComponent("tissue.png").path).image
    let original = try PhotoDecoder.decode(path: Tool.samplePhotos.appendingPathComponent(photo).path).image
    #expect(map.width == original.width && map.height == original.height)
    var counts = [Int](repeating: 0, count: 256)
    for i in 0..<(map.width * map.height) { counts[Int(map.pixels[3 * i])] += 1 }
    #expect(counts[5...].allSatisfy { $0 == 0 }, "labels beyond 0...4")
    let wound = counts[1...4].reduce(0, +)
    let entry = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let results = try #require(entry["results"] as? [String: Any])
    let regions = try #require(results["regions"] as? [[String: Any]])
    #expect(wound == regions.compactMap { $0["areaPixels"] as? Int }.reduce(0, +))
    let shares = try #require(results["tissue"] as? [String: Double])
    for (label, name) in [(1, "granulation"), (2, "slough"), (3, "necrosis"), (4, "epithelium")] {
      let fraction = Double(counts[label]) / Double(wound)
      #expect(abs(fraction - (shares[name] ?? -1)) < 1e-9, "\(name): map \(fraction), reported \(shares[name] ?? -1)")
    }
  }
}

@Suite struct HEICEndToEndTests {
  static let heifEnc = Readers.executable(["heif-enc"])

  /// A sample photo turned into HEIC by libheif's heif-enc is measured like the JPEG
  /// (same marker, same mask: the same area), and audit reproduces it.
  @Test(.enabled(if: heifEnc != nil, "heif-enc not found: install Debian's libheif-examples (.ci/run does)"))
  func aHEICPhotoIsMeasuredAndAudited() throws {
    let work = try Tool.temporaryFolder("heic")
    defer { try? FileManager.default.removeItem(at: work) }
    let photo = "P001/left-heel/2026-09-07_1.jpg"
    let encode = Readers.run(
      Self.heifEnc!,
      [
        "-q", "92", Tool.samplePhotos.appendingPathComponent(photo).path, "-o",
        work.appendingPathComponent("IMG_0001.HEIC").path,
      ])
    #expect(encode.status == 0, "\(encode.stderr)")
    let run = try Tool.run(
      [
        "measure", "IMG_0001.HEIC", "--patient", "P001", "--timeline-dir", "tl", "--mask", Tool.sampleMask(photo).path,
        "--json",
      ], in: work)
    #expect(run.status == 0, "\(run.stderr)")
    let entry = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect(
      (entry["settings"] as? [String: Any]).flatMap { $0["other"] as? [String: String] }?["photoFormat"] == "heic")
    #expect(entry["takenAtSource"] as? String == "exif")
    let area = try #require((entry["results"] as? [String: Any])?["areaCm2"] as? Double)
    let truth = try #require(Truth.load()[photo])
    #expect(abs(area - truth) / truth < 0.03, "area \(area) cm², true \(truth) cm²")
    let audit = try Tool.run(["audit", "tl/P001.json"], in: work)
    #expect(audit.status == 0, "\(audit.stdout)")
  }
}
