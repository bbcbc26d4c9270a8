/// The tool's path-name arithmetic on `/`-separated strings, with the rules of
/// Foundation's `NSString` path methods (trailing slashes ignored, the root kept).
/// Nothing here touches the file system.
package enum PathName {
  /// The last component: `a/b.jpg` → `b.jpg`, `a/b/` → `b`, `/` → `/`.
  package static func last(of path: String) -> String {
    let trimmed = withoutTrailingSlashes(path)
    if trimmed == "/" { return "/" }
    guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
    return String(trimmed[trimmed.index(after: slash)...])
  }

  /// The path without its last component: `a/b.jpg` → `a`, `/a` → `/`, `b.jpg` → ``.
  package static func parent(of path: String) -> String {
    let trimmed = withoutTrailingSlashes(path)
    if trimmed == "/" { return "/" }
    guard let slash = trimmed.lastIndex(of: "/") else { return "" }
    let head = withoutTrailingSlashes(String(trimmed[..<slash]))
    return head.isEmpty ? "/" : head
  }

  /// `component` appended with one slash: `a` + `b` → `a/b`, `a/` + `b` → `a/b`, `` + `b` → `b`.
  package static func join(_ path: String, _ component: String) -> String {
    if path.isEmpty { return component }
    if component.isEmpty { return path }
    let head = withoutTrailingSlashes(path)
    var tail = Substring(component)
    while tail.first == "/" { tail = tail.dropFirst() }
    return head == "/" ? "/" + tail : head + "/" + tail
  }

  /// The last component's extension without the dot: `a/b.JPG` → `JPG`; `` when there is
  /// none, and for a name that only starts with a dot (`.bashrc`).
  package static func `extension`(of path: String) -> String {
    let name = last(of: path)
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
    return String(name[name.index(after: dot)...])
  }

  /// The path without its last component's extension: `a/b.jpg` → `a/b`, `a/b/` → `a/b`,
  /// `a.` → `a`.
  package static func removingExtension(_ path: String) -> String {
    let trimmed = withoutTrailingSlashes(path)
    let name = last(of: trimmed)
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return trimmed }
    return String(trimmed.dropLast(name.distance(from: dot, to: name.endIndex)))
  }

  private static func withoutTrailingSlashes(_ path: String) -> String {
    var result = Substring(path)
    while result.count > 1, result.last == "/" { result = result.dropLast() }
    return String(result)
  }
}

extension StringProtocol {
  /// The text without leading and trailing white space, line breaks included
  /// (Unicode's White_Space property).
  package func trimmingWhitespace() -> String {
    trimming { $0.isWhitespace }
  }

  /// The text without leading and trailing spaces and tabs (white space that is not a
  /// line break).
  package func trimmingSpaces() -> String {
    trimming { $0.isWhitespace && !$0.isNewline }
  }

  private func trimming(_ drop: (Character) -> Bool) -> String {
    guard let first = firstIndex(where: { !drop($0) }) else { return "" }
    let last = lastIndex(where: { !drop($0) })!
    return String(self[first...last])
  }
}
