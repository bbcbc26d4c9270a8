import WoundMeasureKit

/// The tool's version, defined once in WoundMeasureKit (it is recorded with every
/// measurement) and shown by `woundmeasure --version`.
typealias WoundMeasureVersion = WoundMeasureKit.WoundMeasureVersion
