import FoundationEssentials
import WoundCore

extension TimelineEntry {
  /// A complete, plausible entry for tests, examples and stress runs (test hook).
  ///
  /// Every optional field is set. `index` varies the photo hash and the
  /// figures so that entries differ.
  package static func _example(
    index: Int, woundSite: String = "left-heel", takenAt: Date = Date(timeIntervalSince1970: 1_773_000_000),
    areaCm2: Double = 4.25, perimeterCm: Double = 8.5, tag: String = "example"
  ) -> TimelineEntry {
    // A distinct photo hash per (tag, index): FNV-1a of both, repeated to 64 hex digits.
    var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in "\(tag)/\(index)".utf8 {
      fnv = (fnv ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    let photoHash = String(repeating: cFormat("%016llx", fnv), count: 4)
    return TimelineEntry(
      takenAt: takenAt, takenAtSource: .exif, measuredAt: takenAt.addingTimeInterval(3600), woundSite: woundSite,
      photo: Photo(path: "photos/\(tag)/\(index).jpg", byteSize: 2_400_000 + index, sha256: photoHash),
      tool: Tool(
        version: "0.1.0", segmentationModelSha256: String(repeating: "ab", count: 32),
        tissueModelSha256: String(repeating: "cd", count: 32)),
      settings: Settings(
        calibration: CalibrationSettings(method: .marker, markerSizeOverrideMm: 20),
        markerId: 20, markerSizeMm: 20,
        markerCornersPixels: [[100.5, 200.25], [300.5, 201], [299.75, 400.5], [99.5, 399.5]],
        maskSha256: String(repeating: "cd", count: 32), maskPath: "masks/\(index).png",
        roiPixels: [10, 20, 1000, 800], seedPixels: [512, 384], maxPixels: 100_000_000,
        other: ["stress-tag": tag]),
      results: Results(
        areaCm2: areaCm2, perimeterCm: perimeterCm, lengthCm: 3.1, widthCm: 1.9, lengthTimesWidthCm2: 5.89,
        ellipseAreaCm2: 4.626, regionCount: 1,
        regions: [
          Region(
            areaCm2: areaCm2, perimeterCm: perimeterCm, areaPixels: 425_000, boundingBoxPixels: [400, 300, 310, 190])
        ],
        tissue: TissueShares(granulation: 0.6, slough: 0.25, necrosis: 0.05, epithelium: 0.1),
        tissueMethods: TissueMethods(
          granulation: .model, slough: .model, necrosis: .colourRule, epithelium: .colourRule,
          colourRuleShare: 0.15),
        openAreaCm2: areaCm2 * 0.9, pixelsPerMm: 10,
        calibrationQuality: CalibrationQuality(
          decisionMargin: 85.5, hammingDistance: 0, markerSizePixels: 200, sideRatio: 0.97, tiltDegrees: 12.5)),
      warnings: ["example warning \(index)"])
  }
}
