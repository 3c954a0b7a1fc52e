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

    /// An injected write failure (the file-size limit, RLIMIT_FSIZE, makes write(2) fail with
    /// EFBIG part-way): the error carries the system's reason, the old file is intact and no
    /// temporary file is left.
    func testAWriteThatFailsPartWayKeepsTheOldFile() throws {
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("report.md")
        try writeAtomically("old report", to: url)
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var small = saved
        small.rlim_cur = 4096
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small), 0)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previousHandler)
        }
        XCTAssertThrowsError(try writeAtomically(Data(count: 100_000), to: url)) { e in
            guard let w = e as? WriteError else { return XCTFail("\(e)") }
            XCTAssertEqual(w.code, EFBIG)
            XCTAssertEqual(w.path, url.path)
            XCTAssertTrue("\(w)".contains(String(cString: strerror(EFBIG))), "\(w)")
        }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old report")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["report.md"])
    }

    /// A full disk says so; it is not reported as a permission problem.
    func testTheHintFollowsTheCause() {
        XCTAssertTrue(WriteError(path: "/x", code: ENOSPC).description.contains("is full"))
        XCTAssertTrue(WriteError(path: "/x", code: ENOSPC).description.contains(String(cString: strerror(ENOSPC))))
        XCTAssertFalse(WriteError(path: "/x", code: ENOSPC).description.contains("not writable"))
        XCTAssertTrue(WriteError(path: "/x", code: EACCES).description.contains("not writable"))
    }
}
