/// How a layer clamps its output.
enum Activation: String, Sendable, Equatable {
  /// No clamping.
  case none
  /// `max(x, 0)`.
  case relu
  /// `min(max(x, 0), 6)`.
  case relu6

  /// The activation's code in `CKernels` (0 none, 1 ReLU, 2 ReLU6).
  var wideCode: Int32 {
    switch self {
    case .none: return 0
    case .relu: return 1
    case .relu6: return 2
    }
  }
}

/// A 2-D convolution with zero padding, batch-norm already folded into its
/// weights and bias, and a fused activation.
struct Convolution: Sendable {
  /// Which loop nest runs the convolution.
  enum Kind: Sendable, Equatable {
    /// 1x1, stride 1, no padding, one group: a matrix multiply on the input.
    case pointwise
    /// One input and one output channel per group (`groups == cin == cout`).
    case depthwise
    /// Anything else: per group, rows of the input unfolded into columns
    /// ("im2col") and multiplied by the weight matrix.
    case general
  }

  var input: Int
  var output: Int
  var inputChannels: Int
  var outputChannels: Int
  var kernelSize: Int
  var stride: Int
  var padTop: Int
  var padLeft: Int
  var padBottom: Int
  var padRight: Int
  var groups: Int
  var activation: Activation
  /// PyTorch layout: `[cout][cin / groups][k][k]`; kept for `.depthwise` only
  /// (empty for the others, which read ``packedWeights``).
  var weights: [Float]
  /// One per output channel.
  var bias: [Float]
  /// For `.pointwise` and `.general`: the weights of each group packed for
  /// ``Kernels/multiplyMatrices`` (``Kernels/packWeights(_:rows:columns:)``);
  /// empty for `.depthwise`.
  var packedWeights: [Float]

  var kind: Kind {
    if groups == inputChannels && groups == outputChannels { return .depthwise }
    if kernelSize == 1 && stride == 1 && groups == 1
      && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
    {
      return .pointwise
    }
    return .general
  }

  /// Output rows for `inputHeight` input rows (may be zero or negative when the
  /// input is too small).
  func outputHeight(inputHeight: Int) -> Int {
    (inputHeight + padTop + padBottom - kernelSize) / stride + 1
  }

  /// Output columns for `inputWidth` input columns.
  func outputWidth(inputWidth: Int) -> Int {
    (inputWidth + padLeft + padRight - kernelSize) / stride + 1
  }
}

/// One step of the network, reading and writing tensors by their index in
/// ``ModelGraph/tensorNames``.
enum ModelOperation: Sendable {
  case convolution(Convolution)
  /// Elementwise sum of two tensors of the same shape.
  case add(Int, Int, output: Int)
  /// Doubles width and height: bilinear (PyTorch `align_corners=False`) or nearest.
  case upsample2x(Int, output: Int, bilinear: Bool)
  /// Stacks tensors along channels, in order.
  case concat([Int], output: Int)
  /// A standalone activation.
  case activation(Int, output: Int, Activation)

  /// The tensors read, in order.
  var inputs: [Int] {
    switch self {
    case .convolution(let c): return [c.input]
    case .add(let a, let b, _): return [a, b]
    case .upsample2x(let a, _, _): return [a]
    case .concat(let list, _): return list
    case .activation(let a, _, _): return [a]
    }
  }

  /// The tensor written.
  var output: Int {
    switch self {
    case .convolution(let c): return c.output
    case .add(_, _, let o): return o
    case .upsample2x(_, let o, _): return o
    case .concat(_, let o): return o
    case .activation(_, let o, _): return o
    }
  }

  /// A short name for timings: `conv3x3/2`, `dw5x5/1`, `pw`, `add`, ...
  var label: String {
    switch self {
    case .convolution(let c):
      switch c.kind {
      case .pointwise: return "conv1x1"
      case .depthwise: return "dwconv\(c.kernelSize)x\(c.kernelSize)/\(c.stride)"
      case .general:
        let grouped = c.groups == 1 ? "" : "g\(c.groups)"
        return "conv\(c.kernelSize)x\(c.kernelSize)/\(c.stride)\(grouped)"
      }
    case .add: return "add"
    case .upsample2x(_, _, let bilinear): return bilinear ? "upsample-bilinear" : "upsample-nearest"
    case .concat: return "concat"
    case .activation(_, _, let a): return a.rawValue
    }
  }
}

/// The network of a model file: named tensors and the operations between them.
struct ModelGraph: Sendable {
  /// Tensor names in order of first appearance; index 0 is the input.
  var tensorNames: [String]
  /// Channels of each tensor.
  var tensorChannels: [Int]
  var operations: [ModelOperation]
  /// Index of the network's input tensor (always 0).
  var inputTensor: Int { 0 }
  /// Index of the tensor holding the logits.
  var outputTensor: Int
  /// Further tensors returned beside ``outputTensor``, each at the input's
  /// size (a joined graph's second network, ``joined(with:)``).
  var extraOutputs: [Int] = []
}

extension ModelOperation {
  /// Whether the two operations compute the same thing from the same tensor
  /// indices: the same kind and parameters, and weights and biases with the same bits.
  func isSame(as other: ModelOperation) -> Bool {
    func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.elementsEqual(b) { $0.bitPattern == $1.bitPattern } }
    switch (self, other) {
    case (.convolution(let a), .convolution(let b)):
      return a.input == b.input && a.output == b.output && a.inputChannels == b.inputChannels
        && a.outputChannels == b.outputChannels && a.kernelSize == b.kernelSize && a.stride == b.stride
        && a.padTop == b.padTop && a.padLeft == b.padLeft && a.padBottom == b.padBottom && a.padRight == b.padRight
        && a.groups == b.groups && a.activation == b.activation && sameBits(a.weights, b.weights)
        && sameBits(a.bias, b.bias) && sameBits(a.packedWeights, b.packedWeights)
    case (.add(let a1, let a2, let a), .add(let b1, let b2, let b)): return a1 == b1 && a2 == b2 && a == b
    case (.upsample2x(let a1, let a, let aBilinear), .upsample2x(let b1, let b, let bBilinear)):
      return a1 == b1 && a == b && aBilinear == bBilinear
    case (.concat(let aInputs, let a), .concat(let bInputs, let b)): return aInputs == bInputs && a == b
    case (.activation(let a1, let a, let aKind), .activation(let b1, let b, let bKind)):
      return a1 == b1 && a == b && aKind == bKind
    default: return false
    }
  }

  /// The same operation reading and writing `map[t]` for each tensor `t`.
  func remapped(_ map: [Int]) -> ModelOperation {
    switch self {
    case .convolution(var c):
      c.input = map[c.input]
      c.output = map[c.output]
      return .convolution(c)
    case .add(let a, let b, let o): return .add(map[a], map[b], output: map[o])
    case .upsample2x(let a, let o, let bilinear): return .upsample2x(map[a], output: map[o], bilinear: bilinear)
    case .concat(let list, let o): return .concat(list.map { map[$0] }, output: map[o])
    case .activation(let a, let o, let kind): return .activation(map[a], output: map[o], kind)
    }
  }
}

extension ModelGraph {
  /// How many operations, from the first, `other` has in common with this
  /// graph: the same operations on the same tensors with the same weights
  /// (``ModelOperation/isSame(as:)``), from inputs of the same channels. Their
  /// tensors then hold the same values in both networks for the same input.
  func sharedPrefix(with other: ModelGraph) -> Int {
    guard tensorChannels.first == other.tensorChannels.first else { return 0 }
    var count = 0
    for (mine, theirs) in zip(operations, other.operations) {
      guard mine.isSame(as: theirs), tensorChannels[mine.output] == other.tensorChannels[theirs.output] else { break }
      count += 1
    }
    return count
  }

  /// This graph followed by the operations of `other` after their
  /// ``sharedPrefix(with:)``, which read the tensors this graph already
  /// computed instead of computing them again: one network with this graph's
  /// output and `other`'s as its ``extraOutputs`` (appended to this graph's own).
  /// For the same input, each output has the same bits as its own graph's.
  func joined(with other: ModelGraph) -> ModelGraph {
    let shared = sharedPrefix(with: other)
    var names = tensorNames
    var channels = tensorChannels
    // Other's tensors: its input and those the shared operations write are ours.
    var map = [Int](repeating: -1, count: other.tensorNames.count)
    map[other.inputTensor] = inputTensor
    for (mine, theirs) in zip(operations.prefix(shared), other.operations.prefix(shared)) {
      map[theirs.output] = mine.output
    }
    for tensor in other.tensorNames.indices where map[tensor] < 0 {
      map[tensor] = names.count
      names.append("joined." + other.tensorNames[tensor])
      channels.append(other.tensorChannels[tensor])
    }
    return ModelGraph(
      tensorNames: names, tensorChannels: channels,
      operations: operations + other.operations.dropFirst(shared).map { $0.remapped(map) },
      outputTensor: outputTensor, extraOutputs: extraOutputs + [map[other.outputTensor]])
  }
}
