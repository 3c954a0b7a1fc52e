import Audio
import Base
import Foundation
import XCTest

/// libsoxr 0.1.3 lets `SOXR_USE_SIMD` pick its engine in every `soxr_create`; the default
/// arithmetic must never follow it silently. (CrossCPUTests checks the same from subprocesses,
/// the way the executables run; this checks the guard inside `resampleSoxr` itself.)
final class SoxrEnvironmentTests: XCTestCase {
    override func tearDown() {
        // XCTest runs tests one at a time on one thread: changing the environment here races
        // with no other reader.
        unsetenv("SOXR_USE_SIMD")
        Arithmetic.current = .deterministic
    }

    func testTheDeterministicArithmeticRefusesAnEnvironmentThatPicksTheEngine() throws {
        let x = (0..<2000).map { Float(sin(Double($0) * 0.05)) }
        XCTAssertEqual(SoxrEnvironment.engine(), SoxrEnvironment.deterministicEngine)
        let pinned = try resampleSoxr(x, from: 24414, to: 22050)

        setenv("SOXR_USE_SIMD", "0", 1)
        // libsoxr follows the variable: its scalar engine.
        XCTAssertEqual(SoxrEnvironment.engine(), "cr32")
        XCTAssertThrowsError(try resampleSoxr(x, from: 24414, to: 22050)) { error in
            XCTAssertTrue("\(error)".contains("SOXR_USE_SIMD"), "\(error)")
        }
        // The native arithmetic is the library's own choice, environment included: other bits.
        Arithmetic.current = .native
        let scalar = try resampleSoxr(x, from: 24414, to: 22050)
        XCTAssertEqual(scalar.count, pinned.count)
        XCTAssertNotEqual(scalar, pinned)
        XCTAssertEqual(SoxrEnvironment.pin(), [], "pin leaves the native arithmetic's environment alone")

        // pin() removes the variable, and the default path is back, bit for bit.
        Arithmetic.current = .deterministic
        XCTAssertEqual(SoxrEnvironment.pin(), ["SOXR_USE_SIMD"])
        XCTAssertEqual(SoxrEnvironment.overrides(), [])
        XCTAssertEqual(try resampleSoxr(x, from: 24414, to: 22050), pinned)
    }
}
