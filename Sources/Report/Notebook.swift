import Foundation

/// A Jupyter notebook, nbformat 4.5 (the first minor version with cell ids): the few cell and
/// output kinds the study writes, as typed values. `json()` writes it as Jupyter does: keys
/// sorted, multi-line strings as lists of lines, so the same notebook is the same bytes.
public struct Notebook: Codable, Equatable, Sendable {
    public var cells: [Cell]
    public var metadata: [String: JSONValue]
    public var nbformat = 4
    public var nbformatMinor = 5

    enum CodingKeys: String, CodingKey { case cells, metadata, nbformat, nbformatMinor = "nbformat_minor" }

    public init(cells: [Cell], metadata: [String: JSONValue]) {
        self.cells = cells
        self.metadata = metadata
    }

    /// The metadata a stock Jupyter runs: the python3 kernel.
    public static let python3Metadata: [String: JSONValue] = [
        "kernelspec": ["name": "python3", "display_name": "Python 3", "language": "python"],
        "language_info": ["name": "python"],
    ]

    /// The notebook as nbformat's JSON: sorted keys, indented, UTF-8.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A cell id as nbformat 4.5 requires (`^[a-zA-Z0-9-_]+$`, 1–64 characters): `s` with every
    /// other character as `-`, cut to 64 characters.
    public static func cellID(_ s: String) -> String {
        let kept = s.unicodeScalars.map { u -> Character in
            (u.isASCII && (CharacterSet.alphanumerics.contains(u) || u == "-" || u == "_")) ? Character(u) : "-"
        }
        let id = String(kept.prefix(64))
        return id.isEmpty ? "cell" : id
    }

    /// `text` as nbformat's multi-line string: lines that keep their `\n`, the last without one.
    public static func lines(_ text: String) -> [String] {
        var out: [String] = []
        var line = ""
        for ch in text {
            line.append(ch)
            if ch == "\n" { out.append(line); line = "" }
        }
        if !line.isEmpty { out.append(line) }
        return out
    }
}

extension Notebook {
    /// A Markdown cell or a code cell (the study writes no raw cells).
    public enum Cell: Codable, Equatable, Sendable {
        case markdown(id: String, source: String)
        case code(id: String, source: String, executionCount: Int?, outputs: [Output])

        public var id: String {
            switch self {
            case .markdown(let id, _), .code(let id, _, _, _): return id
            }
        }

        enum CodingKeys: String, CodingKey {
            case cellType = "cell_type", id, metadata, source, executionCount = "execution_count", outputs
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode([String: JSONValue](), forKey: .metadata)
            switch self {
            case .markdown(_, let source):
                try c.encode("markdown", forKey: .cellType)
                try c.encode(Notebook.lines(source), forKey: .source)
            case .code(_, let source, let count, let outputs):
                try c.encode("code", forKey: .cellType)
                try c.encode(Notebook.lines(source), forKey: .source)
                try c.encode(count, forKey: .executionCount)   // null when it never ran: the key is required
                try c.encode(outputs, forKey: .outputs)
            }
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let id = try c.decode(String.self, forKey: .id)
            let source = try c.decode(MultilineString.self, forKey: .source).text
            switch try c.decode(String.self, forKey: .cellType) {
            case "markdown": self = .markdown(id: id, source: source)
            case "code":
                self = .code(id: id, source: source, executionCount: try c.decodeIfPresent(Int.self, forKey: .executionCount),
                             outputs: try c.decode([Output].self, forKey: .outputs))
            case let other:
                throw DecodingError.dataCorruptedError(forKey: .cellType, in: c, debugDescription: "cell type \(other) is not one the study writes")
            }
        }
    }

    /// A code cell's output: text on a stream, or one value in several MIME types (`text/html`,
    /// `text/plain`, `image/png` as base64) with their display metadata (an image's `width`).
    public enum Output: Codable, Equatable, Sendable {
        case stream(name: String, text: String)
        case displayData(data: [String: String], metadata: [String: JSONValue] = [:])

        enum CodingKeys: String, CodingKey { case outputType = "output_type", name, text, data, metadata }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .stream(let name, let text):
                try c.encode("stream", forKey: .outputType)
                try c.encode(name, forKey: .name)
                try c.encode(Notebook.lines(text), forKey: .text)
            case .displayData(let data, let metadata):
                try c.encode("display_data", forKey: .outputType)
                // Text types as lists of lines (as Jupyter writes them); base64 as one string.
                var encoded: [String: JSONValue] = [:]
                for (mime, value) in data {
                    encoded[mime] = mime.hasPrefix("text/") ? .array(Notebook.lines(value).map(JSONValue.string)) : .string(value)
                }
                try c.encode(encoded, forKey: .data)
                try c.encode(metadata, forKey: .metadata)
            }
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            switch try c.decode(String.self, forKey: .outputType) {
            case "stream":
                self = .stream(name: try c.decode(String.self, forKey: .name), text: try c.decode(MultilineString.self, forKey: .text).text)
            case "display_data":
                self = .displayData(data: try c.decode([String: MultilineString].self, forKey: .data).mapValues(\.text),
                                    metadata: try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:])
            case let other:
                throw DecodingError.dataCorruptedError(forKey: .outputType, in: c, debugDescription: "output type \(other) is not one the study writes")
            }
        }
    }

    /// nbformat's multi-line string: one string, or a list of lines to join.
    struct MultilineString: Decodable {
        let text: String
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s } else { text = try c.decode([String].self).joined() }
        }
    }
}

/// Any JSON value: the notebook's free-form metadata.
public enum JSONValue: Codable, Equatable, Sendable, ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral,
                       ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Any Encodable value as JSON (e.g. a summary struct), through JSONEncoder.
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}
