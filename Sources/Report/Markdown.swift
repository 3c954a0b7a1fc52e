import Foundation

/// Small builders for the Markdown the chapters emit: tables, figures, number formatting.
/// The prose lives in the templates; these only format values, and escape the data in them
/// (`Escape`).
public enum Markdown {
    /// A GitHub-flavoured table. `align` holds one of "l", "r", "c" per column (default left).
    ///
    /// Cells are text, escaped (`cell`): a speaker or file name shows as itself, never as markup.
    /// What the builders below make is kept: code spans (`code`), the audio player (`audio`)
    /// and a cell in `**bold**`.
    public static func table(_ headers: [String], _ rows: [[String]], align: [String]? = nil) -> String {
        var out = "| " + headers.map(cell).joined(separator: " | ") + " |\n|"
        for i in headers.indices {
            switch align?[safe: i] ?? "l" {
            case "r": out += "---:|"
            case "c": out += ":---:|"
            default: out += "---|"
            }
        }
        out += "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }

    /// One table cell: its code spans (`` `…` ``, a backquote to the next on the same line) are
    /// kept, with `|` escaped as GFM asks (`Markdown.code` did already); the rest is text (`Escape.markdownTableCell`). A cell
    /// that is exactly an `audio` player is kept, one in `**…**` stays bold around its escaped
    /// content. Each kept form is safe whatever the data: a code span is shown literally, and
    /// the player's pattern admits no quote or angle bracket in its attributes.
    static func cell(_ s: String) -> String {
        if s.wholeMatch(of: audioPattern) != nil { return s }
        if s.count > 4, s.hasPrefix("**"), s.hasSuffix("**") {
            let inner = String(s.dropFirst(2).dropLast(2))
            if !inner.hasPrefix("*"), !inner.hasSuffix("*") { return "**" + cell(inner) + "**" }
        }
        var out = ""
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "`") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "`"),
                  !rest[after..<close].contains(where: { $0.unicodeScalars.contains(where: Escape.isControl) }) else { break }
            out += Escape.markdownTableCell(String(rest[..<open]))
            out += "`" + rest[after..<close].replacingOccurrences(of: #"(?<!\\)\|"#, with: #"\\|"#, options: .regularExpression) + "`"
            rest = rest[rest.index(after: close)...]
        }
        return out + Escape.markdownTableCell(String(rest))
    }

    /// `audio(_:label:)`'s output, its attributes as `Escape` leaves them.
    nonisolated(unsafe) static let audioPattern = #/<audio controls preload="none" src="[A-Za-z0-9%._~/-]*" title="[^"<>|\n\r]*"></audio>/#

    /// An image with a caption line below it. `path` is relative to the report; `alt` and
    /// `caption` are text.
    public static func figure(_ path: String, alt: String, caption: String? = nil) -> String {
        var out = "![\(Escape.markdown(alt))](\(Escape.url(path)))\n"
        if let caption { out += "\n*\(Escape.markdown(caption))*\n" }
        return out
    }

    /// Inline code, so that file names keep their underscores (`OAF_back_angry.wav`).
    public static func code(_ text: String) -> String {
        Escape.codeSpan(text)
    }

    /// An HTML5 audio player (kept as raw HTML; Markdown renderers pass it through). `path` is
    /// relative to the report, `label` text (its tooltip).
    public static func audio(_ path: String, label: String) -> String {
        "<audio controls preload=\"none\" src=\"\(Escape.attribute(Escape.url(path)))\" title=\"\(Escape.attribute(label))\"></audio>"
    }

    /// `x` with `digits` decimals, e.g. fixed(0.99286, 4) = "0.9929".
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "n/a" }
        return String(format: "%.\(digits)f", x)
    }

    /// A percentage with one decimal, e.g. percent(0.9929) = "99.3 %".
    public static func percent(_ x: Double, _ digits: Int = 1) -> String {
        guard x.isFinite else { return "n/a" }
        return String(format: "%.\(digits)f %%", x * 100)
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
