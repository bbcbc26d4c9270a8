import Foundation
import WoundCore
import WoundImaging
import WoundSegmentation

/// Times the segmentation of a 12-megapixel photo (decode excluded).
///
///   swift run -c release WoundBenchmarks segment [--runs N] [--width W] [--height H] [--photo PATH]
///     [--model FILE.wmseg] [--threads N] [--tissue]
///
/// The photo: a real wound photo (by default the FUSeg validation photo
/// `Tests/WoundSegmentationTests/Fixtures/validation/0040.jpg`, CC0, when run
/// from the repository root) enlarged to the frame's height and centred on a
/// skin-coloured 4000 x 3000 frame, so the network finds a wound and the
/// outline step refines a real region; without that file, a synthetic
/// skin-coloured frame with a red patch. A square "marker" polygon is
/// excluded, as the pipeline does. Prints the median of `runs` timed runs
/// (after one warm-up), wall clock and thread CPU time, and the per-step
/// breakdown (thread CPU time) of the median run, summed per operation kind.
/// `--model` runs another model file instead of the bundled one (for example
/// one whose header carries a `finePass` rule, made by
/// `tools/benchmarks/add_fine_pass.py`). `--threads N` lets the network's
/// kernels use N threads (the steps are then timed by the wall clock, as the
/// other threads' CPU time is not the calling thread's); `--tissue` runs the
/// bundled tissue network in the fine pass, as the pipeline does.
func runSegmentBenchmark(arguments: [String]) {
  func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else {
      return fallback
    }
    return v
  }
  let runs = max(1, option("--runs", 7))
  let width = option("--width", 4000)
  let height = option("--height", 3000)
  let threads = max(1, option("--threads", 1))
  var photoPath = "Tests/WoundSegmentationTests/Fixtures/validation/0040.jpg"
  if let i = arguments.firstIndex(of: "--photo"), i + 1 < arguments.count { photoPath = arguments[i + 1] }

  let model: SegmentationModel
  do {
    if let i = arguments.firstIndex(of: "--model"), i + 1 < arguments.count {
      model = try SegmentationModel(contentsOf: URL(fileURLWithPath: arguments[i + 1]))
    } else {
      model = try SegmentationModel.bundled()
    }
    print("segment: model \(model.finePass == nil ? "without" : "with") a fine pass, \(threads) thread(s)")
  } catch {
    print("segment: \(error)")
    return
  }
  let image: RGBImage
  if let photo = try? PhotoDecoder.decode(path: photoPath).image {
    image = framed(photo, width: width, height: height)
    print("segment: photo \(photoPath) (\(photo.width)x\(photo.height)) enlarged onto a \(width)x\(height) frame")
  } else {
    image = syntheticWoundPhoto(width: width, height: height)
    print("segment: synthetic \(width)x\(height) photo")
  }
  let marker = [
    Point(x: Double(width) * 0.84, y: Double(height) * 0.70), Point(x: Double(width) * 0.98, y: Double(height) * 0.70),
    Point(x: Double(width) * 0.98, y: Double(height) * 0.90), Point(x: Double(width) * 0.84, y: Double(height) * 0.90),
  ]

  var tissue: FinePassTissue?
  if arguments.contains("--tissue") {
    guard let tissueModel = try? TissueModel.bundled(), let joined = FinePassTissue(outline: model, tissue: tissueModel)
    else {
      print("segment: the bundled tissue model cannot run in this model's fine pass")
      return
    }
    tissue = joined
    print("segment: the tissue network runs in the fine pass (\(joined.sharedOperations) operations shared)")
  }
  let stepClock: @Sendable () -> Double
  if threads > 1 { stepClock = { OperationTimings.wallSeconds() } } else { stepClock = { threadCPUSeconds() } }
  var results: [(total: Duration, timings: OperationTimings, area: Int)] = []
  var cpuTimes: [Double] = []
  let clock = ContinuousClock()
  for run in 0...runs {
    let timings = OperationTimings(clock: stepClock)
    let cpuStart = threadCPUSeconds()
    let start = clock.now
    let result: SegmentationResult
    do {
      result = try Segmenter.segment(
        image: image, excluding: [marker], hints: .none, model: model, timings: timings, threads: threads,
        tissue: tissue)
    } catch {
      print("segment: \(error)")
      return
    }
    let total = clock.now - start
    let cpu = threadCPUSeconds() - cpuStart
    if run > 0 {  // run 0 warms up
      results.append((total, timings, result.areaPixels))
      cpuTimes.append(cpu)
    }
  }
  cpuTimes.sort()
  results.sort { $0.total < $1.total }
  let median = results[results.count / 2]
  let working = "\(width)x\(height)"
  print(
    "segment: \(working) photo, median of \(runs) runs: \(milliseconds(median.total)) ms "
      + "(min \(milliseconds(results.first!.total)), max \(milliseconds(results.last!.total))), "
      + "wound area \(median.area) px; median thread CPU time \(String(format: "%.2f", cpuTimes[cpuTimes.count / 2] * 1000)) ms"
  )
  print("  step (\(threads > 1 ? "wall clock" : "thread CPU time"))\(threads > 1 ? "         " : "    ")count    ms")
  for entry in median.timings.totalsByLabel {
    let label = entry.label.padding(toLength: 24, withPad: " ", startingAt: 0)
    let count = String(entry.count).leftPadded(5)
    print("  \(label) \(count) \(String(format: "%.2f", entry.seconds * 1000).leftPadded(7))")
  }
}

/// CPU time consumed by the calling thread, in seconds (excludes time the
/// thread waited for a core on a busy machine).
private func threadCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Milliseconds with two decimals.
private func milliseconds(_ d: Duration) -> String {
  let (seconds, attoseconds) = d.components
  return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}

/// `photo` enlarged (nearest neighbour) to the frame's height and centred
/// on a skin-coloured frame.
private func framed(_ photo: RGBImage, width: Int, height: Int) -> RGBImage {
  var image = RGBImage(width: width, height: height)
  let scale = Double(height) / Double(photo.height)
  let enlargedWidth = min(width, Int(Double(photo.width) * scale))
  let left = (width - enlargedWidth) / 2
  image.pixels.withUnsafeMutableBufferPointer { target in
    for y in 0..<height {
      let sy = min(photo.height - 1, Int(Double(y) / scale))
      for x in 0..<width {
        let i = (y * width + x) * 3
        if x >= left && x < left + enlargedWidth {
          let sx = min(photo.width - 1, Int(Double(x - left) / scale))
          let j = (sy * photo.width + sx) * 3
          target[i] = photo.pixels[j]
          target[i + 1] = photo.pixels[j + 1]
          target[i + 2] = photo.pixels[j + 2]
        } else {
          target[i] = 214
          target[i + 1] = 172
          target[i + 2] = 148
        }
      }
    }
  }
  return image
}

/// A deterministic skin-coloured photo with a dark-red irregular patch.
private func syntheticWoundPhoto(width: Int, height: Int) -> RGBImage {
  var pixels = [UInt8](repeating: 0, count: width * height * 3)
  let cx = Double(width) * 0.42
  let cy = Double(height) * 0.48
  let radius = Double(min(width, height)) * 0.12
  var state: UInt32 = 12345
  for y in 0..<height {
    for x in 0..<width {
      state = state &* 1_664_525 &+ 1_013_904_223
      let noise = Int(state >> 28) - 8
      let dx = Double(x) - cx
      let dy = Double(y) - cy
      let angle = atan2(dy, dx)
      let edge = radius * (1 + 0.25 * sin(3 * angle) + 0.1 * cos(7 * angle))
      let i = (y * width + x) * 3
      if dx * dx + dy * dy < edge * edge {
        pixels[i] = UInt8(clamping: 150 + noise)
        pixels[i + 1] = UInt8(clamping: 40 + noise)
        pixels[i + 2] = UInt8(clamping: 45 + noise)
      } else {
        pixels[i] = UInt8(clamping: 215 + noise)
        pixels[i + 1] = UInt8(clamping: 170 + noise)
        pixels[i + 2] = UInt8(clamping: 140 + noise)
      }
    }
  }
  return RGBImage(width: width, height: height, pixels: pixels)
}
