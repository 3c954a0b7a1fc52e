import Base
import XCTest

/// Names from data in text outputs and file names (issue 22, items 1 and 10): expectations
/// written by hand.
final class UntrustedTextTests: XCTestCase {
    func testCSVQuotesEveryControlCharacter() {
        XCTAssertEqual(CSV.field("a\tb"), "\"a\tb\"")
        XCTAssertEqual(CSV.field("a\u{1B}[31mb"), "\"a\u{1B}[31mb\"")
        XCTAssertEqual(CSV.field("plain"), "plain")
        XCTAssertEqual(CSV.field("say \"x\", y"), "\"say \"\"x\"\", y\"")
    }

    func testVisibleTextEscapesControlCharacters() {
        XCTAssertEqual(visibleText("OAF_back_angry.wav"), "OAF_back_angry.wav")
        XCTAssertEqual(visibleText("a\tb"), "a\\tb")
        XCTAssertEqual(visibleText("a\nb\r"), "a\\nb\\r")
        XCTAssertEqual(visibleText("a\u{1B}[31m"), "a\\u{1B}[31m")
        XCTAssertEqual(visibleText("a\u{0}"), "a\\u{0}")
        XCTAssertEqual(visibleText("c:\\x"), "c:\\\\x")
    }

    func testSafeFileNameKeepsSafeNamesAndMapsTheRest() {
        XCTAssertEqual(SafeFileName.part("OAF"), "OAF")
        XCTAssertEqual(SafeFileName.part("angry_OAF.v2"), "angry_OAF.v2")
        for hostile in ["../x", "/etc/passwd", "..", ".", "", "a/b", "<script>alert(1)</script>", "-rf", ".hidden",
                        String(repeating: "a", count: 300), "é", "a\u{0}b", "C:\\x"] {
            let p = SafeFileName.part(hostile)
            XCTAssertTrue(SafeFileName.isSafe(p), "\(hostile.debugDescription) → \(p)")
            XCTAssertFalse(p.contains("/"), p)
            XCTAssertLessThanOrEqual(p.utf8.count, SafeFileName.maxLength, p)
            XCTAssertNotEqual(p, hostile, "a name that is not safe is changed")
            XCTAssertTrue(p.range(of: "-[0-9a-f]{8}$", options: .regularExpression) != nil, "hash suffix: \(p)")
        }
        // By hand: '.' and '.' kept, '/' → '_', a leading '.' replaced, then "-" + sha256("../x")[0..<8].
        XCTAssertTrue(SafeFileName.part("../x").hasPrefix("_._x-"), SafeFileName.part("../x"))
        XCTAssertNotEqual(SafeFileName.part("a/b"), SafeFileName.part("a?b"), "names that map alike differ by their hashes")
    }
}
