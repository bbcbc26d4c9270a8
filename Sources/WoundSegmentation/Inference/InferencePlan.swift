/// The shape of every tensor for one input size, and where each lives in a
/// single arena of floats.
///
/// Tensors are placed largest first, each at the lowest offset that no tensor
/// alive at the same time uses (memory is reused once every reader of its
/// previous tenant has run); an operation's output never shares memory with
/// its inputs.
struct InferencePlan: Sendable {
  /// Channels, height and width of a tensor.
  struct Shape: Sendable, Equatable {
    var channels: Int
    var height: Int
    var width: Int
    var count: Int { channels * height * width }
  }

  var inputWidth: Int
  var inputHeight: Int
  var shapes: [Shape]
  /// Arena offset of each tensor, in floats (multiples of 16).
  var offsets: [Int]
  /// Floats of tensor storage.
  var arenaCount: Int
  /// Floats of scratch after the tensors (unfolding, padding, upsampling).
  var scratchCount: Int

  /// Computes shapes, checks that every operation fits, and places tensors.
  ///
  /// - Throws: ``SegmentationModelError/shapeMismatch(file:index:inputWidth:inputHeight:reason:)``
  ///   when an operation shrinks a tensor to nothing or combines tensors of
  ///   different spatial sizes, and ``SegmentationModelError/invalidOutput(file:reason:)``
  ///   when the output does not have the input's spatial size.
  init(graph: ModelGraph, width: Int, height: Int, fileName: String) throws(SegmentationModelError) {
    inputWidth = width
    inputHeight = height
    var shapes = [Shape?](repeating: nil, count: graph.tensorNames.count)
    shapes[graph.inputTensor] = Shape(channels: graph.tensorChannels[0], height: height, width: width)
    var scratch = 0

    func mismatch(_ index: Int, _ reason: String) -> SegmentationModelError {
      .shapeMismatch(file: fileName, index: index, inputWidth: width, inputHeight: height, reason: reason)
    }

    for (index, operation) in graph.operations.enumerated() {
      let inputs = operation.inputs.map { shapes[$0]! }
      let first = inputs[0]
      let result: Shape
      switch operation {
      case .convolution(let conv):
        let outputHeight = conv.outputHeight(inputHeight: first.height)
        let outputWidth = conv.outputWidth(inputWidth: first.width)
        guard outputHeight > 0, outputWidth > 0 else {
          throw mismatch(
            index,
            "a \(first.width)x\(first.height) input is smaller than the \(conv.kernelSize)x\(conv.kernelSize) kernel")
        }
        result = Shape(channels: conv.outputChannels, height: outputHeight, width: outputWidth)
        scratch = max(scratch, Kernels.scratchCount(conv, inputWidth: first.width, inputHeight: first.height))
      case .add:
        guard inputs[1] == first else {
          throw mismatch(index, "adds \(first.width)x\(first.height) to \(inputs[1].width)x\(inputs[1].height)")
        }
        result = first
      case .upsample2x:
        result = Shape(channels: first.channels, height: 2 * first.height, width: 2 * first.width)
        scratch = max(scratch, Kernels.upsampleScratchCount(inputWidth: first.width, inputHeight: first.height))
      case .concat:
        for other in inputs where other.width != first.width || other.height != first.height {
          throw mismatch(index, "concatenates \(first.width)x\(first.height) with \(other.width)x\(other.height)")
        }
        result = Shape(channels: inputs.reduce(0) { $0 + $1.channels }, height: first.height, width: first.width)
      case .activation:
        result = first
      }
      shapes[operation.output] = result
    }
    for tensor in [graph.outputTensor] + graph.extraOutputs {
      guard let output = shapes[tensor], output.width == width, output.height == height else {
        let actual = shapes[tensor].map { "\($0.width)x\($0.height)" } ?? "nothing"
        throw .invalidOutput(file: fileName, reason: "a \(width)x\(height) input gives a \(actual) output")
      }
    }
    let placedShapes = shapes.map { $0 ?? Shape(channels: 0, height: 0, width: 0) }

    // Lifetimes: from the operation that writes a tensor (-1 for the input) to
    // the last that reads it (the outputs live to the end); tensors never
    // written have none and take no memory.
    let count = graph.tensorNames.count
    var born = [Int](repeating: Int.max, count: count)
    var dies = [Int](repeating: -1, count: count)
    born[graph.inputTensor] = -1
    for (index, operation) in graph.operations.enumerated() {
      born[operation.output] = index
      for tensor in operation.inputs { dies[tensor] = index }
    }
    for tensor in [graph.outputTensor] + graph.extraOutputs { dies[tensor] = graph.operations.count }
    for tensor in 0..<count { dies[tensor] = max(dies[tensor], born[tensor]) }
    let sizes = placedShapes.map { ($0.count + 15) / 16 * 16 }

    // Offsets, largest tensor first: each goes at the lowest offset where it
    // overlaps no tensor already placed whose lifetime meets its own. An
    // operation's output lives from that operation on and its inputs until it,
    // so the two never share memory. Ties are broken by tensor index, so the
    // plan is the same on every run.
    let order = (0..<count).filter { born[$0] != Int.max }.sorted {
      let a = placedShapes[$0].count
      let b = placedShapes[$1].count
      return a != b ? a > b : $0 < $1
    }
    var offsets = [Int](repeating: 0, count: count)
    var placed: [Int] = []
    var total = 0
    for tensor in order {
      // The memory taken, during this tensor's life, by those already placed, by offset.
      let taken = placed.filter { born[$0] <= dies[tensor] && born[tensor] <= dies[$0] }
        .map { (start: offsets[$0], end: offsets[$0] + sizes[$0]) }
        .sorted { $0.start != $1.start ? $0.start < $1.start : $0.end < $1.end }
      var offset = 0
      for range in taken {
        if range.start >= offset + sizes[tensor] { break }
        offset = max(offset, range.end)
      }
      offsets[tensor] = offset
      total = max(total, offset + sizes[tensor])
      placed.append(tensor)
    }
    self.shapes = placedShapes
    self.scratchCount = scratch
    self.offsets = offsets
    self.arenaCount = total
  }
}
