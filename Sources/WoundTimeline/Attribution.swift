import FoundationEssentials
import WoundCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension TimelineEntry.Attribution {
  /// The environment variable naming the operator when `--operator` is not given.
  package static let operatorVariable = "WOUNDMEASURE_OPERATOR"

  /// Who is recording, on this machine: `given` (from `--operator`), else
  /// `WOUNDMEASURE_OPERATOR`, else the login name (`USER`, `LOGNAME`, or the
  /// account of the process's user id); the host is this machine's host name.
  package static func current(operator given: String? = nil) -> TimelineEntry.Attribution {
    let environment = ProcessInfo.processInfo.environment
    let candidates = [given, environment[operatorVariable], environment["USER"], environment["LOGNAME"], accountName()]
    let name = candidates.compactMap { $0?.trimmingWhitespace() }.first { !$0.isEmpty }
    return TimelineEntry.Attribution(operator: name ?? "uid \(getuid())", host: hostName())
  }

  static func accountName() -> String? {
    guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
    return String(cString: name)
  }

  static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }
}
