/// The fixed-width text tables of the reports (`timeline`, `cohort`): a header line, a
/// rule, one line per row, each cell padded to its column's width.
enum FixedWidthTable {
  /// The header, the rule and the rows; `columns` are (title, width).
  static func lines(columns: [(String, Int)], rows: [[String]]) -> [String] {
    func line(_ cells: [String]) -> String { zip(cells, columns).map { pad($0.0, $0.1.1) }.joined(separator: " ") }
    return [line(columns.map(\.0)), columns.map { String(repeating: "-", count: $0.1) }.joined(separator: " ")]
      + rows.map(line)
  }

  /// The lines as text: trailing spaces dropped, each line ending in a line break.
  static func text(_ lines: [String]) -> String {
    lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n") + "\n"
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
