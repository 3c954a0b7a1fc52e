import Base
import Foundation
import XCTest

/// SHA-256 against the published test vectors of FIPS 180-2 (Appendix B: "abc", the 448-bit
/// two-block message, one million 'a') and the well-known digest of the empty message, which
/// `sha256sum` and Python's `hashlib` print alike.
final class SHA256Tests: XCTestCase {
    func hex(_ s: String) -> String {
        var h = SHA256()
        h.update(s)
        return h.hex
    }

    func testPublishedVectors() {
        XCTAssertEqual(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testOneMillionA() {
        XCTAssertEqual(SHA256.hex(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The digest does not depend on how the message is cut into updates (pieces that straddle
    /// block boundaries, empty pieces, one byte at a time), and finalize leaves the hasher usable.
    func testChunkingDoesNotMatter() {
        let message = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let whole = SHA256.hex(of: message)
        for cut in [1, 3, 55, 56, 63, 64, 65, 127, 999] {
            var h = SHA256()
            var i = 0
            while i < message.count {
                let j = min(i + cut, message.count)
                h.update(message[i..<j])
                h.update(Data())
                i = j
            }
            XCTAssertEqual(h.hex, whole, "pieces of \(cut) bytes")
        }
        var h = SHA256()
        h.update("ab")
        _ = h.hex
        h.update("c")
        XCTAssertEqual(h.hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// Padding edge cases: lengths around one block. Expected digests from Python's hashlib
    /// (`hashlib.sha256(b'a' * n).hexdigest()`).
    func testLengthsAroundABlock() {
        let expected: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
        ]
        for (n, digest) in expected {
            XCTAssertEqual(SHA256.hex(of: Data(repeating: UInt8(ascii: "a"), count: n)), digest, "\(n) bytes")
        }
    }

    func testFileDigestEqualsDataDigest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("abc".utf8).write(to: url)
        XCTAssertEqual(try SHA256.hex(ofFileAt: url), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertThrowsError(try SHA256.hex(ofFileAt: url.appendingPathExtension("missing")))
    }
}
