import Testing
import WoundCore
import WoundMeasurement

@testable import WoundExport

/// A mask from rows of `#` (set) and `.` (unset).
func mask(_ rows: [String]) -> Mask {
  var m = Mask(width: rows[0].count, height: rows.count)
  for (y, row) in rows.enumerated() {
    for (x, c) in row.enumerated() where c == "#" { m.pixels[y * m.width + x] = 255 }
  }
  return m
}

@Suite struct RegionOutlineTests {
  static let shapes: [[String]] = [
    ["#"],
    ["....", ".##.", ".##.", "...."],
    ["#...", "##..", "###.", "####"],
    ["#.#", ".#.", "#.#"],  // one 8-connected region touching at corners only
    ["####", "#..#", "####"],  // a hole: the outline encloses it
    ["##..##", "##..##", "......", "..##.."],  // three regions
  ]

  @Test func anLShapesCornersAreItsTurns() {
    let outlines = RegionOutlines.outer(mask: mask(["#.", "##"]))
    #expect(outlines.count == 1)
    #expect(
      outlines[0].corners == [
        PixelCorner(x: 1, y: 0), PixelCorner(x: 1, y: 1), PixelCorner(x: 2, y: 1), PixelCorner(x: 2, y: 2),
        PixelCorner(x: 0, y: 2), PixelCorner(x: 0, y: 0),
      ])
  }

  @Test(arguments: shapes)
  func outlinesEncloseTheirPixelsAndDrawBackToTheMask(rows: [String]) {
    let m = mask(rows)
    let outlines = RegionOutlines.outer(mask: m)
    #expect(
      outlines.map(\.areaPixels) == PlaneGeometry.measure(mask: m, homography: .scaling(1)).regions.map(\.areaPixels))
    let polygons = outlines.map { $0.corners.map { Point(Double($0.x), Double($0.y)) } }
    let drawn = RegionOutlines.rasterize(polygons: polygons, width: m.width, height: m.height)
    if rows != ["####", "#..#", "####"] {
      for outline in outlines { #expect(outline.enclosedAreaPixels == outline.areaPixels) }
      #expect(drawn == m)
    } else {
      #expect(outlines[0].enclosedAreaPixels == 12)  // 10 pixels and a 2-pixel hole
      #expect(drawn.pixels.filter { $0 != 0 }.count == 12)
    }
  }
}

@Suite struct ImageJROITests {
  @Test func theHeaderFollowsImageJsLayout() throws {
    let corners = RegionOutlines.outer(mask: mask(["....", ".##.", ".#..", "...."]))[0].corners
    let bytes = try ImageJROI.encode(corners, name: "wound-1")
    let r = ByteReader(bytes)
    #expect(Array(bytes[0..<4]) == Array("Iout".utf8))
    #expect(r.u16(4) == 228)
    #expect(r.u8(6) == ImageJROI.Kind.traced.rawValue)
    #expect([r.u16(8), r.u16(10), r.u16(12), r.u16(14)] == [1, 1, 3, 3])  // top, left, bottom, right
    #expect(Int(r.u16(16)) == corners.count)
    let header2 = Int(r.u32(60))
    #expect(header2 == 64 + 4 * corners.count)
    #expect(Int(r.u32(header2 + 16)) == header2 + 64)  // name offset
    #expect(r.u32(header2 + 20) == 7)  // name length in UTF-16 units
    #expect(bytes.count == header2 + 64 + 14)
  }

  @Test func aROIReadsBackAsItsPolygon() throws {
    let corners = RegionOutlines.outer(mask: mask(["#...", "##..", "###.", "####"]))[0].corners
    let decoded = try ImageJROI.decode(try ImageJROI.encode(corners, name: "heel é"))
    #expect(decoded.count == 1)
    #expect(decoded[0].name == "heel é")
    #expect(decoded[0].kind == .traced)
    #expect(decoded[0].vertices.map { PixelCorner(x: Int($0.x), y: Int($0.y)) } == corners)
  }

  @Test func aSetIsAZipOfOneROIPerRegion() throws {
    let outlines = RegionOutlines.outer(mask: mask(["##..##", "##..##", "......", "..##.."]))
    let zip = try ImageJROI.encodeSet(outlines.enumerated().map { ("wound-\($0.offset + 1)", $0.element.corners) })
    let files = try StoredZip.entries(zip)
    #expect(files.map(\.name) == ["wound-1.roi", "wound-2.roi", "wound-3.roi"])
    let polygons = try ImageJROI.decode(zip)
    #expect(polygons.map(\.name) == ["wound-1", "wound-2", "wound-3"])
    #expect(polygons.map(\.vertices.count) == outlines.map(\.corners.count))
  }

  @Test func outOfRangeAndDegenerateOutlinesAreRefused() {
    #expect(throws: ImageJROIError.tooFewVertices(2)) {
      try ImageJROI.encode([PixelCorner(x: 0, y: 0), PixelCorner(x: 1, y: 0)], name: "x")
    }
    #expect(throws: ImageJROIError.coordinatesOutOfRange(minimum: 0, maximum: 40000)) {
      try ImageJROI.encode([PixelCorner(x: 0, y: 0), PixelCorner(x: 40000, y: 0), PixelCorner(x: 0, y: 5)], name: "x")
    }
    #expect(throws: ImageJROIError.notAnROI) { try ImageJROI.decode(Array("not a roi at all, just text".utf8)) }
    var oval = [UInt8](repeating: 0, count: 64)
    oval.replaceSubrange(0..<4, with: Array("Iout".utf8))
    oval[6] = 2
    #expect(throws: ImageJROIError.unsupportedType(2)) { try ImageJROI.decode(oval) }
    let corners = RegionOutlines.outer(mask: mask(["##", "##"]))[0].corners
    let full = try! ImageJROI.encode(corners, name: "n")
    #expect(throws: ImageJROIError.truncated) { try ImageJROI.decode(Array(full.prefix(70))) }
  }
}

@Suite struct ZipAndInflateTests {
  @Test func crc32OfTheCheckString() {
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
  }

  /// Raw deflate streams written by zlib 1.2 (`compressobj(9, DEFLATED, -15)`): fixed
  /// Huffman codes with back-references, and a stored block.
  @Test func inflateReadsZlibsStreams() {
    let fixed: [UInt8] = [75, 76, 74, 78, 132, 33, 0]
    #expect(Inflate.decompress(fixed, expectedSize: 12) == Array("abcabcabcabc".utf8))
    let stored: [UInt8] = [1, 7, 0, 248, 255, 115, 116, 111, 114, 101, 100, 33]
    #expect(Inflate.decompress(stored, expectedSize: 7) == Array("stored!".utf8))
    let text = String(repeating: "wound outline ", count: 20) + "granulation slough necrosis epithelium 0123456789 "
    let compressed: [UInt8] = [
      43, 207, 47, 205, 75, 81, 200, 47, 45, 201, 201, 204, 75, 85, 40, 31, 229, 65, 121, 233, 69, 137, 121, 165, 57,
      137, 37, 153, 249, 121, 10, 197, 57, 249, 165, 233, 25, 10, 121, 169, 201, 69, 249, 197, 153, 197, 10, 169, 5,
      153, 37, 25, 169, 57, 153, 165, 185, 10, 6, 134, 70, 198, 38, 166, 102, 230, 22, 150, 10, 0,
    ]
    #expect(Inflate.decompress(compressed, expectedSize: text.utf8.count) == Array(text.utf8))
    // More output than the entry declares, and a cut stream, are refused.
    #expect(Inflate.decompress(compressed, expectedSize: 100) == nil)
    #expect(Inflate.decompress(Array(compressed.prefix(30)), expectedSize: text.utf8.count) == nil)
  }
}
