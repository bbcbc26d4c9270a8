import WoundCore

/// The checks a command makes on its output files before it does any work.
///
/// An output (`--overlay`, `--mask-out`, `--chart`, a marker file) must be a new name or an
/// existing regular file, and never one of the command's inputs (the photo, the mask, the
/// timeline; compared by device and inode) nor a timeline (a `*.json` file in the timeline
/// folder). See `docs/safety.md`.
package enum OutputTargets {
  /// The files the outputs of a command must not replace: its `inputs` (paths that are `nil`
  /// or do not exist are skipped) and the timelines in `timelineDirectory`.
  package static func protectedFiles(inputs: [String?], timelineDirectory: String?) -> SafeFile.ProtectedFiles {
    SafeFile.ProtectedFiles(inputs: inputs.compactMap { $0 }, timelineFolders: timelineDirectory.map { [$0] } ?? [])
  }

  /// Checks every output (`nil` entries are options not given) with
  /// ``SafeFile/checkOutput(_:protecting:)``.
  ///
  /// - Throws: the first refusal, a ``SafeFileError`` naming the output.
  package static func check(_ outputs: [String?], protecting protected: SafeFile.ProtectedFiles) throws(SafeFileError) {
    for output in outputs.compactMap({ $0 }) {
      try SafeFile.checkOutput(output, protecting: protected)
    }
  }
}
