import Foundation
import XCTest
import Base
import TestSupport

final class AtomicWriteTests: XCTestCase {
    func testAtomicWriteReplacesAndLeavesNoTemporaryFiles() throws {
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("sub/report.md")
        try writeAtomically("one", to: url)
        try writeAtomically("two", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["report.md"])
    }

    func testUnwritableTargetIsAClearError() {
        XCTAssertThrowsError(try writeAtomically("x", to: URL(fileURLWithPath: "/proc/definitely/not/here.md"))) { e in
            XCTAssertTrue("\(e)".contains("/proc/definitely/not"), "\(e)")
        }
    }
}
