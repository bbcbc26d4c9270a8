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
///     WoundBenchmarks measure [PHOTOS_FOLDER] [--runs N] [--model FILE.wmseg] [--tool PATH] [--baseline PATH]
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
///    with `--overlay OUT.jpg`, and without it held to one core (`taskset -c
///    0`, when taskset is installed); skipped when the tool is not found
///    (`--tool`, default: beside this benchmark); with `--baseline PATH`,
///    another build of the tool (an earlier version) timed the same way in
///    the same rounds, with and without the overlay;
/// 3. in this process, `MeasurementPipeline.measure` from the file's bytes
///    with the given model (`--model`, default the bundled one, which carries
///    the coarse-to-fine pass) on one thread, then with the threads the tool
///    uses (``MeasurementPipeline/defaultThreads``; the outcome must be the
///    same), and each stage on its own on one thread (decode, calibration,
///    segmentation, tissue, geometry).
///
/// Prints medians over photos and runs of each time divided by the `djpeg`
/// time of the same photo in the same round, each stage's share of the
/// in-process measurement, and the largest resident set of the `woundmeasure`
/// runs, without and with an overlay, against the decoded photo's 3 bytes per
/// pixel (measured first, before this process grows: a child reports at least
/// its parent's high-water mark).
func runMeasureBenchmark(arguments: [String]) {
  var folder = NSTemporaryDirectory() + "/woundmeasure-12mp"
  var runs = 3
  var modelPath: String?
  var baseline: String?
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
    case "--baseline": baseline = value; index += 2
    default: folder = argument; index += 1
    }
  }
  let photos = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
    .filter { $0.lowercased().hasSuffix(".jpg") }.sorted().map { folder + "/" + $0 }
  guard !photos.isEmpty else {
    print("measure: no .jpg in \(folder); write them with python3 tools/benchmarks/make_12mp_photos.py \(folder)")
    return
  }
  let model: SegmentationModel
  do {
    model =
      try modelPath.map { try SegmentationModel(contentsOf: URL(fileURLWithPath: $0)) } ?? SegmentationModel.bundled()
  } catch {
    print("measure: \(error)")
    return
  }
  let haveTool = FileManager.default.isExecutableFile(atPath: tool)
  let overlayPath = NSTemporaryDirectory() + "/woundmeasure-measure-benchmark-overlay.jpg"
  // The tool held to one core (as it ran before it used threads), when taskset is there.
  let haveTaskset = haveTool && timeProcess("/usr/bin/env", ["taskset", "-c", "0", "true"]) > 0
  let baselineLabel = baseline.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
  let oneCoreLabel = "  the same held to one core (taskset -c 0)"
  print(
    "measure: \(photos.count) photos in \(folder), \(runs) runs, model \(modelPath ?? "bundled") "
      + "(\(model.finePass == nil ? "no fine pass" : "with fine pass"))"
      + (haveTool ? ", tool \(tool)" : ", no woundmeasure executable found (pass --tool)"))

  var ratios: [String: [Double]] = [:]
  var djpegTimes: [Double] = []
  var stageSeconds: [String: Double] = [:]
  var pixels = 0
  let stageOrder = ["decode", "calibrate", "segment", "tissue", "geometry"]
  let threads = MeasurementPipeline.defaultThreads
  let threadedLabel = "  the same with \(threads) threads (as the tool)"
  let settings = MeasurementSettings()
  // Peak memory first, while this process is still small: Linux carries a process's
  // high-water mark into a child it starts (recorded at exec), so children started after
  // the in-process measurements would report this process's size instead of their own.
  var peakPlainBytes = 0.0
  var peakOverlayBytes = 0.0
  let ownBytesBefore = peakResidentBytes(RUSAGE_SELF)
  if haveTool {
    for photo in photos { _ = timeProcess(tool, ["measure", photo, "--patient", "BENCH", "--no-save", "--json"]) }
    peakPlainBytes = peakResidentBytes(RUSAGE_CHILDREN)
    for photo in photos {
      _ = timeProcess(tool, ["measure", photo, "--patient", "BENCH", "--no-save", "--json", "--overlay", overlayPath])
    }
    peakOverlayBytes = peakResidentBytes(RUSAGE_CHILDREN)
  }
  // The baseline's, in the same way (the figures above are a running maximum, so only
  // a larger one shows).
  var baselinePeakBytes = 0.0
  if let baseline {
    for photo in photos {
      _ = timeProcess(
        baseline, ["measure", photo, "--patient", "BENCH", "--no-save", "--json", "--overlay", overlayPath])
    }
    baselinePeakBytes = peakResidentBytes(RUSAGE_CHILDREN)
  }
  // Warm-up: page in the model, the libraries and the first photo.
  _ = try? MeasurementPipeline.measure(
    photoBytes: [UInt8](FileManager.default.contents(atPath: photos[0]) ?? Data()), path: photos[0],
    modificationDate: Date(), settings: settings, segmentationModel: model)

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
        if let baseline {
          ratios["baseline: \(baselineLabel)", default: []].append(timeProcess(baseline, arguments) / djpeg)
          ratios["  baseline with --overlay OUT.jpg", default: []].append(
            timeProcess(baseline, arguments + ["--overlay", overlayPath]) / djpeg)
        }
        if haveTaskset {
          ratios[oneCoreLabel, default: []].append(
            timeProcess("/usr/bin/env", ["taskset", "-c", "0", tool] + arguments) / djpeg)
        }
      }
      // In process: the pipeline, then each stage alone.
      let start = monotonicSeconds()
      let bytes = [UInt8](FileManager.default.contents(atPath: photo) ?? Data())
      let outcome: MeasurementOutcome
      do {
        outcome = try MeasurementPipeline.measure(
          photoBytes: bytes, path: photo, modificationDate: Date(), settings: settings, segmentationModel: model)
      } catch {
        print("measure: \(error)")
        return
      }
      ratios["MeasurementPipeline.measure, in process", default: []].append((monotonicSeconds() - start) / djpeg)
      pixels = outcome.image.width * outcome.image.height
      // The same with the threads the `measure` command uses; the figures must not change.
      let threadedStart = monotonicSeconds()
      do {
        let threaded = try MeasurementPipeline.measure(
          photoBytes: bytes, path: photo, modificationDate: Date(), settings: settings, segmentationModel: model,
          threads: threads)
        // Timed up to here: the comparison below is the benchmark's, not the pipeline's.
        ratios[threadedLabel, default: []].append((monotonicSeconds() - threadedStart) / djpeg)
        guard threaded.wound == outcome.wound, threaded.measures == outcome.measures,
          threaded.tissue.box == outcome.tissue.box, threaded.tissue.boxLabels == outcome.tissue.boxLabels
        else {
          print("measure: \(photo): \(threads) threads gave other figures than one")
          return
        }
      } catch {
        print("measure: \(error)")
        return
      }
      do {
        let tissueModel = try TissueModel.bundled()
        // As the pipeline: the tissue model runs in the outline's fine pass where it can.
        let finePassTissue = FinePassTissue(outline: model, tissue: tissueModel)
        var t = monotonicSeconds()
        func lap(_ stage: String) {
          let now = monotonicSeconds()
          stageSeconds[stage, default: 0] += now - t
          t = now
        }
        let image = try PhotoDecoder.decode(bytes: bytes, name: photo).image
        lap("decode")
        let calibration = try Calibrator.calibrate(image: image, request: .marker)
        lap("calibrate")
        let segmentation = try Segmenter.segment(
          image: image, excluding: calibration.exclusionPolygons, hints: .none, model: model,
          tissue: finePassTissue)
        lap("segment")
        _ = try TissueClassifier.classify(
          image: image, mask: segmentation.wound, reference: nil, model: tissueModel, crops: segmentation.tissueCrops)
        lap("tissue")
        _ = PlaneGeometry.measure(
          mask: segmentation.wound, regions: segmentation.labelled, homography: calibration.homography)
        lap("geometry")
      } catch {
        print("measure: \(error)")
        return
      }
    }
  }

  func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
  print(String(format: "  djpeg full decode: median %.1f ms (1.00x)", median(djpegTimes) * 1000))
  let labels = [
    "woundmeasure measure --no-save --json", "  the same with --overlay OUT.jpg", oneCoreLabel,
    "baseline: \(baselineLabel)", "  baseline with --overlay OUT.jpg",
    "MeasurementPipeline.measure, in process", threadedLabel,
  ]
  for label in labels {
    guard let values = ratios[label] else { continue }
    print("  \(label.padding(toLength: 42, withPad: " ", startingAt: 0)) \(String(format: "%6.2fx", median(values)))")
  }
  let total = stageOrder.reduce(0) { $0 + (stageSeconds[$1] ?? 0) }
  print(
    "  stages run alone, share of their sum (\(String(format: "%.2f", total / Double(runs * photos.count) / median(djpegTimes)))x djpeg per photo):"
  )
  for stage in stageOrder {
    let seconds = stageSeconds[stage] ?? 0
    print(
      String(
        format: "    %@ %5.1f %%  %6.2fx djpeg", stage.padding(toLength: 10, withPad: " ", startingAt: 0),
        100 * seconds / total,
        seconds / Double(runs * photos.count) / median(djpegTimes)))
  }
  if haveTool {
    let rgb = Double(3 * pixels)
    print(
      String(
        format: "  peak resident memory of woundmeasure measure: %.0f MB, %.2fx the decoded photo (%.0f MB of RGB); "
          + "with --overlay OUT.jpg: %.0f MB, %.2fx (this process was %.0f MB when it started them)",
        peakPlainBytes / 1e6, peakPlainBytes / rgb, rgb / 1e6, peakOverlayBytes / 1e6, peakOverlayBytes / rgb,
        ownBytesBefore / 1e6))
    if baseline != nil {
      print(
        String(
          format:
            "  peak resident memory, baseline included: %.0f MB, %.2fx (larger than the above only when the baseline's is)",
          baselinePeakBytes / 1e6, baselinePeakBytes / rgb))
    }
  }
}

/// The largest resident set, bytes, of this process (`RUSAGE_SELF`) or of its waited-for children.
private func peakResidentBytes(_ who: __rusage_who) -> Double {
  var usage = rusage()
  getrusage(who.rawValue, &usage)
  return Double(usage.ru_maxrss) * 1024
}
