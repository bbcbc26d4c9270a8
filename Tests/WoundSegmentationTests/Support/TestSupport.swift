import Foundation
import WoundCore

@testable import WoundSegmentation

/// The package's seeded generator, so random test data is the same on every run and platform.
typealias SeededGenerator = SplitMix64

extension SplitMix64 {
  /// Uniform floats in `-1 ..< 1`.
  mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in Float.random(in: -1..<1, using: &self) * scale }
  }
}

/// Writes `.wmseg` files from a list of operations and their weights, in
/// the documented layout, for tests of the parser and the engine.
struct ModelFileBuilder {
  var ops: [[String: Any]] = []
  var blob: [Float] = []
  var dataType = "float32"
  var version = 1
  var format = "woundmeasure-segmentation-model"
  var inputName = "input"
  var outputName = "logits"
  var trainingSize = 64
  var sizeMultiple = 32

  /// Appends weights and returns their element offset.
  mutating func store(_ values: [Float]) -> Int {
    let offset = blob.count
    blob += values
    return offset
  }

  mutating func conv(
    _ input: String, _ output: String, cin: Int, cout: Int, k: Int, stride: Int = 1,
    pad: [Int]? = nil, groups: Int = 1, act: String = "none", weights: [Float], bias: [Float]
  ) {
    let w = store(weights)
    let b = store(bias)
    let p = pad ?? [k / 2, k / 2, k / 2, k / 2]
    ops.append([
      "op": "conv2d", "in": input, "out": output, "cin": cin, "cout": cout, "k": k,
      "stride": stride, "pad": p, "groups": groups, "act": act, "w": w, "b": b,
    ])
  }

  var headerObject: [String: Any] {
    [
      "format": format, "version": version, "dtype": dataType,
      "input": [
        "tensor": inputName, "channels": 3, "trainingSize": trainingSize, "sizeMultiple": sizeMultiple,
        "normalize": ["subtract": 127.0, "divide": 128.0],
      ],
      "output": ["tensor": outputName, "channels": 1, "activation": "sigmoid"],
      "ops": ops,
      "training": ["recipe": "test", "seed": 7],
    ]
  }

  /// The file's bytes; `header` replaces the JSON text when given.
  func bytes(header: String? = nil) -> [UInt8] {
    let json =
      header.map { Array($0.utf8) }
      ?? [UInt8](try! JSONSerialization.data(withJSONObject: headerObject, options: [.sortedKeys]))
    var bytes = Array("WMSEG01\n".utf8)
    let n = UInt32(json.count)
    bytes += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
    bytes += json
    while bytes.count % 4 != 0 { bytes.append(0) }
    for value in blob {
      if dataType == "float16" {
        let bits = Float16Bits.encode(value)
        bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
      } else {
        let bits = value.bitPattern
        bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
      }
    }
    return bytes
  }
}

/// Round-to-nearest-even float -> half conversion for normal values (enough
/// for test weights), written independently of the runtime's decoder.
enum Float16Bits {
  static func encode(_ value: Float) -> UInt16 {
    if value == 0 { return value.sign == .minus ? 0x8000 : 0 }
    let sign: UInt16 = value < 0 ? 0x8000 : 0
    let magnitude = abs(value)
    let exponent = Int(magnitude.exponent)
    precondition(exponent >= -14 && exponent <= 15, "test weights must be normal halves")
    let significand = Double(magnitude) / pow(2.0, Double(exponent)) - 1  // in [0, 1)
    var mantissa = (significand * 1024).rounded(.toNearestOrEven)
    var e = exponent
    if mantissa == 1024 {
      mantissa = 0
      e += 1
    }
    return sign | UInt16(e + 15) << 10 | UInt16(mantissa)
  }
}

/// Naive references, in `Double`, written from the definitions.
enum Reference {
  static func conv2d(
    input: [Float], cin: Int, height: Int, width: Int, weights: [Float], bias: [Float], cout: Int,
    k: Int, stride: Int, pad: [Int], groups: Int, act: String
  ) -> (values: [Float], height: Int, width: Int) {
    let outH = (height + pad[0] + pad[2] - k) / stride + 1
    let outW = (width + pad[1] + pad[3] - k) / stride + 1
    let cinG = cin / groups
    let coutG = cout / groups
    var out = [Float](repeating: 0, count: cout * outH * outW)
    for co in 0..<cout {
      let g = co / coutG
      for y in 0..<outH {
        for x in 0..<outW {
          var sum = Double(bias[co])
          for ci in 0..<cinG {
            for ky in 0..<k {
              for kx in 0..<k {
                let iy = y * stride + ky - pad[0]
                let ix = x * stride + kx - pad[1]
                guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                let v = input[((g * cinG + ci) * height + iy) * width + ix]
                sum += Double(v) * Double(weights[((co * cinG + ci) * k + ky) * k + kx])
              }
            }
          }
          switch act {
          case "relu": sum = max(sum, 0)
          case "relu6": sum = min(max(sum, 0), 6)
          default: break
          }
          out[(co * outH + y) * outW + x] = Float(sum)
        }
      }
    }
    return (out, outH, outW)
  }

  /// PyTorch `interpolate(scale_factor=2, mode="bilinear", align_corners=False)`,
  /// one output pixel at a time.
  static func upsampleBilinear(_ input: [Float], channels: Int, height: Int, width: Int) -> [Float] {
    func taps(_ o: Int, _ n: Int) -> (Int, Int, Double) {
      let source = max((Double(o) + 0.5) / 2 - 0.5, 0)
      let i0 = Int(source.rounded(.down))
      return (i0, min(i0 + 1, n - 1), source - Double(i0))
    }
    var out = [Float](repeating: 0, count: channels * 4 * height * width)
    for c in 0..<channels {
      for y in 0..<(2 * height) {
        let (y0, y1, ly) = taps(y, height)
        for x in 0..<(2 * width) {
          let (x0, x1, lx) = taps(x, width)
          func at(_ yy: Int, _ xx: Int) -> Double { Double(input[(c * height + yy) * width + xx]) }
          let v =
            (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x1)) + ly * ((1 - lx) * at(y1, x0) + lx * at(y1, x1))
          out[(c * 2 * height + y) * 2 * width + x] = Float(v)
        }
      }
    }
    return out
  }
}

/// The largest `|a - b|` and the index where it occurs.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> (value: Float, index: Int) {
  precondition(a.count == b.count)
  var worst: (Float, Int) = (0, -1)
  for i in a.indices {
    let d = abs(a[i] - b[i])
    if d > worst.0 || d.isNaN { worst = (d, i) }
  }
  return worst
}
