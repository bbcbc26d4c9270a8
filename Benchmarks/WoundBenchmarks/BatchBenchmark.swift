import Foundation
import WoundMeasureKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Times `batch` throughput with one worker and with two on the same photos.
///
///     swift run -c release --scratch-path .build-kit WoundBenchmarks batch [PHOTOS_FOLDER] [--copies N]
///
/// The photos (default `samples/photos`, laid out `<patient>/<site>/<photo>`) are copied
/// `N` times (default 3) into a temporary folder under distinct patient IDs, so every copy
/// is measured; each run writes fresh timelines. Prints photos per second for `--jobs 1`
/// and `--jobs 2`, their ratio, and checks that both runs stored identical results.
func runBatchBenchmark(arguments: [String]) {
  var folder = "samples/photos"
  var copies = 3
  var i = 0
  while i < arguments.count {
    if arguments[i] == "--copies", i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
      copies = max(1, n)
      i += 2
    } else {
      folder = arguments[i]
      i += 1
    }
  }
  let fm = FileManager.default
  let work = fm.temporaryDirectory.appendingPathComponent("wm-batch-bench-\(ProcessInfo.processInfo.processIdentifier)")
  defer { try? fm.removeItem(at: work) }
  let photos = work.appendingPathComponent("photos").path
  let relatives: [String]
  do {
    relatives = try BatchPlan.findPhotos(in: folder)
  } catch {
    print("batch: \(error)")
    return
  }
  for copy in 1...copies {
    for relative in relatives {
      var parts = relative.split(separator: "/").map(String.init)
      guard parts.count == 3 else { continue }
      parts[0] = "\(parts[0])-copy\(copy)"
      let target = photos + "/" + parts.joined(separator: "/")
      try? fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try? fm.copyItem(atPath: folder + "/" + relative, toPath: target)
    }
  }
  guard let (items, _) = try? BatchPlan.fromLayout(folder: photos), !items.isEmpty else {
    print("batch: no photos under \(folder)")
    return
  }
  // Load the model and warm the caches outside the timings.
  _ = try? MeasurementPipeline.bundledSegmentationModel()
  _ = try? MeasurementPipeline.measure(photoAt: items[0].path, settings: MeasurementSettings())

  var throughput: [Int: Double] = [:]
  var utilisation: [Int: Double] = [:]
  var stored: [Int: [String]] = [:]
  for jobs in [1, 2] {
    let timelines = work.appendingPathComponent("timelines-\(jobs)").path
    let cpuBefore = processCPUSeconds()
    // The copies are the same photos under other patients: recorded as such on purpose.
    let summary = BatchRunner.run(
      items: items, options: BatchOptions(jobs: jobs, timelineDirectory: timelines, allowSharedPhoto: true))
    let cpuSeconds = processCPUSeconds() - cpuBefore
    throughput[jobs] = Double(summary.measured) / summary.elapsedSeconds
    utilisation[jobs] = cpuSeconds / summary.elapsedSeconds
    stored[jobs] = resultsJSON(items: items, timelines: timelines)
    print(
      "batch --jobs \(jobs): \(summary.measured) photos measured (\(summary.failed) failed) in "
        + String(
          format: "%.2f s = %.2f photos/s; CPU %.2f s (%.2f cores busy)", summary.elapsedSeconds,
          throughput[jobs]!, cpuSeconds, utilisation[jobs]!))
  }
  let ratio = throughput[2]! / throughput[1]!
  print(
    String(
      format: "batch: --jobs 2 / --jobs 1 throughput = %.2fx (target >= 1.8x) on %d cores", ratio,
      ProcessInfo.processInfo.activeProcessorCount))
  print(
    String(
      format: "batch: cores obtained --jobs 2 / --jobs 1 = %.2fx (the ceiling for the ratio above)",
      utilisation[2]! / utilisation[1]!))
  print("batch: results identical across --jobs: \(stored[1]! == stored[2]! ? "yes" : "NO")")
}

/// User plus system CPU time of this process so far, seconds.
private func processCPUSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
}

/// Each patient's stored `results`, as JSON text in timeline order.
private func resultsJSON(items: [BatchItem], timelines: String) -> [String] {
  var out: [String] = []
  for patient in Set(items.map(\.patient)).sorted() {
    guard let data = FileManager.default.contents(atPath: timelines + "/" + patient + ".json"),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let entries = object["entries"] as? [[String: Any]]
    else { continue }
    for entry in entries {
      if let results = entry["results"],
        let json = try? JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
      {
        out.append(String(decoding: json, as: UTF8.self))
      }
    }
  }
  return out
}
