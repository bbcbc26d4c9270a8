import Foundation
import WoundCore
import WoundImaging

/// Times `PhotoDecoder.decode` on a 12-megapixel JPEG against libjpeg-turbo's
/// own `djpeg` on the same file, in the same run, and prints the ratio.
///
///     WoundBenchmarks decode [PHOTO.jpg] [--iterations N]
///
/// Without a photo, writes a 4000x3000 quality-90 JPEG of photo-like content
/// (smooth shading, texture, noise, a few blobs) with EXIF orientation 6 to
/// the temporary folder, and a copy without EXIF. Each figure is the median
/// of N runs (default 9), the two decoders alternating run by run. `djpeg`
/// runs as a subprocess writing its PPM to /dev/null, so its time includes
/// process start and PPM writing.
func runDecodeBenchmark(arguments: [String]) {
  var iterations = 9
  var photo: String?
  var index = 0
  while index < arguments.count {
    let argument = arguments[index]
    if argument == "--iterations", index + 1 < arguments.count, let n = Int(arguments[index + 1]), n > 0 {
      iterations = n
      index += 2
      continue
    }
    photo = argument
    index += 1
  }

  let rotatedPath: String
  var uprightPath: String?
  if let photo {
    rotatedPath = photo
  } else {
    let folder = NSTemporaryDirectory()
    rotatedPath = folder + "/woundmeasure-decode-4000x3000-orientation6.jpg"
    uprightPath = folder + "/woundmeasure-decode-4000x3000.jpg"
    do {
      try DecodeBenchmarkPhoto.write(rotatedPath: rotatedPath, uprightPath: uprightPath!)
    } catch {
      print("decode: cannot write the benchmark photo: \(error)")
      return
    }
  }

  let metadata: PhotoMetadata
  do {
    metadata = try PhotoDecoder.readMetadata(path: rotatedPath)
  } catch {
    print("decode: \(error)")
    return
  }
  let size = (try? FileManager.default.attributesOfItem(atPath: rotatedPath)[.size] as? Int) ?? 0
  print("decode: \(rotatedPath)")
  print(
    "  \(metadata.storedWidth)x\(metadata.storedHeight) stored, orientation \(metadata.orientation), "
      + "\(size / 1024) KiB, median of \(iterations) runs")

  func decodeOnce(_ path: String, scale: Int) -> Bool {
    do {
      let photo = try PhotoDecoder.decode(path: path, options: DecodeOptions(scaleDenominator: scale))
      return photo.image.pixels.count > 0
    } catch {
      print("decode: \(error)")
      return false
    }
  }
  func djpegOnce(_ path: String, scale: Int) -> Bool {
    var arguments = ["-outfile", "/dev/null"]
    if scale > 1 { arguments += ["-scale", "1/\(scale)"] }
    return runDjpeg(arguments + [path])
  }

  /// Alternates the two contenders run by run, so that load from other
  /// processes hits both alike; medians of each.
  func compare(_ label: String, _ path: String, scale: Int) {
    var ours: [Double] = []
    var theirs: [Double] = []
    for _ in 0..<iterations {
      guard let a = seconds({ decodeOnce(path, scale: scale) }) else {
        return print("  \(label): decode failed")
      }
      ours.append(a)
      if let b = seconds({ djpegOnce(path, scale: scale) }) { theirs.append(b) }
    }
    let oursMedian = median(ours)
    guard theirs.count == ours.count else {
      return print("  \(label): PhotoDecoder \(milliseconds(oursMedian)) ms (djpeg not available)")
    }
    let theirsMedian = median(theirs)
    print(
      "  \(label): PhotoDecoder \(milliseconds(oursMedian)) ms, djpeg \(milliseconds(theirsMedian)) ms, "
        + "ratio \(String(format: "%.2f", oursMedian / theirsMedian))x (target <= 1.15x)")
  }

  compare("full, orientation 6 applied", rotatedPath, scale: 1)
  if let uprightPath { compare("full, no EXIF", uprightPath, scale: 1) }
  compare("1/8 reduced, orientation 6 applied", rotatedPath, scale: 8)
}

/// Wall time of one call of `body` in seconds; nil if it reports failure.
private func seconds(_ body: () -> Bool) -> Double? {
  var ok = false
  let elapsed = ContinuousClock().measure { ok = body() }
  return ok ? Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18 : nil
}

private func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted[sorted.count / 2]
}

private func milliseconds(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }

/// Runs `djpeg` with `arguments`; false when it is missing or fails.
private func runDjpeg(_ arguments: [String]) -> Bool {
  let candidates = ["/usr/bin/djpeg", "/usr/local/bin/djpeg", "/opt/homebrew/bin/djpeg"]
  guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
    return false
  }
  return timeProcess(executable, arguments) >= 0
}

/// The synthetic benchmark photo.
enum DecodeBenchmarkPhoto {
  static let width = 4000
  static let height = 3000

  /// Writes the photo with an EXIF orientation-6 block to `rotatedPath`, and
  /// without EXIF to `uprightPath`. Deterministic (fixed seed).
  static func write(rotatedPath: String, uprightPath: String) throws {
    let image = content()
    let jpeg = try ImageEncoder.encodeJPEG(image, quality: 90)
    try SafeFile.write(jpeg, to: uprightPath)
    var rotated = Array(jpeg[0..<2])  // SOI
    rotated += exifSegment(orientation: 6)
    rotated += jpeg[2...]
    try SafeFile.write(rotated, to: rotatedPath)
  }

  /// Photo-like content: smooth shading in skin and dressing tones, a fine
  /// woven texture, a few soft blobs, and per-pixel noise (xorshift, fixed
  /// seed), so the file compresses like a real photo, not a flat test card.
  static func content() -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    let columnWave = (0..<width).map { 10 * sin(Double($0) / 37) + 5 * sin(Double($0) / 3.1) }
    let rowWave = (0..<height).map { 10 * cos(Double($0) / 53) + 5 * sin(Double($0) / 2.7) }
    let blobs: [(x: Double, y: Double, radius: Double, r: Double, g: Double, b: Double)] = [
      (1800, 1400, 420, -60, -90, -80), (2600, 1700, 250, 40, -30, -40), (900, 2300, 300, -20, 10, 30),
    ]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    pixels.withUnsafeMutableBufferPointer { buffer in
      for y in 0..<height {
        let fy = Double(y) / Double(height)
        for x in 0..<width {
          let fx = Double(x) / Double(width)
          var r = 200 - 50 * fy + 20 * fx
          var g = 150 - 40 * fy + 10 * fx
          var b = 130 - 30 * fy - 10 * fx
          let texture = columnWave[x] * 0.5 + rowWave[y] * 0.5
          r += texture
          g += texture * 0.8
          b += texture * 0.6
          for blob in blobs {
            let dx = Double(x) - blob.x
            let dy = Double(y) - blob.y
            let d2 = (dx * dx + dy * dy) / (blob.radius * blob.radius)
            if d2 < 1 {
              let weight = 1 - d2
              r += blob.r * weight
              g += blob.g * weight
              b += blob.b * weight
            }
          }
          state ^= state << 13
          state ^= state >> 7
          state ^= state << 17
          let noise = Double(Int(state & 0x0F)) - 7.5
          let i = (y * width + x) * 3
          buffer[i] = UInt8(max(0, min(255, r + noise)))
          buffer[i + 1] = UInt8(max(0, min(255, g + noise)))
          buffer[i + 2] = UInt8(max(0, min(255, b + noise * 0.8)))
        }
      }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }

  /// A JPEG APP1 segment holding a minimal big-endian EXIF block: IFD0 with
  /// one entry, Orientation (tag 0x0112, SHORT) = `orientation`.
  static func exifSegment(orientation: UInt16) -> [UInt8] {
    var tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08]  // "MM", 42, IFD0 at 8
    tiff += [0x00, 0x01]  // one entry
    tiff += [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]  // Orientation, SHORT, count 1
    tiff += [UInt8(orientation >> 8), UInt8(orientation & 0xFF), 0x00, 0x00]
    tiff += [0x00, 0x00, 0x00, 0x00]  // no next IFD
    let payload = Array("Exif".utf8) + [0, 0] + tiff
    let length = payload.count + 2
    return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
  }
}
