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
}
