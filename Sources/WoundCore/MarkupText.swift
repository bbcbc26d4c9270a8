/// `text` safe inside the tool's HTML and SVG, in element content and in quoted
/// attribute values: `&`, `<`, `>` and `"` as character references.
package func markupEscaped(_ text: String) -> String {
  text.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
    .replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
}
