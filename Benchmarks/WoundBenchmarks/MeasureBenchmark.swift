import Foundation
import WoundCalibration
import WoundCore
import WoundImaging
import WoundMeasureKit
import WoundMeasurement
import WoundSegmentation

/// Times the whole measurement of 12-megapixel JPEGs against libjpeg-turbo's
/// `djpeg` of the same files, in the same run, and prints ratios.
///
///     WoundBenchmarks measure [PHOTOS_FOLDER] [--runs N] [--model FILE.wmseg] [--tool PATH]
///
/// The photos: every `.jpg` in the folder (default
/// `$TMPDIR/woundmeasure-12mp`, written by
/// `python3 tools/benchmarks/make_12mp_photos.py FOLDER`: the six sample
/// photos enlarged to 4000 x 3000, and two of them turned by 180 degrees).
/// For each photo and run, one after the other:
///
/// 1. `djpeg -outfile /dev/null PHOTO` (process start, full decode, PPM writing);
/// 2. the `woundmeasure` executable, `measure PHOTO --no-save --json` (the
///    whole process: start, model load, every stage, printing), and the same
///    with `--overlay OUT.jpg`; skipped when the tool is not found (`--tool`,
///    default: beside this benchmark);
/// 3. in this process, `MeasurementPipeline.measure` from the file's bytes
///    with the given model (`--model`, default the bundled one; use a file
///    with a `finePass` rule made by `tools/benchmarks/add_fine_pass.py` to
///    include the coarse-to-fine pass), and each stage on its own (decode,
///    calibration, segmentation, tissue, geometry).
///
/// Prints medians over photos and runs of each time divided by the `djpeg`
/// time of the same photo in the same round, each stage's share of the
/// in-process measurement, and the largest resident set of any child process
/// (the `woundmeasure` runs) against the decoded photo's 3 bytes per pixel.
func runMeasureBenchmark(arguments: [String]) {
  var folder = NSTemporaryDirectory() + "/woundmeasure-12mp"
  var runs = 3
  var modelPath: String?
  var tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("woundmeasure").path
  var index = 0
  while index < arguments.count {
    let argument = arguments[index]
    let value = index + 1 < arguments.count ? arguments[index + 1] : nil
    switch argument {
    case "--runs": runs = max(1, Int(value ?? "") ?? runs); index += 2
    case "--model": modelPath = value; index += 2
    case "--tool": tool = value ?? tool; index += 2
    default: folder = argument; index += 1
    }
  }
  let photos = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
    .filter { $0.lowercased().hasSuffix(".jpg") }.sorted().map { folder + "/" + $0 }
  guard !photos.isEmpty else {
    print("measure: no .jpg in \(folder); write them with python3 tools/benchmarks/make_12mp_photos.py \(folder)")
    return
  }
  let identity: SegmentationModelIdentity
  do {
    let model =
      try modelPath.map { try SegmentationModel(contentsOf: URL(fileURLWithPath: $0)) } ?? SegmentationModel.bundled()
    identity = SegmentationModelIdentity(model: model)
  } catch {
    print("measure: \(error)")
    return
  }
  let haveTool = FileManager.default.isExecutableFile(atPath: tool)
  let overlayPath = NSTemporaryDirectory() + "/woundmeasure-measure-benchmark-overlay.jpg"
  print(
    "measure: \(photos.count) photos in \(folder), \(runs) runs, model \(modelPath ?? "bundled") "
      + "(\(identity.model.finePass == nil ? "no fine pass" : "with fine pass"))"
      + (haveTool ? ", tool \(tool)" : ", no woundmeasure executable found (pass --tool)"))

  var ratios: [String: [Double]] = [:]
  var djpegTimes: [Double] = []
  var stageSeconds: [String: Double] = [:]
  var pixels = 0
  let stageOrder = ["decode", "calibrate", "segment", "tissue", "geometry"]
  let settings = MeasurementSettings()
  // Warm-up: page in the model, the libraries and the first photo.
  _ = try? MeasurementPipeline.measure(
    photoBytes: [UInt8](FileManager.default.contents(atPath: photos[0]) ?? Data()), path: photos[0],
    modificationDate: Date(), settings: settings, segmentationModel: identity)

  for _ in 0..<runs {
    for photo in photos {
      let djpeg = timeProcess("/usr/bin/env", ["djpeg", "-outfile", "/dev/null", photo])
      guard djpeg > 0 else {
        print("measure: djpeg failed on \(photo)")
        return
      }
      djpegTimes.append(djpeg)
      if haveTool {
        let arguments = ["measure", photo, "--patient", "BENCH", "--no-save", "--json"]
        ratios["woundmeasure measure --no-save --json", default: []].append(timeProcess(tool, arguments) / djpeg)
        ratios["  the same with --overlay OUT.jpg", default: []].append(
          timeProcess(tool, arguments + ["--overlay", overlayPath]) / djpeg)
      }
      // In process: the pipeline, then each stage alone.
      let start = wallSeconds()
      let bytes = [UInt8](FileManager.default.contents(atPath: photo) ?? Data())
      let outcome: MeasurementOutcome
      do {
        outcome = try MeasurementPipeline.measure(
          photoBytes: bytes, path: photo, modificationDate: Date(), settings: settings, segmentationModel: identity)
      } catch {
        print("measure: \(error)")
        return
      }
      ratios["MeasurementPipeline.measure, in process", default: []].append((wallSeconds() - start) / djpeg)
      pixels = outcome.image.width * outcome.image.height
      do {
        var t = wallSeconds()
        func lap(_ stage: String) {
          let now = wallSeconds()
          stageSeconds[stage, default: 0] += now - t
          t = now
        }
        let image = try PhotoDecoder.decode(bytes: bytes, name: photo).image
        lap("decode")
        let calibration = try Calibrator.calibrate(image: image, request: .marker)
        lap("calibrate")
        let mask = try Segmenter.segment(
          image: image, excluding: calibration.exclusionPolygons, hints: .none, model: identity.model
        ).mask
        lap("segment")
        _ = TissueClassifier.classify(image: image, mask: mask, reference: nil)
        lap("tissue")
        _ = PlaneGeometry.measure(mask: mask, homography: calibration.homography)
        lap("geometry")
      } catch {
        print("measure: \(error)")
        return
      }
    }
  }
  var usage = rusage()
  getrusage(RUSAGE_CHILDREN.rawValue, &usage)
  let peakBytes = Double(usage.ru_maxrss) * 1024

  func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
  print(String(format: "  djpeg full decode: median %.1f ms (1.00x)", median(djpegTimes) * 1000))
  let labels = [
    "woundmeasure measure --no-save --json", "  the same with --overlay OUT.jpg",
    "MeasurementPipeline.measure, in process",
  ]
  for label in labels {
    guard let values = ratios[label] else { continue }
    print("  \(label.padding(toLength: 42, withPad: " ", startingAt: 0)) \(String(format: "%6.2fx", median(values)))")
  }
  let total = stageOrder.reduce(0) { $0 + (stageSeconds[$1] ?? 0) }
  print("  stages run alone, share of their sum (\(String(format: "%.2f", total / Double(runs * photos.count) / median(djpegTimes)))x djpeg per photo):")
  for stage in stageOrder {
    let seconds = stageSeconds[stage] ?? 0
    print(
      String(
        format: "    %@ %5.1f %%  %6.2fx djpeg", stage.padding(toLength: 10, withPad: " ", startingAt: 0), 100 * seconds / total,
        seconds / Double(runs * photos.count) / median(djpegTimes)))
  }
  if haveTool {
    print(
      String(
        format: "  peak resident memory of a child process: %.0f MB, %.2fx the decoded photo (%.0f MB of RGB)",
        peakBytes / 1e6, peakBytes / Double(3 * pixels), Double(3 * pixels) / 1e6))
  }
}

/// Seconds on a monotonic clock.
private func wallSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Runs a process with its output discarded; its wall time in seconds, or
/// -1 when it could not start or exited with a failure.
private func timeProcess(_ executable: String, _ arguments: [String]) -> Double {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  let start = wallSeconds()
  do {
    try process.run()
  } catch {
    return -1
  }
  process.waitUntilExit()
  let seconds = wallSeconds() - start
  return process.terminationStatus == 0 ? seconds : -1
}
