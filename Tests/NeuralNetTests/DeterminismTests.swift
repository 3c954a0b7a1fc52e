// Issue 21: the deterministic arithmetic gives the same bits with any thread count and on any
// GEMM variant (scalar, AVX2+FMA, AVX-512), and its GEMM is a correct product.
import Base
@testable import NeuralNet
import XCTest

final class DeterminismTests: XCTestCase {
    override func tearDown() { DeterministicGEMM.force(nil) }

    private func random(_ n: Int, seed: UInt64) -> [Float] {
        var rng = Xoshiro256(seed: seed)
        return (0..<n).map { _ in rng.uniform(-1, 1) }
    }

    private func gemm(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, a: [Float], b: [Float], c: [Float], beta: Float) -> [Float] {
        var c = c
        let lda = ta ? m : k, ldb = tb ? k : n
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    Float.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: a.baseAddress!, lda: lda,
                               b: b.baseAddress!, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// Every variant this CPU runs gives the bits of the scalar fmaf chain, for odd shapes (edge
    /// tiles), all transposes, beta 0 and 1, and K beyond one packing block; and the product is
    /// within float rounding of a Float64 sum (a hand calculation's definition).
    func testEveryVariantGivesTheBitsOfOneFMAChainPerElement() {
        XCTAssertEqual(Arithmetic.current, .deterministic)
        print("GEMM variants this CPU runs: \(DeterministicGEMM.available)")
        for (m, n, k) in [(1, 1, 1), (7, 19, 5), (13, 33, 300), (40, 70, 257)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    let a = random(m * k, seed: 1), b = random(k * n, seed: 2), c0 = random(m * n, seed: 3)
                    var results: [[UInt32]] = []
                    for v in DeterministicGEMM.available {
                        XCTAssertTrue(DeterministicGEMM.force(v))
                        results.append(gemm(ta, tb, m: m, n: n, k: k, a: a, b: b, c: c0, beta: 1).map(\.bitPattern))
                    }
                    // The chain by hand, in Swift: acc = C; acc = fma(a, b, acc) for k in order.
                    var expected = [UInt32]()
                    for i in 0..<m {
                        for j in 0..<n {
                            var acc = c0[i * n + j]
                            var exact = Double(acc)
                            for p in 0..<k {
                                let x = ta ? a[p * m + i] : a[i * k + p], y = tb ? b[j * k + p] : b[p * n + j]
                                acc = acc.addingProduct(x, y)   // IEEE fusedMultiplyAdd: one rounding
                                exact += Double(x) * Double(y)
                            }
                            expected.append(acc.bitPattern)
                            XCTAssertEqual(Double(acc), exact, accuracy: 1e-5 * Double(k + 1))
                        }
                    }
                    for (v, r) in zip(DeterministicGEMM.available, results) {
                        XCTAssertEqual(r, expected, "\(v) \(m)x\(n)x\(k) transA \(ta) transB \(tb)")
                    }
                }
            }
        }
    }

    /// Accumulating over consecutive parts of K with beta = 1 gives the bits of one GEMM over all
    /// of K (what data-parallel gradients rely on), and a row split changes nothing.
    func testPartsOfKAndSplitsOfRowsKeepTheBits() {
        let m = 21, n = 37, k = 90
        let a = random(k * m, seed: 4), b = random(k * n, seed: 5)   // transA: a is (K, M)
        let whole = gemm(true, false, m: m, n: n, k: k, a: a, b: b, c: [Float](repeating: 0, count: m * n), beta: 0)
        var c = [Float](repeating: 0, count: m * n)
        for (lo, hi) in [(0, 13), (13, 14), (14, 90)] {
            c = gemm(true, false, m: m, n: n, k: hi - lo, a: Array(a[(lo * m)..<(hi * m)]), b: Array(b[(lo * n)..<(hi * n)]),
                     c: c, beta: lo == 0 ? 0 : 1)
        }
        XCTAssertEqual(c.map(\.bitPattern), whole.map(\.bitPattern))
        let a2 = random(m * k, seed: 6)   // not transposed: (M, K), so rows 0..<8 are a prefix
        let all = gemm(false, false, m: m, n: n, k: k, a: a2, b: b, c: [Float](repeating: 0, count: m * n), beta: 0)
        let top = gemm(false, false, m: 8, n: n, k: k, a: Array(a2.prefix(8 * k)), b: b,
                       c: [Float](repeating: 0, count: 8 * n), beta: 0)
        XCTAssertEqual(top.map(\.bitPattern), Array(all.prefix(8 * n)).map(\.bitPattern), "the first 8 rows alone")
    }

    /// Training for 2 epochs with 1, 2 and 3 threads gives byte-identical weights and history
    /// (dropout on, a last batch of another size, Winograd and im2col layers).
    func testTrainingGivesTheSameWeightsWithAnyThreadCount() {
        let (x, y) = toyData(count: 70, seed: 11)
        let (xv, yv) = toyData(count: 20, seed: 12)
        for path in [Conv1DPath.im2col, .winograd(outputTile: 4)] {
            var results: [[UInt32]] = []
            for threads in [1, 2, 3] {
                let model = smallModel(seed: 5)
                for l in model.layers { (l as? Conv1D)?.pathOverride = path }
                let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 12,
                            options: FitOptions(seed: 6, batchSize: 16, epochs: 2, patience: nil, threads: threads))
                results.append(model.snapshot().flatMap { $0.map(\.bitPattern) }
                               + h.rows.flatMap { [$0.loss, $0.valLoss].map(\.bitPattern) })
            }
            XCTAssertEqual(results[0], results[1], "\(path): 1 and 2 threads")
            XCTAssertEqual(results[0], results[2], "\(path): 1 and 3 threads")
        }
    }
}
