import WoundCore

/// A rectangle of whole pixels of the photo as displayed: columns
/// `x ..< x + width`, rows `y ..< y + height` (half-open).
public struct PixelRect: Sendable, Equatable, Hashable, Codable {
  /// The leftmost column.
  public var x: Int
  /// The top row.
  public var y: Int
  /// Columns covered.
  public var width: Int
  /// Rows covered.
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// One past the rightmost column.
  public var maxX: Int { x + width }
  /// One past the bottom row.
  public var maxY: Int { y + height }
  /// Whether the rectangle covers no pixel.
  public var isEmpty: Bool { width <= 0 || height <= 0 }

  /// Whether pixel `(column, row)` lies inside.
  public func contains(column: Int, row: Int) -> Bool {
    column >= x && column < maxX && row >= y && row < maxY
  }

  /// The pixels inside both rectangles (empty, with zero size, when they do not overlap).
  public func intersection(_ other: PixelRect) -> PixelRect {
    let left = max(x, other.x)
    let top = max(y, other.y)
    let right = min(maxX, other.maxX)
    let bottom = min(maxY, other.maxY)
    return PixelRect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
  }

  /// The smallest rectangle covering both.
  public func union(_ other: PixelRect) -> PixelRect {
    let left = min(x, other.x)
    let top = min(y, other.y)
    return PixelRect(
      x: left, y: top, width: max(maxX, other.maxX) - left, height: max(maxY, other.maxY) - top)
  }
}

/// What the user told the segmentation about where the wound is.
public struct SegmentationHints: Sendable, Equatable {
  /// Only pixels inside this rectangle (displayed-photo pixels) can be wound;
  /// `nil` for the whole photo. The model still sees the whole photo.
  public var regionOfInterest: PixelRect?
  /// A point on the wound (displayed-photo pixels, pixel centres at integer
  /// coordinates). When given, only the region containing it, or else the
  /// region nearest to it, is kept.
  public var seed: Point?

  public init(regionOfInterest: PixelRect? = nil, seed: Point? = nil) {
    self.regionOfInterest = regionOfInterest
    self.seed = seed
  }

  /// No hints: every wound region found in the whole photo.
  public static let none = SegmentationHints()
}

/// One connected wound region of the full-resolution mask (8-connected).
public struct WoundRegion: Sendable, Equatable, Codable {
  /// Pixels in the region.
  public var areaPixels: Int
  /// The smallest rectangle holding every pixel of the region.
  public var boundingBox: PixelRect
  /// Mean of the region's pixel centres, in displayed-photo pixels.
  public var centroid: Point

  public init(areaPixels: Int, boundingBox: PixelRect, centroid: Point) {
    self.areaPixels = areaPixels
    self.boundingBox = boundingBox
    self.centroid = centroid
  }
}

/// The network's wound probabilities at working resolution.
///
/// Cell `(i, j)` is the average of the photo's pixels in columns
/// `i * photoPixelsPerCell ..< (i + 1) * photoPixelsPerCell` and the
/// matching rows (cut at the photo's edge); its centre lies at photo
/// coordinate `(i + 0.5) * photoPixelsPerCell - 0.5`.
public struct ProbabilityMap: Sendable, Equatable {
  /// Cells per row.
  public var width: Int
  /// Rows of cells.
  public var height: Int
  /// `width * height` probabilities in `[0, 1]`, row-major, top-left first,
  /// straight from the network (before the excluded polygons, the region of
  /// interest and the speck rule are applied).
  public var values: [Float]
  /// The side of one cell in photo pixels (the integer downscale factor).
  public var photoPixelsPerCell: Int

  public init(width: Int, height: Int, values: [Float], photoPixelsPerCell: Int) {
    precondition(values.count == width * height, "probability map size does not match \(width)x\(height)")
    self.width = width
    self.height = height
    self.values = values
    self.photoPixelsPerCell = photoPixelsPerCell
  }

  /// The probability of cell `(i, j)`; traps when out of bounds.
  public subscript(i: Int, j: Int) -> Float { values[j * width + i] }
}

/// What ``Segmenter/segment(image:excluding:hints:model:)`` found.
public struct SegmentationResult: Sendable {
  /// The wound at the photo's displayed size: 255 = wound, 0 = not wound.
  public var mask: Mask
  /// The connected regions of `mask`, largest first (ties: top, then left).
  public var regions: [WoundRegion]
  /// The network's output at working resolution.
  public var probabilities: ProbabilityMap

  public init(mask: Mask, regions: [WoundRegion], probabilities: ProbabilityMap) {
    self.mask = mask
    self.regions = regions
    self.probabilities = probabilities
  }

  /// Total wound pixels over all regions.
  public var areaPixels: Int { regions.reduce(0) { $0 + $1.areaPixels } }
}
