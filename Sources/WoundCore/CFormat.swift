#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Formats numbers with a C `printf` format (`"%.2f"`, `"%04d"`, `"%02x"`), as the C library
/// does in the "C" locale the tool runs in: the one formatter of the tool's printed and
/// recorded numbers, so that they read the same on every machine.
///
/// Only numeric conversions are meant; strings are joined with interpolation.
package func cFormat(_ format: String, _ arguments: any CVarArg...) -> String {
  var capacity = 64
  while true {
    var buffer = [CChar](repeating: 0, count: capacity)
    let written = withVaList(arguments) { list in vsnprintf(&buffer, capacity, format, list) }
    precondition(written >= 0, "cFormat: invalid format \(format)")
    if Int(written) < capacity {
      return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
    capacity = Int(written) + 1
  }
}
