import WoundCore
import WoundMeasurement

/// ImageJ's binary ROI format (`.roi`), and ROI Manager sets (`.zip` of `.roi` files).
///
/// Written from ImageJ's published description of the format (the header layout in
/// the comments of `ij/io/RoiDecoder.java` and `RoiEncoder.java`): a 64-byte
/// big-endian header, then the x and then the y coordinates as 16-bit integers
/// relative to the bounding box's left and top, then a 64-byte second header that
/// holds the ROI's name, then the name in UTF-16.
///
/// The outline of a mask region is written as a traced ROI (type 8, what ImageJ's
/// wand tool makes) through pixel corners in ImageJ's coordinates, where pixel
/// `(x, y)` covers `[x, x + 1) x [y, y + 1)`: ImageJ measures it as exactly the
/// region's pixels. Details in `docs/outputs.md`.
package enum ImageJROI {
  /// ROI types (header byte 6) this encoder writes or this decoder reads as polygons.
  package enum Kind: UInt8, Sendable, CaseIterable {
    /// `polygon`: straight edges between the vertices.
    case polygon = 0
    /// `freehand`: a freehand selection, vertices joined by straight edges.
    case freehand = 7
    /// `traced`: the wand tool's outline through pixel corners.
    case traced = 8
  }

  /// The format version written (header bytes 4-5), as current ImageJ writes it.
  package static let version: UInt16 = 228
  /// Size of the header and of the second header, bytes.
  static let headerSize = 64
  /// Header2 is found from this offset (header bytes 60-63).
  static let header2OffsetField = 60
  /// Bit of the options field (bytes 50-51): coordinates follow as floats too.
  static let subPixelResolution: UInt16 = 128

  /// One polygon ROI: its name and vertices.
  package struct Polygon: Sendable, Equatable {
    package var name: String
    /// Vertices in ImageJ's pixel coordinates (pixel `(x, y)` covers `[x, x + 1) x [y, y + 1)`).
    package var vertices: [Point]
    package var kind: Kind
    package init(name: String, vertices: [Point], kind: Kind) {
      self.name = name
      self.vertices = vertices
      self.kind = kind
    }
  }

  /// Encodes a region's outline as a traced ROI named `name`.
  ///
  /// - Throws: ``ImageJROIError/tooFewVertices(_:)`` for fewer than 3 corners,
  ///   ``ImageJROIError/coordinatesOutOfRange(minimum:maximum:)`` when a corner lies
  ///   outside 0...32767 (the format's 16-bit bounds).
  package static func encode(_ corners: [PixelCorner], name: String) throws(ImageJROIError) -> [UInt8] {
    guard corners.count >= 3 else { throw .tooFewVertices(corners.count) }
    let xs = corners.map(\.x)
    let ys = corners.map(\.y)
    let left = xs.min()!
    let top = ys.min()!
    let right = xs.max()!
    let bottom = ys.max()!
    guard min(left, top) >= 0, max(right, bottom) <= Int(Int16.max) else {
      throw .coordinatesOutOfRange(minimum: min(left, top), maximum: max(right, bottom))
    }
    var out = ByteWriter()
    out.bytes.append(contentsOf: Array("Iout".utf8))
    out.u16(version)
    out.u8(Kind.traced.rawValue)
    out.u8(0)
    out.u16(UInt16(top))
    out.u16(UInt16(left))
    out.u16(UInt16(bottom))
    out.u16(UInt16(right))
    let count = corners.count
    if count <= Int(UInt16.max) {
      out.u16(UInt16(count))
      out.zeros(16)  // x1, y1, x2, y2: unused by polygons
    } else {
      out.u16(0)  // more than 65535 vertices: the count follows as a 32-bit integer
      out.u32(UInt32(count))
      out.zeros(12)
    }
    out.zeros(2 + 4 + 4 + 4 + 2 + 2 + 1 + 1 + 2 + 4)  // stroke width ... position
    let header2Offset = headerSize + 4 * count
    out.u32(UInt32(header2Offset))
    precondition(out.bytes.count == headerSize)
    for x in xs { out.u16(UInt16(x - left)) }
    for y in ys { out.u16(UInt16(y - top)) }
    // Header 2: positions 0 (none), the name's offset and length in UTF-16 units.
    let nameUnits = Array(name.utf16)
    out.zeros(4 + 4 + 4 + 4)  // reserved, C, Z, T
    out.u32(UInt32(header2Offset + headerSize))
    out.u32(UInt32(nameUnits.count))
    out.zeros(headerSize - 24)
    for unit in nameUnits { out.u16(unit) }
    return out.bytes
  }

  /// A ROI Manager set: a zip archive (stored, uncompressed) of one `.roi` per outline,
  /// named `<name>.roi`, in the given order.
  package static func encodeSet(_ outlines: [(name: String, corners: [PixelCorner])]) throws(ImageJROIError) -> [UInt8]
  {
    var files: [(name: String, data: [UInt8])] = []
    for outline in outlines {
      files.append((outline.name + ".roi", try encode(outline.corners, name: outline.name)))
    }
    return StoredZip.archive(files)
  }

  /// Reads the polygons of a `.roi` file or a ROI Manager `.zip`.
  ///
  /// Reads polygon, freehand and traced ROIs (16-bit integer coordinates, or the
  /// floating-point ones when the sub-pixel option is set). Other shapes (rectangles,
  /// ovals, lines, points, composite shapes) are refused with their type.
  /// - Throws: ``ImageJROIError``.
  package static func decode(_ bytes: [UInt8]) throws(ImageJROIError) -> [Polygon] {
    if bytes.starts(with: StoredZip.localHeaderSignature) {
      let files = try StoredZip.entries(bytes).filter { $0.name.lowercased().hasSuffix(".roi") }
      if files.isEmpty { throw .emptySet }
      var polygons: [Polygon] = []
      for file in files { polygons.append(try decodeOne(file.data, fallbackName: file.name)) }
      return polygons
    }
    return [try decodeOne(bytes, fallbackName: "")]
  }

  static func decodeOne(_ data: [UInt8], fallbackName: String) throws(ImageJROIError) -> Polygon {
    let r = ByteReader(data)
    guard data.count >= headerSize, data.starts(with: Array("Iout".utf8)) else { throw .notAnROI }
    guard let kind = Kind(rawValue: r.u8(6)) else { throw .unsupportedType(r.u8(6)) }
    if r.u32(36) != 0 { throw .unsupportedType(r.u8(6)) }  // a composite shape
    let top = Int(Int16(bitPattern: r.u16(8)))
    let left = Int(Int16(bitPattern: r.u16(10)))
    var count = Int(r.u16(16))
    if count == 0 { count = Int(r.u32(18)) }
    let options = r.u16(50)
    guard count >= 3 else { throw .tooFewVertices(count) }
    let integerEnd = headerSize + 4 * count
    guard integerEnd <= data.count else { throw .truncated }
    var vertices: [Point] = []
    vertices.reserveCapacity(count)
    if options & subPixelResolution != 0 {
      guard integerEnd + 8 * count <= data.count else { throw .truncated }
      for i in 0..<count {
        vertices.append(
          Point(
            Double(Float(bitPattern: r.u32(integerEnd + 4 * i))),
            Double(Float(bitPattern: r.u32(integerEnd + 4 * count + 4 * i)))))
      }
    } else {
      for i in 0..<count {
        vertices.append(
          Point(
            Double(left + Int(Int16(bitPattern: r.u16(headerSize + 2 * i)))),
            Double(top + Int(Int16(bitPattern: r.u16(headerSize + 2 * count + 2 * i))))))
      }
    }
    var name = fallbackName.hasSuffix(".roi") ? String(fallbackName.dropLast(4)) : fallbackName
    let header2 = Int(r.u32(header2OffsetField))
    if header2 > 0, header2 + 24 <= data.count {
      let nameOffset = Int(r.u32(header2 + 16))
      let nameLength = Int(r.u32(header2 + 20))
      if nameOffset > 0, nameLength > 0, nameOffset + 2 * nameLength <= data.count {
        name = String(decoding: (0..<nameLength).map { r.u16(nameOffset + 2 * $0) }, as: UTF16.self)
      }
    }
    return Polygon(name: name, vertices: vertices, kind: kind)
  }
}

/// Why an ImageJ ROI could not be written or read.
package enum ImageJROIError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A polygon needs at least 3 vertices.
  case tooFewVertices(Int)
  /// A coordinate lies outside the format's 16-bit range 0...32767.
  case coordinatesOutOfRange(minimum: Int, maximum: Int)
  /// The bytes do not start with ImageJ's `Iout` magic nor a zip header.
  case notAnROI
  /// A ROI type other than polygon (0), freehand (7) or traced (8), or a composite shape.
  case unsupportedType(UInt8)
  /// The file ends before its coordinates do.
  case truncated
  /// A zip archive holding no `.roi` file.
  case emptySet
  /// A zip archive this reader cannot read: the reason.
  case unreadableZip(String)

  package var description: String {
    switch self {
    case .tooFewVertices(let n): return "an ImageJ polygon ROI needs at least 3 vertices, this one has \(n)"
    case .coordinatesOutOfRange(let lo, let hi):
      return "outline coordinates \(lo)...\(hi) lie outside ImageJ's ROI range 0...32767"
    case .notAnROI: return "not an ImageJ ROI (.roi) or ROI set (.zip)"
    case .unsupportedType(let type):
      return "ImageJ ROI type \(type) is not an outline (use a polygon, freehand or traced selection)"
    case .truncated: return "the ImageJ ROI ends before its coordinates do (truncated file)"
    case .emptySet: return "the zip archive holds no .roi file"
    case .unreadableZip(let reason): return "unreadable ROI set: \(reason)"
    }
  }
}

/// Big-endian writing, as ImageJ's ROI format is.
struct ByteWriter {
  var bytes: [UInt8] = []
  mutating func u8(_ v: UInt8) { bytes.append(v) }
  mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
  mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
  mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }
}

/// Big-endian reading at absolute offsets (callers check the bounds first).
struct ByteReader {
  let data: [UInt8]
  init(_ data: [UInt8]) { self.data = data }
  func u8(_ at: Int) -> UInt8 { at < data.count ? data[at] : 0 }
  func u16(_ at: Int) -> UInt16 { UInt16(u8(at)) << 8 | UInt16(u8(at + 1)) }
  func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) << 16 | UInt32(u16(at + 2)) }
}
