import WoundCore

/// Measures of one connected wound region, in the marker's plane.
///
/// A region is an 8-connected component of the mask.
package struct RegionMeasures: Sendable, Equatable, Codable {
  /// Area of the union of the region's pixel squares mapped into the plane, in mm^2.
  package var areaMm2: Double
  /// Length of the region's smoothed outer boundary in the plane, in mm (holes
  /// not counted).
  package var perimeterMm: Double
  /// Number of mask pixels in the region.
  package var areaPixels: Int
  /// The smallest rectangle of displayed-photo pixels holding the region (half-open).
  package var boundingBox: PixelRect
  /// Maximum Feret diameter of this region alone, in mm.
  package var lengthMm: Double
  /// Extent of this region perpendicular to its own length, in mm.
  package var widthMm: Double
  package init(
    areaMm2: Double, perimeterMm: Double, areaPixels: Int, boundingBox: PixelRect, lengthMm: Double = 0,
    widthMm: Double = 0
  ) {
    self.areaMm2 = areaMm2
    self.perimeterMm = perimeterMm
    self.areaPixels = areaPixels
    self.boundingBox = boundingBox
    self.lengthMm = lengthMm
    self.widthMm = widthMm
  }
}

/// Measures of a whole wound mask, in the marker's plane.
///
/// Area and perimeter are sums over the regions. Length and width are taken
/// over all regions together, as a ruler laid across the whole wound would.
package struct PlaneMeasures: Sendable, Equatable, Codable {
  /// Total area of all regions, in mm^2.
  package var areaMm2: Double
  /// Sum of the regions' outer perimeters, in mm.
  package var perimeterMm: Double
  /// Maximum Feret diameter, in mm.
  package var lengthMm: Double
  /// Greatest extent perpendicular to the length, in mm.
  package var widthMm: Double
  /// The 8-connected regions, in raster order of their first pixel.
  package var regions: [RegionMeasures]
  package init(areaMm2: Double, perimeterMm: Double, lengthMm: Double, widthMm: Double, regions: [RegionMeasures]) {
    self.areaMm2 = areaMm2
    self.perimeterMm = perimeterMm
    self.lengthMm = lengthMm
    self.widthMm = widthMm
    self.regions = regions
  }

  /// Number of mask pixels over all regions.
  package var areaPixels: Int { regions.reduce(0) { $0 + $1.areaPixels } }

  /// Length times width, in mm^2: the rectangle a ruler measurement reports.
  ///
  /// Overestimates the true area of most wounds (by about 27 % for an ellipse).
  package var lengthTimesWidthMm2: Double { lengthMm * widthMm }

  /// The ellipse estimate `length x width x pi / 4`, in mm^2.
  ///
  /// The usual correction of ruler measurements for roughly elliptical wounds.
  package var ellipseAreaMm2: Double { lengthMm * widthMm * Double.pi / 4 }
}

/// Geometry of wound masks in the marker's plane.
///
/// Conventions: the mask is in displayed-photo pixels; each pixel is a unit
/// square centred on its integer coordinates; the homography maps those
/// pixel coordinates to millimetres on the marker's plane. See
/// `docs/measures.md` for the algorithms and their measured accuracy.
package enum PlaneGeometry {
  /// Measures `mask` (non-zero = wound; displayed-photo pixels, pixel centres
  /// at integer coordinates) through `homography` (pixels -> millimetres).
  ///
  /// - Area: the exact area of the union of the pixel squares mapped through
  ///   the homography. Each horizontal run of pixels is one rectangle, and a
  ///   homography maps a rectangle to a quadrilateral, so summing the mapped
  ///   quadrilaterals is exact.
  /// - Regions: 8-connected components, labelled run by run.
  /// - Perimeter: each region's outer boundary only (holes are not counted,
  ///   as in ImageJ), traced through the midpoints of its boundary pixel
  ///   edges (marching squares on pixel centres), smoothed to remove the
  ///   staircase bias, mapped to millimetres and summed.
  /// - Length and width: maximum Feret diameter by rotating calipers on the
  ///   convex hull of the mapped smoothed boundaries of all regions; width is the
  ///   extent of the hull perpendicular to that diameter. Each region also gets its
  ///   own length and width, from its own hull.
  ///
  /// An empty mask gives all zeros and no regions.
  package static func measure(mask: Mask, homography: Homography) -> PlaneMeasures {
    let regions = MaskRegions(mask: mask)
    return measure(mask: BoxMask(regions: regions), regions: regions, homography: homography)
  }

  /// ``measure(mask:homography:)`` with the mask's regions already found (by the
  /// segmentation, for instance), so that the mask is not labelled again.
  ///
  /// - Precondition: `regions` are the regions of `mask`, in raster order.
  package static func measure(mask: BoxMask, regions labelled: MaskRegions, homography: Homography) -> PlaneMeasures {
    var regions: [RegionMeasures] = []
    var allBoundaryMm: [Point] = []
    regions.reserveCapacity(labelled.regions.count)
    let areasMm2 = labelled.areasMm2(homography: homography)
    for (index, region) in labelled.regions.enumerated() {
      let areaMm2 = areasMm2[index]
      let start = region.firstPixel
      let contourPixels = BoundaryTracing.outerContour(mask: mask, startX: start.x, startY: start.y)
      let smoothedPixels = BoundaryTracing.smoothed(contourPixels)
      let smoothedMm = smoothedPixels.map { homography.apply($0) }
      let perimeterMm = closedLength(smoothedMm)
      allBoundaryMm.append(contentsOf: smoothedMm)
      let (regionLengthMm, regionWidthMm) = ConvexHull.feretLengthAndWidth(ConvexHull.of(smoothedMm))
      regions.append(
        RegionMeasures(
          areaMm2: areaMm2, perimeterMm: perimeterMm, areaPixels: region.areaPixels,
          boundingBox: region.boundingBox, lengthMm: regionLengthMm, widthMm: regionWidthMm))
    }
    let hull = ConvexHull.of(allBoundaryMm)
    let (lengthMm, widthMm) = ConvexHull.feretLengthAndWidth(hull)
    return PlaneMeasures(
      areaMm2: regions.reduce(0) { $0 + $1.areaMm2 },
      perimeterMm: regions.reduce(0) { $0 + $1.perimeterMm },
      lengthMm: lengthMm, widthMm: widthMm, regions: regions)
  }

  /// The area in mm^2 of every region together: what ``measure(mask:homography:)``
  /// reports as `areaMm2`, without tracing outlines.
  package static func areaMm2(of regions: MaskRegions, homography: Homography) -> Double {
    regions.areasMm2(homography: homography).reduce(0, +)
  }

  /// Area in mm^2 of a simple polygon given in pixels, mapped through `homography`.
  ///
  /// A homography maps straight edges to straight edges, so mapping the
  /// vertices and applying the shoelace formula is exact. The result is
  /// non-negative whatever the vertex order.
  package static func polygonAreaMm2(_ polygonPixels: [Point], homography: Homography) -> Double {
    abs(signedArea(polygonPixels.map { homography.apply($0) }))
  }

  /// Signed shoelace area of a closed polygon (positive when counter-clockwise
  /// in a y-up frame).
  static func signedArea(_ polygon: [Point]) -> Double {
    guard polygon.count >= 3 else { return 0 }
    var twiceArea = 0.0
    var previous = polygon[polygon.count - 1]
    for p in polygon {
      twiceArea += previous.x * p.y - p.x * previous.y
      previous = p
    }
    return twiceArea / 2
  }

  /// Length of a closed polygon (the last vertex joins the first).
  static func closedLength(_ polygon: [Point]) -> Double {
    guard polygon.count >= 2 else { return 0 }
    var length = 0.0
    var previous = polygon[polygon.count - 1]
    for p in polygon {
      length += ((p.x - previous.x) * (p.x - previous.x) + (p.y - previous.y) * (p.y - previous.y)).squareRoot()
      previous = p
    }
    return length
  }
}
