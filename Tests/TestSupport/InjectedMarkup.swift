import Foundation
import XCTest

/// Checks, without a browser, that a report holds no markup its data made (issue 22): in the
/// HTML only the tags and attributes the report itself writes, no event handler, no link out of
/// the page, no source but a data URI or a relative path; in the Markdown, outside code spans
/// (which show their text as it is), no raw HTML but the report's audio players and no
/// `javascript:` link.
public enum InjectedMarkup {
    public static let allowedTags: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "nav", "main", "strong", "em", "s", "ul", "ol", "li", "a", "p", "br", "hr",
        "h1", "h2", "h3", "h4", "h5", "h6", "img", "audio", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "blockquote",
    ]
    public static let allowedAttributes: Set<String> = [
        "lang", "charset", "name", "content", "http-equiv", "id", "class", "href", "src", "alt", "title", "controls", "preload", "align",
    ]

    nonisolated(unsafe) static let tag = #/<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/#
    nonisolated(unsafe) static let attribute = #/([^\s=/"'>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/#

    /// The problems of `html` (empty when there is none); `minimumTags` guards against a check
    /// that passes because it parsed nothing.
    public static func problems(html: String, minimumTags: Int = 5) -> [String] {
        var found: [String] = []
        if html.lowercased().contains("<script") { found.append("a <script") }
        var tags = 0
        for m in html.matches(of: tag) {
            tags += 1
            let name = m.output.2.lowercased()
            if !allowedTags.contains(name) { found.append("a <\(name)>: \(m.output.0.prefix(200))") }
            for a in m.output.3.matches(of: attribute) {
                let key = a.output.1.lowercased()
                var value = String(a.output.2 ?? "")
                if value.hasPrefix("\"") || value.hasPrefix("'") { value = String(value.dropFirst().dropLast()) }
                if !allowedAttributes.contains(key) { found.append("attribute \(key) in <\(name)\(m.output.3.prefix(200))>") }
                if key.hasPrefix("on") { found.append("an event handler \(key)=\(value)") }
                let v = value.lowercased().replacingOccurrences(of: "&#58;", with: ":").filter { !$0.isWhitespace }
                if key == "href" || key == "src", v.contains("javascript:") { found.append("a javascript: URL in \(key)") }
                if key == "href", !value.hasPrefix("#") { found.append("a link out of the report: \(value)") }
                if key == "src", !value.hasPrefix("data:"), value.contains(":") { found.append("a source with a scheme: \(value.prefix(80))") }
            }
        }
        if tags < minimumTags { found.append("only \(tags) tags: the check parsed nothing") }
        return found
    }

    /// The problems of `markdown` (empty when there is none).
    public static func problems(markdown: String) -> [String] {
        var found: [String] = []
        let prose = markdown.replacing(#/`[^`\n]*`/#, with: "`…`")
        for m in prose.matches(of: tag) where m.output.2.lowercased() != "audio" {
            found.append("raw HTML: \(m.output.0.prefix(200))")
        }
        if prose.lowercased().contains("<script") || prose.lowercased().contains("<img") { found.append("a raw <script or <img") }
        // `\](javascript:…)` is text: the bracket is escaped; so is an attribute of a player.
        if prose.replacing(tag, with: "<…>").range(of: #"(?<!\\)\]\(\s*javascript:"#, options: [.regularExpression, .caseInsensitive]) != nil {
            found.append("a javascript: link")
        }
        return found
    }
}
