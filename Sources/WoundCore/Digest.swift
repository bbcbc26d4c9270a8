import Crypto
import FoundationEssentials

/// The lower-case hexadecimal SHA-256 of some bytes: how the tool identifies a
/// photo, a mask, a model file, a timeline entry and a timeline file.
package func sha256Hex(_ bytes: some DataProtocol) -> String {
  let digits = Array("0123456789abcdef".utf8)
  var text: [UInt8] = []
  text.reserveCapacity(2 * SHA256.byteCount)
  for byte in SHA256.hash(data: bytes) {
    text.append(digits[Int(byte >> 4)])
    text.append(digits[Int(byte & 15)])
  }
  return String(decoding: text, as: UTF8.self)
}
