// Data-parallel workers compute the same loss and gradients as a single worker up to float
// rounding (GEMMs on fewer rows may round differently, and the workers' gradients are summed):
// checked against Keras' golden loss and gradients with 1, 2 and 3 workers, on im2col and
// through the Winograd table (replicas follow the master's Conv1D paths).
import Foundation
@testable import NeuralNet
import Base
import TestSupport
import XCTest

final class DataParallelTests: XCTestCase {
    func testWorkersMatchKerasGradients() throws {
        let (t, _) = try Golden.load()
        let x = t["x"]!.data
        let y = Golden.labels(t)
        let saved = BLASThreads.count
        defer { BLASThreads.count = saved }
        BLASThreads.count = 1
        for conv in Golden.Conv.all.prefix(2) {   // im2col and the Winograd table
            for workers in [1, 2, 3] {
                let model = try Golden.model(t, conv: conv)
                let r = x.withUnsafeBufferPointer { xs in
                    y.withUnsafeBufferPointer { ys in
                        model.step(x: xs.baseAddress!, labels: ys.baseAddress!, indices: nil, first: 0, n: 8,
                                   training: false, backward: true, threads: workers)
                    }
                }
                print("\(workers) data-parallel worker(s), conv \(conv): loss \(r.lossSum / 8), \(r.correct) correct")
                checkTensor("loss (\(workers) workers)", [r.lossSum / 8], t["loss"]!)
                for p in model.parameters {
                    checkTensor("grad.\(p.key) (\(workers) workers)", p.grad.array, t["grad." + p.key]!)
                }
            }
        }
    }

    /// The workers of one evaluation share each Winograd layer's filter transform across its
    /// batches; a later evaluation after the weights changed must see the new weights. Checked
    /// against one worker (which computes its own transform for every batch), before and after
    /// a change of `conv1d_1`'s kernel. Needs nothing from ../shared.
    func testEvaluationSharesFiltersOnlyWhileTheWeightsStay() {
        let saved = BLASThreads.count
        defer { BLASThreads.count = saved }
        BLASThreads.count = 1
        var rng = Xoshiro256(seed: 3, stream: 9)
        let count = 10
        let x = (0..<(count * 40)).map { _ in rng.nextFloat() * 2 - 1 }
        let y = (0..<count).map { $0 % 7 }
        let model = NotebookCNN.make(seed: 5)
        XCTAssertEqual(model.convPaths.filter { $0 != .im2col }.count, 2, "the Winograd table covers conv1d_1 and conv1d_2")
        func both() -> (one: (Float, Float), two: (Float, Float)) {
            // Two workers first: one worker's forward would refresh the master's transform.
            let two = evaluate(model, x: x, y: y, features: 40, batchSize: 4, threads: 2)
            return (evaluate(model, x: x, y: y, features: 40, batchSize: 4, threads: 1), two)
        }
        let before = both()
        XCTAssertEqual(before.two.0, before.one.0, accuracy: 1e-5 * abs(before.one.0))
        XCTAssertEqual(before.two.1, before.one.1)
        let kernel = model.layers.compactMap { $0 as? Conv1D }[1].kernel
        for i in 0..<kernel.count { kernel.value[i] *= -1.5 }
        let after = both()
        XCTAssertNotEqual(after.one.0, before.one.0, "the change of weights changes the loss")
        XCTAssertEqual(after.two.0, after.one.0, accuracy: 1e-5 * abs(after.one.0))
        XCTAssertEqual(after.two.1, after.one.1)
    }
}
