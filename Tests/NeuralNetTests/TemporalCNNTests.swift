// GlobalAveragePooling1D and the temporal CNN (TemporalCNN.swift): GAP by hand and against finite
// differences; a tiny TCN's backward against finite differences (Float64, the real kernels); the
// GAP + conv stack against PyTorch (Fixtures/tcn-torch.json, tools/make_tcn_fixture.py); the
// model's structure and conv paths; model-file round trip and hostile edits of a TCN file; the
// same bits with 1, 2 and 3 threads; and a short fit that solves a separable sequence task.
import Base
import Foundation
@testable import NeuralNet
import TestSupport
import XCTest

private func zeros(_ n: Int) -> [Double] { [Double](repeating: 0, count: n) }
private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

private func randomArray(_ n: Int, seed: UInt64, scale: Double = 1) -> [Double] {
    var g = Xoshiro256(seed: seed)
    return (0..<n).map { _ in (Double(g.nextFloat()) * 2 - 1 + Double(g.nextFloat()) * 1e-3) * scale }
}

/// Central differences of f with respect to every element of v.
private func numericGradient(_ v: inout [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var g = zeros(v.count)
    for i in 0..<v.count {
        let old = v[i]
        v[i] = old + h; let fp = f(v)
        v[i] = old - h; let fm = f(v)
        v[i] = old
        g[i] = (fp - fm) / (2 * h)
    }
    return g
}

/// max|analytic − numeric| relative to max|numeric| (as GradientCheckTests).
private func compareGradients(_ name: String, _ analytic: [Double], _ numeric: [Double], tol: Double = 1e-7,
                              file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.count, numeric.count, name, file: file, line: line)
    let scale = numeric.map(abs).max() ?? 0
    let worst = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
    let rel = worst / (scale + 1e-12)
    print(String(format: "  %@ %-34@ max|analytic - numeric| %.2e  rel %.2e", rel <= tol ? "OK  " : "FAIL", name as NSString, worst, rel))
    XCTAssertLessThanOrEqual(rel, tol, "\(name): analytic vs finite-difference gradient", file: file, line: line)
}

/// A tiny TCN (the design of TemporalCNN at small widths) for fast debug-build trainings.
func tinyTCN(frames: Int = 24, bands: Int = 6, classes: Int = 3, widths: [Int] = [8, 8], dropout: Float = 0.2,
             seed: UInt64) -> Sequential {
    Sequential(inputShape: [frames, bands],
               specs: TemporalCNN.specs(classes: classes, widths: widths, pool: 2, dropout: dropout), seed: seed)
}

/// Sequences of `frames` × `bands`: class c has a tone (a sinusoid's magnitude, ~2) in band
/// 2c + 1 over a random stretch of at least a third of the frames; every band has noise in ±0.5.
/// Which band, not when: only a model that pools over time gets it from few examples.
func toneData(count: Int, frames: Int = 24, bands: Int = 6, classes: Int = 3, seed: UInt64) -> (x: [Float], y: [Int]) {
    precondition(2 * (classes - 1) + 1 < bands)
    var rng = Xoshiro256(seed: seed)
    var x = [Float](), y = [Int]()
    x.reserveCapacity(count * frames * bands)
    for i in 0..<count {
        let c = i % classes
        let len = frames / 3 + rng.nextInt(below: frames - frames / 3)
        let start = rng.nextInt(below: frames - len + 1)
        let phase = rng.uniform(0, 6.28)
        for t in 0..<frames {
            for b in 0..<bands {
                var v = rng.uniform(-0.5, 0.5)
                if b == 2 * c + 1 && t >= start && t < start + len { v += 1.5 + 0.5 * Float(sin(Double(phase) + Double(t) * 0.7)) }
                x.append(v)
            }
        }
        y.append(c)
    }
    return (x, y)
}

final class TemporalCNNTests: XCTestCase {
    // MARK: - GlobalAveragePooling1D

    /// (B=2, L=3, C=2) by hand: y[b, c] = (x[b,0,c] + x[b,1,c] + x[b,2,c]) / 3; dx = dy / 3 at every t.
    func testGlobalAveragePoolingByHand() {
        let x: [Float] = [1, -2,   4, 0.5,   7, 3,        // sample 0: rows t = 0, 1, 2 of (c0, c1)
                          -3, 6,  0, 6,  -0.75, -6]       // sample 1
        var y = [Float](repeating: .nan, count: 4)
        GlobalAveragePool1DKernel.forward(x: x, y: &y, batch: 2, length: 3, channels: 2)
        // Sums 12, 1.5, −3.75, 6 (each exact in Float), then / 3.
        let expected: [Float] = [4, 0.5, -1.25, 2]
        XCTAssertEqual(y, expected)
        let dy: [Float] = [3, -6, 1.5, 0]
        var dx = [Float](repeating: .nan, count: 12)
        GlobalAveragePool1DKernel.backward(dy: dy, dx: &dx, batch: 2, length: 3, channels: 2)
        XCTAssertEqual(dx, [1, -2, 1, -2, 1, -2, 0.5, 0, 0.5, 0, 0.5, 0])
        // L = 1: the identity.
        var y1 = [Float](repeating: 0, count: 2)
        GlobalAveragePool1DKernel.forward(x: [5, -7], y: &y1, batch: 1, length: 1, channels: 2)
        XCTAssertEqual(y1, [5, -7])
        // The layer (Float32, through Sequential's protocol) gives the kernel's values.
        let layer = GlobalAveragePool1D(inputShape: [3, 2])
        XCTAssertEqual(layer.outputShape, [2])
        XCTAssertEqual(layer.spec, .globalAveragePool1D)
        XCTAssertEqual(layer.spec.typeName, "GlobalAveragePooling1D")
        XCTAssertEqual(layer.parameterCount, 0)
        var ly = [Float](repeating: .nan, count: 4), ldx = [Float](repeating: .nan, count: 12)
        x.withUnsafeBufferPointer { xp in
            layer.forward(x: xp.baseAddress!, y: &ly, batch: 2, training: true)
            ly.withUnsafeBufferPointer { yp in
                dy.withUnsafeBufferPointer { dyp in
                    ldx.withUnsafeMutableBufferPointer { layer.backward(x: xp.baseAddress!, y: yp.baseAddress!, dy: dyp.baseAddress!,
                                                                         dx: $0.baseAddress!, batch: 2) }
                }
            }
        }
        XCTAssertEqual(ly, y)
        XCTAssertEqual(ldx, dx)
    }

    func testGlobalAveragePoolingGradient() {
        print("finite-difference check (GlobalAveragePool1D):")
        for (B, L, C) in [(2, 1, 3), (2, 5, 3), (3, 13, 4)] {
            var x = randomArray(B * L * C, seed: UInt64(L))
            let w = randomArray(B * C, seed: UInt64(100 + L))
            func f(_ x: [Double]) -> Double {
                var y = zeros(B * C)
                GlobalAveragePool1DKernel.forward(x: x, y: &y, batch: B, length: L, channels: C)
                return dot(y, w)
            }
            var dx = zeros(x.count)
            GlobalAveragePool1DKernel.backward(dy: w, dx: &dx, batch: B, length: L, channels: C)
            compareGradients("GAP B=\(B) L=\(L) C=\(C) dx", dx, numericGradient(&x, f))
        }
    }

    /// Conv1D(relu) → MaxPool1D(2,2) → Conv1D(relu) → MaxPool1D(2,2) → GAP → Dense → softmax CE,
    /// the real kernels in Float64: d loss / d x and every conv kernel and bias.
    func testTinyTCNGradient() {
        print("finite-difference check (tiny TCN):")
        let B = 3, L = 11, c0 = 3, c1 = 4, c2 = 5, K = 3
        let l1 = MaxPool1DKernel.outputLength(L, pool: 2, stride: 2), l2 = MaxPool1DKernel.outputLength(l1, pool: 2, stride: 2)
        var x = randomArray(B * L * c0, seed: 1)
        var k1 = randomArray(5 * c0 * c1, seed: 2, scale: 0.8), b1 = randomArray(c1, seed: 3, scale: 0.2)
        var k2 = randomArray(5 * c1 * c2, seed: 4, scale: 0.8), b2 = randomArray(c2, seed: 5, scale: 0.2)
        var w3 = randomArray(c2 * K, seed: 6), b3 = randomArray(K, seed: 7, scale: 0.1)
        let labels: [Int32] = [2, 0, 1]
        struct Tape { var cols1, pre1, a1, p1, cols2, pre2, a2, p2, g, logits, probs: [Double]; var arg1, arg2: [Int32] }
        func run(_ x: [Double], _ k1: [Double], _ b1: [Double], _ k2: [Double], _ b2: [Double], _ w3: [Double]) -> (Double, Tape) {
            var t = Tape(cols1: zeros(B * L * 5 * c0), pre1: zeros(B * L * c1), a1: zeros(B * L * c1), p1: zeros(B * l1 * c1),
                         cols2: zeros(B * l1 * 5 * c1), pre2: zeros(B * l1 * c2), a2: zeros(B * l1 * c2), p2: zeros(B * l2 * c2),
                         g: zeros(B * c2), logits: zeros(B * K), probs: zeros(B * K),
                         arg1: [Int32](repeating: 0, count: B * l1 * c1), arg2: [Int32](repeating: 0, count: B * l2 * c2))
            Conv1DKernel.forward(x: x, kernel: k1, bias: b1, cols: &t.cols1, pre: &t.pre1, act: &t.a1, activation: .relu,
                                 batch: B, length: L, inChannels: c0, outChannels: c1, kernelSize: 5)
            MaxPool1DKernel.forward(x: t.a1, y: &t.p1, argmax: &t.arg1, batch: B, length: L, channels: c1, pool: 2, stride: 2)
            Conv1DKernel.forward(x: t.p1, kernel: k2, bias: b2, cols: &t.cols2, pre: &t.pre2, act: &t.a2, activation: .relu,
                                 batch: B, length: l1, inChannels: c1, outChannels: c2, kernelSize: 5)
            MaxPool1DKernel.forward(x: t.a2, y: &t.p2, argmax: &t.arg2, batch: B, length: l1, channels: c2, pool: 2, stride: 2)
            GlobalAveragePool1DKernel.forward(x: t.p2, y: &t.g, batch: B, length: l2, channels: c2)
            var pre = zeros(B * K)
            DenseKernel.forward(x: t.g, kernel: w3, bias: b3, pre: &pre, act: &t.logits, activation: .softmax,
                                batch: B, inputs: c2, units: K)
            let loss = SoftmaxCrossEntropyKernel.forward(logits: t.logits, labels: labels, probs: &t.probs, lossPerSample: nil,
                                                         batch: B, classes: K)
            return (loss, t)
        }
        let (_, t) = run(x, k1, b1, k2, b2, w3)
        var dlogits = zeros(B * K), dpre3 = zeros(B * K), dw3 = zeros(w3.count), db3 = zeros(K), dg = zeros(B * c2)
        SoftmaxCrossEntropyKernel.backward(probs: t.probs, labels: labels, dlogits: &dlogits, batch: B, classes: K)
        DenseKernel.backward(dact: dlogits, pre: t.logits, x: t.g, kernel: w3, dKernel: &dw3, dBias: &db3, dpre: &dpre3,
                             dx: &dg, activation: .softmax, batch: B, inputs: c2, units: K)
        var dp2 = zeros(B * l2 * c2)
        GlobalAveragePool1DKernel.backward(dy: dg, dx: &dp2, batch: B, length: l2, channels: c2)
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
        compareGradients("TCN d loss/d x", dx, numericGradient(&x) { run($0, k1, b1, k2, b2, w3).0 })
        compareGradients("TCN d loss/d conv1d_0.kernel", dk1, numericGradient(&k1) { run(x, $0, b1, k2, b2, w3).0 })
        compareGradients("TCN d loss/d conv1d_0.bias", db1, numericGradient(&b1) { run(x, k1, $0, k2, b2, w3).0 })
        compareGradients("TCN d loss/d conv1d_1.kernel", dk2, numericGradient(&k2) { run(x, k1, b1, $0, b2, w3).0 })
        compareGradients("TCN d loss/d conv1d_1.bias", db2, numericGradient(&b2) { run(x, k1, b1, k2, $0, w3).0 })
        compareGradients("TCN d loss/d dense_0.kernel", dw3, numericGradient(&w3) { run(x, k1, b1, k2, b2, $0).0 })
    }

    // MARK: - Parity with PyTorch

    struct TorchFixture: Decodable {
        let torch: String
        let batch: Int, length: Int, bands: Int, filters: [Int], classes: Int
        let x: [Float], labels: [Int]
        let weights: [String: [Float]]
        let gap: [Float], logits: [Float], loss: Float
        let grad: [String: [Float]]
        let gapAlone: GapAlone
        struct GapAlone: Decodable { let shape: [Int]; let x, y, dy, dx: [Float] }

        enum CodingKeys: String, CodingKey { case torch, batch, length, bands, filters, classes, x, labels, gap, logits, loss, grad, gapAlone }
        static let weightKeys = ["conv1d_0.kernel", "conv1d_0.bias", "conv1d_1.kernel", "conv1d_1.bias", "dense_0.kernel", "dense_0.bias"]
        struct AnyKey: CodingKey {
            var stringValue: String; var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            torch = try c.decode(String.self, forKey: .torch)
            batch = try c.decode(Int.self, forKey: .batch); length = try c.decode(Int.self, forKey: .length)
            bands = try c.decode(Int.self, forKey: .bands); filters = try c.decode([Int].self, forKey: .filters)
            classes = try c.decode(Int.self, forKey: .classes)
            x = try c.decode([Float].self, forKey: .x); labels = try c.decode([Int].self, forKey: .labels)
            gap = try c.decode([Float].self, forKey: .gap); logits = try c.decode([Float].self, forKey: .logits)
            loss = try c.decode(Float.self, forKey: .loss)
            grad = try c.decode([String: [Float]].self, forKey: .grad)
            gapAlone = try c.decode(GapAlone.self, forKey: .gapAlone)
            let any = try decoder.container(keyedBy: AnyKey.self)
            var w: [String: [Float]] = [:]
            for k in Self.weightKeys { w[k] = try any.decode([Float].self, forKey: AnyKey(stringValue: k)) }
            weights = w
        }
    }

    /// The GAP + conv stack of tools/make_tcn_fixture.py (PyTorch, float64) against the Float32
    /// model on the im2col path and on Winograd F(4,5): the logits, the GAP output, the loss and
    /// d loss / d every weight and the input; and GAP alone.
    func testParityWithPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tcn-torch.json")
        let f = try JSONDecoder().decode(TorchFixture.self, from: Data(contentsOf: url))
        print("GAP + conv stack vs PyTorch \(f.torch) (float64):")
        let specs: [LayerSpec] = [
            .conv1D(filters: f.filters[0], kernelSize: 5, activation: .relu), .maxPool1D(poolSize: 2, stride: 2),
            .conv1D(filters: f.filters[1], kernelSize: 5, activation: .relu), .maxPool1D(poolSize: 2, stride: 2),
            .globalAveragePool1D, .dense(units: f.classes, activation: .softmax),
        ]
        for path in [Conv1DPath.im2col, .winograd(outputTile: 4)] {
            print(" conv path \(path):")
            let model = Sequential(inputShape: [f.length, f.bands], specs: specs, seed: 0)
            for l in model.layers { (l as? Conv1D)?.pathOverride = path }
            var tensors: [String: Tensor] = [:]
            for p in model.parameters { tensors[p.key] = Tensor(shape: p.shape, data: f.weights[p.key]!) }
            try model.setWeights(tensors)
            model.forward(f.x, batch: f.batch, training: true)
            let loss = model.loss(labels: f.labels)
            model.zeroGradients()
            model.backward(batch: f.batch, inputGradient: true)
            checkTensor("gap", model.output(ofLayer: 4, batch: f.batch), Tensor(shape: [f.batch, f.filters[1]], data: f.gap), relTol: 1e-5)
            checkTensor("logits", model.output(ofLayer: 5, batch: f.batch), Tensor(shape: [f.batch, f.classes], data: f.logits), relTol: 1e-5)
            checkTensor("loss", [loss], Tensor(shape: [], data: [f.loss]), relTol: 1e-5)
            for p in model.parameters {
                checkTensor("grad." + p.key, p.grad.array, Tensor(shape: p.shape, data: f.grad[p.key]!), relTol: 1e-5)
            }
            checkTensor("grad.x", model.inputGradient(batch: f.batch), Tensor(shape: [f.batch, f.length, f.bands], data: f.grad["x"]!),
                        relTol: 1e-5)
        }
        let g = f.gapAlone
        var y = [Float](repeating: 0, count: g.shape[0] * g.shape[2]), dx = [Float](repeating: 0, count: g.x.count)
        GlobalAveragePool1DKernel.forward(x: g.x, y: &y, batch: g.shape[0], length: g.shape[1], channels: g.shape[2])
        GlobalAveragePool1DKernel.backward(dy: g.dy, dx: &dx, batch: g.shape[0], length: g.shape[1], channels: g.shape[2])
        checkTensor("GAP alone y", y, Tensor(shape: [g.shape[0], g.shape[2]], data: g.y), relTol: 1e-6)
        checkTensor("GAP alone dx", dx, Tensor(shape: g.shape, data: g.dx), relTol: 1e-6)
    }

    // MARK: - The model

    func testTemporalCNNStructureAndPaths() {
        let model = TemporalCNN.make(frames: 301, bands: 64, classes: 7, seed: 1)
        print(model.summary())
        XCTAssertEqual(TemporalCNN.architecture, "temporal-cnn-v1")
        XCTAssertEqual(model.specs, TemporalCNN.specs(classes: 7))
        XCTAssertEqual(model.parameterCount, 4 * (5 * 64 * 64 + 64) + 64 * 7 + 7)
        XCTAssertEqual(model.parameterCount, 82_631)
        XCTAssertEqual(model.layerInfo.map(\.name), ["conv1d", "max_pooling1d", "conv1d_1", "max_pooling1d_1", "conv1d_2",
                                                     "max_pooling1d_2", "conv1d_3", "max_pooling1d_3", "global_average_pooling1d",
                                                     "dropout", "dense"])
        XCTAssertEqual(model.layerInfo.map(\.outputShape), [[nil, 301, 64], [nil, 151, 64], [nil, 151, 64], [nil, 76, 64],
                                                           [nil, 76, 64], [nil, 38, 64], [nil, 38, 64], [nil, 19, 64],
                                                           [nil, 64], [nil, 64], [nil, 7]])
        XCTAssertEqual(model.layerInfo[8].type, "GlobalAveragePooling1D")
        XCTAssertTrue(model.summary().contains("global_average_pooling1d (GlobalAveragePooling1D)"))
        XCTAssertEqual(model.weights().map(\.key), ["conv1d_0.kernel", "conv1d_0.bias", "conv1d_1.kernel", "conv1d_1.bias",
                                                    "conv1d_2.kernel", "conv1d_2.bias", "conv1d_3.kernel", "conv1d_3.bias",
                                                    "dense_0.kernel", "dense_0.bias"])
        // The default algorithm: the table's F(4,5) for the four shapes of the 301 × 64 input
        // (fixed per shape, never timed at run time); im2col when forced.
        XCTAssertEqual(model.convPaths, Array(repeating: .winograd(outputTile: 4), count: 4))
        model.convAlgorithm = .im2col
        XCTAssertEqual(model.convPaths, Array(repeating: .im2col, count: 4))
        // Other input sizes are not in the table: im2col, the reference path.
        XCTAssertEqual(TemporalCNN.make(frames: 200, bands: 40, seed: 1).convPaths, Array(repeating: .im2col, count: 4))
        // The notebook model's paths are what they were.
        XCTAssertEqual(NotebookCNN.make(seed: 1).convPaths, [.im2col, .winograd(outputTile: 4), .winograd(outputTile: 4), .im2col, .im2col])
    }

    /// The full-size TCN on F(4,5) against the same weights on im2col, in inference: the paths
    /// agree within Float32 rounding (the table's Winograd entries compute the same function).
    func testFullSizeWinogradPathsAgreeWithIm2col() {
        let n = 2
        var rng = Xoshiro256(seed: 3)
        let x = (0..<(n * 301 * 64)).map { _ in rng.uniform(-2, 2) }
        let a = TemporalCNN.make(seed: 4), b = TemporalCNN.make(seed: 4)
        b.convAlgorithm = .im2col
        XCTAssertEqual(a.convPaths.first, .winograd(outputTile: 4))
        a.forward(x, batch: n, training: false)
        b.forward(x, batch: n, training: false)
        for i in [0, 2, 4, 6, 8, 10] {
            let ref = b.output(ofLayer: i, batch: n)
            checkTensor("F(4,5) vs im2col \(a.layers[i].name)", a.output(ofLayer: i, batch: n), Tensor(shape: [ref.count], data: ref),
                        relTol: 2e-5)
        }
    }

    func testModelFileRoundTrip() throws {
        let dir = try SharedData.temporaryDirectory("nn-tcn-model")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tcn.safetensors")
        let model = TemporalCNN.make(seed: 11)
        // Not the initial weights only: a step of training (zero biases would hide a bias mix-up).
        let x = (0..<(4 * 301 * 64)).map { Float(sin(Double($0) * 0.37)) }, y = [0, 3, 5, 6]
        fit(model, x: x, y: y, xVal: x, yVal: y, features: 301 * 64, options: FitOptions(seed: 2, batchSize: 4, epochs: 1, threads: 1))
        try ModelFile.save(model, metadata: [ModelFile.classesKey: "a,b,c,d,e,f,g"], modelName: TemporalCNN.architecture, to: url)
        let (loaded, std, meta) = try ModelFile.load(from: url)
        XCTAssertNil(std)
        XCTAssertEqual(meta["model"], "temporal-cnn-v1")
        XCTAssertEqual(meta["parameters"], "82631")
        XCTAssertTrue(meta["architecture"]!.contains("{\"globalAveragePool1D\":{}}"), meta["architecture"]!)
        XCTAssertEqual(loaded.specs, model.specs)
        XCTAssertEqual(loaded.inputShape, [301, 64])
        XCTAssertEqual(loaded.snapshot(), model.snapshot())
        XCTAssertEqual(loaded.layerInfo, model.layerInfo)
        let p0 = model.predictProbabilities(x, count: 4), p1 = loaded.predictProbabilities(x, count: 4)
        XCTAssertEqual(p0.map(\.bitPattern), p1.map(\.bitPattern), "same predictions bit for bit after save/load")
        // The architecture JSON round-trips through Codable, GAP included.
        let arch = try JSONDecoder().decode(ModelFile.Architecture.self, from: Data(meta["architecture"]!.utf8))
        XCTAssertEqual(arch.layers, TemporalCNN.specs(classes: 7))
    }

    // MARK: - Training

    /// 3 epochs of a tiny TCN with 1, 2 and 3 threads give the same weights and history bit for
    /// bit (dropout on, a last batch of another size), on im2col and on Winograd F(4,5).
    func testTrainingGivesTheSameBitsWithAnyThreadCount() {
        let (x, y) = toneData(count: 70, seed: 11)
        let (xv, yv) = toneData(count: 21, seed: 12)
        for path in [Conv1DPath.im2col, .winograd(outputTile: 4)] {
            var results: [[UInt32]] = []
            for threads in [1, 2, 3] {
                let model = tinyTCN(seed: 5)
                for l in model.layers { (l as? Conv1D)?.pathOverride = path }
                let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 24 * 6,
                            options: FitOptions(seed: 6, batchSize: 16, epochs: 3, patience: nil, threads: threads))
                XCTAssertEqual(model.convPaths, [path, path])
                results.append(model.snapshot().flatMap { $0.map(\.bitPattern) }
                               + h.rows.flatMap { [$0.loss, $0.accuracy, $0.valLoss, $0.valAccuracy].map(\.bitPattern) })
            }
            XCTAssertEqual(results[0], results[1], "\(path): 1 and 2 threads")
            XCTAssertEqual(results[0], results[2], "\(path): 1 and 3 threads")
        }
    }

    /// The full-size TCN on its default paths (the table's F(4,5) at L = 301, 151, 76, 38, the
    /// filter transform shared between workers): an epoch of 10 clips in batches of 4 (the last
    /// of 2) gives the same weights and history on 1 and 2 threads.
    func testFullSizeTrainingGivesTheSameBitsOnOneAndTwoThreads() {
        var rng = Xoshiro256(seed: 8)
        let x = (0..<(10 * 301 * 64)).map { _ in rng.uniform(-2, 2) }, y = (0..<10).map { $0 % 7 }
        let xv = Array(x.prefix(3 * 301 * 64)), yv = Array(y.prefix(3))
        var results: [[UInt32]] = []
        for threads in [1, 2] {
            let model = TemporalCNN.make(seed: 12)
            let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 301 * 64,
                        options: FitOptions(seed: 13, batchSize: 4, epochs: 1, patience: nil, threads: threads))
            XCTAssertEqual(model.convPaths, Array(repeating: .winograd(outputTile: 4), count: 4))
            results.append(model.snapshot().flatMap { $0.map(\.bitPattern) }
                           + h.rows.flatMap { [$0.loss, $0.valLoss].map(\.bitPattern) })
        }
        XCTAssertEqual(results[0], results[1], "1 and 2 threads")
    }

    /// Which band carries the tone, wherever in time it is: a short fit of a tiny TCN gets it.
    func testLearnsWhichBandCarriesTheTone() {
        let (x, y) = toneData(count: 240, seed: 21)
        let (xv, yv) = toneData(count: 90, seed: 22)
        let model = tinyTCN(seed: 3)
        let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 24 * 6,
                    options: FitOptions(seed: 4, batchSize: 16, epochs: 25, patience: 5, learningRate: 3e-3, threads: 2))
        let best = h.best!
        print(String(format: "  tone task: best epoch %d of %d, val_accuracy %.3f, val_loss %.4f, train accuracy %.3f",
                     h.bestEpoch, h.rows.count, best.valAccuracy, best.valLoss, best.accuracy))
        XCTAssertGreaterThanOrEqual(best.valAccuracy, 0.95)
        let (xt, yt) = toneData(count: 90, seed: 23)
        let predicted = model.predictClasses(xt, count: 90)
        let accuracy = Double(zip(predicted, yt).filter { $0 == $1 }.count) / 90
        print(String(format: "  tone task: held-out accuracy %.3f", accuracy))
        XCTAssertGreaterThanOrEqual(accuracy, 0.95)
    }
}

// MARK: - Hostile TCN files

extension HostileModelTests {
    /// A TCN's file with its GAP moved or removed, or a GAP on a flat input, is refused with a
    /// message naming the file and the layer, never a trap.
    func testTemporalCNNFileEditsAreRefused() throws {
        good = folder.appendingPathComponent("tcn-good.safetensors")
        try ModelFile.save(tinyTCN(seed: 1), modelName: TemporalCNN.architecture, to: good)
        XCTAssertNoThrow(try ModelFile.load(from: good))
        // tinyTCN: conv pool conv pool gap dropout dense, input [24, 6].
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("gap-removed", { arch in var l = arch["layers"] as! [Any]; l.remove(at: 4); arch["layers"] = l },
             "layers[5] (dense) needs a flat (features) input, but the layer before gives [6, 8]"),
            ("gap-twice", { arch in var l = arch["layers"] as! [Any]; l.insert(l[4], at: 4); arch["layers"] = l },
             "layers[5] (global_average_pooling1d) needs a (length, channels) input, but the layer before gives [8]"),
            ("gap-on-flat", { $0["layers"] = [["flatten": [String: Any]()], ["globalAveragePool1D": [String: Any]()]] },
             "layers[1] (global_average_pooling1d) needs a (length, channels) input, but the layer before gives [144]"),
            ("gap-rank3", { $0["inputShape"] = [4, 6, 6]; $0["layers"] = [["globalAveragePool1D": [String: Any]()]] },
             "layers[0] (global_average_pooling1d) needs a (length, channels) input, but the layer before gives [4, 6, 6]"),
            ("gap-first", { arch in var l = arch["layers"] as! [Any]; l.insert(["globalAveragePool1D": [String: Any]()], at: 0); arch["layers"] = l },
             "layers[1] (conv1d) needs a (length, channels) input, but the layer before gives [6]"),
            ("gap-field", { arch in var l = arch["layers"] as! [Any]; l[4] = ["globalAveragePool1D": 3]; arch["layers"] = l },
             "cannot parse the 'architecture' metadata"),
            ("gap-misspelt", { arch in var l = arch["layers"] as! [Any]; l[4] = ["globalAveragePooling1D": [String: Any]()]; arch["layers"] = l },
             "layers[4] is not a layer (one of conv1D, maxPool1D, dropout, flatten, dense, globalAveragePool1D)"),
        ]
        for (name, edit, expected) in cases {
            assertRefused(try architecture("\(name).safetensors", edit), expected)
        }
        // Removing GAP leaves the dense kernel's input wrong once a flatten stands in for it.
        let flattened = try architecture("gap-to-flatten.safetensors") { arch in
            var l = arch["layers"] as! [Any]; l[4] = ["flatten": [String: Any]()]; arch["layers"] = l
        }
        assertRefused(flattened, "tensor 'dense_0.kernel' has shape [8, 3], architecture layers[6] (dense) implies [48, 3]")
    }
}
