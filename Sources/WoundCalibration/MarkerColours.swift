import WoundCore

/// The marker's printed white and black as they appear in the photo: the reference
/// the tissue classifier normalises colours by.
package struct MarkerColours: Sendable, Equatable {
  /// Mean RGB of the marker's white border ring.
  package var white: [Double]
  /// Mean RGB of the ring just inside the black square's edge.
  package var black: [Double]

  package init(white: [Double], black: [Double]) {
    self.white = white
    self.black = black
  }
}

/// Reading a detected marker's rings from the photo.
///
/// A tag36h11 marker is 10 x 10 modules: a 1-module white border around the
/// 8-module black square, whose own outer module ring is black
/// (`docs/calibration.md`). Positions on the marker are written in modules with
/// the black square at `[0, 8] x [0, 8]`, mapped to pixels through the
/// homography that takes that square to the detected corners.
enum MarkerSampling {
  /// The map from marker modules (black square at `[0, 8]^2`) to displayed pixels, or `nil`
  /// for a degenerate quad.
  static func pixelsFromModules(corners: [Point]) -> Homography? {
    guard corners.count == 4 else { return nil }
    let s = MarkerGeometry.modulesPerBlackSquare
    return Homography.fromCorrespondences([Point(0, 0), Point(s, 0), Point(s, s), Point(0, s)], corners)
  }

  /// Mean RGB of the white border ring and of the black square's border ring.
  ///
  /// Samples the middle half of each ring (modules `-0.75...-0.25` and `0.25...0.75` from
  /// the black square's edge, and the same on the far sides) on a grid of 1/8 module, at the
  /// nearest pixel, so that blur at the ring edges does not leak in. Returns `nil` when the
  /// corners are degenerate or fewer than 16 samples of either ring fall inside the photo.
  static func colours(image: RGBImage, corners: [Point]) -> MarkerColours? {
    guard let map = pixelsFromModules(corners: corners) else { return nil }
    let step = 0.125
    var white = [Double](repeating: 0, count: 3)
    var black = [Double](repeating: 0, count: 3)
    var whiteCount = 0
    var blackCount = 0
    func inBand(_ t: Double, _ low: Double, _ high: Double) -> Bool { t >= low && t <= high }
    let steps = Int(((MarkerGeometry.modulesPerBlackSquare + 2) / step).rounded())
    for j in 0...steps {
      let v = -1 + Double(j) * step
      for i in 0...steps {
        let u = -1 + Double(i) * step
        // White ring: inside [-0.75, 8.75]^2 and outside [-0.25, 8.25]^2.
        let inOuter = inBand(u, -0.75, 8.75) && inBand(v, -0.75, 8.75)
        let inInner = inBand(u, -0.25, 8.25) && inBand(v, -0.25, 8.25)
        let isWhite = inOuter && !inInner
        // Black ring: inside [0.25, 7.75]^2 and outside [0.75, 7.25]^2.
        let inBlackOuter = inBand(u, 0.25, 7.75) && inBand(v, 0.25, 7.75)
        let inBlackInner = inBand(u, 0.75, 7.25) && inBand(v, 0.75, 7.25)
        let isBlack = inBlackOuter && !inBlackInner
        guard isWhite || isBlack else { continue }
        let p = map.apply(Point(u, v))
        guard p.x.isFinite, p.y.isFinite else { continue }
        let x = Int(p.x.rounded())
        let y = Int(p.y.rounded())
        guard x >= 0, y >= 0, x < image.width, y < image.height else { continue }
        let px = image[x, y]
        if isWhite {
          white[0] += Double(px.r)
          white[1] += Double(px.g)
          white[2] += Double(px.b)
          whiteCount += 1
        } else {
          black[0] += Double(px.r)
          black[1] += Double(px.g)
          black[2] += Double(px.b)
          blackCount += 1
        }
      }
    }
    guard whiteCount >= 16, blackCount >= 16 else { return nil }
    return MarkerColours(white: white.map { $0 / Double(whiteCount) }, black: black.map { $0 / Double(blackCount) })
  }

  /// The outline of a detected marker including its white border and `marginModules` of
  /// margin, as a quad in displayed pixels, from its corners alone (its size need not be
  /// known); `nil` for a degenerate quad.
  static func outline(corners: [Point], marginModules: Double = 0.25) -> [Point]? {
    guard let map = pixelsFromModules(corners: corners) else { return nil }
    let pad = 1 + marginModules
    let s = MarkerGeometry.modulesPerBlackSquare
    return [Point(-pad, -pad), Point(s + pad, -pad), Point(s + pad, s + pad), Point(-pad, s + pad)].map {
      map.apply($0)
    }
  }
}

extension Calibration {
  /// The polygons no wound can lie in: the chosen marker's outline and every other
  /// detected marker's, each with its white border and a quarter module of margin, in
  /// displayed pixels. Empty for an explicit scale or a ruler.
  ///
  /// Segmentation excludes these pixels; the overlay draws them.
  package var exclusionPolygons: [[Point]] {
    var polygons: [[Point]] = []
    if let marker { polygons.append(marker.outlinePixels) }
    for other in markers where other.corners != marker?.corners {
      if let outline = MarkerSampling.outline(corners: other.corners) { polygons.append(outline) }
    }
    return polygons
  }

  /// The chosen marker's printed white and black as they appear in `image`: the colour
  /// reference for the tissue classes.
  ///
  /// - Returns: `nil` for an explicit scale or a ruler, and when too little of the marker's
  ///   rings lies inside the photo.
  package func markerColours(in image: RGBImage) -> MarkerColours? {
    guard let marker else { return nil }
    return MarkerSampling.colours(image: image, corners: marker.corners)
  }
}
