import Foundation

/// Escaping of the strings that come from data (a corpus's speakers, labels, texts and file
/// names; error messages that quote them) for each place the report puts them. The only place
/// these rules are written down: templates (`{{x}}` is `markdown`, `{{{url(x)}}}` and
/// `{{{code(x)}}}` the others), `Markdown.table`, `Markdown.code`, `Markdown.audio` and the HTML
/// report call these.
///
/// The Markdown escapes work in two renderers: a CommonMark/GFM viewer reading `report.md`, and
/// Ink, which turns it into `report.html`. Both decode character references (`&lt;`) to
/// literal text and treat a backslash before ASCII punctuation as a literal character, so data
/// never becomes markup, raw HTML, a link or an image in either. Ink passes a backslash before
/// a backslash through as nothing, so a backslash itself becomes `&#92;`.
public enum Escape {
    /// Text between HTML tags: `& < > " '` as character references.
    public static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A double-quoted HTML attribute value: `html(s)`, plus `|` (an attribute of a raw HTML
    /// element in a Markdown table cell would otherwise end the cell) and line breaks as
    /// character references.
    public static func attribute(_ s: String) -> String {
        var out = ""
        for ch in html(s) {
            switch ch {
            case "|": out += "&#124;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\r\n": out += "&#13;&#10;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A path relative to the report as a URL (an image's or audio file's `src`): every byte but
    /// the unreserved characters `A–Z a–z 0–9 - . _ ~` and the separator `/` is percent-encoded,
    /// so the result is one URL path in Markdown and in an HTML attribute alike (no space,
    /// quote, parenthesis or angle bracket), and no scheme survives (`javascript:x` becomes
    /// the relative path `javascript%3Ax`).
    public static func url(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Plain text inside a line of Markdown (prose, a heading, emphasis, a link's or image's
    /// text, a table cell): `markdownTableCell(s)`, and at its start what would make a block
    /// were the value to begin a line (a template may place it there): a list item (`- `, `+ `,
    /// `1. `, `1) `), a setext underline or thematic break (`===`, `---`). Numbers (`-0.5`,
    /// `0.25`) are left as they are.
    public static func markdown(_ s: String) -> String {
        let inline = markdownTableCell(s)
        var chars = Array(inline)
        if let first = chars.first, first == "-" || first == "+" || first == "=" {
            let rest = chars.dropFirst()
            if rest.first == nil || rest.first == " " || rest.allSatisfy({ $0 == first || $0 == " " }) {
                return "\\" + inline
            }
        }
        let digits = chars.prefix { $0.isASCII && $0.isNumber }.count
        if (1...9).contains(digits), digits < chars.count, chars[digits] == "." || chars[digits] == ")",
           digits + 1 == chars.count || chars[digits + 1] == " " {
            chars.insert("\\", at: digits)
            return String(chars)
        }
        return inline
    }

    /// Plain text as one cell of a Markdown table, or anywhere inside a line: the characters of
    /// inline markup (`` ` * _ [ ] ! ~ | # $ ``) backslash-escaped; `& < > "` as character
    /// references (no raw HTML, and no way out of Ink's `alt="…"`); a backslash as `&#92;`;
    /// line breaks and other control characters as spaces (a cell, a heading or a link text is
    /// one line).
    public static func markdownTableCell(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\\": out += "&#92;"
            case "`", "*", "_", "[", "]", "!", "~", "|", "#", "$":
                out += "\\"
                out.append(ch)
            default:
                if ch.unicodeScalars.contains(where: isControl) {
                    out += " "
                } else {
                    out.append(ch)
                }
            }
        }
        return out
    }

    /// `s` as an inline code span: shown literally by every renderer (both HTML-escape a code
    /// span's content). A backquote would end the span, so it becomes `'`; a line break would
    /// end it in Ink, so it becomes a space; `|` is `\|`, as a code span in a table row needs
    /// (GFM splits the row at every other `|`, inside code too), seen as such elsewhere.
    public static func codeSpan(_ s: String) -> String {
        var out = "`"
        for ch in s {
            if ch == "`" {
                out += "'"
            } else if ch == "|" {
                out += "\\|"
            } else if ch.unicodeScalars.contains(where: isControl) {
                out += " "
            } else {
                out.append(ch)
            }
        }
        return out + "`"
    }

    /// One word of a POSIX shell command line (a notebook's `%%bash` cell): as it is when it is
    /// made only of characters no shell reads specially, else in single quotes (a quote itself
    /// as `'\''`), where nothing is expanded.
    public static func shellWord(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { u in
            u.isASCII && (CharacterSet.alphanumerics.contains(u) || "-_./=:,+@%".unicodeScalars.contains(u))
        }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// C0 and C1 control characters, and the Unicode line and paragraph separators.
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }
}
