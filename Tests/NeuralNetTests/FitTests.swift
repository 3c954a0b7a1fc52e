// The training loop: EarlyStopping/ModelCheckpoint rule, Keras-fit bookkeeping, determinism,
// best-weight restore, a tiny batch driven to near-zero loss, standardisation.
import Base
import Foundation
import NeuralNet
import XCTest

/// A small conv net (fast in debug builds) with the same layer kinds as the notebook's.
func smallModel(seed: UInt64, length: Int = 12, classes: Int = 3) -> Sequential {
    Sequential(inputShape: [length, 1], specs: [
        .conv1D(filters: 8, kernelSize: 5, activation: .relu),
        .maxPool1D(poolSize: 5, stride: 2),
        .dropout(rate: 0.2),
        .conv1D(filters: 8, kernelSize: 5, activation: .relu),
        .maxPool1D(poolSize: 5, stride: 2),
        .flatten,
        .dense(units: 16, activation: .relu),
        .dropout(rate: 0.3),
        .dense(units: classes, activation: .softmax),
    ], seed: seed)
}

/// Toy data: class c is a bump at position 2 + 3c plus noise.
func toyData(count: Int, length: Int = 12, classes: Int = 3, seed: UInt64) -> (x: [Float], y: [Int]) {
    var rng = Xoshiro256(seed: seed)
    var x = [Float](), y = [Int]()
    for i in 0..<count {
        let c = i % classes
        for t in 0..<length {
            let bump: Float = abs(t - (2 + 3 * c)) <= 1 ? 2 : 0
            x.append(bump + rng.uniform(-0.5, 0.5))
        }
        y.append(c)
    }
    return (x, y)
}

final class FitTests: XCTestCase {
    func testEarlyStoppingRuleMatchesKeras() {
        // val_loss: best at epoch index 2, then 5 epochs without improvement → stop after index 7.
        var es = EarlyStopping(patience: 5)
        let vals: [Float] = [1.0, 0.9, 0.8, 0.8, 0.85, 0.81, 0.9, 0.95, 0.7]
        var improved: [Bool] = [], stoppedAt: Int? = nil
        for (e, v) in vals.enumerated() {
            let r = es.update(v, epoch: e)
            improved.append(r.improved)
            if r.stop { stoppedAt = e; break }
        }
        XCTAssertEqual(improved, [true, true, true, false, false, false, false, false])   // equal is not better
        XCTAssertEqual(stoppedAt, 7)
        var nanES = EarlyStopping(patience: 2)
        XCTAssertFalse(nanES.update(.nan, epoch: 0).improved)
    }

    func testTinyBatchIsDrivenToNearZeroLoss() {
        let model = smallModel(seed: 3)
        let (x, y) = toyData(count: 6, seed: 5)
        let adam = Adam(parameters: model.parameters, learningRate: 1e-2)
        var first: Float = 0, last: Float = 0
        for step in 0..<150 {
            model.forward(x, batch: 6, training: false)
            last = model.loss(labels: y)
            if step == 0 { first = last }
            model.zeroGradients()
            model.backward(batch: 6)
            adam.step()
        }
        print("tiny batch: loss \(first) → \(last) in 150 Adam steps")
        XCTAssertLessThan(last, 1e-3)
    }

    func testNotebookModelOverfitsEightSamples() throws {
        // The real architecture on 8 random vectors of raw-MFCC-like scale, 30 full-batch steps.
        var rng = Xoshiro256(seed: 11)
        let x = (0..<(8 * 40)).map { _ in rng.uniform(-30, 30) }
        let y = [0, 1, 2, 3, 4, 5, 6, 0]
        let model = NotebookCNN.make(seed: 1)
        model.reserve(batch: 8)
        let adam = Adam(parameters: model.parameters)
        var losses: [Float] = []
        for _ in 0..<30 {
            model.forward(x, batch: 8, training: false)
            losses.append(model.loss(labels: y))
            model.zeroGradients()
            model.backward(batch: 8)
            adam.step()
        }
        print("notebook CNN, 8 samples: loss \(losses[0]) → \(losses.last!) in 30 steps")
        XCTAssertLessThan(losses.last!, 0.05)
    }

    func testFitIsDeterministicAndRestoresBestWeights() {
        let (x, y) = toyData(count: 150, seed: 1)
        let (xv, yv) = toyData(count: 45, seed: 2)
        func run(_ seed: UInt64) -> (History, Sequential) {
            let model = smallModel(seed: 9)
            var lines: [String] = []
            let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 12,
                        options: FitOptions(seed: seed, batchSize: 16, epochs: 12, patience: 3)) { lines.append($0.line(of: 12)) }
            XCTAssertEqual(lines.count, h.rows.count)
            return (h, model)
        }
        let (h1, m1) = run(4)
        let (h2, _) = run(4)
        let (h3, _) = run(5)
        for r in h1.rows { print("  " + r.line(of: 12)) }
        func numbers(_ h: History) -> [[UInt32]] {
            h.rows.map { [$0.loss, $0.accuracy, $0.valLoss, $0.valAccuracy].map(\.bitPattern) }
        }
        XCTAssertEqual(numbers(h1), numbers(h2), "same seed → same history bit for bit")
        XCTAssertNotEqual(numbers(h1), numbers(h3), "another seed → another history")
        XCTAssertGreaterThan(h1.rows.last!.accuracy, h1.rows.first!.accuracy)
        // The model holds the best epoch's weights: evaluating gives that epoch's val_loss exactly.
        let best = h1.rows.min { $0.valLoss < $1.valLoss }!
        XCTAssertEqual(h1.bestEpoch, best.epoch)
        XCTAssertEqual(h1.best?.valLoss, best.valLoss)
        let (vl, va) = evaluate(m1, x: xv, y: yv, features: 12, batchSize: 16, threads: h1.threads)
        XCTAssertEqual(vl, best.valLoss)
        XCTAssertEqual(va, best.valAccuracy)
        // Early stopping happened exactly `patience` epochs after the best one, or training ran out.
        if h1.stoppedEarly { XCTAssertEqual(h1.rows.count, h1.bestEpoch + 3) } else { XCTAssertEqual(h1.rows.count, 12) }
        let csv = h1.csv().split(separator: "\n")
        XCTAssertEqual(csv.first, "epoch,accuracy,loss,val_accuracy,val_loss")
        XCTAssertEqual(csv.count, h1.rows.count + 1)
        XCTAssertTrue(csv[1].hasPrefix("0,"))
        // predictions agree with evaluate's accuracy
        let p = m1.predictClasses(xv, count: yv.count)
        XCTAssertEqual(Float(zip(p, yv).filter { $0 == $1 }.count) / Float(yv.count), va)
    }

    func testEarlyStoppingInFit() {
        // A large learning rate on a tiny set makes val_loss stall: fit must stop `patience`
        // epochs after the best epoch and hold that epoch's weights.
        let (x, y) = toyData(count: 30, seed: 1)
        let (xv, yv) = toyData(count: 30, seed: 2)
        let model = smallModel(seed: 2)
        let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 12,
                    options: FitOptions(seed: 1, batchSize: 8, epochs: 60, patience: 2, learningRate: 0.05))
        print("early stopping: \(h.rows.count) epochs, best \(h.bestEpoch), val_loss \(h.rows.map(\.valLoss))")
        XCTAssertTrue(h.stoppedEarly)
        XCTAssertEqual(h.rows.count, h.bestEpoch + 2)
        XCTAssertEqual(h.rows.filter(\.improved).last?.epoch, h.bestEpoch)
        XCTAssertEqual(evaluate(model, x: xv, y: yv, features: 12, batchSize: 8, threads: h.threads).loss, h.bestValLoss)
    }

    func testThreadCountsAreEachReproducible() {
        let (x, y) = toyData(count: 90, seed: 1)
        let (xv, yv) = toyData(count: 30, seed: 2)
        func run(_ threads: Int, _ p: FitOptions.Parallelism) -> [UInt32] {
            let model = smallModel(seed: 9)
            let h = fit(model, x: x, y: y, xVal: xv, yVal: yv, features: 12,
                        options: FitOptions(seed: 3, batchSize: 16, epochs: 3, threads: threads, parallelism: p))
            XCTAssertEqual(h.threads, threads)
            return h.rows.flatMap { [$0.loss, $0.accuracy, $0.valLoss, $0.valAccuracy].map(\.bitPattern) }
        }
        for (t, p) in [(1, FitOptions.Parallelism.dataParallel), (2, .dataParallel), (3, .dataParallel), (2, .blas)] {
            XCTAssertEqual(run(t, p), run(t, p), "\(t) threads, \(p.rawValue): same seed → same history bit for bit")
        }
    }

    func testStandardizer() {
        let x: [Float] = [1, 10, 3, 10, 5, 10]   // 3 rows × 2 features
        let s = Standardizer.fit(x: x, count: 3, features: 2)
        XCTAssertEqual(s.mean, [3, 10])
        XCTAssertEqual(s.std[0], Float((8.0 / 3.0).squareRoot()), accuracy: 1e-6)   // population std
        XCTAssertEqual(s.std[1], 1)   // constant feature: std 0 → 1
        let z = s.apply(x)
        XCTAssertEqual(z[0], -z[4], accuracy: 1e-6)
        XCTAssertEqual(z[1], 0)
    }
}
