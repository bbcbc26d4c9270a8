#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A mutual-exclusion lock (a POSIX mutex), for state shared between threads: `batch`'s
/// workers, the networks' kept arena.
package final class WorkerLock: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  package init() { pthread_mutex_init(mutex, nil) }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  package func lock() { pthread_mutex_lock(mutex) }
  package func unlock() { pthread_mutex_unlock(mutex) }
}

/// Runs `body` on `count` new threads of `stackBytes` of stack each and returns when all
/// have finished. A thread that cannot be started runs its `body` on the caller's.
package func runWorkerThreads(count: Int, stackBytes: Int, _ body: @escaping @Sendable () -> Void) {
  final class Job {
    let body: @Sendable () -> Void
    init(body: @escaping @Sendable () -> Void) { self.body = body }
  }
  var attributes = pthread_attr_t()
  pthread_attr_init(&attributes)
  defer { pthread_attr_destroy(&attributes) }
  pthread_attr_setstacksize(&attributes, stackBytes)
  var started: [pthread_t] = []
  var inline = 0
  for _ in 0..<count {
    let job = Unmanaged.passRetained(Job(body: body))
    var thread = pthread_t()
    let result = pthread_create(
      &thread, &attributes,
      { raw in
        let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
        job.body()
        return nil
      }, job.toOpaque())
    if result == 0 {
      started.append(thread)
    } else {
      job.release()
      inline += 1
    }
  }
  for _ in 0..<inline { body() }
  for thread in started { pthread_join(thread, nil) }
}
