import Base
import Foundation
import Ink

/// Turns the report's Markdown into one self-contained HTML file: CSS inline, a table of
/// contents from the headings, and every local image and audio file embedded as a data URI,
/// so the file can be mailed or opened offline.
public struct HTMLReport {
    public var title: String
    /// Folder that relative `src` paths in the Markdown are resolved against.
    public var baseDirectory: URL
    /// Embed local files up to this size; larger ones stay as relative links.
    public var maxEmbeddedBytes: Int = 8 << 20

    public init(title: String, baseDirectory: URL) {
        self.title = title
        self.baseDirectory = baseDirectory
    }

    /// The HTML document for `markdown`.
    public func render(markdown: String) -> String {
        let (body, headings) = renderBody(markdown: markdown)
        var toc = "<nav class=\"toc\"><strong>Contents</strong><ul>"
        for h in headings where h.level == 2 || h.level == 3 {
            toc += "<li class=\"l\(h.level)\"><a href=\"#\(h.id)\">\(h.text)</a></li>"
        }
        toc += "</ul></nav>"

        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="\(HTMLReport.contentSecurityPolicy)">
        <title>\(HTMLReport.escape(title))</title>
        <style>\(HTMLReport.css)</style>
        </head>
        <body>
        \(toc)
        <main>
        \(body)
        </main>
        </body>
        </html>
        """
    }

    /// `markdown` as an HTML fragment (no document, no table of contents), its local images and
    /// audio embedded as in `render`: a table or a player as a notebook output.
    public func renderFragment(markdown: String) -> String {
        renderBody(markdown: markdown).html
    }

    /// The HTML of `markdown`, local files embedded, and its headings (level, anchor, text).
    func renderBody(markdown: String) -> (html: String, headings: [(level: Int, id: String, text: String)]) {
        var headings: [(level: Int, id: String, text: String)] = []
        var used: [String: Int] = [:]
        let headingModifier = Modifier(target: .headings) { input in
            let html = input.html
            guard html.count > 9, html.hasPrefix("<h"), let level = Int(String(html[html.index(html.startIndex, offsetBy: 2)])) else { return html }
            let inner = HTMLReport.restoreUnderscores(String(html.dropFirst(4).dropLast(5)))
            let text = inner.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
            var id = HTMLReport.slug(text)
            if let n = used[id] { used[id] = n + 1; id += "-\(n + 1)" } else { used[id] = 1 }
            headings.append((level, id, text))
            return "<h\(level) id=\"\(id)\">\(inner)</h\(level)>"
        }
        let parser = MarkdownParser(modifiers: [headingModifier])
        var body = HTMLReport.restoreUnderscores(parser.html(from: HTMLReport.protectUnderscores(markdown)))
        body = embedLocalFiles(in: body)
        return (body, headings)
    }

    /// Ink reads an underscore inside a word as emphasis (`val_loss` … `val_accuracy` would turn
    /// italic); CommonMark does not. Intraword underscores are hidden from Ink behind a
    /// private-use character and restored in its output.
    static let underscorePlaceholder = "\u{E000}"

    static func protectUnderscores(_ markdown: String) -> String {
        markdown.replacingOccurrences(of: #"(?<=[\p{L}\p{N}])_(?=[\p{L}\p{N}_])|(?<=_)_(?=[\p{L}\p{N}])"#,
                                      with: underscorePlaceholder, options: .regularExpression)
    }

    static func restoreUnderscores(_ html: String) -> String {
        html.replacingOccurrences(of: underscorePlaceholder, with: "_")
    }

    /// The report runs no script and loads nothing from elsewhere: its figures and audio are
    /// data URIs (or, past `maxEmbeddedBytes`, files beside it), its only style the `<style>`
    /// block, allowed by its hash. Were data ever to slip into the HTML as markup, the browser
    /// would still run none of it.
    static let contentSecurityPolicy: String = {
        var h = SHA256()
        h.update(css)
        let hash = Data(h.finalize()).base64EncodedString()
        return "default-src 'none'; img-src data: 'self'; media-src data: 'self'; style-src 'sha256-\(hash)'; "
            + "base-uri 'none'; form-action 'none'"
    }()

    /// Replaces `src="relative/path"` of local files with data URIs. The paths are URLs
    /// (`Escape.url`): percent-decoded to find the file, which must lie in `baseDirectory`.
    func embedLocalFiles(in html: String) -> String {
        let pattern = #"src="([^"]+)""#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return html }
        let ns = html as NSString
        var out = ""
        var last = 0
        for m in regex.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let path = ns.substring(with: m.range(at: 1))
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            last = m.range.location + m.range.length
            if let url = localFile(path), let mime = HTMLReport.mimeType(url.path) {
                if let data = try? Data(contentsOf: url), data.count <= maxEmbeddedBytes {
                    out += "src=\"data:\(mime);base64,\(data.base64EncodedString())\""
                    continue
                }
            }
            out += ns.substring(with: m.range)
        }
        out += ns.substring(from: last)
        return out
    }

    /// The file a relative URL (`Escape.url`) names inside `baseDirectory`; nil for a URL with
    /// a scheme, an absolute path or one that climbs out with `..`.
    public func localFile(_ path: String) -> URL? {
        guard !path.contains(":"), let file = path.removingPercentEncoding, !file.hasPrefix("/"),
              !file.split(separator: "/").contains("..") else { return nil }
        return baseDirectory.appendingPathComponent(file)
    }

    static func mimeType(_ path: String) -> String? {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": return "image/png"
        case "svg": return "image/svg+xml"
        case "jpg", "jpeg": return "image/jpeg"
        case "wav": return "audio/wav"
        case "flac": return "audio/flac"
        default: return nil
        }
    }

    /// GitHub-style anchor: lowercase, spaces to dashes, punctuation dropped.
    public static func slug(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber { out.append(ch) } else if ch == " " || ch == "-" { out.append("-") }
        }
        return out.isEmpty ? "section" : out
    }

    /// HTML text (`Escape.html`).
    public static func escape(_ s: String) -> String { Escape.html(s) }

    static let css = """
    :root { --fg: #1d1f21; --muted: #5c6166; --line: #d8dde3; --accent: #3b6ea5; --bg-alt: #f6f8fa; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.55 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--fg); display: flex; }
    nav.toc { position: sticky; top: 0; align-self: flex-start; width: 250px; height: 100vh; overflow-y: auto; padding: 1.2rem 1rem; border-right: 1px solid var(--line); background: var(--bg-alt); font-size: 14px; flex-shrink: 0; }
    nav.toc ul { list-style: none; padding: 0; margin: .5rem 0; }
    nav.toc li { margin: .2rem 0; }
    nav.toc li.l3 { padding-left: 1rem; font-size: 13px; }
    nav.toc a { color: var(--fg); text-decoration: none; }
    nav.toc a:hover { color: var(--accent); }
    main { max-width: 1180px; padding: 1.5rem 2rem 4rem; min-width: 0; }
    h1 { font-size: 2rem; margin-top: .5rem; }
    h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2.5rem; }
    h3 { margin-top: 1.8rem; }
    a { color: var(--accent); }
    img { max-width: 100%; height: auto; display: block; margin: 1rem 0 .3rem; }
    table { border-collapse: collapse; margin: 1rem 0; font-size: 13px; display: block; overflow-x: auto; max-width: 100%; }
    th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; white-space: nowrap; }
    th { background: var(--bg-alt); }
    td img { width: 400px; max-width: 38vw; margin: 0; }
    tr:nth-child(even) td { background: #fbfcfd; }
    code { background: var(--bg-alt); padding: .1rem .3rem; border-radius: 3px; font-size: 90%; }
    pre { background: var(--bg-alt); padding: .8rem 1rem; overflow-x: auto; border-radius: 4px; font-size: 13px; line-height: 1.1; }
    pre code { background: none; padding: 0; }
    blockquote { margin: 1rem 0; padding: .2rem 1rem; border-left: 4px solid var(--accent); color: var(--muted); background: var(--bg-alt); }
    audio { height: 32px; vertical-align: middle; }
    em { color: var(--muted); }
    @media (max-width: 900px) { body { display: block; } nav.toc { position: static; width: auto; height: auto; border-right: none; border-bottom: 1px solid var(--line); } main { padding: 1rem; } }
    @media print { nav.toc { display: none; } }
    """
}
