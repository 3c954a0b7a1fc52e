import Base
import DemoServer
import Foundation

/// Fuzz of the demo's multipart reader (`POST /api/predict` with a form upload): valid forms
/// as a browser builds them, then mutated bytes, broken boundaries and Content-Types, and
/// structural damage (a missing closing delimiter, the boundary inside the file, bare LFs,
/// duplicated parts), plus a few large adversarial bodies for near-quadratic scans. Every case
/// must end in a clip (a slice of the body, byte for byte) or an error that names
/// multipart/form-data, within the time bound.
enum MultipartFuzz {
    static let target = FuzzTarget(name: "multipart") { rng, cases, _, report in
        for i in 0..<cases {
            guard report.more() else { return }
            let label = "case \(i)"
            var (body, contentType) = makeCase(&rng, index: i)
            if i % 97 == 96 { (body, contentType) = adversarial(&rng) }
            do {
                let clip = try report.timed(label) { try MultipartFuzzEntry.uploadedClip(body: body, contentType: contentType) }
                if !isSlice(clip, of: body) {
                    report.fail("\(label): the clip (\(clip.count) bytes) is not a slice of the body (\(body.count) bytes)")
                } else {
                    report.accept()
                }
            } catch {
                report.refuse(error, mustName: "multipart/form-data", case: label)
            }
        }
    }

    // MARK: Inputs

    static let boundaries = ["----WebKitFormBoundaryq1w2e3r4t5y6u7i8", "---------------------------9051914041544843365972754266",
                             "x", "a'()+_,-./:=?b", "boundary with spaces", String(repeating: "z", count: 70)]

    /// A valid form (text fields, one file part) with a random boundary, then damaged.
    static func makeCase(_ rng: inout Xoshiro256, index: Int) -> (body: [UInt8], contentType: String?) {
        let boundary = Mutate.pick(boundaries, &rng)
        let file = (0..<Int(rng.next() % 600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var body: [UInt8] = rng.next() % 2 == 0 ? Array("preamble\r\n".utf8) : []
        for (name, value) in [("source", "file"), ("example", "angry_SYN.wav")].prefix(Int(rng.next() % 3)) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        let filename = Mutate.pick(["clip.wav", "", "a \\\"quoted\\\" name.wav", "x;y=z.wav", "ünïcode.wav"], &rng)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n".utf8)
        body += Array("Content-Type: audio/wav\r\n\r\n".utf8) + file + Array("\r\n--\(boundary)--\r\n".utf8)
        var contentType: String? = "multipart/form-data; boundary=" + (boundary.contains(" ") ? "\"\(boundary)\"" : boundary)

        switch rng.next() % 10 {
        case 0...4:     // bytes: flips, cuts, repeats, random bytes, extreme values
            body = Mutate.bytes(body, &rng)
        case 5:         // the Content-Type: its boundary, quoting, media type, parameters
            contentType = Mutate.pick([
                "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                "Multipart/Form-Data; BOUNDARY=\(boundary)", "multipart/form-data; boundary=\"\(boundary)",
                "multipart/form-data; boundary=\(String(repeating: "b", count: 71))", "multipart/form-data; boundary=a\u{0}b",
                "multipart/form-data; charset=utf-8; boundary=\"\(boundary)\"; boundary=other", "multipart/form-data;;;;",
                "multipart/form-data; boundary=\"\\\\\\\"\"", "multipart/mixed; boundary=\(boundary)", "text/plain", "", nil,
                "multipart/form-data; boundary=\(boundary.dropLast())", "multipart/form-data; boundary=\(boundary) ",
            ], &rng)
        case 6:         // structure: delimiters and line ends
            let text = String(decoding: body, as: UTF8.self)
            let damaged = Mutate.pick([
                text.replacingOccurrences(of: "\r\n", with: "\n"),
                text.replacingOccurrences(of: "--\(boundary)--", with: ""),
                text.replacingOccurrences(of: "\r\n\r\n", with: "\r\n"),
                text.replacingOccurrences(of: "Content-Disposition:", with: "Content-Disposition"),
                text + text,
                "--\(boundary)--\r\n",
                "--\(boundary)\r\n\r\n\r\n--\(boundary)--",
                "--\(boundary)",
                "\r\n--\(boundary)\t \r\n\r\n--\(boundary)--",
            ], &rng)
            body = Array(damaged.utf8)
        case 7:         // the boundary inside the file's bytes (the file then ends early)
            let at = body.isEmpty ? 0 : Int(rng.next() % UInt64(body.count))
            body.insert(contentsOf: Array("\r\n--\(boundary)".utf8) + (rng.next() % 2 == 0 ? Array("--".utf8) : Array("\r\n".utf8)), at: at)
        case 8:         // a second file part
            let part = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file2\"; filename=\"b.wav\"\r\n\r\nBB\r\n".utf8)
            let close = Array("--\(boundary)--".utf8)
            if let i = lastIndex(of: close, in: body) { body.insert(contentsOf: part, at: i) }
        default:        // both
            body = Mutate.bytes(body, &rng)
            if rng.next() % 2 == 0, let type = contentType { contentType = String(decoding: Mutate.bytes(Array(type.utf8), &rng), as: UTF8.self) }
        }
        return (body, contentType)
    }

    /// Large bodies made to be slow for a naive scanner: a megabyte of near-delimiters (CRLF,
    /// dashes, the boundary less its last character), or of CRs, or one huge header block.
    static func adversarial(_ rng: inout Xoshiro256) -> (body: [UInt8], contentType: String?) {
        let boundary = String(repeating: "q", count: 70)
        let unit: [UInt8]
        switch rng.next() % 3 {
        case 0: unit = Array("\r\n--\(boundary.dropLast())".utf8)
        case 1: unit = Array("\r".utf8)
        default: unit = Array("X-H: v\r\n".utf8)
        }
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n".utf8)
        body.reserveCapacity(1 << 20 + 200)
        while body.count < 1 << 20 { body += unit }
        if rng.next() % 2 == 0 { body += Array("\r\n\r\nDATA\r\n--\(boundary)--\r\n".utf8) }
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    // MARK: Checks

    /// Whether `clip` occurs in `body` (the parser must hand back the upload's own bytes).
    static func isSlice(_ clip: [UInt8], of body: [UInt8]) -> Bool {
        if clip.isEmpty || clip == body { return true }
        guard clip.count < body.count else { return false }
        return body.withUnsafeBytes { b in
            clip.withUnsafeBytes { c in
                let first = c[0]
                for i in 0...(b.count - c.count) where b[i] == first && memcmp(b.baseAddress! + i, c.baseAddress!, c.count) == 0 {
                    return true
                }
                return false
            }
        }
    }

    static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in stride(from: haystack.count - needle.count, through: 0, by: -1) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
