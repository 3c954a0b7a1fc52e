@testable import DemoServer
import Foundation
import XCTest

/// The multipart/form-data parser on hand-built bodies: the file part's bytes must come out
/// exactly as they went in, and each malformation must be refused with a reason.
final class MultipartTests: XCTestCase {
    let boundary = "----formBoundary7MA4YWxk"
    /// Binary content with CRLFs, CRLFCRLF, a "--" line, and CRLF + "--" + the boundary followed by
    /// more characters (so not a delimiter), ending in CRLF.
    let content: [UInt8] = [0x52, 0x49, 0x46, 0x46, 0x0D, 0x0A, 0x2D, 0x2D, 0x00, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A]
        + Array("--not-the-boundary\r\n".utf8) + Array("------formBoundary7MA4YWxkX".utf8) + [0x0D, 0x0A]

    func crlf(_ lines: String...) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

    func filePart(_ bytes: [UInt8], name: String = "file", filename: String = "clip.wav", boundary: String? = nil) -> [UInt8] {
        crlf("--\(boundary ?? self.boundary)", "Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"",
             "Content-Type: audio/wav", "", "") + bytes + crlf("", "")
    }

    func fieldPart(_ name: String, _ value: String) -> [UInt8] {
        crlf("--\(boundary)", "Content-Disposition: form-data; name=\"\(name)\"", "", value, "")
    }

    var closing: [UInt8] { Array("--\(boundary)--".utf8) }

    func testWellFormedWithOtherFields() throws {
        let body = fieldPart("source", "file") + filePart(content) + fieldPart("example", "angry_SYN.wav") + closing + crlf("", "")
        let parts = try Multipart.parts(body, boundary: boundary)
        XCTAssertEqual(parts.map(\.name), ["source", "file", "example"])
        XCTAssertEqual(parts.map(\.text)[0], "file")
        XCTAssertEqual(parts[1].filename, "clip.wav")
        XCTAssertEqual(parts[1].headers["content-type"], "audio/wav")
        XCTAssertEqual(parts[1].body, content, "the file's bytes exactly, CRLFs inside kept, no trailing CRLF")
        let file = try Multipart.singleFile(body, contentType: "multipart/form-data; boundary=\(boundary)")
        XCTAssertEqual(file.body, content)
    }

    func testPreambleAndEpilogueAreIgnored() throws {
        let body = crlf("This is the preamble.", "It is to be ignored.", "") + filePart(content) + closing
            + crlf("", "This is the epilogue, also ignored.", "--\(boundary)", "")
        let parts = try Multipart.parts(body, boundary: boundary)
        XCTAssertEqual(parts.count, 1)
        XCTAssertEqual(parts[0].body, content)
    }

    func testQuotedBoundaryAndParameters() throws {
        let quoted = "gc0p4Jq0M2Yt08j34c0p:?=()"
        XCTAssertEqual(try Multipart.boundary(contentType: "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"\(quoted)\""), quoted)
        XCTAssertEqual(try Multipart.boundary(contentType: "multipart/form-data;boundary=abc"), "abc")
        let body = filePart(content, filename: "a \\\"b\\\"; c.wav", boundary: quoted) + Array("--\(quoted)--".utf8)
        let file = try Multipart.singleFile(body, contentType: "multipart/form-data; boundary=\"\(quoted)\"")
        XCTAssertEqual(file.body, content)
        XCTAssertEqual(file.filename, "a \"b\"; c.wav", "quoted-string with escapes and a semicolon")
        XCTAssertTrue(Multipart.isFormData("multipart/form-data; boundary=x"))
        XCTAssertFalse(Multipart.isFormData("application/octet-stream"))
        XCTAssertFalse(Multipart.isFormData(nil))
    }

    func testEmptyFileContentAndPaddedDelimiter() throws {
        // Transport padding (spaces) after a delimiter is allowed; an empty file part keeps 0 bytes.
        let body = crlf("--\(boundary)   ", "Content-Disposition: form-data; name=\"file\"; filename=\"x.wav\"", "", "")
            + crlf("", "--\(boundary)--")
        let parts = try Multipart.parts(body, boundary: boundary)
        XCTAssertEqual(parts.count, 1)
        XCTAssertEqual(parts[0].body, [])
        XCTAssertTrue(parts[0].isFile, "a named file, even empty, is a file (the decoder then says it is empty)")
    }

    func testMalformedBodiesAreRefused() {
        let type = "multipart/form-data; boundary=\(boundary)"
        let cases: [(String, [UInt8], String, String)] = [
            ("missing closing boundary", filePart(content), type, "ends before the closing boundary"),
            ("cut inside the file", Array(filePart(content).dropLast(6)), type, "ends before the closing boundary"),
            ("two files", filePart(content) + filePart(content, name: "other") + closing, type, "holds 2 files"),
            ("no file", fieldPart("source", "file") + closing, type, "holds no file"),
            ("file input left empty", filePart([], filename: "") + closing, type, "holds no file"),
            ("boundary absent from body", Array("just some bytes".utf8), type, "does not contain the boundary"),
            ("no boundary parameter", filePart(content) + closing, "multipart/form-data", "has no boundary parameter"),
            ("empty boundary", filePart(content) + closing, "multipart/form-data; boundary=", "not a valid boundary"),
            ("boundary with bad characters", filePart(content) + closing, "multipart/form-data; boundary=a<b>", "not a valid boundary"),
            ("boundary over 70 characters", filePart(content) + closing,
             "multipart/form-data; boundary=" + String(repeating: "b", count: 71), "not a valid boundary"),
            ("headers without a blank line", crlf("--\(boundary)", "Content-Disposition: form-data; name=\"file\"", "") + closing,
             type, "not followed by an empty line"),
        ]
        for (name, body, contentType, reason) in cases {
            XCTAssertThrowsError(try Multipart.singleFile(body, contentType: contentType), name) { error in
                guard case DemoError.badMultipart(let why) = error else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue(why.contains(reason), "\(name): '\(why)' should say '\(reason)'")
                XCTAssertEqual((error as? DemoError)?.status, .badRequest, name)
            }
        }
    }
}
