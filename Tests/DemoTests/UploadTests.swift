@testable import DemoServer
import Foundation
import XCTest

/// The pieces behind the upload path, tested directly.
final class UploadTests: XCTestCase {
    func testTemporaryFileIsPrivateAndRemoved() throws {
        var seen: URL?
        let mode = try UploadFile.withTemporaryFile(holding: [1, 2, 3]) { url -> Int in
            seen = url
            XCTAssertEqual(try Data(contentsOf: url), Data([1, 2, 3]))
            return (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        XCTAssertEqual(mode, 0o600)
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(seen).path))
    }

    func testTemporaryFileIsRemovedWhenDecodingFails() throws {
        struct Boom: Error {}
        var seen: URL?
        XCTAssertThrowsError(try UploadFile.withTemporaryFile(holding: [9]) { url in
            seen = url
            throw Boom()
        })
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(seen).path))
    }
}
