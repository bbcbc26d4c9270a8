import Dispatch

/// A value computed on another thread, for the pipeline to wait for when it
/// needs it.
///
/// The work starts when the value is made; ``wait()`` returns its result,
/// blocking until it is there (the group's wait orders the write before the
/// read). The work must be a pure function of what it captures, so that where
/// it runs cannot change the figures.
final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
  private let group = DispatchGroup()
  private var value: Value?

  init(_ work: @escaping @Sendable () -> Value) {
    group.enter()
    DispatchQueue.global().async {
      self.value = work()
      self.group.leave()
    }
  }

  /// The work's result, once it has finished.
  func wait() -> Value {
    group.wait()
    return value!
  }
}
