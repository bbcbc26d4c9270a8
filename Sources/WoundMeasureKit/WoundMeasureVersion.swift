/// The tool's version, recorded with every measurement. Defined here only.
package enum WoundMeasureVersion {
  /// Semantic version of the tool; a new version may change measured figures.
  package static let string = "0.1.0"
}
