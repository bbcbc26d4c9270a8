import FoundationEssentials
import WoundCore
import WoundExport
import WoundMeasurement

/// Why a wound outline could not be written as an ImageJ ROI.
package enum OutlineFileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The mask has no region (a confirmed closure): there is nothing to outline.
  case noRegion
  /// A `.roi` holds one outline, and the wound has several regions.
  case severalRegions(count: Int, path: String)
  /// The outline cannot be encoded (coordinates beyond ImageJ's 16-bit range).
  case encoding(ImageJROIError)
  /// The file could not be written.
  case cannotWrite(path: String, reason: String)

  package var description: String {
    switch self {
    case .noRegion: return "the wound has no region to outline"
    case .severalRegions(let count, let path):
      let zip = PathName.removingExtension(path) + ".zip"
      return "the wound has \(count) separate regions and an ImageJ .roi holds one outline: write a ROI Manager set "
        + "with --outline-out \(zip)"
    case .encoding(let error): return error.description
    case .cannotWrite(let path, let reason): return "\(path): cannot write the file: \(reason)"
    }
  }
}

/// Wound outlines as ImageJ/Fiji ROIs (``ImageJROI``).
package enum OutlineFiles {
  /// The ImageJ ROI bytes of every region of `mask`: a `.roi` for `path` ending in `.roi`
  /// (one region only), else a ROI Manager `.zip` with one ROI per region, named
  /// `wound-1`, `wound-2`, ... in the order of the measured regions.
  package static func encode(_ mask: BoxMask, forPath path: String) throws(OutlineFileError) -> [UInt8] {
    let outlines = RegionOutlines.outer(mask: mask)
    guard !outlines.isEmpty else { throw .noRegion }
    do {
      if PathName.extension(of: path).lowercased() == "roi" {
        guard outlines.count == 1 else { throw OutlineFileError.severalRegions(count: outlines.count, path: path) }
        return try ImageJROI.encode(outlines[0].corners, name: "wound-1")
      }
      return try ImageJROI.encodeSet(outlines.enumerated().map { ("wound-\($0.offset + 1)", $0.element.corners) })
    } catch let error as ImageJROIError {
      throw .encoding(error)
    } catch let error as OutlineFileError {
      throw error
    } catch {
      throw .cannotWrite(path: path, reason: "\(error)")
    }
  }

  /// Writes ``encode(_:forPath:)`` to `path`, replacing it atomically and never one of the
  /// `protected` files (``SafeFile/write(_:to:protecting:)``).
  package static func write(_ mask: BoxMask, to path: String, protecting protected: SafeFile.ProtectedFiles = .none)
    throws(OutlineFileError)
  {
    let bytes = try encode(mask, forPath: path)
    do {
      try SafeFile.write(bytes, to: path, protecting: protected)
    } catch {
      throw .cannotWrite(path: path, reason: error.description)
    }
  }
}
