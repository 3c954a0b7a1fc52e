import XCTest
@testable import Features

final class FeaturesSmokeTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertTrue(true)
    }
}
