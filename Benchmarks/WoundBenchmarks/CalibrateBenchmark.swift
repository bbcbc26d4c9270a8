import Foundation
import WoundCalibration
import WoundCore
import WoundImaging

/// Times the calibrate stage on a 12-MP (4000 x 3000) synthetic photo with a
/// 20 mm tag36h11 marker seen at 14 px/mm, 25 deg tilt: decoding the JPEG
/// (the floor every photo pays) against marker detection (grey conversion,
/// libapriltag on the decimated image, sub-pixel refinement at full
/// resolution). Prints the median of several runs (CPU time of the one
/// thread doing the work) and the ratio.
///
///   swift run -c release --scratch-path .build-calib WoundBenchmarks calibrate [--runs N]
func runCalibrateBenchmark(arguments: [String]) {
  var runs = 7
  if let i = arguments.firstIndex(of: "--runs"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
    runs = max(1, n)
  }
  let width = 4000, height = 3000
  let image = CalibrateBenchmarkScene.render(width: width, height: height)
  let jpeg: [UInt8]
  do {
    jpeg = try ImageEncoder.encodeJPEG(image, quality: 90)
  } catch {
    print("calibrate: cannot encode the synthetic photo: \(error)")
    return
  }

  func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
  // CPU time of this thread: the figure for "one core", robust to other
  // processes sharing the machine.
  func threadCPUNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
  }
  func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = threadCPUNanoseconds()
    try body()
    return Double(threadCPUNanoseconds() - start) / 1e6
  }

  var decodeTimes: [Double] = []
  var greyTimes: [Double] = []
  var halfTimes: [Double] = []
  var halfPortableTimes: [Double] = []
  var searchTimes: [Double] = []
  var detectTimes: [Double] = []
  var decoded = image
  var result: Calibration? = nil
  do {
    for _ in 0..<runs {
      decodeTimes.append(try milliseconds { decoded = try PhotoDecoder.decode(bytes: jpeg, name: "bench.jpg").image })
      var grey = GreyImage(width: 0, height: 0)
      greyTimes.append(milliseconds { grey = Calibrator.greyImage(from: decoded) })
      halfTimes.append(milliseconds { _ = Calibrator.halfGreyImage(from: decoded) })
      halfPortableTimes.append(milliseconds { _ = Calibrator.halfGreyImage(from: decoded, wide: false) })
      searchTimes.append(milliseconds { _ = Calibrator.detectMarkers(in: grey, sizeMmOverride: nil) })
      detectTimes.append(try milliseconds { result = try Calibrator.calibrate(image: decoded, request: .marker) })
    }
  } catch {
    print("calibrate: \(error)")
    return
  }
  let decode = median(decodeTimes), grey = median(greyTimes), detect = median(detectTimes)
  let search = median(searchTimes)
  print("calibrate: \(width)x\(height) JPEG q90 (\(jpeg.count / 1024) KiB), median of \(runs) runs, thread CPU time")
  print(String(format: "  decode                 %8.1f ms", decode))
  print(
    String(
      format: "  calibrate (detection)  %8.1f ms  (half-size grey search, corners refined in full-size crops)", detect))
  print(
    String(
      format: "    of which the half-size grey image %.1f ms (%@; without AVX2 rows %.1f ms)", median(halfTimes),
      Calibrator.wideRowsAvailable ? "AVX2 rows" : "no AVX2 on this processor", median(halfPortableTimes)))
  print("  the whole-photo grey search, for comparison:")
  print(String(format: "    grey conversion      %8.1f ms", grey))
  print(
    String(format: "    find + refine        %8.1f ms  (libapriltag on the decimated image, sub-pixel corners)", search)
  )
  print(String(format: "  detection / decode     %8.2f", detect / decode))
  if let result {
    print(
      String(
        format: "  marker ID %d, %.3f px/mm (true %.3f), tilt %.1f deg, quad decimate %d", result.marker?.id ?? -1,
        result.pixelsPerMm, CalibrateBenchmarkScene.truePixelsPerMm, result.marker?.tiltDegrees ?? 0,
        Calibrator.quadDecimate(width: width, height: height)))
  }
}

/// The benchmark's synthetic photo: textured skin and a 20 mm ID 20 marker
/// through a pinhole camera (14 px/mm at the plane centre, 25 deg tilt).
enum CalibrateBenchmarkScene {
  static let pixelsPerMm = 14.0
  static let tiltDegrees = 25.0
  static let distanceMm = 250.0
  static let markerOriginMm = Point(x: 10, y: -10)
  static let markerSizeMm = 20.0

  /// Plane mm -> photo px.
  static func pixelsFromMm(width: Int, height: Int) -> Homography {
    let tilt = tiltDegrees * Double.pi / 180
    let f = pixelsPerMm * distanceMm
    let tiltMap = Homography([1, 0, 0, 0, cos(tilt), 0, 0, sin(tilt), distanceMm])
    let project = Homography([f, 0, Double(width - 1) / 2, 0, f, Double(height - 1) / 2, 0, 0, 1])
    return project.composed(after: tiltMap)
  }

  /// The true local scale at the marker's centre (sqrt |det J|).
  static var truePixelsPerMm: Double {
    let h = pixelsFromMm(width: 4000, height: 3000).m
    let p = Point(x: markerOriginMm.x + markerSizeMm / 2, y: markerOriginMm.y + markerSizeMm / 2)
    let w = h[6] * p.x + h[7] * p.y + h[8]
    let u = (h[0] * p.x + h[1] * p.y + h[2]) / w, v = (h[3] * p.x + h[4] * p.y + h[5]) / w
    let a = (h[0] - u * h[6]) / w, b = (h[1] - u * h[7]) / w
    let c = (h[3] - v * h[6]) / w, d = (h[4] - v * h[7]) / w
    return abs(a * d - b * c).squareRoot()
  }

  static func render(width: Int, height: Int) -> RGBImage {
    let m = pixelsFromMm(width: width, height: height).inverted()!.m
    let modules = (try? MarkerSheet.modules(id: 20)) ?? []
    let module = markerSizeMm / 8
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    pixels.withUnsafeMutableBufferPointer { out in
      for y in 0..<height {
        for x in 0..<width {
          var r = 0.0, g = 0.0, b = 0.0
          for (ox, oy) in [(-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25)] {
            let px = Double(x) + ox, py = Double(y) + oy
            let w = m[6] * px + m[7] * py + m[8]
            let u = (m[0] * px + m[1] * py + m[2]) / w, v = (m[3] * px + m[4] * py + m[5]) / w
            let cu = (u - markerOriginMm.x) / module + 1, cv = (v - markerOriginMm.y) / module + 1
            if cu >= 0, cv >= 0, cu < 10, cv < 10 {
              let value = modules[Int(cv)][Int(cu)] ? 25.0 : 235.0
              r += value
              g += value
              b += value
            } else {
              let t = 10 * sin(u * 0.9) * sin(v * 0.7) + 6 * sin(u * 0.23 + v * 0.31)
              r += 205 + t
              g += 150 + 0.8 * t
              b += 128 + 0.6 * t
            }
          }
          let i = (y * width + x) * 3
          out[i] = UInt8(min(255, max(0, r / 4)))
          out[i + 1] = UInt8(min(255, max(0, g / 4)))
          out[i + 2] = UInt8(min(255, max(0, b / 4)))
        }
      }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }
}
