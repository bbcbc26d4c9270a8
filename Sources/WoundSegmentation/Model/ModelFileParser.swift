import FoundationEssentials
import WoundCore

/// Reads the `.wmseg` container: magic, header length, JSON header, padding,
/// weight blob; then validates every operation against the blob and the
/// channel counts of the tensors it reads.
enum ModelFileParser {
  /// What ``parse(bytes:name:)`` extracts from a file.
  struct Parsed {
    var dataType: String
    var inputChannels: Int
    var trainingSize: Int
    var sizeMultiple: Int
    var normalizeSubtract: Float
    var normalizeDivide: Float
    var trainingJSON: String?
    var graph: ModelGraph
    var finePass: FinePassRule?
    var output: ModelOutput
  }

  static let magic: [UInt8] = Array("WMSEG01\n".utf8)
  static let formatName = "woundmeasure-segmentation-model"
  static let supportedVersion = 1

  static func parse(bytes: [UInt8], name: String) throws(SegmentationModelError) -> Parsed {
    guard bytes.count >= 8 else {
      if bytes.elementsEqual(magic.prefix(bytes.count)) && !bytes.isEmpty {
        throw .truncated(file: name, part: "magic", neededBytes: 8, actualBytes: bytes.count)
      }
      throw .badMagic(file: name)
    }
    guard bytes[0..<8].elementsEqual(magic) else { throw .badMagic(file: name) }
    guard bytes.count >= 12 else {
      throw .truncated(file: name, part: "header length", neededBytes: 12, actualBytes: bytes.count)
    }
    let headerLength =
      Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
    let headerEnd = 12 + headerLength
    guard bytes.count >= headerEnd else {
      throw .truncated(file: name, part: "header", neededBytes: headerEnd, actualBytes: bytes.count)
    }
    let blobStart = (headerEnd + 3) / 4 * 4
    guard bytes.count >= blobStart else {
      throw .truncated(file: name, part: "padding", neededBytes: blobStart, actualBytes: bytes.count)
    }

    let json: JSONValue
    do {
      json = try JSONValue(parsing: bytes[12..<headerEnd])
    } catch {
      throw .invalidHeader(file: name, reason: "not valid JSON (\(error))")
    }
    let header = try Fields(json, name: name, context: "header")

    let format = try header.string("format")
    guard format == formatName else { throw .unsupportedFormat(file: name, format: format) }
    let version = try header.int("version")
    guard version == supportedVersion else { throw .unsupportedVersion(file: name, version: version) }
    let dataType = try header.string("dtype")
    let blob: [Float]
    switch dataType {
    case "float32":
      blob = decodeFloat32(bytes, from: blobStart)
    case "float16":
      blob = decodeFloat16(bytes, from: blobStart)
    default:
      throw .unsupportedDataType(file: name, dataType: dataType)
    }

    let input = try header.object("input")
    let inputChannels = try input.int("channels")
    guard inputChannels == 3 else {
      throw .invalidHeader(file: name, reason: "input.channels is \(inputChannels), expected 3 (R, G, B)")
    }
    let trainingSize = try input.int("trainingSize")
    let sizeMultiple = try input.int("sizeMultiple")
    guard sizeMultiple > 0, trainingSize > 0, trainingSize % sizeMultiple == 0 else {
      throw .invalidHeader(
        file: name,
        reason: "input.trainingSize \(trainingSize) is not a positive multiple of input.sizeMultiple \(sizeMultiple)")
    }
    let normalize = try input.object("normalize")
    let subtract = try normalize.double("subtract")
    let divide = try normalize.double("divide")
    guard divide != 0, subtract.isFinite, divide.isFinite else {
      throw .invalidHeader(file: name, reason: "input.normalize must be finite with a non-zero divisor")
    }
    let inputName = try input.string("tensor")

    let output = try header.object("output")
    let outputName = try output.string("tensor")
    let outputChannels = try output.int("channels")
    let outputActivation = try output.string("activation")
    let modelOutput: ModelOutput
    switch outputActivation {
    case "sigmoid":
      guard outputChannels == 1 else {
        throw .invalidHeader(file: name, reason: "output.channels is \(outputChannels), expected 1 with a sigmoid")
      }
      modelOutput = .probability
    case "softmax":
      guard let classes = output.dictionary["classes"]?.arrayValue?.compactMap(\.stringValue),
        classes.count == outputChannels,
        outputChannels >= 2, Set(classes).count == classes.count
      else {
        throw .invalidHeader(
          file: name, reason: "a softmax output needs 'classes', one distinct name per channel (at least 2)")
      }
      modelOutput = .classes(classes)
    default:
      throw .invalidHeader(
        file: name, reason: "output.activation is '\(outputActivation)', expected 'sigmoid' or 'softmax'")
    }

    var trainingJSON: String? = nil
    if let training = header.dictionary["training"], !training.isNull {
      trainingJSON = training.sortedJSON()
    }

    // The optional second pass the model was trained and validated for (see FinePass).
    var finePass: FinePassRule? = nil
    if let value = header.dictionary["finePass"], !value.isNull {
      let rule = try Fields(value, name: name, context: "finePass")
      let margin = try rule.double("marginFactor")
      let minimumSide = try rule.int("minimumSidePixels")
      let cropSize = try rule.int("cropSizePixels")
      guard margin.isFinite, margin >= 1, margin <= 10, minimumSide >= 8, cropSize >= sizeMultiple,
        cropSize % sizeMultiple == 0, cropSize <= 1024
      else {
        throw .invalidHeader(
          file: name,
          reason: "finePass needs marginFactor in [1, 10], minimumSidePixels >= 8 and cropSizePixels a multiple of "
            + "\(sizeMultiple) up to 1024")
      }
      finePass = FinePassRule(marginFactor: margin, minimumSidePixels: minimumSide, cropSizePixels: cropSize)
    }

    guard let opList = header.dictionary["ops"]?.arrayValue else {
      throw .invalidHeader(file: name, reason: "'ops' is missing or not an array")
    }
    var builder = GraphBuilder(name: name, blob: blob, inputName: inputName, inputChannels: inputChannels)
    for (index, entry) in opList.enumerated() {
      let fields = try Fields(entry, name: name, context: "operation \(index)", operationIndex: index)
      try builder.add(fields, index: index)
    }
    guard let outputTensor = builder.tensorIndex[outputName] else {
      throw .invalidOutput(file: name, reason: "no operation writes the output tensor '\(outputName)'")
    }
    guard builder.tensorChannels[outputTensor] == outputChannels else {
      throw .invalidOutput(
        file: name,
        reason: "'\(outputName)' has \(builder.tensorChannels[outputTensor]) channels, expected \(outputChannels)")
    }
    let graph = ModelGraph(
      tensorNames: builder.tensorNames, tensorChannels: builder.tensorChannels,
      operations: builder.operations, outputTensor: outputTensor)
    return Parsed(
      dataType: dataType, inputChannels: inputChannels, trainingSize: trainingSize,
      sizeMultiple: sizeMultiple, normalizeSubtract: Float(subtract), normalizeDivide: Float(divide),
      trainingJSON: trainingJSON, graph: graph, finePass: finePass, output: modelOutput)
  }

  /// Little-endian `float32` values from `start` to the end (a trailing
  /// partial value is ignored).
  static func decodeFloat32(_ bytes: [UInt8], from start: Int) -> [Float] {
    let count = (bytes.count - start) / 4
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      for i in 0..<count {
        let p = start + 4 * i
        let bits =
          UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16
          | UInt32(bytes[p + 3]) << 24
        buffer[i] = Float(bitPattern: bits)
      }
      initialized = count
    }
  }

  /// Little-endian IEEE 754 half-precision values from `start`, widened exactly.
  static func decodeFloat16(_ bytes: [UInt8], from start: Int) -> [Float] {
    let count = (bytes.count - start) / 2
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      for i in 0..<count {
        let p = start + 2 * i
        buffer[i] = floatFromHalf(UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8)
      }
      initialized = count
    }
  }

  /// Widens IEEE 754 binary16 bits to a `Float` (exact, including
  /// subnormals, infinities and NaN).
  static func floatFromHalf(_ half: UInt16) -> Float {
    let sign = UInt32(half & 0x8000) << 16
    let exponent = Int(half >> 10) & 0x1F
    let mantissa = UInt32(half & 0x3FF)
    if exponent == 0 {
      // Zero or subnormal: mantissa * 2^-24, exact in Float.
      let magnitude = Float(mantissa) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 0x1F {
      return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
  }
}

/// Typed access to one JSON object, throwing ``SegmentationModelError`` that
/// names the file and the field.
struct Fields {
  let dictionary: [String: JSONValue]
  let name: String
  let context: String
  let operationIndex: Int?

  init(_ value: JSONValue, name: String, context: String, operationIndex: Int? = nil)
    throws(SegmentationModelError)
  {
    self.name = name
    self.context = context
    self.operationIndex = operationIndex
    guard let dictionary = value.objectValue else {
      self.dictionary = [:]
      throw problem("is not a JSON object")
    }
    self.dictionary = dictionary
  }

  func problem(_ reason: String) -> SegmentationModelError {
    if let index = operationIndex { return .invalidOperation(file: name, index: index, reason: reason) }
    return .invalidHeader(file: name, reason: "\(context) \(reason)")
  }

  func has(_ key: String) -> Bool { dictionary[key] != nil }

  func string(_ key: String) throws(SegmentationModelError) -> String {
    guard let value = dictionary[key]?.stringValue else { throw problem("needs a string '\(key)'") }
    return value
  }

  func double(_ key: String) throws(SegmentationModelError) -> Double {
    guard let number = dictionary[key]?.numberValue else {
      throw problem("needs a number '\(key)'")
    }
    return number
  }

  func int(_ key: String) throws(SegmentationModelError) -> Int {
    let value = try double(key)
    guard value.rounded() == value, abs(value) < 1e15 else { throw problem("needs an integer '\(key)'") }
    return Int(value)
  }

  func ints(_ key: String) throws(SegmentationModelError) -> [Int] {
    guard let list = dictionary[key]?.arrayValue else { throw problem("needs an integer array '\(key)'") }
    var result: [Int] = []
    for item in list {
      guard let number = item.numberValue, number.rounded() == number, abs(number) < 1e15 else {
        throw problem("needs an integer array '\(key)'")
      }
      result.append(Int(number))
    }
    return result
  }

  func strings(_ key: String) throws(SegmentationModelError) -> [String] {
    guard let items = dictionary[key]?.arrayValue else { throw problem("needs a string array '\(key)'") }
    let list = items.compactMap(\.stringValue)
    guard list.count == items.count else { throw problem("needs a string array '\(key)'") }
    return list
  }

  func object(_ key: String) throws(SegmentationModelError) -> Fields {
    guard let value = dictionary[key] else { throw problem("needs an object '\(key)'") }
    let child = context == "header" ? key : "\(context).\(key)"
    return try Fields(value, name: name, context: child)
  }
}

/// Turns the operation list into a ``ModelGraph``: names to indices, weights
/// sliced out of the blob and packed, channel counts checked as it goes.
struct GraphBuilder {
  let name: String
  let blob: [Float]
  var tensorNames: [String]
  var tensorChannels: [Int]
  var tensorIndex: [String: Int]
  var operations: [ModelOperation] = []

  init(name: String, blob: [Float], inputName: String, inputChannels: Int) {
    self.name = name
    self.blob = blob
    self.tensorNames = [inputName]
    self.tensorChannels = [inputChannels]
    self.tensorIndex = [inputName: 0]
  }

  /// The index of an existing tensor.
  func read(_ tensor: String, index: Int) throws(SegmentationModelError) -> Int {
    guard let i = tensorIndex[tensor] else { throw .unknownTensor(file: name, index: index, tensor: tensor) }
    return i
  }

  /// Declares the tensor an operation writes. Names may not be rewritten: the
  /// graph is in single-assignment form.
  mutating func write(_ tensor: String, channels: Int, index: Int) throws(SegmentationModelError) -> Int {
    guard tensorIndex[tensor] == nil else {
      throw .invalidOperation(file: name, index: index, reason: "tensor '\(tensor)' is written twice")
    }
    tensorIndex[tensor] = tensorNames.count
    tensorNames.append(tensor)
    tensorChannels.append(channels)
    return tensorNames.count - 1
  }

  func slice(offset: Int, count: Int, index: Int) throws(SegmentationModelError) -> [Float] {
    guard offset >= 0, count >= 0, offset + count <= blob.count else {
      throw .weightsOutOfRange(file: name, index: index, offset: offset, count: count, available: blob.count)
    }
    return Array(blob[offset..<(offset + count)])
  }

  func expectChannels(_ tensor: Int, _ expected: Int, index: Int) throws(SegmentationModelError) {
    guard tensorChannels[tensor] == expected else {
      throw .channelMismatch(
        file: name, index: index, tensor: tensorNames[tensor], expected: expected,
        actual: tensorChannels[tensor])
    }
  }

  func activation(_ text: String, index: Int) throws(SegmentationModelError) -> Activation {
    guard let activation = Activation(rawValue: text) else {
      throw .invalidOperation(
        file: name, index: index, reason: "unknown activation '\(text)' (expected none, relu or relu6)")
    }
    return activation
  }

  mutating func add(_ fields: Fields, index: Int) throws(SegmentationModelError) {
    let op = try fields.string("op")
    switch op {
    case "conv2d":
      let input = try read(try fields.string("in"), index: index)
      let cin = try fields.int("cin")
      let cout = try fields.int("cout")
      let k = try fields.int("k")
      let stride = try fields.int("stride")
      let groups = fields.has("groups") ? try fields.int("groups") : 1
      let pad = try fields.ints("pad")
      guard cin > 0, cout > 0, k > 0, stride > 0, groups > 0, cin % groups == 0, cout % groups == 0 else {
        throw .invalidOperation(
          file: name, index: index,
          reason: "conv2d needs positive cin, cout, k, stride, groups with groups dividing cin and cout")
      }
      guard pad.count == 4, pad.allSatisfy({ $0 >= 0 && $0 < k }) else {
        throw .invalidOperation(
          file: name, index: index, reason: "conv2d 'pad' must be [top, left, bottom, right], each in 0..<k")
      }
      try expectChannels(input, cin, index: index)
      let activation = try activation(fields.has("act") ? try fields.string("act") : "none", index: index)
      let weightCount = cout * (cin / groups) * k * k
      let weights = try slice(offset: try fields.int("w"), count: weightCount, index: index)
      let bias: [Float]
      if fields.has("b") && !(fields.dictionary["b"]?.isNull ?? true) {
        bias = try slice(offset: try fields.int("b"), count: cout, index: index)
      } else {
        bias = [Float](repeating: 0, count: cout)
      }
      let output = try write(try fields.string("out"), channels: cout, index: index)
      var conv = Convolution(
        input: input, output: output, inputChannels: cin, outputChannels: cout, kernelSize: k,
        stride: stride, padTop: pad[0], padLeft: pad[1], padBottom: pad[2], padRight: pad[3],
        groups: groups, activation: activation, weights: weights, bias: bias, packedWeights: [])
      if conv.kind != .depthwise {
        // Matrix-multiplied convolutions read only the packed copy: the plain one is not kept.
        conv.packedWeights = Kernels.packGroupedWeights(
          weights, groups: groups, rowsPerGroup: cout / groups, columns: (cin / groups) * k * k)
        conv.weights = []
      }
      operations.append(.convolution(conv))
    case "add":
      let names = try fields.strings("in")
      guard names.count == 2 else {
        throw .invalidOperation(file: name, index: index, reason: "add needs exactly two inputs")
      }
      let a = try read(names[0], index: index)
      let b = try read(names[1], index: index)
      try expectChannels(b, tensorChannels[a], index: index)
      let output = try write(try fields.string("out"), channels: tensorChannels[a], index: index)
      operations.append(.add(a, b, output: output))
    case "upsample2x":
      let input = try read(try fields.string("in"), index: index)
      let mode = fields.has("mode") ? try fields.string("mode") : "bilinear"
      guard mode == "bilinear" || mode == "nearest" else {
        throw .invalidOperation(
          file: name, index: index, reason: "unknown upsampling mode '\(mode)' (expected bilinear or nearest)")
      }
      let output = try write(try fields.string("out"), channels: tensorChannels[input], index: index)
      operations.append(.upsample2x(input, output: output, bilinear: mode == "bilinear"))
    case "concat":
      let names = try fields.strings("in")
      guard !names.isEmpty else {
        throw .invalidOperation(file: name, index: index, reason: "concat needs at least one input")
      }
      var inputs: [Int] = []
      for tensor in names { inputs.append(try read(tensor, index: index)) }
      let channels = inputs.reduce(0) { $0 + tensorChannels[$1] }
      let output = try write(try fields.string("out"), channels: channels, index: index)
      operations.append(.concat(inputs, output: output))
    case "relu", "relu6":
      let input = try read(try fields.string("in"), index: index)
      let output = try write(try fields.string("out"), channels: tensorChannels[input], index: index)
      operations.append(.activation(input, output: output, op == "relu" ? .relu : .relu6))
    default:
      throw .invalidOperation(file: name, index: index, reason: "unknown op '\(op)'")
    }
  }
}
