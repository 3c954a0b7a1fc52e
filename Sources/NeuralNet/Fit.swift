// The training loop with Keras `fit` semantics, as the notebook runs it:
//   model.fit(x, y, batch_size=64, epochs=50, validation_data=(xVal, yVal),
//             callbacks=[EarlyStopping(monitor='val_loss', patience=5),
//                        ModelCheckpoint(best.h5, monitor='val_loss', save_best_only=True)])
//   model.load_weights(best.h5)
//
// - each epoch reshuffles the training set from a seeded generator, then steps Adam once per
//   batch of 64 (the last batch may be smaller);
// - the epoch's loss and accuracy are batch-size-weighted means of the training batches (as
//   Keras' Mean trackers: dropout on, weights as they were before each step);
// - at each epoch end the validation split is evaluated in inference mode (dropout off);
// - EarlyStopping(val_loss, patience, min_delta 0): stop when val_loss has not improved on the
//   best for `patience` epochs; ModelCheckpoint(best val_loss): keep the weights of the best
//   epoch; at the end those weights are loaded back into the model.
// Same seed and same OpenBLAS thread count → the same history, bit for bit.
import Base
import Foundation

public struct FitOptions: Sendable {
    public var batchSize = 64
    public var epochs = 50
    /// EarlyStopping patience on val_loss (nil: never stop early).
    public var patience: Int? = 5
    public var minDelta: Float = 0
    /// Seeds the shuffling and the dropout masks (the initial weights come from the model's seed).
    public var seed: UInt64
    public var learningRate: Double = 1e-3
    /// ModelCheckpoint(best val_loss) + reload of the best weights at the end.
    public var restoreBestWeights = true
    /// CPU threads (nil: all of the machine's). The history is reproducible for a given count.
    public var threads: Int? = nil
    /// How the threads are used: split each batch over workers with single-threaded BLAS
    /// (default, faster here), or one worker with multi-threaded BLAS GEMMs.
    public var parallelism: Parallelism = .dataParallel

    public enum Parallelism: String, Sendable { case dataParallel = "data-parallel", blas = "blas" }
    /// How the Conv1D layers compute: Winograd where `Conv1DPath.table` says so (default), or
    /// im2col everywhere. `fit` sets the model's `convAlgorithm` to it, so the model keeps it for
    /// evaluation and prediction afterwards. Part of what makes the history reproducible.
    public var convAlgorithm: ConvAlgorithm = .winograd

    public init(seed: UInt64, batchSize: Int = 64, epochs: Int = 50, patience: Int? = 5, learningRate: Double = 1e-3,
                restoreBestWeights: Bool = true, threads: Int? = nil, parallelism: Parallelism = .dataParallel,
                convAlgorithm: ConvAlgorithm = .winograd) {
        self.seed = seed; self.batchSize = batchSize; self.epochs = epochs; self.patience = patience
        self.learningRate = learningRate; self.restoreBestWeights = restoreBestWeights; self.threads = threads
        self.parallelism = parallelism; self.convAlgorithm = convAlgorithm
    }
}

/// One epoch of `fit` (Keras' history row plus timing).
public struct EpochLog: Equatable, Sendable {
    /// 1-based, as Keras prints "Epoch 1/50" (CSVLogger's column is this minus 1).
    public var epoch: Int
    public var loss: Float
    public var accuracy: Float
    public var valLoss: Float
    public var valAccuracy: Float
    public var seconds: Double
    /// val_loss improved on the best so far (ModelCheckpoint saved these weights).
    public var improved: Bool

    /// Keras-like one-line progress: "Epoch 3/50 - 0.71s - accuracy: 0.4500 - loss: 1.2345 - val_accuracy: ...".
    public func line(of epochs: Int) -> String {
        String(format: "Epoch %d/%d - %.2fs - accuracy: %.4f - loss: %.4f - val_accuracy: %.4f - val_loss: %.4f",
               epoch, epochs, seconds, accuracy, loss, valAccuracy, valLoss) + (improved ? " *" : "")
    }
}

public struct History: Equatable, Sendable {
    public var rows: [EpochLog] = []
    /// 1-based epoch of the lowest val_loss (the weights the model holds after fit), 0 if none.
    public var bestEpoch = 0
    public var bestValLoss = Float.infinity
    public var stoppedEarly = false
    public var seconds: Double = 0
    /// Threads used (with FitOptions.parallelism); part of what makes the history reproducible.
    public var threads = 1

    public var best: EpochLog? { rows.first { $0.epoch == bestEpoch } }

    /// Keras CSVLogger's format: epoch (0-based), accuracy, loss, val_accuracy, val_loss.
    public func csv() -> String {
        CSV.encode(header: ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"],
                   rows: rows.map { ["\($0.epoch - 1)", "\($0.accuracy)", "\($0.loss)", "\($0.valAccuracy)", "\($0.valLoss)"] })
    }
}

/// Keras' EarlyStopping(monitor='val_loss', mode='min', patience, min_delta, baseline=None) and
/// ModelCheckpoint(save_best_only=True) decision rule, as a small state machine.
public struct EarlyStopping: Sendable {
    public let patience: Int?
    public let minDelta: Float
    public private(set) var best = Float.infinity
    public private(set) var wait = 0

    public init(patience: Int?, minDelta: Float = 0) { self.patience = patience; self.minDelta = minDelta }

    /// Feeds epoch `epoch` (0-based) val_loss; returns whether it improved and whether to stop.
    /// Improvement: value − minDelta < best (a NaN never improves).
    public mutating func update(_ value: Float, epoch: Int) -> (improved: Bool, stop: Bool) {
        wait += 1
        if value - minDelta < best {
            best = value
            wait = 0
            return (true, false)
        }
        if let p = patience, wait >= p, epoch > 0 { return (false, true) }
        return (false, false)
    }
}

/// Trains `model` on x (count × features, count = y.count) with validation on (xVal, yVal);
/// calls `progress` after every epoch; restores the best-val_loss weights at the end.
@discardableResult
public func fit(_ model: Sequential, x: [Float], y: [Int], xVal: [Float], yVal: [Int], features: Int,
                options: FitOptions, progress: (EpochLog) -> Void = { _ in }) -> History {
    precondition(features == model.inputSize, "fit: \(features) features, the model takes \(model.inputShape)")
    precondition(x.count == y.count * features && xVal.count == yVal.count * features, "fit: x/y sizes disagree")
    precondition(!y.isEmpty, "fit: no training samples")
    let threads = max(1, options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
    // OpenBLAS's thread count is process-wide (see BLASThreads); NeuralNet's own loops take
    // `threads` as a task-local value bound for this call only.
    let (blasThreads, workers): (Int, Int)
    switch options.parallelism {
    case .dataParallel: (blasThreads, workers) = (1, threads)
    case .blas: (blasThreads, workers) = (threads, 1)
    }
    return BLASThreads.with(blasThreads) { Parallel.withThreads(threads) {
        fitLoop(model, x: x, y: y, xVal: xVal, yVal: yVal, features: features, options: options, threads: threads,
                workers: workers, progress: progress)
    } }
}

private func fitLoop(_ model: Sequential, x: [Float], y: [Int], xVal: [Float], yVal: [Int], features: Int,
                     options: FitOptions, threads: Int, workers: Int, progress: (EpochLog) -> Void) -> History {
    let start = DispatchTime.now().uptimeNanoseconds
    let bs = options.batchSize
    model.convAlgorithm = options.convAlgorithm
    model.reserve(batch: bs)
    _ = model.workers(workers)
    model.seedDropout(options.seed)
    let adam = Adam(parameters: model.parameters, learningRate: options.learningRate)
    var shuffler = Xoshiro256(seed: options.seed, stream: 0x5_4FF1E)
    var order = Array(0..<y.count)
    var stopping = EarlyStopping(patience: options.patience, minDelta: options.minDelta)
    var history = History()
    history.threads = threads
    var bestWeights: [[Float]]? = nil

    for epoch in 0..<options.epochs {
        let t0 = DispatchTime.now().uptimeNanoseconds
        shuffler.shuffle(&order)
        var lossTotal: Float = 0, seen: Float = 0, correct = 0
        var b0 = 0
        while b0 < order.count {
            let n = min(bs, order.count - b0)
            let r = x.withUnsafeBufferPointer { xs in
                y.withUnsafeBufferPointer { ys in
                    order.withUnsafeBufferPointer { idx in
                        model.step(x: xs.baseAddress!, labels: ys.baseAddress!, indices: idx.baseAddress!, first: b0, n: n,
                                   training: true, backward: true, threads: workers)
                    }
                }
            }
            let loss = r.lossSum / Float(n)          // the batch's mean loss, as Keras reports it
            lossTotal += loss * Float(n); seen += Float(n)
            correct += r.correct
            adam.step()
            b0 += n
        }
        let (valLoss, valAcc) = evaluate(model, x: xVal, y: yVal, features: features, batchSize: bs, threads: workers)
        let (improved, stop) = stopping.update(valLoss, epoch: epoch)
        if improved {
            history.bestEpoch = epoch + 1
            history.bestValLoss = valLoss
            if options.restoreBestWeights { bestWeights = model.snapshot() }
        }
        let row = EpochLog(epoch: epoch + 1, loss: lossTotal / seen, accuracy: Float(correct) / seen, valLoss: valLoss,
                           valAccuracy: valAcc, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9,
                           improved: improved)
        history.rows.append(row)
        progress(row)
        if stop { history.stoppedEarly = true; break }
    }
    if let w = bestWeights { model.restore(w) }
    history.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return history
}

/// Loss and accuracy in inference mode, batch-size-weighted means over batches of `batchSize`
/// (Keras' `model.evaluate`). With no samples returns (nan, nan). `threads` > 1 splits each batch
/// over data-parallel workers (with single-threaded BLAS meanwhile, as in `fit`).
public func evaluate(_ model: Sequential, x: [Float], y: [Int], features: Int, batchSize: Int = 64,
                     threads: Int = 1) -> (loss: Float, accuracy: Float) {
    precondition(features == model.inputSize, "evaluate: \(features) features, the model takes \(model.inputShape)")
    precondition(x.count == y.count * features, "evaluate: \(x.count) values for \(y.count) × \(features)")
    guard !y.isEmpty else { return (.nan, .nan) }
    model.reserve(batch: batchSize)
    // One GEMM thread while the batch's rows are split over `threads` workers.
    return BLASThreads.with(threads > 1 ? 1 : nil) {
        var total: Float = 0, correct = 0
        var b0 = 0
        while b0 < y.count {
            let n = min(batchSize, y.count - b0)
            let r = x.withUnsafeBufferPointer { xs in
                y.withUnsafeBufferPointer { ys in
                    model.step(x: xs.baseAddress!, labels: ys.baseAddress!, indices: nil, first: b0, n: n,
                               training: false, backward: false, threads: threads, filtersUnchanged: b0 > 0)
                }
            }
            total += r.lossSum / Float(n) * Float(n)   // Keras' Mean tracker: batch mean × batch size
            correct += r.correct
            b0 += n
        }
        return (total / Float(y.count), Float(correct) / Float(y.count))
    }
}

extension Sequential {
    /// Softmax probabilities (count × classes) in inference mode, in batches of `batchSize`.
    public func predictProbabilities(_ x: [Float], count: Int, batchSize: Int = 64) -> [Float] {
        let f = inputSize
        precondition(x.count == count * f, "predictProbabilities: \(x.count) values for \(count) × \(inputShape)")
        reserve(batch: min(batchSize, max(count, 1)))
        var out = [Float](repeating: 0, count: count * classes)
        var b0 = 0
        while b0 < count {
            let n = min(maxBatch, count - b0)
            x.withUnsafeBufferPointer { inputPointer.update(from: $0.baseAddress! + b0 * f, count: n * f) }
            let logits = forward(batch: n, training: false)
            _ = head.forward(logits: logits, batch: n, withLabels: false)
            out.withUnsafeMutableBufferPointer { ($0.baseAddress! + b0 * classes).update(from: head.probs.pointer, count: n * classes) }
            b0 += n
        }
        return out
    }

    /// Class index of the highest probability per row.
    public func predictClasses(_ x: [Float], count: Int) -> [Int] {
        let p = predictProbabilities(x, count: count)
        return (0..<count).map { r in
            var best = 0
            for k in 1..<classes where p[r * classes + k] > p[r * classes + best] { best = k }
            return best
        }
    }
}
