// The network against Keras, tensor by tensor (../shared/reference/keras-golden.safetensors,
// documented in keras-golden.md): initial weights and a real batch of 8 in, every activation,
// pre-activation, the loss, every gradient out. Tolerance: max|a − ref| ≤ 1e-4 · max|ref| per tensor
// (keras-golden.md's suggestion; Keras float32 vs float64 is ≤ 2e-6), edge cases exactly.
import Foundation
import NeuralNet
import TestSupport
import XCTest

enum Golden {
    /// Read once per process (a static let is initialised lazily and thread-safely).
    static let cached = Result { try SafeTensors.read(SharedData.require("reference/keras-golden.safetensors")) }

    static func load() throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try cached.get()
    }

    /// How the golden tests run the Conv1D layers: im2col everywhere, the Winograd table (the
    /// default), or one Winograd tile size forced on every conv layer (the table leaves some
    /// layers on im2col; these cover every layer shape, the first one with Cin = 1 included).
    struct Conv: CustomStringConvertible {
        var algorithm: ConvAlgorithm
        var override: Conv1DPath?
        var description: String { override.map { "\($0) on every conv layer" } ?? algorithm.rawValue }
        static let all = [Conv(algorithm: .im2col), Conv(algorithm: .winograd),
                          Conv(algorithm: .winograd, override: .winograd(outputTile: 2)),
                          Conv(algorithm: .winograd, override: .winograd(outputTile: 4))]
    }

    /// The notebook model with Keras' initial weights, buffers for the batch of 8.
    static func model(_ t: [String: Tensor], conv: Conv = Conv(algorithm: .im2col)) throws -> Sequential {
        let model = NotebookCNN.make(seed: 1)
        model.convAlgorithm = conv.algorithm
        for l in model.layers { (l as? Conv1D)?.pathOverride = conv.override }
        try model.setWeights(t)
        model.reserve(batch: 8)
        model.keepsPreActivations = true   // the pre.* tensors are checked too
        return model
    }

    static func labels(_ t: [String: Tensor]) -> [Int] { t["y_index"]!.data.map { Int($0) } }
}

final class KerasGoldenTests: XCTestCase {
    func testFileAndModelShape() throws {
        let (t, meta) = try Golden.load()
        XCTAssertEqual(t.count, 140)
        XCTAssertEqual(meta["classes"].map { $0.contains("angry") }, true)
        let model = try Golden.model(t)
        XCTAssertEqual(model.parameterCount, 559_367)
        for p in model.parameters { XCTAssertEqual(t[p.key]?.shape, p.shape, p.key) }
        for (info, layer) in zip(model.layerInfo, model.layers) {
            XCTAssertEqual(t["act." + info.tag]?.shape, [8] + layer.outputShape, info.tag)
        }
    }

    /// Every tensor within 1e-4 · max|ref| (see the header), for im2col and through Winograd.
    func testForwardBackwardMatchesKeras() throws {
        for conv in Golden.Conv.all { try checkForwardBackward(conv) }
    }

    private func checkForwardBackward(_ conv: Golden.Conv) throws {
        let (t, _) = try Golden.load()
        let model = try Golden.model(t, conv: conv)
        let y = Golden.labels(t)
        print("keras-golden forward (dropout off), batch of 8, conv \(conv) (\(model.convPaths.map(\.description).joined(separator: ", "))):")
        model.forward(t["x"]!.data, batch: 8, training: false)
        for (i, layer) in model.layers.enumerated() {
            if let c = layer as? Conv1D { checkTensor("pre." + layer.tag, c.pre.prefix(8 * c.outputSize), t["pre." + layer.tag]!) }
            if let d = layer as? Dense { checkTensor("pre." + layer.tag, d.pre.prefix(8 * d.outputSize), t["pre." + layer.tag]!) }
            if i < model.layers.count - 1 {
                checkTensor("act." + layer.tag, model.output(ofLayer: i, batch: 8), t["act." + layer.tag]!)
            }
        }
        checkTensor("logits", model.output(ofLayer: model.layers.count - 1, batch: 8), t["logits"]!)
        let loss = model.loss(labels: y)
        checkTensor("probs", model.probabilities(batch: 8), t["probs"]!)
        checkTensor("act.15_dense", model.probabilities(batch: 8), t["act.15_dense"]!)
        checkTensor("loss.per_sample", model.lossPerSample(batch: 8), t["loss.per_sample"]!)
        checkTensor("loss", [loss], t["loss"]!)

        print("keras-golden backward from d loss/d logits = (probs - y)/B:")
        model.zeroGradients()
        model.backward(batch: 8, inputGradient: true)
        let last = model.layers.count - 1
        checkTensor("grad.logits", model.outputGradient(ofLayer: last, batch: 8), t["grad.logits"]!)
        for (i, layer) in model.layers.enumerated().reversed() {
            if let c = layer as? Conv1D { checkTensor("grad.pre." + layer.tag, c.dpre.prefix(8 * c.outputSize), t["grad.pre." + layer.tag]!) }
            if let d = layer as? Dense { checkTensor("grad.pre." + layer.tag, d.dpre.prefix(8 * d.outputSize), t["grad.pre." + layer.tag]!) }
            if i < last {
                checkTensor("grad.act." + layer.tag, model.outputGradient(ofLayer: i, batch: 8), t["grad.act." + layer.tag]!)
            }
        }
        checkTensor("grad.x", model.inputGradient(batch: 8), t["grad.x"]!)
        for p in model.parameters {
            checkTensor("grad." + p.key, p.grad.array, t["grad." + p.key]!)
        }
    }

    /// Training mode keeps no pre-activations (ReLU in place, mask from the output): same bits.
    func testInPlaceActivationGivesTheSameBits() throws {
        for conv in Golden.Conv.all { try checkInPlaceActivation(conv) }
    }

    private func checkInPlaceActivation(_ conv: Golden.Conv) throws {
        let (t, _) = try Golden.load()
        let y = Golden.labels(t)
        var results: [[UInt32]] = []
        for keep in [true, false] {
            let model = try Golden.model(t, conv: conv)
            model.keepsPreActivations = keep
            model.forward(t["x"]!.data, batch: 8, training: false)
            let loss = model.loss(labels: y)
            model.zeroGradients()
            model.backward(batch: 8, inputGradient: true)
            var bits = [loss.bitPattern]
            for i in model.layers.indices {
                bits += model.output(ofLayer: i, batch: 8).map(\.bitPattern)
                bits += model.outputGradient(ofLayer: i, batch: 8).map(\.bitPattern)
            }
            for p in model.parameters { bits += p.grad.array.map(\.bitPattern) }
            results.append(bits)
        }
        XCTAssertEqual(results[0], results[1], "conv \(conv)")
    }

    func testMaxPoolEdgeCasesExactly() throws {
        let (t, _) = try Golden.load()
        print("MaxPooling1D(5, 2, 'same') edge cases (exact):")
        for name in ["pool.L5", "pool.L3", "pool.L40"] {
            let x = t[name + ".in"]!, w = t[name + ".w"]!
            let L = x.shape[1], C = x.shape[2]
            let lout = MaxPool1DKernel.outputLength(L, pool: 5, stride: 2)
            var y = [Float](repeating: 0, count: lout * C), arg = [Int32](repeating: 0, count: lout * C)
            var dx = [Float](repeating: 0, count: L * C)
            MaxPool1DKernel.forward(x: x.data, y: &y, argmax: &arg, batch: 1, length: L, channels: C, pool: 5, stride: 2)
            MaxPool1DKernel.backward(dy: w.data, argmax: arg, dx: &dx, batch: 1, length: L, channels: C, outLength: lout)
            checkExact(name + ".out", y, t[name + ".out"]!)
            checkExact(name + ".grad_in", dx, t[name + ".grad_in"]!)
        }
    }

    func testConvEdgeCasesExactly() throws {
        let (t, _) = try Golden.load()
        print("Conv1D(4, 5, 'same', linear) edge cases L < k (exact):")
        for name in ["conv.L3", "conv.L2"] {
            let x = t[name + ".in"]!, k = t[name + ".kernel"]!, b = t[name + ".bias"]!, w = t[name + ".w"]!
            let L = x.shape[1], cin = x.shape[2], cout = k.shape[2]
            var cols = [Float](repeating: 0, count: L * 5 * cin), dcols = cols
            var pre = [Float](repeating: 0, count: L * cout), act = pre, dpre = pre
            var dk = [Float](repeating: 0, count: k.count), db = [Float](repeating: 0, count: cout)
            var dx = [Float](repeating: 0, count: x.count)
            Conv1DKernel.forward(x: x.data, kernel: k.data, bias: b.data, cols: &cols, pre: &pre, act: &act,
                                 activation: .linear, batch: 1, length: L, inChannels: cin, outChannels: cout, kernelSize: 5)
            Conv1DKernel.backward(dact: w.data, pre: pre, cols: cols, kernel: k.data, dKernel: &dk, dBias: &db,
                                  dpre: &dpre, dcols: &dcols, dx: &dx, activation: .linear, batch: 1, length: L,
                                  inChannels: cin, outChannels: cout, kernelSize: 5)
            checkExact(name + ".out", act, t[name + ".out"]!)
            checkExact(name + ".grad_in", dx, t[name + ".grad_in"]!)
            checkExact(name + ".grad_kernel", dk, t[name + ".grad_kernel"]!)
            checkExact(name + ".grad_bias", db, t[name + ".grad_bias"]!)
        }
    }
}
