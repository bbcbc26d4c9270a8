import Foundation
import WoundCore
import WoundImaging

/// Paths and contents of the files in `Fixtures/` (made by
/// `tools/fixtures/make_decode_fixtures.py`; see `Fixtures/README.md`).
enum Fixtures {
  static let folder: String = {
    guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
      fatalError("the Fixtures resource folder is missing from the test bundle")
    }
    return url.path
  }()

  static func path(_ name: String) -> String { folder + "/" + name }

  static func bytes(_ name: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path(name)) else {
      fatalError("fixture \(name) is missing")
    }
    return [UInt8](data)
  }

  /// A raw 8-bit RGB fixture of the given size.
  static func rgb(_ name: String, width: Int, height: Int) -> RGBImage {
    RGBImage(width: width, height: height, pixels: bytes(name))
  }

  /// A writable scratch folder for this test process.
  static func scratchPath(_ name: String) -> String {
    let folder = NSTemporaryDirectory() + "woundimaging-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder + "/" + name
  }
}

/// Per-channel error statistics between two images; images of different
/// sizes differ infinitely (so every tolerance check fails).
struct PixelDifference {
  var meanAbsolute: Double
  var maximum: Int

  init(_ a: RGBImage, _ b: RGBImage) {
    guard a.width == b.width && a.height == b.height else {
      self.meanAbsolute = .infinity
      self.maximum = .max
      return
    }
    var total = 0
    var maximum = 0
    for (x, y) in zip(a.pixels, b.pixels) {
      let d = abs(Int(x) - Int(y))
      total += d
      maximum = max(maximum, d)
    }
    self.meanAbsolute = Double(total) / Double(max(1, a.pixels.count))
    self.maximum = maximum
  }
}
