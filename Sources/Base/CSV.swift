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

    /// One field, quoted when it must be.
    public static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
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
