import Crypto
import Foundation
import Testing
import WoundCore

@testable import WoundSegmentation

/// Parsing of `.wmseg` files: every refusal is a typed error naming the file
/// and the problem; a valid file runs end to end like a naive evaluation.
@Suite struct ModelFileTests {
  /// A small network with every operation kind: stem, depthwise, pointwise,
  /// residual add, strided depthwise, both upsamplings, concat, standalone activation.
  static func tinyNetwork(dataType: String = "float32") -> ModelFileBuilder {
    var random = SeededGenerator(seed: 42)
    var b = ModelFileBuilder()
    b.dataType = dataType
    b.conv(
      "input", "s", cin: 3, cout: 8, k: 3, stride: 2, pad: [0, 0, 1, 1], act: "relu6",
      weights: random.floats(8 * 3 * 9, scale: 0.5), bias: random.floats(8, scale: 0.1))
    b.conv(
      "s", "d", cin: 8, cout: 8, k: 3, groups: 8, act: "relu6", weights: random.floats(8 * 9, scale: 0.5),
      bias: random.floats(8, scale: 0.1))
    b.conv(
      "d", "p", cin: 8, cout: 8, k: 1, weights: random.floats(64, scale: 0.5), bias: random.floats(8, scale: 0.1))
    b.ops.append(["op": "add", "in": ["s", "p"], "out": "r"])
    b.conv(
      "r", "down", cin: 8, cout: 8, k: 5, stride: 2, pad: [1, 1, 2, 2], groups: 8, act: "relu",
      weights: random.floats(8 * 25, scale: 0.3), bias: random.floats(8, scale: 0.1))
    b.ops.append(["op": "upsample2x", "in": "down", "out": "up", "mode": "nearest"])
    b.ops.append(["op": "concat", "in": ["up", "r"], "out": "cat"])
    b.conv(
      "cat", "mix", cin: 16, cout: 4, k: 3, weights: random.floats(4 * 16 * 9, scale: 0.3),
      bias: random.floats(4, scale: 0.1))
    b.ops.append(["op": "relu6", "in": "mix", "out": "mixed"])
    b.conv(
      "mixed", "head", cin: 4, cout: 1, k: 1, weights: random.floats(4, scale: 0.5), bias: [0.1])
    b.ops.append(["op": "upsample2x", "in": "head", "out": "logits", "mode": "bilinear"])
    return b
  }

  /// The tiny network evaluated with the naive references, op by op.
  static func naiveProbabilities(_ b: ModelFileBuilder, input: [Float], width: Int, height: Int) -> [Float] {
    var tensors: [String: (values: [Float], c: Int, h: Int, w: Int)] = ["input": (input, 3, height, width)]
    for op in b.ops {
      let out = op["out"] as! String
      switch op["op"] as! String {
      case "conv2d":
        let x = tensors[op["in"] as! String]!
        let cin = op["cin"] as! Int
        let cout = op["cout"] as! Int
        let k = op["k"] as! Int
        let groups = op["groups"] as! Int
        let w = op["w"] as! Int
        let bias = op["b"] as! Int
        let weightCount = cout * (cin / groups) * k * k
        let r = Reference.conv2d(
          input: x.values, cin: cin, height: x.h, width: x.w, weights: Array(b.blob[w..<(w + weightCount)]),
          bias: Array(b.blob[bias..<(bias + cout)]), cout: cout, k: k, stride: op["stride"] as! Int,
          pad: op["pad"] as! [Int], groups: groups, act: op["act"] as! String)
        tensors[out] = (r.values, cout, r.height, r.width)
      case "add":
        let names = op["in"] as! [String]
        let a = tensors[names[0]]!
        let c = tensors[names[1]]!
        tensors[out] = (zip(a.values, c.values).map { $0 + $1 }, a.c, a.h, a.w)
      case "upsample2x":
        let x = tensors[op["in"] as! String]!
        if op["mode"] as! String == "bilinear" {
          tensors[out] = (
            Reference.upsampleBilinear(x.values, channels: x.c, height: x.h, width: x.w), x.c, 2 * x.h, 2 * x.w
          )
        } else {
          var values = [Float](repeating: 0, count: x.c * 4 * x.h * x.w)
          for c in 0..<x.c {
            for y in 0..<(2 * x.h) {
              for xx in 0..<(2 * x.w) {
                values[(c * 2 * x.h + y) * 2 * x.w + xx] = x.values[(c * x.h + y / 2) * x.w + xx / 2]
              }
            }
          }
          tensors[out] = (values, x.c, 2 * x.h, 2 * x.w)
        }
      case "concat":
        let names = op["in"] as! [String]
        let parts = names.map { tensors[$0]! }
        tensors[out] = (parts.flatMap(\.values), parts.reduce(0) { $0 + $1.c }, parts[0].h, parts[0].w)
      case "relu6":
        let x = tensors[op["in"] as! String]!
        tensors[out] = (x.values.map { min(max($0, 0), 6) }, x.c, x.h, x.w)
      default:
        fatalError("unexpected op")
      }
    }
    return tensors["logits"]!.values.map { Float(1 / (1 + exp(-Double($0)))) }
  }

  @Test(arguments: [(64, 64), (96, 32), (32, 128)])
  func tinyNetworkMatchesNaiveEvaluation(width: Int, height: Int) throws {
    let builder = Self.tinyNetwork()
    let model = try SegmentationModel(bytes: builder.bytes(), name: "tiny.wmseg")
    var random = SeededGenerator(seed: UInt64(width * height))
    let pixels = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &random) }
    let image = RGBImage(width: width, height: height, pixels: pixels)
    let probabilities = try model.probabilities(for: image)
    let expected = Self.naiveProbabilities(
      builder, input: model.normalizedInput(image), width: width, height: height)
    #expect(probabilities.count == width * height)
    #expect(maxAbsDifference(probabilities, expected).value <= 1e-5)
    // Bit-identical on a second run.
    #expect(try model.probabilities(for: image) == probabilities)
  }

  @Test func halfPrecisionFileLoadsRoundedWeights() throws {
    let builder = Self.tinyNetwork(dataType: "float16")
    let model = try SegmentationModel(bytes: builder.bytes(), name: "tiny16.wmseg")
    #expect(model.dataType == "float16")
    // The depthwise convolution keeps its weights as stored (the others keep only their packed copy).
    guard case .convolution(let depthwise) = model.graph.operations[1], depthwise.kind == .depthwise else {
      Issue.record("second operation is not the depthwise convolution")
      return
    }
    let offset = builder.ops[1]["w"] as! Int
    #expect(depthwise.weights.count == 8 * 9)
    for (stored, original) in zip(depthwise.weights, builder.blob[offset..<(offset + 8 * 9)]) {
      #expect(abs(stored - original) <= abs(original) * 0x1p-11)
    }
  }

  @Test func headerFieldsAreExposed() throws {
    let model = try SegmentationModel(bytes: Self.tinyNetwork().bytes(), name: "tiny.wmseg")
    #expect(model.trainingSizePixels == 64)
    #expect(model.sizeMultiplePixels == 32)
    #expect(model.normalizeSubtract == 127)
    #expect(model.normalizeDivide == 128)
    #expect(model.trainingDescriptionJSON == #"{"recipe":"test","seed":7}"#)
    // The file's digest, computed here apart from the tool's own.
    let digest = SHA256.hash(data: Self.tinyNetwork().bytes()).map { String(format: "%02x", $0) }.joined()
    #expect(model.fileSHA256 == digest)
  }

  @Test func refusesWrongMagic() {
    var bytes = Self.tinyNetwork().bytes()
    bytes[5] = UInt8(ascii: "2")
    #expect(throws: SegmentationModelError.badMagic(file: "m.wmseg")) {
      try SegmentationModel(bytes: bytes, name: "m.wmseg")
    }
    #expect(throws: SegmentationModelError.badMagic(file: "empty")) {
      try SegmentationModel(bytes: [], name: "empty")
    }
  }

  @Test func refusesTruncatedFiles() {
    let bytes = Self.tinyNetwork().bytes()
    #expect(
      throws: SegmentationModelError.truncated(file: "m", part: "header length", neededBytes: 12, actualBytes: 10)
    ) {
      try SegmentationModel(bytes: Array(bytes.prefix(10)), name: "m")
    }
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16
    #expect(
      throws: SegmentationModelError.truncated(
        file: "m", part: "header", neededBytes: 12 + headerLength, actualBytes: 100)
    ) {
      try SegmentationModel(bytes: Array(bytes.prefix(100)), name: "m")
    }
    // Weights cut short: the last operation's bias lies past the end.
    do {
      _ = try SegmentationModel(bytes: Array(bytes.dropLast(8)), name: "m")
      Issue.record("a truncated weight blob was accepted")
    } catch {
      guard case .weightsOutOfRange(file: "m", index: _, offset: _, count: _, available: _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
    }
  }

  @Test func refusesUnsupportedHeaders() {
    var b = Self.tinyNetwork()
    b.version = 2
    #expect(throws: SegmentationModelError.unsupportedVersion(file: "m", version: 2)) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    b = Self.tinyNetwork()
    b.format = "onnx"
    #expect(throws: SegmentationModelError.unsupportedFormat(file: "m", format: "onnx")) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    b = Self.tinyNetwork()
    b.dataType = "int8"
    #expect(throws: SegmentationModelError.unsupportedDataType(file: "m", dataType: "int8")) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    do {
      _ = try SegmentationModel(bytes: b.bytes(header: "{not json"), name: "m")
      Issue.record("invalid JSON was accepted")
    } catch {
      guard case .invalidHeader(file: "m", reason: _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
    }
  }

  @Test func refusesInconsistentOperations() {
    var b = Self.tinyNetwork()
    b.ops[3] = ["op": "add", "in": ["s", "nowhere"], "out": "r"]
    #expect(throws: SegmentationModelError.unknownTensor(file: "m", index: 3, tensor: "nowhere")) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    b = Self.tinyNetwork()
    b.ops[2]["cin"] = 6
    b.ops[2]["w"] = 0
    #expect(throws: SegmentationModelError.channelMismatch(file: "m", index: 2, tensor: "d", expected: 6, actual: 8)) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    b = Self.tinyNetwork()
    b.ops[0]["w"] = b.blob.count - 10
    #expect(
      throws: SegmentationModelError.weightsOutOfRange(
        file: "m", index: 0, offset: b.blob.count - 10, count: 216, available: b.blob.count)
    ) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    b = Self.tinyNetwork()
    b.ops[1]["op"] = "maxpool"
    #expect(throws: SegmentationModelError.invalidOperation(file: "m", index: 1, reason: "unknown op 'maxpool'")) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    b = Self.tinyNetwork()
    b.ops[3] = ["op": "add", "in": ["s", "down"], "out": "r"]  // "down" is written later
    #expect(throws: SegmentationModelError.unknownTensor(file: "m", index: 3, tensor: "down")) {
      try SegmentationModel(bytes: b.bytes(), name: "m")
    }
    b = Self.tinyNetwork()
    b.outputName = "mixed"
    do {
      _ = try SegmentationModel(bytes: b.bytes(), name: "m")
      Issue.record("an output with 4 channels was accepted")
    } catch {
      #expect(error == .invalidOutput(file: "m", reason: "'mixed' has 4 channels, expected 1"))
    }
  }

  @Test func refusesShapesThatDoNotChain() {
    var b = Self.tinyNetwork()
    // Concatenating the half-size stem output with the quarter-size "down".
    b.ops[6] = ["op": "concat", "in": ["down", "r"], "out": "cat"]
    do {
      _ = try SegmentationModel(bytes: b.bytes(), name: "m")
      Issue.record("mismatched concat was accepted")
    } catch {
      guard case .shapeMismatch(file: "m", index: 6, inputWidth: 64, inputHeight: 64, reason: _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
    }
  }

  @Test func refusesInputSizesThatAreNotMultiplesOf32() throws {
    let model = try SegmentationModel(bytes: Self.tinyNetwork().bytes(), name: "m")
    #expect(throws: SegmentationModelError.inputSizeNotSupported(file: "m", width: 40, height: 32, multiple: 32)) {
      try model.probabilities(for: RGBImage(width: 40, height: 32))
    }
  }

  @Test func missingFileIsUnreadable() {
    do {
      _ = try SegmentationModel(contentsOf: URL(fileURLWithPath: "/nonexistent/model.wmseg"))
      Issue.record("a missing file was read")
    } catch {
      guard case .unreadable(file: "/nonexistent/model.wmseg", reason: _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
    }
  }
}
