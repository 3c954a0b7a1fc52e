@testable import DemoServer
import Foundation
import XCTest

/// Uploads the demo refuses because Audio's definition of a readable clip (shared with
/// `study predict` and the corpus scan) refuses them, with the status that says whose fault it is.
extension DemoServerTests {
    /// The blow-up of the figure path: a 3200-byte upload whose header claims 1 Hz would be
    /// resampled to 22050 Hz (70 million samples) before the fix. Now it is refused with a 422
    /// before any sample is decoded.
    func testImplausibleSampleRatesAre422EvenWithFigures() async throws {
        let oneHertz = try DemoFixture.wavBytes((0..<3200).map { Float(($0 % 7) - 3) / 8 }, rate: 1)
        XCTAssertLessThan(oneHertz.count, 8000)
        try await withDemo { server, client in
            let reply = try await self.post(client, server.baseURL + "/api/predict?figures=1", oneHertz)
            XCTAssertEqual(reply.status, 422)
            let message = reply.json["error"] as? String ?? ""
            XCTAssertTrue(message.contains("1 Hz") && message.contains("1000…384000 Hz"), message)
            XCTAssertFalse(message.contains("/"), "no server path in the message: \(message)")
        }
    }

    func testTruncatedUploadsAre400() async throws {
        let wav = try DemoFixture.wavBytes(DemoFixture.tone(f0: 150, seconds: 1, noise: 0))
        try await withDemo { server, client in
            for cut in [Array(wav.dropLast(1)), Array(wav.prefix(30))] {
                let reply = try await self.post(client, server.baseURL + "/api/predict", cut)
                XCTAssertEqual(reply.status, 400, "\(cut.count) bytes")
                XCTAssertTrue((reply.json["error"] as? String)?.contains("truncated") == true, "\(reply.json)")
            }
        }
    }

    /// Figures cover the analysed window (offset + duration), not the whole upload: a 60 s clip
    /// gets a spectrogram of ~3.5 s, the same image as its first 3.5 s alone.
    func testFiguresAreBoundedByTheAnalysisWindow() async throws {
        let long = DemoFixture.tone(f0: 200, seconds: 60, noise: 0.01, rate: 8000)
        let head = Array(long.prefix(8000 * 7 / 2))
        try await withDemo { server, client in
            let a = try await self.post(client, server.baseURL + "/api/predict?figures=1", try DemoFixture.wavBytes(long, rate: 8000))
            let b = try await self.post(client, server.baseURL + "/api/predict?figures=1", try DemoFixture.wavBytes(head, rate: 8000))
            XCTAssertEqual(a.status, 200)
            XCTAssertEqual(b.status, 200)
            let fa = try XCTUnwrap(a.json["figures"] as? [String: String])
            let fb = try XCTUnwrap(b.json["figures"] as? [String: String])
            XCTAssertEqual(fa["spectrogram"], fb["spectrogram"], "only the first offset + duration seconds are drawn")
            XCTAssertEqual(fa["waveform"], fb["waveform"])
        }
    }
}
