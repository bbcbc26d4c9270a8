import WoundCore

/// What the user told the segmentation about where the wound is.
package struct SegmentationHints: Sendable, Equatable {
  /// Only pixels inside this rectangle (displayed-photo pixels) can be wound;
  /// `nil` for the whole photo. The model still sees the whole photo.
  package var regionOfInterest: PixelRect?
  /// A point on the wound (displayed-photo pixels, pixel centres at integer
  /// coordinates). When given, only the region containing it, or else the
  /// region nearest to it, is kept.
  package var seed: Point?

  package init(regionOfInterest: PixelRect? = nil, seed: Point? = nil) {
    self.regionOfInterest = regionOfInterest
    self.seed = seed
  }

  /// No hints: every wound region found in the whole photo.
  package static let none = SegmentationHints()
}

/// One connected wound region of the full-resolution mask (8-connected): its
/// pixel count, bounding box and centroid, in displayed-photo pixels.
package typealias WoundRegion = MaskRegions.Region

/// The network's wound probabilities at working resolution.
///
/// Cell `(i, j)` is the average of the photo's pixels in columns
/// `i * photoPixelsPerCell ..< (i + 1) * photoPixelsPerCell` and the
/// matching rows (cut at the photo's edge); its centre lies at photo
/// coordinate `(i + 0.5) * photoPixelsPerCell - 0.5`.
package struct ProbabilityMap: Sendable, Equatable {
  /// Cells per row.
  package var width: Int
  /// Rows of cells.
  package var height: Int
  /// `width * height` probabilities in `[0, 1]`, row-major, top-left first,
  /// straight from the network (before the excluded polygons, the region of
  /// interest and the speck rule are applied).
  package var values: [Float]
  /// The side of one cell in photo pixels (the integer downscale factor).
  package var photoPixelsPerCell: Int

  package init(width: Int, height: Int, values: [Float], photoPixelsPerCell: Int) {
    precondition(values.count == width * height, "probability map size does not match \(width)x\(height)")
    self.width = width
    self.height = height
    self.values = values
    self.photoPixelsPerCell = photoPixelsPerCell
  }

  /// The probability of cell `(i, j)`; traps when out of bounds.
  package subscript(i: Int, j: Int) -> Float { values[j * width + i] }
}

/// What ``Segmenter/segment(image:excluding:hints:model:threads:)`` found.
package struct SegmentationResult: Sendable {
  /// The wound at the photo's displayed size, kept over its box: 255 = wound, 0 = not wound.
  package var wound: BoxMask
  /// ``wound`` as a photo-sized mask, made on each read (for tests and evaluations).
  package var mask: Mask { wound.photoSized }
  /// The connected regions of `wound`, largest first (ties: top, then left).
  package var regions: [WoundRegion]
  /// The same regions with their runs, in raster order: the labelling of `wound`,
  /// for the stages after segmentation to measure without labelling it again.
  package var labelled: MaskRegions
  /// The network's output at working resolution.
  package var probabilities: ProbabilityMap
  /// The tissue model's probabilities over each fine-pass crop, when it was
  /// run there (``FinePassTissue``); `nil` otherwise.
  package var tissueCrops: [TissueCrop]?

  package init(
    wound: BoxMask, regions: [WoundRegion], labelled: MaskRegions, probabilities: ProbabilityMap,
    tissueCrops: [TissueCrop]? = nil
  ) {
    self.wound = wound
    self.regions = regions
    self.labelled = labelled
    self.probabilities = probabilities
    self.tissueCrops = tissueCrops
  }

  /// Total wound pixels over all regions.
  package var areaPixels: Int { regions.reduce(0) { $0 + $1.areaPixels } }
}
