import WoundCore

extension MaskRegions {
  /// The area of each region in the plane, in mm^2, in region order.
  ///
  /// Each run covers the rectangle `[start - 0.5, end - 0.5] x [y - 0.5, y + 0.5]`;
  /// its image under the homography is the quadrilateral through the mapped
  /// corners, whose shoelace area is exact. A region's runs are summed in raster order.
  func areasMm2(homography: Homography) -> [Double] {
    var areas = [Double](repeating: 0, count: regions.count)
    let h = homography.m
    @inline(__always) func map(_ x: Double, _ y: Double) -> (Double, Double) {
      let w = h[6] * x + h[7] * y + h[8]
      return ((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w)
    }
    for run in runs {
      let left = Double(run.start) - 0.5
      let right = Double(run.end - 1) + 0.5
      let top = Double(run.y) - 0.5
      let bottom = Double(run.y) + 0.5
      let a = map(left, top)
      let b = map(right, top)
      let c = map(right, bottom)
      let d = map(left, bottom)
      // Shoelace over a, b, c, d: half the cross product of the diagonals.
      let twiceArea = (c.0 - a.0) * (d.1 - b.1) - (d.0 - b.0) * (c.1 - a.1)
      areas[run.region] += abs(twiceArea) / 2
    }
    return areas
  }
}
