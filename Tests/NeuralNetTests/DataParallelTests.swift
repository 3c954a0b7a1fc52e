// Data-parallel workers compute the same loss and gradients as a single worker up to float
// rounding (GEMMs on fewer rows may round differently, and the workers' gradients are summed):
// checked against Keras' golden loss and gradients with 1, 2 and 3 workers, on im2col and
// through the Winograd table (replicas follow the master's Conv1D paths).
import Foundation
@testable import NeuralNet
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
}
