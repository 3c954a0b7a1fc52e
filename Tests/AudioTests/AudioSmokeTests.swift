import XCTest
@testable import Audio

final class AudioSmokeTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertTrue(true)
    }
}
