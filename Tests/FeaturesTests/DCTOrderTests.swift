import Features
import Foundation
import XCTest

/// The DCT's arithmetic is part of the study's promise of the same bits on every CPU: each
/// coefficient is the sum over the bins in index order, from zero, of one rounded Double
/// product per bin, rounded once to Float. This checks `dct` against that definition written
/// as the plainest loop, bit for bit (no tolerance: a kernel that reorders, blocks or fuses
/// the sum would differ in the last bits of some coefficient).
final class DCTOrderTests: XCTestCase {
    func testEveryCoefficientIsTheInOrderDoubleSum() {
        let bins = 128, count = 40
        let m = dctMatrix(count: count, length: bins)
        // 7 frames: one block of four and a remainder of three. Values span the dB range the
        // DCT sees (−100…+40), with a fraction so products are inexact.
        for frames in [1, 4, 7] {
            var state: UInt32 = 7
            let values: [Float] = (0..<(bins * frames)).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return Float(Double(state >> 8) / Double(1 << 24) * 140 - 100) + 0.123
            }
            let s = Spectrogram(bins: bins, frames: frames, values: values)
            let c = dct(s, count: count)
            XCTAssertEqual([c.bins, c.frames], [count, frames])
            for f in 0..<frames {
                for k in 0..<count {
                    var sum = 0.0
                    for i in 0..<bins {
                        let product = Double(values[f * bins + i]) * m[k * bins + i]
                        sum = sum + product
                    }
                    XCTAssertEqual(c[k, f].bitPattern, Float(sum).bitPattern, "frame \(f) coefficient \(k)")
                }
            }
        }
    }
}
