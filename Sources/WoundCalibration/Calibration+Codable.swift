import WoundCore

/// JSON form of a calibration (the contract's field names). The homography is
/// written as 9 numbers, row-major, rather than as `{"m": [...]}`; the chosen
/// marker's figures (or the ruler) are flat fields beside `method`, left out for
/// the other methods.
extension Calibration {
  enum CodingKeys: String, CodingKey {
    case method, markerId, markerSizeMm, corners, homography, pixelsPerMm, decisionMargin
    case hammingDistance, markerSizePixels, sideRatio, tiltDegrees, warnings, markerOutlinePixels
    case markers, ruler
  }

  package init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let matrix = try c.decode([Double].self, forKey: .homography)
    guard matrix.count == 9 else {
      throw DecodingError.dataCorruptedError(
        forKey: .homography, in: c, debugDescription: "a homography has 9 numbers, not \(matrix.count)")
    }
    let source: Source
    switch try c.decode(CalibrationMethod.self, forKey: .method) {
    case .marker:
      source = .marker(
        MarkerScale(
          id: try c.decode(Int.self, forKey: .markerId),
          sizeMm: try c.decode(Double.self, forKey: .markerSizeMm),
          corners: try Self.points(c.decode([[Double]].self, forKey: .corners), forKey: .corners, in: c),
          decisionMargin: try c.decode(Double.self, forKey: .decisionMargin),
          hammingDistance: try c.decode(Int.self, forKey: .hammingDistance),
          sizePixels: try c.decode(Double.self, forKey: .markerSizePixels),
          sideRatio: try c.decode(Double.self, forKey: .sideRatio),
          tiltDegrees: try c.decode(Double.self, forKey: .tiltDegrees),
          outlinePixels: try Self.points(
            c.decode([[Double]].self, forKey: .markerOutlinePixels), forKey: .markerOutlinePixels, in: c)))
    case .scale:
      source = .scale
    case .ruler:
      source = .ruler(try c.decode(RulerMeasurement.self, forKey: .ruler))
    }
    self.init(
      source: source, homography: Homography(matrix), pixelsPerMm: try c.decode(Double.self, forKey: .pixelsPerMm),
      warnings: (try c.decodeIfPresent([String].self, forKey: .warnings) ?? []).map { Warning(.recorded, $0) },
      markers: try c.decodeIfPresent([DetectedMarker].self, forKey: .markers) ?? [])
  }

  package func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(method, forKey: .method)
    try c.encodeIfPresent(marker?.id, forKey: .markerId)
    try c.encodeIfPresent(marker?.sizeMm, forKey: .markerSizeMm)
    try c.encodeIfPresent(marker?.corners.map(\.coordinates), forKey: .corners)
    try c.encode(homography.m, forKey: .homography)
    try c.encode(pixelsPerMm, forKey: .pixelsPerMm)
    try c.encodeIfPresent(marker?.decisionMargin, forKey: .decisionMargin)
    try c.encodeIfPresent(marker?.hammingDistance, forKey: .hammingDistance)
    try c.encodeIfPresent(marker?.sizePixels, forKey: .markerSizePixels)
    try c.encodeIfPresent(marker?.sideRatio, forKey: .sideRatio)
    try c.encodeIfPresent(marker?.tiltDegrees, forKey: .tiltDegrees)
    try c.encode(warnings.map(\.message), forKey: .warnings)
    try c.encodeIfPresent(marker?.outlinePixels.map(\.coordinates), forKey: .markerOutlinePixels)
    try c.encode(markers, forKey: .markers)
    try c.encodeIfPresent(ruler, forKey: .ruler)
  }

  /// Points written `[[x, y], ...]`; refuses any pair of another length.
  static func points<Key: CodingKey>(_ pairs: [[Double]], forKey key: Key, in c: KeyedDecodingContainer<Key>) throws
    -> [Point]
  {
    try pairs.map { pair in
      guard let point = Point(coordinates: pair) else {
        throw DecodingError.dataCorruptedError(
          forKey: key, in: c, debugDescription: "a point is written [x, y], not \(pair)")
      }
      return point
    }
  }
}

/// JSON form of a detected marker: the corners as `[[x, y]] x 4`.
extension DetectedMarker {
  enum CodingKeys: String, CodingKey {
    case id, sizeMm, corners, decisionMargin, hammingDistance
  }

  package init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try c.decode(Int.self, forKey: .id),
      sizeMm: try c.decodeIfPresent(Double.self, forKey: .sizeMm),
      corners: try Calibration.points(c.decode([[Double]].self, forKey: .corners), forKey: .corners, in: c),
      decisionMargin: try c.decode(Double.self, forKey: .decisionMargin),
      hammingDistance: try c.decode(Int.self, forKey: .hammingDistance))
  }

  package func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encodeIfPresent(sizeMm, forKey: .sizeMm)
    try c.encode(corners.map(\.coordinates), forKey: .corners)
    try c.encode(decisionMargin, forKey: .decisionMargin)
    try c.encode(hammingDistance, forKey: .hammingDistance)
  }
}
