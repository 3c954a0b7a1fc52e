import Foundation

/// Minimal RFC 4180 CSV: fields with a comma, quote or newline are quoted. Enough for the
/// study's own tables (paths may hold commas), read back by the chapters that follow.
public enum CSV {
    public static func encode(header: [String], rows: [[String]]) -> String {
        var out = header.map(field).joined(separator: ",") + "\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\n" }
        return out
    }

    static func field(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Parses `text` into a header and rows; every row must have the header's width.
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
        guard let header = rows.first else { throw StudyError.corruptOutput(path: source, reason: "empty CSV") }
        let body = Array(rows.dropFirst())
        for (i, r) in body.enumerated() where r.count != header.count {
            throw StudyError.corruptOutput(path: source, reason: "row \(i + 2) has \(r.count) fields, the header has \(header.count)")
        }
        return (header, body)
    }

    public static func read(_ url: URL) throws -> (header: [String], rows: [[String]]) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw StudyError.missingOutput(path: url.path)
        }
        return try decode(text, source: url.path)
    }
}
