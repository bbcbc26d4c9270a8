import Testing

@testable import WoundSegmentation

/// Where the runtime puts each tensor of the shipped networks: no two tensors alive
/// at the same time share memory, and the arena is no larger than the most memory
/// alive at one time needs.
@Suite struct InferencePlanTests {
  static func models() throws -> [SegmentationModel] {
    [try SegmentationModel.bundled(), try TissueModel.bundled().network]
  }

  @Test(arguments: [(256, 256), (320, 256), (96, 64)])
  func tensorsAliveTogetherNeverOverlapAndTheArenaIsTheirPeak(width: Int, height: Int) throws {
    for model in try Self.models() {
      let graph = model.graph
      let plan = try InferencePlan(graph: graph, width: width, height: height, fileName: model.fileName)
      // Lifetimes: from the operation writing a tensor (-1 for the input) to the last reading it.
      var first = [Int](repeating: Int.max, count: graph.tensorNames.count)
      var last = [Int](repeating: -1, count: graph.tensorNames.count)
      first[graph.inputTensor] = -1
      for (index, operation) in graph.operations.enumerated() {
        first[operation.output] = index
        for tensor in operation.inputs { last[tensor] = index }
      }
      last[graph.outputTensor] = graph.operations.count
      let tensors = graph.tensorNames.indices.filter { first[$0] != Int.max }
      func end(_ t: Int) -> Int { max(first[t], last[t]) }
      for a in tensors {
        #expect(plan.offsets[a] + plan.shapes[a].count <= plan.arenaCount)
        for b in tensors where b > a && first[a] <= end(b) && first[b] <= end(a) {
          let apart =
            plan.offsets[a] + plan.shapes[a].count <= plan.offsets[b]
            || plan.offsets[b] + plan.shapes[b].count <= plan.offsets[a]
          #expect(apart, "\(graph.tensorNames[a]) and \(graph.tensorNames[b]) alive together share memory")
        }
      }
      // The most memory alive at one time (each tensor rounded up to 16 floats).
      var peak = 0
      for step in -1...graph.operations.count {
        let alive = tensors.filter { first[$0] <= step && step <= end($0) }
        peak = max(peak, alive.reduce(0) { $0 + (plan.shapes[$1].count + 15) / 16 * 16 })
      }
      #expect(plan.arenaCount <= peak + peak / 20, "arena \(plan.arenaCount) floats, peak alive \(peak)")
    }
  }
}
