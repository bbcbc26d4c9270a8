import WoundCore

/// Time spent in each step of a run, for the benchmark's breakdown.
package final class OperationTimings {
  /// One step: its label (`conv1x1`, `dwconv3x3/2`, `downscale`, ...) and seconds.
  package private(set) var entries: [(label: String, seconds: Double)] = []
  /// The clock, in seconds from any origin: wall time by default; a
  /// benchmark on a busy machine may pass the thread's CPU time.
  package let now: () -> Double

  package init(clock: @escaping () -> Double = OperationTimings.wallSeconds) {
    self.now = clock
  }

  /// Seconds on a monotonic wall clock.
  package static func wallSeconds() -> Double {
    let elapsed = ContinuousClock.now - OperationTimings.origin
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }
  private static let origin = ContinuousClock.now

  /// Starts timing a step; pass the result to ``record(_:since:)``.
  package func start() -> Double { now() }

  /// Records the step `label` begun at `start`.
  package func record(_ label: String, since start: Double) {
    entries.append((label, now() - start))
  }

  /// Seconds summed per label, largest first.
  package var totalsByLabel: [(label: String, seconds: Double, count: Int)] {
    var totals: [String: (Double, Int)] = [:]
    for entry in entries {
      let previous = totals[entry.label] ?? (0, 0)
      totals[entry.label] = (previous.0 + entry.seconds, previous.1 + 1)
    }
    return totals.map { ($0.key, $0.value.0, $0.value.1) }.sorted {
      $0.seconds != $1.seconds ? $0.seconds > $1.seconds : $0.label < $1.label
    }
  }
}

/// Executes a model's operations in order over one arena of floats.
///
/// Operations run one after the other; a convolution may share its work
/// between `threads` threads (``Parallel``), each output value still computed
/// by one thread with the same arithmetic (see ``Kernels``), so results are
/// bit-identical on every run and for any number of threads.
enum InferenceEngine {
  /// Runs the graph on a planar `[channels][height][width]` input and returns
  /// the output tensor (the logits), `height * width` floats.
  ///
  /// - Parameter threads: how many threads a convolution may use (at least 1);
  ///   each gets its own scratch.
  static func run(
    plan: InferencePlan, graph: ModelGraph, input: [Float], timings: OperationTimings?, threads: Int = 1
  ) -> [Float] {
    runOutputs(plan: plan, graph: graph, input: input, timings: timings, threads: threads)[0]
  }

  /// ``run(plan:graph:input:timings:threads:)`` returning every output: the
  /// graph's ``ModelGraph/outputTensor``, then its ``ModelGraph/extraOutputs``.
  static func runOutputs(
    plan: InferencePlan, graph: ModelGraph, input: [Float], timings: OperationTimings?, threads: Int = 1
  ) -> [[Float]] {
    let threads = max(1, threads)
    precondition(
      input.count == plan.shapes[graph.inputTensor].count,
      "network input of \(input.count) floats, the plan's input tensor holds \(plan.shapes[graph.inputTensor].count)")
    let arenaCount = plan.arenaCount + plan.scratchCount * threads
    let kept = KeptArena.take(capacity: arenaCount)
    defer { KeptArena.give(kept) }
    let arena = kept.start
    let scratch = arena + plan.arenaCount

    input.withUnsafeBufferPointer { source in
      (arena + plan.offsets[graph.inputTensor]).update(
        from: source.baseAddress!, count: source.count)
    }
    for operation in graph.operations {
      let start = timings?.start() ?? 0
      let out = arena + plan.offsets[operation.output]
      let first = plan.shapes[operation.inputs[0]]
      let firstInput = UnsafePointer(arena + plan.offsets[operation.inputs[0]])
      switch operation {
      case .convolution(let conv):
        Kernels.convolve(
          conv, input: firstInput, inputWidth: first.width, inputHeight: first.height, output: out,
          scratch: scratch, threads: threads, scratchStride: plan.scratchCount)
      case .add(_, let b, _):
        Kernels.add(firstInput, arena + plan.offsets[b], output: out, count: first.count)
      case .upsample2x(_, _, let bilinear):
        if bilinear {
          Kernels.upsampleBilinear(
            firstInput, channels: first.channels, inputWidth: first.width, inputHeight: first.height,
            output: out, scratch: scratch)
        } else {
          Kernels.upsampleNearest(
            firstInput, channels: first.channels, inputWidth: first.width, inputHeight: first.height,
            output: out)
        }
      case .concat(let inputs, _):
        var target = out
        for tensor in inputs {
          let count = plan.shapes[tensor].count
          target.update(from: arena + plan.offsets[tensor], count: count)
          target += count
        }
      case .activation(_, _, let activation):
        Kernels.activate(firstInput, output: out, count: first.count, activation: activation)
      }
      timings?.record(operation.label, since: start)
    }
    return ([graph.outputTensor] + graph.extraOutputs).map { tensor in
      Array(UnsafeBufferPointer(start: arena + plan.offsets[tensor], count: plan.shapes[tensor].count))
    }
  }
}

/// The floats of the last network pass, kept for the next one.
///
/// A measurement runs the networks several times (the whole-photo pass, then a
/// fine pass per crop), each over an arena of up to 13 MB. Freed and asked for
/// again, such an arena comes back as fresh pages that the kernel must find
/// and clear one by one on first touch, which on some machines costs more than
/// the arithmetic done in them. The arena of a finished pass is kept instead
/// (one, the largest offered) and handed to the next pass that fits in it,
/// until the stage that ran the passes ``release()``s it, so that it does not
/// add to the memory of the stages after. Values are never read from a kept
/// arena before they are written: every tensor is written by its operation
/// before any operation reads it, and the kernels clear what they read as
/// padding (`ParallelTests` runs a pass on an arena filled with NaN).
enum KeptArena {
  /// An arena: its first float and its capacity.
  struct Arena: @unchecked Sendable {
    let start: UnsafeMutablePointer<Float>
    let capacity: Int
  }

  private nonisolated(unsafe) static var kept: Arena?
  private static let lock = WorkerLock()

  /// The kept arena when it holds `capacity` floats, else a new one.
  static func take(capacity: Int) -> Arena {
    lock.lock()
    if let arena = kept, arena.capacity >= capacity {
      kept = nil
      lock.unlock()
      return arena
    }
    lock.unlock()
    let start = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
    LargeBuffers.adviseHugePages(UnsafeMutableRawPointer(start), bytes: capacity * MemoryLayout<Float>.stride)
    return Arena(start: start, capacity: capacity)
  }

  /// Frees the kept arena, if any: the passes of a stage are over.
  static func release() {
    lock.lock()
    let arena = kept
    kept = nil
    lock.unlock()
    arena?.start.deallocate()
  }

  /// Keeps `arena` for the next pass when it is larger than the one kept;
  /// frees the smaller of the two.
  static func give(_ arena: Arena) {
    lock.lock()
    var free = arena
    if let current = kept {
      if arena.capacity > current.capacity {
        free = current
        kept = arena
      }
    } else {
      kept = arena
      lock.unlock()
      return
    }
    lock.unlock()
    free.start.deallocate()
  }
}
