import Foundation
import WoundCore
import WoundImaging
import WoundMeasureKit
import WoundTimeline

/// The timeline store's cost: one append to timelines of growing length, and a batch of
/// many small photos over many patients (given masks and a fixed scale, so the figure is
/// the store's, not the network's).
///
///     swift run -c release WoundBenchmarks store [--entries 100,1000,10000] [--photos 2000] [--patients 500]
func runStoreBenchmark(arguments: [String]) {
  var lengths = [100, 1000, 10_000]
  var photoCount = 2000
  var patientCount = 500
  var i = 0
  while i + 1 < arguments.count {
    switch arguments[i] {
    case "--entries": lengths = arguments[i + 1].split(separator: ",").compactMap { Int($0) }
    case "--photos": photoCount = Int(arguments[i + 1]) ?? photoCount
    case "--patients": patientCount = Int(arguments[i + 1]) ?? patientCount
    default: break
    }
    i += 2
  }
  let fm = FileManager.default
  let work = fm.temporaryDirectory.appendingPathComponent("wm-store-bench-\(ProcessInfo.processInfo.processIdentifier)")
  defer { try? fm.removeItem(at: work) }

  // 1. Appends to a timeline of N entries: the file is made once (sealed in memory), then
  //    ten appends through the store are timed.
  print("store: one append to a timeline of N entries (median of 10)")
  for n in lengths {
    let directory = work.appendingPathComponent("len-\(n)").path
    let store = TimelineStore(directory: directory)
    do {
      try store._seed(patient: "P001", entries: (0..<n).map { TimelineEntry._example(index: $0, tag: "seed") })
      var times: [Double] = []
      for k in 0..<10 {
        let start = Date()
        try store.append(TimelineEntry._example(index: k, tag: "new"), patient: "P001")
        times.append(Date().timeIntervalSince(start))
      }
      times.sort()
      let bytes = (try? fm.attributesOfItem(atPath: directory + "/P001.json")[.size] as? Int) ?? 0
      print(String(format: "  N = %6d: %8.2f ms per append (file %.1f MB)", n, times[5] * 1000, Double(bytes) / 1e6))
    } catch {
      print("  N = \(n): \(error)")
    }
  }

  // 2. A batch of small photos over many patients.
  let photos = work.appendingPathComponent("photos").path
  var image = RGBImage(width: 64, height: 48)
  var mask = Mask(width: 64, height: 48)
  for y in 12..<36 { for x in 16..<48 { mask.pixels[y * 64 + x] = 255 } }
  var manifest = "path,patient,wound,taken,mask\n"
  for k in 0..<photoCount {
    let patient = String(format: "S%04d", k % patientCount)
    let relative = "\(patient)/heel/\(k).png"
    try? fm.createDirectory(atPath: photos + "/\(patient)/heel", withIntermediateDirectories: true)
    image[0, 0] = (UInt8(k & 255), UInt8((k >> 8) & 255), 9)  // every photo distinct
    try? ImageEncoder.writePNG(image, to: photos + "/" + relative)
    if k < patientCount { try? ImageEncoder.writePNG(mask, to: photos + "/\(patient)/mask.png") }
    let day = String(format: "2026-%02d-%02d", 1 + (k / patientCount) % 12, 1 + k % 28)
    manifest += "\(relative),\(patient),heel,\(day),\(photos)/\(patient)/mask.png\n"
  }
  try? Data(manifest.utf8).write(to: URL(fileURLWithPath: work.path + "/m.csv"))
  guard let items = try? BatchPlan.fromManifest(file: work.path + "/m.csv", folder: photos) else {
    print("store: could not plan the batch")
    return
  }
  let options = BatchOptions(
    jobs: 2, timelineDirectory: work.path + "/tl", calibration: .scale(pixelsPerMm: 10),
    recordedBy: .init(operator: "bench", host: "bench"))
  let start = Date()
  let summary = BatchRunner.run(items: items, problems: [], options: options) { _ in }
  let seconds = Date().timeIntervalSince(start)
  print(
    String(
      format: "store: batch of %d photos over %d patients (--jobs 2, masks given): %.1f s, %.2f ms per photo; "
        + "measured %d, failed %d", photoCount, patientCount, seconds, seconds / Double(photoCount) * 1000,
      summary.measured, summary.failed))
}
