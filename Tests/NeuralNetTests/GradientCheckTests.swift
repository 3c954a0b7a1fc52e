// Every layer's backward pass against central finite differences, in Float64, on small shapes —
// independent of Keras. The layer math is generic (Conv1DKernel, MaxPool1DKernel, DenseKernel,
// DropoutKernel, SoftmaxCrossEntropyKernel), so these run the very code the Float32 model runs.
//
// For a layer y = f(x; θ) we check the gradient of the scalar s = Σ y·w (w random), i.e. the
// backward pass given dy = w, against (s(θ + h) − s(θ − h)) / 2h with h = 1e-6.
import Base
import Foundation
import NeuralNet
import XCTest

private struct DRNG {
    var g: Xoshiro256
    init(_ seed: UInt64) { g = Xoshiro256(seed: seed) }
    mutating func normalish() -> Double { Double(g.nextFloat()) * 2 - 1 + Double(g.nextFloat()) * 1e-3 }
    mutating func array(_ n: Int, scale: Double = 1) -> [Double] { (0..<n).map { _ in normalish() * scale } }
}

/// Max relative error between analytic and numeric gradients: |a − n| / max(1, |a|, |n|) would
/// hide small gradients, so we use |a − n| / (max|n| over the tensor + 1e-12).
private func compare(_ name: String, analytic: [Double], numeric: [Double], tol: Double = 1e-7,
                     file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.count, numeric.count, name, file: file, line: line)
    let scale = numeric.map(abs).max() ?? 0
    var worst = 0.0
    for (a, n) in zip(analytic, numeric) { worst = max(worst, abs(a - n)) }
    let rel = worst / (scale + 1e-12)
    print(String(format: "  %@ %-34@ max|analytic - numeric| %.2e  rel %.2e", rel <= tol ? "OK  " : "FAIL", name as NSString, worst, rel))
    XCTAssertLessThanOrEqual(rel, tol, "\(name): analytic vs finite-difference gradient", file: file, line: line)
}

/// Central differences of f with respect to every element of v.
private func numericGradient(_ v: inout [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var g = [Double](repeating: 0, count: v.count)
    for i in 0..<v.count {
        let old = v[i]
        v[i] = old + h; let fp = f(v)
        v[i] = old - h; let fm = f(v)
        v[i] = old
        g[i] = (fp - fm) / (2 * h)
    }
    return g
}

private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

final class GradientCheckTests: XCTestCase {
    override func setUp() { print("finite-difference check (\(name)):") }

    func testConv1D() {
        // Lengths below, equal to and above the kernel size; odd and even kernels; relu and linear.
        for (L, k, act) in [(7, 5, Activation.relu), (3, 5, .linear), (2, 5, .relu), (6, 4, .linear), (5, 3, .relu)] {
            let B = 2, cin = 3, cout = 4
            var r = DRNG(UInt64(L * 100 + k))
            var x = r.array(B * L * cin), kernel = r.array(k * cin * cout, scale: 0.7), bias = r.array(cout, scale: 0.3)
            let w = r.array(B * L * cout)
            func f(_ x: [Double], _ kernel: [Double], _ bias: [Double]) -> Double {
                var cols = [Double](repeating: 0, count: B * L * k * cin)
                var pre = [Double](repeating: 0, count: B * L * cout), out = pre
                Conv1DKernel.forward(x: x, kernel: kernel, bias: bias, cols: &cols, pre: &pre, act: &out, activation: act,
                                     batch: B, length: L, inChannels: cin, outChannels: cout, kernelSize: k)
                return dot(out, w)
            }
            var cols = [Double](repeating: 0, count: B * L * k * cin), dcols = cols
            var pre = [Double](repeating: 0, count: B * L * cout), out = pre, dpre = pre
            var dk = [Double](repeating: 0, count: kernel.count), db = [Double](repeating: 0, count: cout)
            var dx = [Double](repeating: 0, count: x.count)
            Conv1DKernel.forward(x: x, kernel: kernel, bias: bias, cols: &cols, pre: &pre, act: &out, activation: act,
                                 batch: B, length: L, inChannels: cin, outChannels: cout, kernelSize: k)
            Conv1DKernel.backward(dact: w, pre: pre, cols: cols, kernel: kernel, dKernel: &dk, dBias: &db, dpre: &dpre,
                                  dcols: &dcols, dx: &dx, activation: act, batch: B, length: L, inChannels: cin,
                                  outChannels: cout, kernelSize: k)
            let tag = "Conv1D L=\(L) k=\(k) \(act.rawValue)"
            compare(tag + " dx", analytic: dx, numeric: numericGradient(&x) { f($0, kernel, bias) })
            compare(tag + " dK", analytic: dk, numeric: numericGradient(&kernel) { f(x, $0, bias) })
            compare(tag + " db", analytic: db, numeric: numericGradient(&bias) { f(x, kernel, $0) })
        }
    }

    /// The Winograd path (WinogradKernel, the code the Float32 layer runs) against finite
    /// differences: F(2,5) and F(4,5), lengths below, at and above the tile and kernel sizes,
    /// not multiples of the tile; relu and linear.
    func testConv1DWinograd() {
        for tr in [WinogradTransform.f2k5, .f4k5] {
            for (L, act) in [(7, Activation.relu), (8, .linear), (9, .relu), (5, .relu), (4, .linear), (3, .relu), (2, .linear), (1, .relu)] {
                let B = 2, cin = 3, cout = 4, k = 5
                var r = DRNG(UInt64(L * 100 + tr.outputTile))
                var x = r.array(B * L * cin), kernel = r.array(k * cin * cout, scale: 0.7), bias = r.array(cout, scale: 0.3)
                let w = r.array(B * L * cout)
                let n = WinogradKernel.scratch(batch: B, length: L, inChannels: cin, outChannels: cout, transform: tr)
                func zeros(_ c: Int) -> [Double] { [Double](repeating: 0, count: c) }
                func f(_ x: [Double], _ kernel: [Double], _ bias: [Double]) -> Double {
                    var u = zeros(n.u), v = zeros(n.v), mt = zeros(n.m), pre = zeros(B * L * cout), out = pre
                    WinogradKernel.forward(x: x, kernel: kernel, bias: bias, u: &u, v: &v, mt: &mt, pre: &pre, act: &out,
                                           activation: act, batch: B, length: L, inChannels: cin, outChannels: cout, transform: tr)
                    return dot(out, w)
                }
                var u = zeros(n.u), v = zeros(n.v), mt = zeros(n.m), du = zeros(n.u), dv = zeros(n.v)
                var pre = zeros(B * L * cout), out = pre, dpre = pre
                var dk = zeros(kernel.count), db = zeros(cout), dx = zeros(x.count)
                WinogradKernel.forward(x: x, kernel: kernel, bias: bias, u: &u, v: &v, mt: &mt, pre: &pre, act: &out,
                                       activation: act, batch: B, length: L, inChannels: cin, outChannels: cout, transform: tr)
                WinogradKernel.backward(dact: w, pre: pre, u: u, v: v, mt: &mt, du: &du, dv: &dv, dKernel: &dk, dBias: &db,
                                        dpre: &dpre, dx: &dx, activation: act, batch: B, length: L, inChannels: cin,
                                        outChannels: cout, transform: tr)
                let tag = "Conv1D \(tr) L=\(L) \(act.rawValue)"
                compare(tag + " dx", analytic: dx, numeric: numericGradient(&x) { f($0, kernel, bias) })
                compare(tag + " dK", analytic: dk, numeric: numericGradient(&kernel) { f(x, $0, bias) })
                compare(tag + " db", analytic: db, numeric: numericGradient(&bias) { f(x, kernel, $0) })
            }
        }
    }

    func testMaxPool1D() {
        for L in [2, 3, 5, 8, 11, 40] {
            let B = 2, C = 3, lout = MaxPool1DKernel.outputLength(L, pool: 5, stride: 2)
            var r = DRNG(UInt64(L))
            var x = r.array(B * L * C)   // distinct values: the max is differentiable
            let w = r.array(B * lout * C)
            func f(_ x: [Double]) -> Double {
                var y = [Double](repeating: 0, count: B * lout * C), a = [Int32](repeating: 0, count: y.count)
                MaxPool1DKernel.forward(x: x, y: &y, argmax: &a, batch: B, length: L, channels: C, pool: 5, stride: 2)
                return dot(y, w)
            }
            var y = [Double](repeating: 0, count: B * lout * C), a = [Int32](repeating: 0, count: y.count)
            var dx = [Double](repeating: 0, count: x.count)
            MaxPool1DKernel.forward(x: x, y: &y, argmax: &a, batch: B, length: L, channels: C, pool: 5, stride: 2)
            MaxPool1DKernel.backward(dy: w, argmax: a, dx: &dx, batch: B, length: L, channels: C, outLength: lout)
            compare("MaxPool1D(5,2) L=\(L) dx", analytic: dx, numeric: numericGradient(&x, f))
        }
    }

    func testDense() {
        for act in [Activation.relu, .linear] {
            let B = 3, nIn = 6, nOut = 5
            var r = DRNG(act == .relu ? 1 : 2)
            var x = r.array(B * nIn), kernel = r.array(nIn * nOut), bias = r.array(nOut, scale: 0.2)
            let w = r.array(B * nOut)
            func f(_ x: [Double], _ kernel: [Double], _ bias: [Double]) -> Double {
                var pre = [Double](repeating: 0, count: B * nOut), out = pre
                DenseKernel.forward(x: x, kernel: kernel, bias: bias, pre: &pre, act: &out, activation: act,
                                    batch: B, inputs: nIn, units: nOut)
                return dot(out, w)
            }
            var pre = [Double](repeating: 0, count: B * nOut), out = pre, dpre = pre
            var dk = [Double](repeating: 0, count: kernel.count), db = [Double](repeating: 0, count: nOut)
            var dx = [Double](repeating: 0, count: x.count)
            DenseKernel.forward(x: x, kernel: kernel, bias: bias, pre: &pre, act: &out, activation: act,
                                batch: B, inputs: nIn, units: nOut)
            DenseKernel.backward(dact: w, pre: pre, x: x, kernel: kernel, dKernel: &dk, dBias: &db, dpre: &dpre, dx: &dx,
                                 activation: act, batch: B, inputs: nIn, units: nOut)
            compare("Dense \(act.rawValue) dx", analytic: dx, numeric: numericGradient(&x) { f($0, kernel, bias) })
            compare("Dense \(act.rawValue) dK", analytic: dk, numeric: numericGradient(&kernel) { f(x, $0, bias) })
            compare("Dense \(act.rawValue) db", analytic: db, numeric: numericGradient(&bias) { f(x, kernel, $0) })
        }
    }

    func testReLU() {
        let n = 37
        var r = DRNG(5)
        var x = r.array(n)
        let w = r.array(n)
        func f(_ x: [Double]) -> Double {
            var y = [Double](repeating: 0, count: n)
            ReLU.forward(x, &y, count: n)
            return dot(y, w)
        }
        var dx = [Double](repeating: 0, count: n)
        ReLU.backward(pre: x, dy: w, dx: &dx, count: n)
        compare("ReLU dx", analytic: dx, numeric: numericGradient(&x, f))
        // The Float32 SIMD path gives the same values as the scalar rule.
        let xf = x.map(Float.init), wf = w.map(Float.init)
        var yf = [Float](repeating: 0, count: n), dxf = yf
        ReLU.forward(xf, &yf, count: n)
        ReLU.backward(pre: xf, dy: wf, dx: &dxf, count: n)
        XCTAssertEqual(yf, xf.map { $0 > 0 ? $0 : 0 })
        XCTAssertEqual(dxf, zip(xf, wf).map { $0 > 0 ? $1 : 0 })
    }

    func testDropoutWithFixedMask() {
        let n = 40
        var rng = Xoshiro256(seed: 7)
        var mask = [Double](repeating: 0, count: n)
        DropoutKernel.sampleMask(&mask, count: n, rate: 0.3, rng: &rng)
        XCTAssertTrue(mask.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
        XCTAssertTrue(mask.contains(0) && mask.contains { $0 > 0 })
        var r = DRNG(3)
        var x = r.array(n)
        let w = r.array(n)
        func f(_ x: [Double]) -> Double {
            var y = [Double](repeating: 0, count: n)
            DropoutKernel.apply(x, mask: mask, &y, count: n)
            return dot(y, w)
        }
        var dx = [Double](repeating: 0, count: n)
        DropoutKernel.apply(w, mask: mask, &dx, count: n)   // backward is the same product with dy
        compare("Dropout(0.3) dx", analytic: dx, numeric: numericGradient(&x, f))
    }

    func testSoftmaxCrossEntropy() {
        let B = 4, K = 7
        var r = DRNG(11)
        var logits = r.array(B * K, scale: 5)
        logits[3] = 80; logits[10] = -60   // large values: the stable form must not overflow
        let labels: [Int32] = [0, 3, 6, 2]
        func f(_ l: [Double]) -> Double {
            var p = [Double](repeating: 0, count: B * K)
            return SoftmaxCrossEntropyKernel.forward(logits: l, labels: labels, probs: &p, lossPerSample: nil, batch: B, classes: K)
        }
        var p = [Double](repeating: 0, count: B * K), dl = p
        let loss = SoftmaxCrossEntropyKernel.forward(logits: logits, labels: labels, probs: &p, lossPerSample: nil, batch: B, classes: K)
        XCTAssertTrue(loss.isFinite)
        SoftmaxCrossEntropyKernel.backward(probs: p, labels: labels, dlogits: &dl, batch: B, classes: K)
        compare("SoftmaxCrossEntropy dlogits", analytic: dl, numeric: numericGradient(&logits, f))
    }

    /// A small chain of the real kernels: Conv1D(relu) → MaxPool1D → Conv1D(relu) → MaxPool1D →
    /// Flatten → Dense(relu) → Dense → softmax CE; checks d loss / d x and a kernel end to end.
    func testSmallNetworkEndToEnd() {
        let B = 3, L = 9, c0 = 2, c1 = 4, c2 = 3, hidden = 5, K = 4
        let l1 = MaxPool1DKernel.outputLength(L, pool: 5, stride: 2), l2 = MaxPool1DKernel.outputLength(l1, pool: 5, stride: 2)
        var r = DRNG(99)
        var x = r.array(B * L * c0)
        var k1 = r.array(5 * c0 * c1, scale: 0.8)
        let b1 = r.array(c1, scale: 0.1), k2 = r.array(5 * c1 * c2, scale: 0.8), b2 = r.array(c2, scale: 0.1)
        let w3 = r.array(l2 * c2 * hidden), b3 = r.array(hidden, scale: 0.1), w4 = r.array(hidden * K), b4 = r.array(K, scale: 0.1)
        let labels: [Int32] = [1, 3, 0]
        struct Tape { var cols1, pre1, a1, p1, cols2, pre2, a2, p2, pre3, a3, logits, probs: [Double]; var arg1, arg2: [Int32] }
        func zeros(_ n: Int) -> [Double] { [Double](repeating: 0, count: n) }
        func run(_ x: [Double], _ k1: [Double]) -> (Double, Tape) {
            var t = Tape(cols1: zeros(B * L * 5 * c0), pre1: zeros(B * L * c1), a1: zeros(B * L * c1), p1: zeros(B * l1 * c1),
                         cols2: zeros(B * l1 * 5 * c1), pre2: zeros(B * l1 * c2), a2: zeros(B * l1 * c2), p2: zeros(B * l2 * c2),
                         pre3: zeros(B * hidden), a3: zeros(B * hidden), logits: zeros(B * K), probs: zeros(B * K),
                         arg1: [Int32](repeating: 0, count: B * l1 * c1), arg2: [Int32](repeating: 0, count: B * l2 * c2))
            Conv1DKernel.forward(x: x, kernel: k1, bias: b1, cols: &t.cols1, pre: &t.pre1, act: &t.a1, activation: .relu,
                                 batch: B, length: L, inChannels: c0, outChannels: c1, kernelSize: 5)
            MaxPool1DKernel.forward(x: t.a1, y: &t.p1, argmax: &t.arg1, batch: B, length: L, channels: c1, pool: 5, stride: 2)
            Conv1DKernel.forward(x: t.p1, kernel: k2, bias: b2, cols: &t.cols2, pre: &t.pre2, act: &t.a2, activation: .relu,
                                 batch: B, length: l1, inChannels: c1, outChannels: c2, kernelSize: 5)
            MaxPool1DKernel.forward(x: t.a2, y: &t.p2, argmax: &t.arg2, batch: B, length: l1, channels: c2, pool: 5, stride: 2)
            DenseKernel.forward(x: t.p2, kernel: w3, bias: b3, pre: &t.pre3, act: &t.a3, activation: .relu,
                                batch: B, inputs: l2 * c2, units: hidden)
            var logitsPre = zeros(B * K)
            DenseKernel.forward(x: t.a3, kernel: w4, bias: b4, pre: &logitsPre, act: &t.logits, activation: .softmax,
                                batch: B, inputs: hidden, units: K)
            let loss = SoftmaxCrossEntropyKernel.forward(logits: t.logits, labels: labels, probs: &t.probs, lossPerSample: nil,
                                                         batch: B, classes: K)
            return (loss, t)
        }
        let (_, t) = run(x, k1)
        var dlogits = zeros(B * K), dpre4 = zeros(B * K), dw4 = zeros(w4.count), db4 = zeros(K), da3 = zeros(B * hidden)
        SoftmaxCrossEntropyKernel.backward(probs: t.probs, labels: labels, dlogits: &dlogits, batch: B, classes: K)
        DenseKernel.backward(dact: dlogits, pre: t.logits, x: t.a3, kernel: w4, dKernel: &dw4, dBias: &db4, dpre: &dpre4,
                             dx: &da3, activation: .softmax, batch: B, inputs: hidden, units: K)
        var dpre3 = zeros(B * hidden), dw3 = zeros(w3.count), db3 = zeros(hidden), dp2 = zeros(B * l2 * c2)
        DenseKernel.backward(dact: da3, pre: t.pre3, x: t.p2, kernel: w3, dKernel: &dw3, dBias: &db3, dpre: &dpre3,
                             dx: &dp2, activation: .relu, batch: B, inputs: l2 * c2, units: hidden)
        var da2 = zeros(B * l1 * c2)
        MaxPool1DKernel.backward(dy: dp2, argmax: t.arg2, dx: &da2, batch: B, length: l1, channels: c2, outLength: l2)
        var dpre2 = zeros(B * l1 * c2), dcols2 = zeros(t.cols2.count), dk2 = zeros(k2.count), db2 = zeros(c2), dp1 = zeros(B * l1 * c1)
        Conv1DKernel.backward(dact: da2, pre: t.pre2, cols: t.cols2, kernel: k2, dKernel: &dk2, dBias: &db2, dpre: &dpre2,
                              dcols: &dcols2, dx: &dp1, activation: .relu, batch: B, length: l1, inChannels: c1,
                              outChannels: c2, kernelSize: 5)
        var da1 = zeros(B * L * c1)
        MaxPool1DKernel.backward(dy: dp1, argmax: t.arg1, dx: &da1, batch: B, length: L, channels: c1, outLength: l1)
        var dpre1 = zeros(B * L * c1), dcols1 = zeros(t.cols1.count), dk1 = zeros(k1.count), db1 = zeros(c1), dx = zeros(x.count)
        Conv1DKernel.backward(dact: da1, pre: t.pre1, cols: t.cols1, kernel: k1, dKernel: &dk1, dBias: &db1, dpre: &dpre1,
                              dcols: &dcols1, dx: &dx, activation: .relu, batch: B, length: L, inChannels: c0,
                              outChannels: c1, kernelSize: 5)
        compare("network d loss/d x", analytic: dx, numeric: numericGradient(&x) { run($0, k1).0 })
        compare("network d loss/d first kernel", analytic: dk1, numeric: numericGradient(&k1) { run(x, $0).0 })
    }
}
