import WoundCore

// CONTRACT (stub, to be implemented by the geometry stage). Signatures here
// are what the other stages call; keep them stable.

/// Measures of one connected wound region, in the marker's plane.
public struct RegionMeasures: Sendable, Equatable, Codable {
  public var areaMm2: Double
  public var perimeterMm: Double
  public var areaPixels: Int
  /// Bounding box in displayed-photo pixels, half-open: x, y, width, height.
  public var boundingBoxPixels: [Int]
  public init(areaMm2: Double, perimeterMm: Double, areaPixels: Int, boundingBoxPixels: [Int]) {
    self.areaMm2 = areaMm2
    self.perimeterMm = perimeterMm
    self.areaPixels = areaPixels
    self.boundingBoxPixels = boundingBoxPixels
  }
}

/// Measures of a whole wound mask, in the marker's plane.
public struct PlaneMeasures: Sendable, Equatable, Codable {
  public var areaMm2: Double
  public var perimeterMm: Double
  /// Maximum Feret diameter.
  public var lengthMm: Double
  /// Greatest extent perpendicular to the length.
  public var widthMm: Double
  public var regions: [RegionMeasures]
  public init(areaMm2: Double, perimeterMm: Double, lengthMm: Double, widthMm: Double, regions: [RegionMeasures]) {
    self.areaMm2 = areaMm2
    self.perimeterMm = perimeterMm
    self.lengthMm = lengthMm
    self.widthMm = widthMm
    self.regions = regions
  }
}

public enum PlaneGeometry {
  /// Measures `mask` (non-zero = wound; displayed-photo pixels, pixel centres
  /// at integer coordinates) through `homography` (pixels -> millimetres).
  public static func measure(mask: Mask, homography: Homography) -> PlaneMeasures {
    PlaneMeasures(areaMm2: 0, perimeterMm: 0, lengthMm: 0, widthMm: 0, regions: [])
  }

  /// Area in mm^2 of a simple polygon given in pixels, mapped through `homography`.
  public static func polygonAreaMm2(_ polygonPixels: [Point], homography: Homography) -> Double {
    0
  }
}
