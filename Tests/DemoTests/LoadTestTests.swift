import DemoServer
import Foundation
import XCTest

/// The load test's own bookkeeping, on a small run: every request is counted once, in the
/// phase it belongs to, and a healthy server gives no errors.
final class LoadTestTests: XCTestCase {
    func testSmallRunCountsEveryRequest() async throws {
        let files = try DemoFixture.files.get()
        var options = LoadTest.Options()
        options.clients = 4
        options.requests = 12
        options.sequentialRequests = 3
        options.timeLimit = 120
        let config = DemoConfiguration(modelURL: files.model, examplesDirectory: files.examples, workers: 2)
        let result = try await LoadTest.run(config, clip: try LoadTest.syntheticClip(), options: options)
        XCTAssertEqual(result.phases.map(\.clients), [1, 4])
        XCTAssertEqual(result.phases.map(\.requests), [3, 12])
        XCTAssertEqual(result.phases.map(\.latencies.count), [3, 12])
        XCTAssertEqual(result.errors, 0, result.description)
        XCTAssertGreaterThan(result.rssBefore, 0, "RSS is read from /proc/self/status")
    }

    func testSyntheticClipFillsTheAnalysisWindow() throws {
        let clip = try LoadTest.syntheticClip()
        // 44-byte header + 3.5 s of 16-bit mono at 24414 Hz.
        XCTAssertEqual(clip.count, 44 + 2 * Int(3.5 * 24414))
    }
}
