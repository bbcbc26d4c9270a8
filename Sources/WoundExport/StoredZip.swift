/// The few parts of the zip format (PKWARE APPNOTE.TXT) a ROI Manager set needs:
/// writing files stored without compression, and reading stored entries back.
///
/// Every time stamp written is 1980-01-01 00:00, so that the same outlines give the
/// same bytes.
enum StoredZip {
  /// `PK\3\4`, the local file header signature.
  static let localHeaderSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
  static let centralHeaderSignature: UInt32 = 0x0201_4B50
  static let endOfCentralDirectorySignature: UInt32 = 0x0605_4B50
  /// DOS date of 1980-01-01 (day 1, month 1, year 0).
  static let dosDate: UInt16 = 1 << 5 | 1

  /// A zip archive of `files`, each stored (method 0) under its name.
  static func archive(_ files: [(name: String, data: [UInt8])]) -> [UInt8] {
    var out = LittleEndianWriter()
    var central = LittleEndianWriter()
    for file in files {
      let name = Array(file.name.utf8)
      let crc = CRC32.checksum(file.data)
      let offset = out.bytes.count
      out.bytes.append(contentsOf: localHeaderSignature)
      out.u16(10)  // version needed: 1.0, stored
      out.u16(0)  // flags
      out.u16(0)  // method: stored
      out.u16(0)  // time 00:00
      out.u16(dosDate)
      out.u32(crc)
      out.u32(UInt32(file.data.count))
      out.u32(UInt32(file.data.count))
      out.u16(UInt16(name.count))
      out.u16(0)  // extra field length
      out.bytes.append(contentsOf: name)
      out.bytes.append(contentsOf: file.data)

      central.u32(centralHeaderSignature)
      central.u16(20)  // made by: version 2.0
      central.u16(10)
      central.u16(0)
      central.u16(0)
      central.u16(0)
      central.u16(dosDate)
      central.u32(crc)
      central.u32(UInt32(file.data.count))
      central.u32(UInt32(file.data.count))
      central.u16(UInt16(name.count))
      central.u16(0)  // extra
      central.u16(0)  // comment
      central.u16(0)  // disk
      central.u16(0)  // internal attributes
      central.u32(0)  // external attributes
      central.u32(UInt32(offset))
      central.bytes.append(contentsOf: name)
    }
    let centralOffset = out.bytes.count
    out.bytes.append(contentsOf: central.bytes)
    out.u32(endOfCentralDirectorySignature)
    out.u16(0)
    out.u16(0)
    out.u16(UInt16(files.count))
    out.u16(UInt16(files.count))
    out.u32(UInt32(central.bytes.count))
    out.u32(UInt32(centralOffset))
    out.u16(0)  // comment length
    return out.bytes
  }

  /// The files of a zip archive, from its central directory. Stored entries are
  /// returned as they are, deflated ones inflated (``Inflate``); their CRC-32 is checked.
  static func entries(_ bytes: [UInt8]) throws(ImageJROIError) -> [(name: String, data: [UInt8])] {
    func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
    // The end record is in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
    guard bytes.count >= 22 else { throw .unreadableZip("too short for a zip archive") }
    var end = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 65_535)
    while end >= lowest && UInt32(u32(end)) != endOfCentralDirectorySignature { end -= 1 }
    guard end >= lowest else { throw .unreadableZip("no end of central directory record") }
    let count = u16(end + 10)
    var at = u32(end + 16)
    var files: [(name: String, data: [UInt8])] = []
    for _ in 0..<count {
      guard at + 46 <= bytes.count, UInt32(u32(at)) == centralHeaderSignature else {
        throw .unreadableZip("damaged central directory")
      }
      let method = u16(at + 10)
      let crc = UInt32(u32(at + 16))
      let compressed = u32(at + 20)
      let size = u32(at + 24)
      let nameLength = u16(at + 28)
      let next = at + 46 + nameLength + u16(at + 30) + u16(at + 32)
      guard at + 46 + nameLength <= bytes.count else { throw .unreadableZip("damaged central directory") }
      let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
      let local = u32(at + 42)
      guard local + 30 <= bytes.count, bytes[local..<(local + 4)].elementsEqual(localHeaderSignature) else {
        throw .unreadableZip("\(name): damaged local header")
      }
      let start = local + 30 + u16(local + 26) + u16(local + 28)
      guard start + compressed <= bytes.count else { throw .truncated }
      let raw = Array(bytes[start..<(start + compressed)])
      let data: [UInt8]
      switch method {
      case 0: data = raw
      case 8:
        guard let inflated = Inflate.decompress(raw, expectedSize: size) else {
          throw .unreadableZip("\(name): damaged deflate data")
        }
        data = inflated
      default: throw .unreadableZip("\(name): compression method \(method) (only stored and deflate are read)")
      }
      guard data.count == size, CRC32.checksum(data) == crc else { throw .unreadableZip("\(name): CRC-32 mismatch") }
      files.append((name, data))
      at = next
    }
    return files
  }
}

/// Little-endian writing, as zip archives are.
struct LittleEndianWriter {
  var bytes: [UInt8] = []
  mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
  mutating func u32(_ v: UInt32) { u16(UInt16(v & 0xFFFF)); u16(UInt16(v >> 16)) }
}

/// CRC-32 (ISO-HDLC, polynomial 0xEDB88320 reflected), as zip uses.
enum CRC32 {
  static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }
}
