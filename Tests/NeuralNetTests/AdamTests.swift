// Adam against Keras: one step on Keras' own gradients (bit for bit), then three steps end to end
// with our gradients (keras-golden.md: losses ~1e-5 relative, weights ~2e-5 absolute, a handful of
// elements up to ~2e-3 where a near-zero gradient rounds to the other sign).
import Foundation
import NeuralNet
import TestSupport
import XCTest

final class AdamTests: XCTestCase {
    func testOneStepOnKerasGradientsIsBitExact() throws {
        let (t, _) = try Golden.load()
        let model = try Golden.model(t)
        for p in model.parameters { p.grad.copy(from: t["grad." + p.key]!.data) }
        let adam = Adam(parameters: model.parameters)
        adam.step()
        print("Adam step 1 on Keras' gradients vs adam1.* (bit for bit):")
        for p in model.parameters {
            let ref = t["adam1." + p.key]!
            let ours = p.value.array
            let differing = zip(ours, ref.data).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            checkTensor("adam1." + p.key, ours, ref, relTol: 0, absTol: 0)
            XCTAssertEqual(differing, 0, p.key)
        }
    }

    func testThreeStepsEndToEnd() throws {
        let (t, _) = try Golden.load()
        let model = try Golden.model(t)
        let y = Golden.labels(t)
        let x = t["x"]!.data
        let adam = Adam(parameters: model.parameters)
        var losses: [Float] = []
        for _ in 0..<3 {
            model.forward(x, batch: 8, training: false)
            losses.append(model.loss(labels: y))
            model.zeroGradients()
            model.backward(batch: 8)
            adam.step()
        }
        model.forward(x, batch: 8, training: false)
        let after = model.loss(labels: y)
        print("Adam, 3 steps on our own gradients (same batch, dropout off):")
        checkTensor("adam.losses", losses, t["adam.losses"]!, relTol: 1e-5)
        checkTensor("adam.loss_after3", [after], t["adam.loss_after3"]!, relTol: 1e-5)
        var outliers = 0
        for p in model.parameters {
            let ref = t["adam3." + p.key]!
            let ours = p.value.array
            let big = zip(ours, ref.data).filter { abs($0.0 - $0.1) > 2e-5 }.count
            outliers += big
            // Elementwise ≤ 2e-5, except a handful ≤ 2.1e-3 (sign flips of near-zero gradients).
            checkTensor("adam3." + p.key, ours, ref, relTol: 0, absTol: big > 0 ? 2.1e-3 : 2e-5)
        }
        print("  adam3.*: \(outliers) of 559367 elements differ by more than 2e-5")
        XCTAssertLessThanOrEqual(outliers, 10)
    }
}
