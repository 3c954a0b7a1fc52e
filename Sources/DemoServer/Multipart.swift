/// The multipart parser as `POST /api/predict` runs it, for `study-fuzz` (the parser itself
/// stays internal): the clip taken from a body sent with `contentType`, the body itself when
/// it is not `multipart/form-data`; throws `DemoError.badMultipart` for a malformed form.
public enum MultipartFuzzEntry {
    public static func uploadedClip(body: [UInt8], contentType: String?) throws -> [UInt8] {
        try DemoApp.uploadedClip(body: body, contentType: contentType)
    }
}

/// `multipart/form-data` bodies (RFC 7578, the framing of RFC 2046 §5.1), as a browser sends a
/// form with a file input: just enough to take the file out, byte for byte. Pure functions, no
/// I/O; every malformation is a `DemoError.badMultipart` that says what is wrong.
enum Multipart {
    struct Part: Equatable {
        /// Header fields as sent, names lower-cased.
        var headers: [String: String]
        /// `name` of the part's Content-Disposition: the form field.
        var name: String?
        /// `filename` of the part's Content-Disposition: present for file inputs ("" when none was chosen).
        var filename: String?
        var body: [UInt8]

        /// A file input that carries a file: a browser sends `filename=""` and no bytes for an
        /// input left empty, which does not count.
        var isFile: Bool { filename.map { !$0.isEmpty || !body.isEmpty } ?? false }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Whether `contentType` is `multipart/form-data` (parameters aside, any case).
    static func isFormData(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        return mediaType(contentType) == "multipart/form-data"
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type, unquoted and checked
    /// against RFC 2046's syntax (1 to 70 characters of its set, not ending in a space).
    static func boundary(contentType: String) throws -> String {
        guard let raw = parameters(contentType)["boundary"] else {
            throw DemoError.badMultipart(reason: "the Content-Type has no boundary parameter")
        }
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")
        guard (1...70).contains(raw.count), raw.allSatisfy(allowed.contains), raw.last != " " else {
            throw DemoError.badMultipart(reason: "the boundary parameter is not a valid boundary (1 to 70 letters, digits or '()+_,-./:=? )")
        }
        return raw
    }

    /// The parts of `body`, split on `boundary`; the preamble before the first delimiter and the
    /// epilogue after the closing one are ignored. A part's body is exactly the bytes between its
    /// header block and the CRLF that precedes the next delimiter.
    static func parts(_ body: [UInt8], boundary: String) throws -> [Part] {
        let dash = Array("--\(boundary)".utf8)
        let delimiter = Array("\r\n".utf8) + dash
        // The first delimiter may open the body (no CRLF before it) or follow a preamble.
        var at: Int
        if body.starts(with: dash), isDelimiterEnd(body, at: dash.count) {
            at = dash.count
        } else if let found = nextDelimiter(delimiter, in: body, from: 0) {
            at = found + delimiter.count
        } else {
            throw DemoError.badMultipart(reason: "the body does not contain the boundary given in the Content-Type")
        }
        var parts: [Part] = []
        while true {
            // `at` is just past a delimiter: "--" closes the body, else padding and CRLF open a part.
            if body[at...].starts(with: Array("--".utf8)) { return parts }
            guard let lineEnd = find(Array("\r\n".utf8), in: body, from: at) else {
                throw DemoError.badMultipart(reason: "the body ends before the closing boundary (--\(boundary)--)")
            }
            let start = lineEnd + 2
            guard let next = nextDelimiter(delimiter, in: body, from: start) else {
                throw DemoError.badMultipart(reason: "the body ends before the closing boundary (--\(boundary)--)")
            }
            parts.append(try part(body[start..<next]))
            at = next + delimiter.count
        }
    }

    /// The one file part of a form upload. Other fields are allowed (and ignored here); no file,
    /// or more than one, is refused.
    static func singleFile(_ body: [UInt8], contentType: String) throws -> Part {
        try singleFile(parts(body, boundary: boundary(contentType: contentType)))
    }

    static func singleFile(_ parts: [Part]) throws -> Part {
        let files = parts.filter(\.isFile)
        guard files.count == 1 else {
            throw DemoError.badMultipart(reason: files.isEmpty
                ? "the form holds no file: choose an audio file to upload"
                : "the form holds \(files.count) files; send one clip at a time")
        }
        return files[0]
    }

    // MARK: Pieces

    /// The next delimiter (CRLF, "--", the boundary) at or after `from` that really is one, that
    /// is, followed by what `isDelimiterEnd` accepts.
    private static func nextDelimiter(_ delimiter: [UInt8], in body: [UInt8], from: Int) -> Int? {
        var from = from
        while let i = find(delimiter, in: body, from: from) {
            if isDelimiterEnd(body, at: i + delimiter.count) { return i }
            from = i + 1
        }
        return nil
    }

    /// After a delimiter: "--" (the closing one), or optional spaces/tabs then CRLF.
    private static func isDelimiterEnd(_ body: [UInt8], at i: Int) -> Bool {
        var j = i
        if body[j...].starts(with: Array("--".utf8)) { return true }
        while j < body.count, body[j] == UInt8(ascii: " ") || body[j] == UInt8(ascii: "\t") { j += 1 }
        return body[j...].starts(with: Array("\r\n".utf8))
    }

    /// One part: header lines up to an empty line, then the body.
    private static func part(_ bytes: ArraySlice<UInt8>) throws -> Part {
        let blank = Array("\r\n\r\n".utf8)
        let headerEnd: Int, bodyStart: Int
        if bytes.starts(with: Array("\r\n".utf8)) {
            (headerEnd, bodyStart) = (bytes.startIndex, bytes.startIndex + 2)   // no headers at all
        } else if let end = find(blank, in: bytes, from: bytes.startIndex) {
            (headerEnd, bodyStart) = (end, end + 4)
        } else {
            throw DemoError.badMultipart(reason: "a part's headers are not followed by an empty line")
        }
        var headers: [String: String] = [:]
        for line in String(decoding: bytes[bytes.startIndex..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw DemoError.badMultipart(reason: "a part has a header line without a colon")
            }
            headers[line[..<colon].trimmingSpaces.lowercased()] = String(line[line.index(after: colon)...]).trimmingSpaces
        }
        let disposition = headers["content-disposition"].map(parameters) ?? [:]
        return Part(headers: headers, name: disposition["name"], filename: disposition["filename"],
                    body: Array(bytes[bodyStart...]))
    }

    /// `type/subtype` of a header value, lower-cased.
    private static func mediaType(_ value: String) -> String {
        String(value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingSpaces.lowercased()
    }

    /// The `; key=value` parameters of a header value (Content-Type, Content-Disposition), keys
    /// lower-cased, quoted values unquoted (`\"` and `\\` unescaped). A `;` inside quotes is
    /// part of the value.
    static func parameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var chars = Substring(value)
        // Skip the leading token (the media type or disposition type).
        guard let semicolon = chars.firstIndex(of: ";") else { return result }
        chars = chars[chars.index(after: semicolon)...]
        while !chars.isEmpty {
            chars = chars.drop { $0 == " " || $0 == "\t" }
            let key = chars.prefix { $0 != "=" && $0 != ";" }
            chars = chars.dropFirst(key.count)
            var val = ""
            if chars.first == "=" {
                chars = chars.dropFirst()
                if chars.first == "\"" {
                    chars = chars.dropFirst()
                    var escaped = false
                    while let c = chars.first {
                        chars = chars.dropFirst()
                        if escaped { val.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { val.append(c) }
                    }
                    chars = chars.drop { $0 != ";" }
                } else {
                    let token = chars.prefix { $0 != ";" }
                    val = String(token).trimmingSpaces
                    chars = chars.dropFirst(token.count)
                }
            }
            chars = chars.drop { $0 == ";" }
            let name = String(key).trimmingSpaces.lowercased()
            if !name.isEmpty, result[name] == nil { result[name] = val }
        }
        return result
    }

    /// First index of `needle` in `haystack` at or after `from`.
    static func find<C: RandomAccessCollection>(_ needle: [UInt8], in haystack: C, from: C.Index) -> C.Index?
        where C.Element == UInt8, C.Index == Int {
        guard !needle.isEmpty, haystack.endIndex - from >= needle.count else { return nil }
        let first = needle[0]
        var i = from
        let last = haystack.endIndex - needle.count
        while i <= last {
            if haystack[i] == first {
                var k = 1
                while k < needle.count, haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
