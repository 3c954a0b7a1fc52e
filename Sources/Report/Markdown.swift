import Foundation

/// Small builders for the Markdown the chapters emit: tables, figures, number formatting.
/// The prose lives in the templates; these only format values.
public enum Markdown {
    /// A GitHub-flavoured table. `align` holds one of "l", "r", "c" per column (default left).
    public static func table(_ headers: [String], _ rows: [[String]], align: [String]? = nil) -> String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "| " + headers.map(esc).joined(separator: " | ") + " |\n|"
        for i in headers.indices {
            switch align?[safe: i] ?? "l" {
            case "r": out += "---:|"
            case "c": out += ":---:|"
            default: out += "---|"
            }
        }
        out += "\n"
        for row in rows { out += "| " + row.map(esc).joined(separator: " | ") + " |\n" }
        return out
    }

    /// An image with a caption line below it. `path` is relative to the report.
    public static func figure(_ path: String, alt: String, caption: String? = nil) -> String {
        var out = "![\(alt)](\(path))\n"
        if let caption { out += "\n*\(caption)*\n" }
        return out
    }

    /// Inline code, so that file names keep their underscores (`OAF_back_angry.wav`).
    public static func code(_ text: String) -> String {
        "`" + text.replacingOccurrences(of: "`", with: "'") + "`"
    }

    /// An HTML5 audio player (kept as raw HTML; Markdown renderers pass it through).
    public static func audio(_ path: String, label: String) -> String {
        "<audio controls preload=\"none\" src=\"\(path)\" title=\"\(label)\"></audio>"
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
