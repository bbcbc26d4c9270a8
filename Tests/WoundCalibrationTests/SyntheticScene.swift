import Foundation
import WoundCalibration
import WoundCore

/// A flat scene in millimetres: textured skin, a wound-coloured shape of known
/// area, and tag36h11 markers; photographed through a known pinhole camera.
struct SyntheticScene {
  /// A shape of known area on the plane, millimetres.
  enum Shape {
    case disc(centre: Point, radiusMm: Double)
    case ellipse(centre: Point, semiAxesMm: (Double, Double), angleRadians: Double)
    case polygon([Point])

    var areaMm2: Double {
      switch self {
      case .disc(_, let r): return Double.pi * r * r
      case .ellipse(_, let axes, _): return Double.pi * axes.0 * axes.1
      case .polygon(let p):
        var s = 0.0
        for i in 0..<p.count {
          let a = p[i], b = p[(i + 1) % p.count]
          s += a.x * b.y - b.x * a.y
        }
        return abs(s) / 2
      }
    }

    func contains(_ p: Point) -> Bool {
      switch self {
      case .disc(let c, let r):
        return (p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y) <= r * r
      case .ellipse(let c, let axes, let angle):
        let dx = p.x - c.x, dy = p.y - c.y
        let u = dx * cos(angle) + dy * sin(angle), v = -dx * sin(angle) + dy * cos(angle)
        return (u * u) / (axes.0 * axes.0) + (v * v) / (axes.1 * axes.1) <= 1
      case .polygon(let poly):
        var inside = false
        var j = poly.count - 1
        for i in 0..<poly.count {
          let a = poly[i], b = poly[j]
          if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
          j = i
        }
        return inside
      }
    }

    /// Bounding box (minX, minY, maxX, maxY) in mm.
    var bounds: (Double, Double, Double, Double) {
      switch self {
      case .disc(let c, let r): return (c.x - r, c.y - r, c.x + r, c.y + r)
      case .ellipse(let c, let axes, _):
        let r = max(axes.0, axes.1)
        return (c.x - r, c.y - r, c.x + r, c.y + r)
      case .polygon(let p):
        return (p.map(\.x).min()!, p.map(\.y).min()!, p.map(\.x).max()!, p.map(\.y).max()!)
      }
    }
  }

  /// A marker on the plane: its black square's top-left corner, size, and
  /// in-plane rotation (radians) about that corner.
  struct PlacedMarker {
    var id: Int
    var originMm: Point
    var sizeMm: Double
    var rotationRadians: Double = 0
    var modules: [[Bool]]
    /// `modules` flattened, row-major, 1 = black.
    let flat: [UInt8]
    let cosR: Double
    let sinR: Double

    init(id: Int, originMm: Point, sizeMm: Double, rotationRadians: Double = 0) {
      self.id = id
      self.originMm = originMm
      self.sizeMm = sizeMm
      self.rotationRadians = rotationRadians
      self.modules = try! MarkerSheet.modules(id: id)
      flat = modules.flatMap { $0.map { $0 ? 1 : 0 } }
      cosR = cos(rotationRadians)
      sinR = sin(rotationRadians)
    }

    /// Black-square corners in mm, clockwise from the tag's top-left.
    var cornersMm: [Point] {
      [Point(0, 0), Point(sizeMm, 0), Point(sizeMm, sizeMm), Point(0, sizeMm)].map(toPlane)
    }

    var centreMm: Point { toPlane(Point(sizeMm / 2, sizeMm / 2)) }

    func toPlane(_ p: Point) -> Point {
      let c = cos(rotationRadians), s = sin(rotationRadians)
      return Point(originMm.x + c * p.x - s * p.y, originMm.y + s * p.x + c * p.y)
    }

    /// Grey value (0 or 255) at a plane point, or nil outside the tag's white border.
    func value(at p: Point) -> UInt8? {
      let c = cosR, s = sinR
      let dx = p.x - originMm.x, dy = p.y - originMm.y
      let u = c * dx + s * dy, v = -s * dx + c * dy
      let module = sizeMm / 8
      let cu = u / module + 1, cv = v / module + 1
      guard cu >= 0, cv >= 0, cu < 10, cv < 10 else { return nil }
      return flat[Int(cv) * 10 + Int(cu)] == 1 ? 0 : 255
    }
  }

  var shape: Shape?
  var markers: [PlacedMarker]
  /// Colour of the shape.
  static let woundColour: (Double, Double, Double) = (165, 35, 50)

  /// Skin: a smooth texture, red minus green kept between 35 and 70.
  func skinColour(at p: Point) -> (Double, Double, Double) {
    let t = 10 * sin(p.x * 0.9) * sin(p.y * 0.7) + 6 * sin(p.x * 0.23 + p.y * 0.31)
    return (205 + t, 150 + 0.8 * t, 128 + 0.6 * t)
  }

  /// The object class at a plane point: 0 skin, 1 wound, 2 ink, 3 paper.
  @inline(__always)
  func objectClass(at p: Point) -> Int {
    for marker in markers {
      if let v = marker.value(at: p) { return v == 0 ? 2 : 3 }
    }
    if let shape, shape.contains(p) { return 1 }
    return 0
  }

  /// Photo pixels -> plane millimetres, with the matrix unpacked for speed.
  struct PlaneMap {
    let m0, m1, m2, m3, m4, m5, m6, m7, m8: Double
    init(_ h: Homography) {
      let m = h.m
      (m0, m1, m2, m3, m4, m5, m6, m7, m8) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
    }
    @inline(__always)
    func callAsFunction(_ px: Double, _ py: Double) -> Point {
      let w = m6 * px + m7 * py + m8
      return Point((m0 * px + m1 * py + m2) / w, (m3 * px + m4 * py + m5) / w)
    }
  }

  static let palette: [(Double, Double, Double)] = [(0, 0, 0), woundColour, (25, 25, 25), (235, 235, 235)]

  /// One pixel's colour, integrated over a `footprint`-wide square (a box
  /// blur wider than the pixel when `footprint > 1`): from its centre when the
  /// square's corners see the same object, else 4 x 4 supersampled.
  @inline(__always)
  func pixelColour(x: Int, y: Int, plane: PlaneMap, footprint: Double) -> (Double, Double, Double) {
    let fx = Double(x), fy = Double(y), h = footprint / 2
    let c0 = objectClass(at: plane(fx - h, fy - h))
    if c0 == objectClass(at: plane(fx + h, fy - h)) && c0 == objectClass(at: plane(fx - h, fy + h))
      && c0 == objectClass(at: plane(fx + h, fy + h))
    {
      return c0 == 0 ? skinColour(at: plane(fx, fy)) : Self.palette[c0]
    }
    var r = 0.0, g = 0.0, b = 0.0, skin = 0.0
    let step = footprint / 4
    for sy in 0..<4 {
      for sx in 0..<4 {
        let k = objectClass(at: plane(fx - h + step * (Double(sx) + 0.5), fy - h + step * (Double(sy) + 0.5)))
        if k == 0 {
          skin += 1
        } else {
          r += Self.palette[k].0
          g += Self.palette[k].1
          b += Self.palette[k].2
        }
      }
    }
    if skin > 0 {
      let c = skinColour(at: plane(fx, fy))
      r += skin * c.0
      g += skin * c.1
      b += skin * c.2
    }
    return (r / 16, g / 16, b / 16)
  }

  /// Renders the scene through `pixelsFromMm` into a `width x height` photo.
  ///
  /// Each pixel integrates the plane over a square `1 + blur` pixels wide
  /// (anti-aliasing plus a mild box blur), 4 x 4 supersampled on edges;
  /// blocks of 16 x 16 pixels whose footprint on the plane misses every
  /// object are plain skin. Uniform noise of +-`noise` grey levels comes from
  /// a fixed seed, so a render is deterministic.
  func render(width: Int, height: Int, pixelsFromMm: Homography, blur: Double = 0.5, noise: Int = 3, seed: UInt64 = 1)
    -> RGBImage
  {
    let plane = PlaneMap(pixelsFromMm.inverted()!)
    let footprint = 1 + blur
    // Plane bounding boxes of the objects (markers with their white border).
    var boxes: [(Double, Double, Double, Double)] = markers.map { marker in
      let pad = marker.sizeMm / 8 * 1.5
      let outline = [
        Point(-pad, -pad), Point(marker.sizeMm + pad, -pad),
        Point(marker.sizeMm + pad, marker.sizeMm + pad), Point(-pad, marker.sizeMm + pad),
      ]
      .map(marker.toPlane)
      return (outline.map(\.x).min()!, outline.map(\.y).min()!, outline.map(\.x).max()!, outline.map(\.y).max()!)
    }
    if let shape { boxes.append(shape.bounds) }
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    let span = UInt64(2 * noise + 1)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    pixels.withUnsafeMutableBufferPointer { out in
      let block = 16
      for by in stride(from: 0, to: height, by: block) {
        for bx in stride(from: 0, to: width, by: block) {
          let x1 = min(bx + block, width), y1 = min(by + block, height)
          // The block's footprint on the plane lies in the box of its mapped corners.
          let quad = [
            plane(Double(bx) - 2, Double(by) - 2), plane(Double(x1) + 1, Double(by) - 2),
            plane(Double(x1) + 1, Double(y1) + 1), plane(Double(bx) - 2, Double(y1) + 1),
          ]
          let qx0 = quad.map(\.x).min()!, qx1 = quad.map(\.x).max()!
          let qy0 = quad.map(\.y).min()!, qy1 = quad.map(\.y).max()!
          let touches = boxes.contains { $0.0 <= qx1 && $0.2 >= qx0 && $0.1 <= qy1 && $0.3 >= qy0 }
          for y in by..<y1 {
            for x in bx..<x1 {
              let c =
                touches
                ? pixelColour(x: x, y: y, plane: plane, footprint: footprint)
                : skinColour(at: plane(Double(x), Double(y)))
              let i = (y * width + x) * 3
              if noise > 0 {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                // Three noise values from one draw.
                let n0 = Double(Int(state % span) - noise)
                let n1 = Double(Int((state >> 16) % span) - noise)
                let n2 = Double(Int((state >> 32) % span) - noise)
                out[i] = UInt8(max(0, min(255, (c.0 + n0).rounded())))
                out[i + 1] = UInt8(max(0, min(255, (c.1 + n1).rounded())))
                out[i + 2] = UInt8(max(0, min(255, (c.2 + n2).rounded())))
              } else {
                out[i] = UInt8(max(0, min(255, c.0.rounded())))
                out[i + 1] = UInt8(max(0, min(255, c.1.rounded())))
                out[i + 2] = UInt8(max(0, min(255, c.2.rounded())))
              }
            }
          }
        }
      }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }
}

/// A pinhole camera looking at the plane: the plane point `centreMm` appears
/// at the image centre, `pixelsPerMm` there along the tilt axis, the plane is
/// rotated in-plane by `rotationDegrees` and tilted away by `tiltDegrees`
/// about the image's horizontal axis, seen from `distanceMm`.
struct Camera {
  var width: Int
  var height: Int
  var pixelsPerMm: Double
  var rotationDegrees: Double
  var tiltDegrees: Double
  var centreMm: Point
  var distanceMm: Double = 250

  /// Plane millimetres -> photo pixels.
  var pixelsFromMm: Homography {
    let theta = rotationDegrees * Double.pi / 180
    let tilt = tiltDegrees * Double.pi / 180
    let f = pixelsPerMm * distanceMm
    // Rotate in plane about the centre point.
    let rotate = Homography([
      cos(theta), -sin(theta), -(cos(theta) * centreMm.x - sin(theta) * centreMm.y),
      sin(theta), cos(theta), -(sin(theta) * centreMm.x + cos(theta) * centreMm.y),
      0, 0, 1,
    ])
    // Tilt about the x axis: (X, Y, Z) = (u, v cos t, D + v sin t).
    let tiltMap = Homography([1, 0, 0, 0, cos(tilt), 0, 0, sin(tilt), distanceMm])
    let project = Homography([f, 0, Double(width - 1) / 2, 0, f, Double(height - 1) / 2, 0, 0, 1])
    return project.composed(after: tiltMap.composed(after: rotate))
  }
}

/// The local scale (pixels per mm, area-preserving) of `pixelsFromMm` at a
/// plane point: `sqrt(|det J|)`.
func trueLocalScale(_ pixelsFromMm: Homography, at p: Point) -> Double {
  let m = pixelsFromMm.m
  let w = m[6] * p.x + m[7] * p.y + m[8]
  let u = (m[0] * p.x + m[1] * p.y + m[2]) / w
  let v = (m[3] * p.x + m[4] * p.y + m[5]) / w
  let a = (m[0] - u * m[6]) / w, b = (m[1] - u * m[7]) / w
  let c = (m[3] - v * m[6]) / w, d = (m[4] - v * m[7]) / w
  return abs(a * d - b * c).squareRoot()
}

/// Pixels whose colour is nearer the wound colour than the skin's (red minus
/// green above 90, blue below 100).
func woundMask(_ image: RGBImage) -> Mask {
  var mask = Mask(width: image.width, height: image.height)
  for i in 0..<(image.width * image.height) {
    let r = Int(image.pixels[3 * i]), g = Int(image.pixels[3 * i + 1]), b = Int(image.pixels[3 * i + 2])
    if r - g > 90 && b < 100 { mask.pixels[i] = 255 }
  }
  return mask
}
