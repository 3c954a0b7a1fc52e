import Foundation

/// RFC 4180 CSV, the package's one writer and one reader. Fields holding a comma, quote or line
/// break are quoted. The study writes CSV for people (spreadsheets, pandas); no module reads
/// another module's CSV back as an interface: typed values travel as JSON records instead.
public enum CSV {
    public static func encode(header: [String], rows: [[String]]) -> String {
        var out = header.map(field).joined(separator: ",") + "\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\n" }
        return out
    }

    /// One field, quoted when it must be (a comma, a quote, or any control character: a tab or
    /// a line break in a clip's name stays inside its field).
    public static func field(_ s: String) -> String {
        if s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0.value < 0x20 || $0.value == 0x7f }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public struct DecodeError: Error, CustomStringConvertible, Sendable {
        public let source: String
        public let reason: String
        public var description: String { "\(source): not a readable CSV table (\(reason))" }
    }

    /// Parses `text` into a header and rows; every row must have the header's width. `source`
    /// names the file in errors.
    public static func decode(_ text: String, source: String) throws -> (header: [String], rows: [[String]]) {
        var rows: [[String]] = []
        var row: [String] = []
        var fieldText = ""
        var inQuotes = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { fieldText.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else {
                    fieldText.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                row.append(fieldText); fieldText = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", chars.first == "\n" { chars.removeFirst() }
                row.append(fieldText); fieldText = ""
                rows.append(row); row = []
            } else {
                fieldText.unicodeScalars.append(c)
            }
        }
        if !fieldText.isEmpty || !row.isEmpty { row.append(fieldText); rows.append(row) }
        guard let header = rows.first else { throw DecodeError(source: source, reason: "empty") }
        let body = Array(rows.dropFirst())
        for (i, r) in body.enumerated() where r.count != header.count {
            throw DecodeError(source: source, reason: "row \(i + 2) has \(r.count) fields, the header has \(header.count)")
        }
        return (header, body)
    }
}

/// Text for one cell of a tab-separated table or one log line: control characters (tab, line
/// breaks, escape, NUL…) written as visible escapes (`\t`, `\n`, `\u{1B}`), backslashes doubled,
/// so a clip named with a tab cannot shift the columns or forge a line.
public func visibleText(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "\\" }) else { return s }
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case _ where u.value < 0x20 || u.value == 0x7f: out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}
