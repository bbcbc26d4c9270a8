import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `executable` with `arguments`, its output and errors discarded, and
/// returns its wall time in seconds, or -1 when it could not start or did not
/// exit with status 0.
///
/// Started with `posix_spawn` and waited for with `waitpid`, so the time ends
/// when the child does. (Foundation's `Process.waitUntilExit` on Linux looks
/// for the child's exit every 50 ms, which rounded every time up to the next
/// multiple of 50 ms: a 34 ms `djpeg` read as 50 ms.)
func timeProcess(_ executable: String, _ arguments: [String]) -> Double {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
  let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
  defer { for pointer in argv { free(pointer) } }
  var pid: pid_t = 0
  let start = monotonicSeconds()
  guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return -1 }
  var status: Int32 = 0
  while waitpid(pid, &status, 0) == -1 {
    guard errno == EINTR else { return -1 }
  }
  let seconds = monotonicSeconds() - start
  return status == 0 ? seconds : -1  // exited, with status 0
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
