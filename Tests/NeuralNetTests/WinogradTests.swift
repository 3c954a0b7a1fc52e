// Winograd F(2,5) and F(4,5) (Winograd.swift): the transform matrices against direct
// convolution in Float64, the layer against the im2col path in Float32, the path table, and
// reproducible training through it. The finite-difference check of its backward pass is in
// GradientCheckTests; Keras' golden tensors through it in KerasGoldenTests and AdamTests.
import Base
import Foundation
import NeuralNet
import XCTest

let winogradTransforms = [WinogradTransform.f2k5, .f4k5]

/// Max |a − ref| over the tensor divided by max |ref| (the scale checkTensor uses).
func relativeError<T: BinaryFloatingPoint>(_ a: [T], _ ref: [T]) -> Double {
    precondition(a.count == ref.count)
    var diff = 0.0, scale = 0.0
    for (x, r) in zip(a, ref) {
        diff = max(diff, abs(Double(x) - Double(r)))
        scale = max(scale, abs(Double(r)))
    }
    return scale > 0 ? diff / scale : diff
}

final class WinogradTests: XCTestCase {
    /// One tile, y = Aᵀ[(G g) ⊙ (Bᵀ d)], against y[t] = Σ_j d[t + j] g[j], in Float64.
    func testTransformsMatchDirectConvolutionInFloat64() {
        var rng = Xoshiro256(seed: 17)
        for tr in winogradTransforms {
            let m = tr.outputTile, r = tr.kernelSize, a = tr.alpha
            XCTAssertEqual(tr.AT.count, m * a); XCTAssertEqual(tr.G.count, a * r); XCTAssertEqual(tr.BT.count, a * a)
            // Bᵀ is integer (every denominator went into G), Aᵀ dyadic: the data transforms are exact-ish.
            XCTAssertTrue(tr.BT.allSatisfy { $0 == $0.rounded() }, "\(tr): Bᵀ has integer entries")
            XCTAssertTrue(tr.AT.allSatisfy { ($0 * 512) == ($0 * 512).rounded() }, "\(tr): Aᵀ has dyadic entries")
            var worst = 0.0
            for _ in 0..<200 {
                let d = (0..<a).map { _ in Double(rng.uniform(-1, 1)) }, g = (0..<r).map { _ in Double(rng.uniform(-1, 1)) }
                let u = (0..<a).map { xi in (0..<r).reduce(0.0) { $0 + tr.G[xi * r + $1] * g[$1] } }
                let v = (0..<a).map { xi in (0..<a).reduce(0.0) { $0 + tr.BT[xi * a + $1] * d[$1] } }
                for t in 0..<m {
                    let y = (0..<a).reduce(0.0) { $0 + tr.AT[t * a + $1] * u[$1] * v[$1] }
                    let direct = (0..<r).reduce(0.0) { $0 + d[t + $1] * g[$1] }
                    worst = max(worst, abs(y - direct))
                }
            }
            print(String(format: "  %@ one tile vs direct convolution, Float64: max|diff| %.2e", tr.description, worst))
            XCTAssertLessThan(worst, 1e-12, "\(tr)")
        }
    }

    /// The written-out F(4,5) transforms (the path the table uses) against the sparse loops
    /// over WinogradTransform.f4k5's matrices, Float64, on lengths that end mid-tile.
    func testUnrolledF45MatchesTheMatrices() {
        let tr = WinogradTransform.f4k5
        for (L, cin, cout) in [(20, 11, 9), (10, 8, 16), (3, 5, 3), (1, 2, 2)] {
            let batch = 2
            var rng = Xoshiro256(seed: UInt64(L))
            func random(_ n: Int) -> [Double] { (0..<n).map { _ in Double(rng.uniform(-1, 1)) } }
            let x = random(batch * L * cin), dpre = random(batch * L * cout), bias = random(cout)
            let n = WinogradKernel.scratch(batch: batch, length: L, inChannels: cin, outChannels: cout, transform: tr)
            let mt = random(n.m), dv = random(n.v)
            var results: [[Double]] = []
            for unrolled in [true, false] {
                var v = [Double](repeating: 0, count: n.v), dm = [Double](repeating: 0, count: n.m)
                var pre = [Double](repeating: 0, count: batch * L * cout), act = pre
                var dx = [Double](repeating: 0, count: x.count)
                WinogradKernel.inputTransform(x: x, v: &v, batch: batch, length: L, inChannels: cin, transform: tr, unrolled: unrolled)
                WinogradKernel.inputTransformAdjoint(dv: dv, dx: &dx, batch: batch, length: L, inChannels: cin, transform: tr,
                                                     unrolled: unrolled)
                WinogradKernel.outputTransform(mt: mt, bias: bias, pre: &pre, act: &act, activation: .linear, batch: batch,
                                               length: L, outChannels: cout, transform: tr, unrolled: unrolled)
                WinogradKernel.outputTransformAdjoint(dpre: dpre, dm: &dm, batch: batch, length: L, outChannels: cout,
                                                      transform: tr, unrolled: unrolled)
                results.append(v + dx + pre + dm)
            }
            let e = relativeError(results[0], results[1])
            XCTAssertLessThan(e, 1e-14, "L=\(L) \(cin)→\(cout): unrolled vs sparse F(4,5) transforms")
        }
    }

    /// The documented F(2,5) matrices (0, ±1, ±2, ∞), as derived by hand from Lagrange's formula.
    func testF25MatricesAreTheToomCookOnes() {
        let tr = WinogradTransform.f2k5
        XCTAssertEqual(tr.AT, [1, 1, 1, 1, 1, 0,
                               0, 1, -1, 2, -2, 1])
        XCTAssertEqual(tr.BT, [4, 0, -5, 0, 1, 0,
                               0, -4, -4, 1, 1, 0,
                               0, 4, -4, -1, 1, 0,
                               0, -2, -1, 2, 1, 0,
                               0, 2, -1, -2, 1, 0,
                               0, 4, 0, -5, 0, 1])
        let g: [Double] = [1.0 / 4, 0, 0, 0, 0,
                           -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6,
                           -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6,
                           1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3,
                           1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3,
                           0, 0, 0, 0, 1]
        XCTAssertEqual(tr.G, g)
    }

    /// The Conv1D layer through F(2,5) and F(4,5) against the im2col path, Float32: forward
    /// (pre-activation and ReLU output), dK, db and dx, for the notebook's main shape and edge
    /// lengths (L < m, L not a multiple of m, L < k, Cin = 1).
    ///
    /// Tolerance 2e-5 of the tensor's max |value|. Measured (this test prints it): at most
    /// ~1.5e-6 for F(2,5) and ~3e-6 for F(4,5) (im2col itself is one Float32 evaluation order
    /// of the same sums; the difference is both paths' rounding).
    func testLayerMatchesIm2colInFloat32() {
        let shapes: [(L: Int, cin: Int, cout: Int, batch: Int)] = [
            (20, 256, 256, 6), (10, 256, 128, 5), (40, 1, 32, 3), (5, 16, 8, 3), (3, 8, 8, 2), (2, 4, 6, 2), (1, 3, 5, 2), (9, 7, 5, 2),
        ]
        var worstF = [0.0, 0.0]
        for (L, cin, cout, batch) in shapes {
            var rng = Xoshiro256(seed: UInt64(L * 1000 + cin))
            let x = (0..<(batch * L * cin)).map { _ in max(0, rng.uniform(-1, 3)) }   // ReLU/pool-like inputs
            let dy = (0..<(batch * L * cout)).map { _ in rng.uniform(-1, 1) }
            let kernel = (0..<(5 * cin * cout)).map { _ in rng.uniform(-0.1, 0.1) }
            let bias = (0..<cout).map { _ in rng.uniform(-0.1, 0.1) }
            func run(_ path: Conv1DPath) -> [String: [Float]] {
                let layer = Conv1D(inputShape: [L, cin], filters: cout, kernelSize: 5, activation: .relu, key: "t")
                layer.kernel.value.copy(from: kernel); layer.bias.value.copy(from: bias)
                layer.pathOverride = path
                layer.keepsPreActivation = true
                layer.allocate(maxBatch: batch)
                let xb = Buffer(x), dyb = Buffer(dy)
                let y = Buffer<Float>(count: batch * L * cout), dx = Buffer<Float>(count: batch * L * cin)
                layer.forward(x: xb.pointer, y: y.pointer, batch: batch, training: true)
                layer.backward(x: xb.pointer, y: y.pointer, dy: dyb.pointer, dx: dx.pointer, batch: batch)
                return ["pre": layer.pre.prefix(batch * L * cout), "act": y.array, "dK": layer.kernel.grad.array,
                        "db": layer.bias.grad.array, "dx": dx.array]
            }
            let ref = run(.im2col)
            for (k, m) in [2, 4].enumerated() {
                let w = run(.winograd(outputTile: m))
                for name in ["pre", "act", "dK", "db", "dx"] {
                    let e = relativeError(w[name]!, ref[name]!)
                    worstF[k] = max(worstF[k], e)
                    XCTAssertLessThanOrEqual(e, 2e-5, "F(\(m),5) L=\(L) \(cin)→\(cout) \(name): relative error \(e)")
                }
            }
        }
        print(String(format: "  layer vs im2col, Float32, worst over pre, act, dK, db, dx: F(2,5) %.2e, F(4,5) %.2e (tol 2e-5)",
                     worstF[0], worstF[1]))
    }

    /// `.winograd` follows the fixed table; `.im2col` forces im2col; an override wins over both.
    func testPathTable() {
        let model = NotebookCNN.make(seed: 1)
        let expected = model.layers.compactMap { $0 as? Conv1D }.map { Conv1DPath.table[$0.shape] ?? .im2col }
        XCTAssertEqual(model.convAlgorithm, .winograd)
        XCTAssertEqual(model.convPaths, expected)
        XCTAssertTrue(model.convPaths.contains { $0 != .im2col }, "the notebook model takes Winograd somewhere")
        model.convAlgorithm = .im2col
        XCTAssertEqual(model.convPaths, Array(repeating: .im2col, count: 5))
        (model.layers[0] as! Conv1D).pathOverride = .winograd(outputTile: 2)
        XCTAssertEqual(model.convPaths.first, .winograd(outputTile: 2))
        // Shapes the table does not know stay on the reference path.
        XCTAssertEqual(Conv1DPath.choose(.winograd, for: .init(length: 7, inChannels: 3, outChannels: 4, kernelSize: 3)), .im2col)
    }

    /// Same seed and thread count → the same history bit for bit through Winograd (F(2,5) and
    /// F(4,5) forced on every conv layer of the small model), on 1 and 2 data-parallel threads
    /// and with 2 BLAS threads; and it is not the im2col history (the path really changed).
    func testWinogradTrainingIsReproducible() {
        let (x, y) = toyData(count: 90, seed: 1)
        let (xv, yv) = toyData(count: 30, seed: 2)
        func run(_ path: Conv1DPath, threads: Int, _ p: FitOptions.Parallelism) -> [UInt32] {
            let model = smallModel(seed: 9)
            for l in model.layers { (l as? Conv1D)?.pathOverride = path }
            let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 12,
                        options: FitOptions(seed: 3, batchSize: 16, epochs: 3, threads: threads, parallelism: p))
            XCTAssertEqual(model.convPaths, [path, path])
            // The history and the weights: a history of 3 epochs on toy data can round alike on
            // two paths; the trained weights cannot.
            return h.rows.flatMap { [$0.loss, $0.accuracy, $0.valLoss, $0.valAccuracy].map(\.bitPattern) }
                + model.snapshot().flatMap { $0.map(\.bitPattern) }
        }
        for (threads, p) in [(1, FitOptions.Parallelism.dataParallel), (2, .dataParallel), (2, .blas)] {
            let reference = run(.im2col, threads: threads, p)
            for m in [2, 4] {
                let a = run(.winograd(outputTile: m), threads: threads, p), b = run(.winograd(outputTile: m), threads: threads, p)
                XCTAssertEqual(a, b, "F(\(m),5), \(threads) thread(s) \(p.rawValue): same seed → same history bit for bit")
                XCTAssertNotEqual(a, reference, "F(\(m),5) gives other bits than im2col")
            }
        }
    }

    /// The notebook model through `fit` with each algorithm: two runs give the same bits.
    func testNotebookModelFitIsReproducibleForBothAlgorithms() {
        var rng = Xoshiro256(seed: 4)
        let x = (0..<(96 * 40)).map { _ in rng.uniform(-30, 30) }, y = (0..<96).map { $0 % 7 }
        let xv = Array(x.prefix(32 * 40)), yv = Array(y.prefix(32))
        for algorithm in ConvAlgorithm.allCases {
            func run() -> [UInt32] {
                let model = NotebookCNN.make(seed: 2)
                let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 40,
                            options: FitOptions(seed: 5, batchSize: 32, epochs: 2, threads: 2, convAlgorithm: algorithm))
                XCTAssertEqual(model.convAlgorithm, algorithm)
                return h.rows.flatMap { [$0.loss, $0.valLoss].map(\.bitPattern) }
            }
            XCTAssertEqual(run(), run(), "\(algorithm): same seed and threads → same bits")
        }
    }
}
