import WoundCore

/// The tissue model's class probabilities over one square crop: planar
/// `[classes][size][size]`, softmax across the classes.
package struct TissueCrop: Sendable {
  let crop: FinePass.Crop
  let size: Int
  let probabilities: [Float]
}

/// The tissue model run on the outline's fine-pass crops, in one network with
/// the outline model.
///
/// When the tissue model cuts its crops by the outline model's fine-pass rule
/// and reads the same input, the fine pass runs both on each of its crops
/// (``Segmenter/segment(image:excluding:hints:model:threads:coarse:tissue:)``),
/// and the tissue classes are sampled from those crops
/// (``TissueClassifier/classify(image:mask:reference:model:crops:threads:)``).
/// The first operations of the tissue network that are the outline network's
/// own (the same operations with the same weights, ``sharedOperations``) are
/// computed once for both: every output has the same bits as its network run
/// alone on the crop (`FinePassTissueTests`).
package struct FinePassTissue: Sendable {
  /// The tissue model.
  package let tissue: TissueModel
  /// How many of the tissue network's operations, from its first, are the
  /// outline network's own and computed once for both.
  package let sharedOperations: Int
  /// The outline graph followed by the tissue network's own operations.
  let joint: ModelGraph
  /// The outline graph's operation count, to check it is the one joined.
  let outlineOperations: Int

  /// Joins the two networks, or `nil` when the tissue model cannot use the
  /// outline's crops: `outline` has no fine pass, or its crop rule, input
  /// channels or normalisation differ from the tissue model's.
  package init?(outline: SegmentationModel, tissue: TissueModel) {
    let network = tissue.network
    guard outline.output == .probability, let rule = outline.finePass, rule == tissue.cropRule,
      outline.inputChannels == network.inputChannels, outline.normalizeSubtract == network.normalizeSubtract,
      outline.normalizeDivide == network.normalizeDivide
    else { return nil }
    self.tissue = tissue
    self.sharedOperations = outline.graph.sharedPrefix(with: network.graph)
    self.joint = outline.graph.joined(with: network.graph)
    self.outlineOperations = outline.graph.operations.count
  }

  /// Runs the outline and tissue networks on one crop's normalised planar input
  /// (`[3][size][size]`).
  ///
  /// - Returns: the outline's wound probabilities (sigmoid) and the tissue
  ///   crop (softmax over the tissue classes).
  /// - Precondition: `outline` is the model this was made for.
  func run(
    outline: SegmentationModel, crop: FinePass.Crop, normalizedInput: [Float], size: Int,
    timings: OperationTimings?, threads: Int
  ) throws(SegmentationModelError) -> (outline: [Float], tissue: TissueCrop) {
    precondition(
      outline.graph.operations.count == outlineOperations, "the fine pass's tissue network was joined to another model")
    let plan = try InferencePlan(graph: joint, width: size, height: size, fileName: tissue.network.fileName)
    let outputs = InferenceEngine.runOutputs(
      plan: plan, graph: joint, input: normalizedInput, timings: timings, threads: threads)
    var wound = outputs[0]
    Kernels.sigmoid(&wound)
    var classes = outputs[1]
    Kernels.softmax(&classes, channels: TissueModel.classNames.count, plane: size * size)
    return (wound, TissueCrop(crop: crop, size: size, probabilities: classes))
  }
}
