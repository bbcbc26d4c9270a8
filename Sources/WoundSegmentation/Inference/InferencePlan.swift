/// The shape of every tensor for one input size, and where each lives in a
/// single arena of floats.
///
/// Tensors are placed greedily in slots that are reused once every reader of
/// their previous tenant has run; an operation's output never shares memory
/// with its inputs.
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
    guard let output = shapes[graph.outputTensor], output.width == width, output.height == height else {
      let actual = shapes[graph.outputTensor].map { "\($0.width)x\($0.height)" } ?? "nothing"
      throw .invalidOutput(file: fileName, reason: "a \(width)x\(height) input gives a \(actual) output")
    }
    let placedShapes = shapes.map { $0 ?? Shape(channels: 0, height: 0, width: 0) }

    // Liveness: the last operation reading each tensor; the output lives to the end.
    var lastUse = [Int](repeating: -1, count: graph.tensorNames.count)
    for (index, operation) in graph.operations.enumerated() {
      for tensor in operation.inputs { lastUse[tensor] = index }
    }
    lastUse[graph.outputTensor] = graph.operations.count

    // Greedy slots: take the smallest free slot that fits, else grow the
    // largest free one, else open a new slot.
    var slotSizes: [Int] = []
    var slotFree: [Bool] = []
    var slotOf = [Int](repeating: -1, count: graph.tensorNames.count)
    func place(_ tensor: Int) {
      let need = (placedShapes[tensor].count + 15) / 16 * 16
      var best = -1
      for slot in slotSizes.indices where slotFree[slot] && slotSizes[slot] >= need {
        if best < 0 || slotSizes[slot] < slotSizes[best] { best = slot }
      }
      if best < 0 {
        for slot in slotSizes.indices where slotFree[slot] {
          if best < 0 || slotSizes[slot] > slotSizes[best] { best = slot }
        }
      }
      if best < 0 {
        slotSizes.append(need)
        slotFree.append(false)
        best = slotSizes.count - 1
      }
      slotSizes[best] = max(slotSizes[best], need)
      slotFree[best] = false
      slotOf[tensor] = best
    }
    place(graph.inputTensor)
    for (index, operation) in graph.operations.enumerated() {
      place(operation.output)
      for tensor in Set(operation.inputs) where lastUse[tensor] == index {
        slotFree[slotOf[tensor]] = true
      }
      if lastUse[operation.output] < 0 { slotFree[slotOf[operation.output]] = true }
    }
    var slotOffsets: [Int] = []
    var total = 0
    for size in slotSizes {
      slotOffsets.append(total)
      total += size
    }
    self.shapes = placedShapes
    self.scratchCount = scratch
    self.offsets = slotOf.map { $0 < 0 ? 0 : slotOffsets[$0] }
    self.arenaCount = total
  }
}
