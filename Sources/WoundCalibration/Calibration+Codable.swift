import WoundCore

/// JSON form of a calibration (the contract's field names). The homography is
/// written as 9 numbers, row-major, rather than as `{"m": [...]}`; absent
/// optional figures are left out.
extension Calibration {
  enum CodingKeys: String, CodingKey {
    case method, markerId, markerSizeMm, corners, homography, pixelsPerMm, decisionMargin
    case hammingDistance, markerSizePixels, sideRatio, tiltDegrees, warnings, markerOutlinePixels
    case markers, ruler
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let matrix = try c.decode([Double].self, forKey: .homography)
    guard matrix.count == 9 else {
      throw DecodingError.dataCorruptedError(
        forKey: .homography, in: c, debugDescription: "a homography has 9 numbers, not \(matrix.count)")
    }
    self.init(
      method: try c.decode(CalibrationMethod.self, forKey: .method),
      markerId: try c.decodeIfPresent(Int.self, forKey: .markerId),
      markerSizeMm: try c.decodeIfPresent(Double.self, forKey: .markerSizeMm),
      corners: try c.decodeIfPresent([[Double]].self, forKey: .corners).map { pairs throws in
        try Self.points(pairs, forKey: .corners, in: c)
      },
      homography: Homography(matrix),
      pixelsPerMm: try c.decode(Double.self, forKey: .pixelsPerMm),
      decisionMargin: try c.decodeIfPresent(Double.self, forKey: .decisionMargin),
      hammingDistance: try c.decodeIfPresent(Int.self, forKey: .hammingDistance),
      markerSizePixels: try c.decodeIfPresent(Double.self, forKey: .markerSizePixels),
      sideRatio: try c.decodeIfPresent(Double.self, forKey: .sideRatio),
      tiltDegrees: try c.decodeIfPresent(Double.self, forKey: .tiltDegrees),
      warnings: (try c.decodeIfPresent([String].self, forKey: .warnings) ?? []).map { Warning(.recorded, $0) },
      markerOutlinePixels: try c.decodeIfPresent([[Double]].self, forKey: .markerOutlinePixels).map { pairs throws in
        try Self.points(pairs, forKey: .markerOutlinePixels, in: c)
      },
      markers: try c.decodeIfPresent([DetectedMarker].self, forKey: .markers) ?? [],
      ruler: try c.decodeIfPresent(RulerMeasurement.self, forKey: .ruler))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(method, forKey: .method)
    try c.encodeIfPresent(markerId, forKey: .markerId)
    try c.encodeIfPresent(markerSizeMm, forKey: .markerSizeMm)
    try c.encodeIfPresent(corners?.map(\.coordinates), forKey: .corners)
    try c.encode(homography.m, forKey: .homography)
    try c.encode(pixelsPerMm, forKey: .pixelsPerMm)
    try c.encodeIfPresent(decisionMargin, forKey: .decisionMargin)
    try c.encodeIfPresent(hammingDistance, forKey: .hammingDistance)
    try c.encodeIfPresent(markerSizePixels, forKey: .markerSizePixels)
    try c.encodeIfPresent(sideRatio, forKey: .sideRatio)
    try c.encodeIfPresent(tiltDegrees, forKey: .tiltDegrees)
    try c.encode(warnings.map(\.message), forKey: .warnings)
    try c.encodeIfPresent(markerOutlinePixels?.map(\.coordinates), forKey: .markerOutlinePixels)
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

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try c.decode(Int.self, forKey: .id),
      sizeMm: try c.decodeIfPresent(Double.self, forKey: .sizeMm),
      corners: try Calibration.points(c.decode([[Double]].self, forKey: .corners), forKey: .corners, in: c),
      decisionMargin: try c.decode(Double.self, forKey: .decisionMargin),
      hammingDistance: try c.decode(Int.self, forKey: .hammingDistance))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encodeIfPresent(sizeMm, forKey: .sizeMm)
    try c.encode(corners.map(\.coordinates), forKey: .corners)
    try c.encode(decisionMargin, forKey: .decisionMargin)
    try c.encode(hammingDistance, forKey: .hammingDistance)
  }
}
