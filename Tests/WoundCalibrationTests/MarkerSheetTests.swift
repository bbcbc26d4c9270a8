import Foundation
import Testing
import WoundCalibration
import WoundCore
import WoundImaging

@Suite("Printable markers")
struct MarkerSheetTests {
  /// The numbers in `attribute="..."` occurrences of an SVG.
  private func attributes(_ name: String, in svg: String) -> [String] {
    svg.components(separatedBy: " \(name)=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
  }

  @Test("the SVG states its true size in mm and draws a 20 mm black square", arguments: [20, 30])
  func svgPhysicalSize(id: Int) throws {
    let svg = try MarkerSheet.svg(id: id, sizeMm: Double(id))
    let width = try #require(attributes("width", in: svg).first)
    let height = try #require(attributes("height", in: svg).first)
    #expect(width.hasSuffix("mm") && height.hasSuffix("mm"))
    let widthMm = try #require(Double(width.dropLast(2)))
    let heightMm = try #require(Double(height.dropLast(2)))
    let viewBox = try #require(attributes("viewBox", in: svg).first).split(separator: " ").compactMap { Double($0) }
    #expect(viewBox == [0, 0, widthMm, heightMm])
    // The black modules' extent is the black square: 8 modules = id mm.
    let xs = attributes("x", in: svg).compactMap(Double.init)
    let ws = attributes("width", in: svg).dropFirst(2).compactMap(Double.init)
    let rectXs = Array(xs.dropFirst())  // the first x is the background's
    let left = try #require(rectXs.prefix(ws.count).min())
    let right = try #require(zip(rectXs, ws).map { $0 + $1 }.max())
    #expect(abs((right - left) - Double(id)) < 1e-6)
    #expect(svg.contains("ID \(id)"))
    #expect(svg.contains("print at 100 %, check that the black square measures \(id) mm"))
  }

  @Test("the PNG states its resolution in pHYs, has the true size, and decodes back to its ID")
  func pngRoundTrip() throws {
    let dpi = 300
    let raster = try MarkerSheet.raster(id: 20, sizeMm: 20, dotsPerInch: dpi)
    let ppm = MarkerSheet.pixelsPerMetre(dotsPerInch: dpi)
    #expect(ppm == 11811)
    let bytes = try ImageEncoder.encodePNG(raster, pixelsPerMetre: ppm)
    let phys = try #require(pHYs(bytes))
    #expect(phys.x == ppm && phys.y == ppm && phys.unit == 1)

    let decoded = try PhotoDecoder.decode(bytes: bytes, name: "marker.png")
    #expect(decoded.image.width == raster.width && decoded.image.height == raster.height)
    let calibration = try Calibrator.calibrate(image: decoded.image, request: .marker)
    #expect(calibration.marker?.id == 20)
    #expect(calibration.marker?.sizeMm == 20)
    // 20 mm at 300 dpi is 236.2 px; module edges are rounded to whole pixels.
    let pixelsPerMm = Double(dpi) / 25.4
    #expect(abs(calibration.pixelsPerMm / pixelsPerMm - 1) < 0.005)
    #expect(calibration.warnings.isEmpty)
  }

  @Test("IDs, sizes and resolutions outside the supported ranges are refused")
  func refusals() {
    #expect(throws: MarkerSheetError.invalidId(587)) { try MarkerSheet.svg(id: 587, sizeMm: 20) }
    #expect(throws: MarkerSheetError.invalidSize(1)) { try MarkerSheet.svg(id: 20, sizeMm: 1) }
    #expect(throws: MarkerSheetError.invalidResolution(10)) {
      try MarkerSheet.raster(id: 20, sizeMm: 20, dotsPerInch: 10)
    }
  }

  @Test("the module pattern has a white border ring and a black border ring")
  func modules() throws {
    let grid = try MarkerSheet.modules(id: 20)
    #expect(grid.count == 10 && grid.allSatisfy { $0.count == 10 })
    for i in 0..<10 {
      #expect(!grid[0][i] && !grid[9][i] && !grid[i][0] && !grid[i][9])
    }
    for i in 1..<9 {
      #expect(grid[1][i] && grid[8][i] && grid[i][1] && grid[i][8])
    }
    #expect(try MarkerSheet.modules(id: 20) != MarkerSheet.modules(id: 30))
  }
}

/// The pHYs chunk of a PNG: pixels per unit in x and y, and the unit (1 = metre).
private func pHYs(_ png: [UInt8]) -> (x: Int, y: Int, unit: Int)? {
  func be32(_ i: Int) -> Int { png[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
  var offset = 8
  while offset + 8 <= png.count {
    let length = be32(offset)
    let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
    if type == "pHYs" { return (be32(offset + 8), be32(offset + 12), Int(png[offset + 16])) }
    offset += 12 + length
  }
  return nil
}
