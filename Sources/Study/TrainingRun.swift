import Base
import Features
import Foundation
import Inference
import NeuralNet

/// One training run of the notebook's recipe on chosen rows: used by chapter 5 and by the
/// speaker-independent and repeated runs of chapter 7.
struct TrainingRun {
    var model: Sequential
    var history: History
    var standardizer: Standardizer?
    /// The network ended at the uniform prediction (val_loss ≈ ln classes), as 2 of 6 Keras seeds do.
    var collapsed: Bool

    static func train(data: LabelledData, train: [Int], validation: [Int], options o: StudyOptions, seed: UInt64,
                      label: String, progress: StudyProgress) throws -> TrainingRun {
        guard train.count >= 2, !validation.isEmpty else {
            throw StudyError.tooFewClips(what: label, train: train.count, validation: validation.count)
        }
        let (raw, yTrain) = data.rows(train)
        // Fitted on the training rows only, then applied to both.
        let standardizer = o.recipe.standardization.scope.map { Standardizer.fit(x: raw, count: yTrain.count, features: data.features, scope: $0) }
        let xTrain = standardizer?.apply(raw) ?? raw
        let (xVal, yVal) = data.rows(validation, standardizer: standardizer)
        var run = try fit(xTrain: xTrain, yTrain: yTrain, xValidation: xVal, yValidation: yVal, features: data.features,
                          classes: data.labels.count, options: o, seed: seed, label: label, progress: progress)
        run.standardizer = standardizer
        return run
    }

    /// The notebook's network and fit on ready-made inputs (rows of `features` values):
    /// Adam, batch, epochs and patience from `o`, early stopping and the checkpoint on the
    /// validation rows, on `o.threads` threads. The ladder calls this with its own recipes' inputs.
    /// `network` builds the model from the seed (default: the notebook's CNN over `features` inputs).
    static func fit(xTrain: [Float], yTrain: [Int], xValidation: [Float], yValidation: [Int], features: Int, classes: Int,
                    options o: StudyOptions, seed: UInt64, label: String, progress: StudyProgress,
                    network: ((UInt64) -> Sequential)? = nil) throws -> TrainingRun {
        guard yTrain.count >= 2, !yValidation.isEmpty else {
            throw StudyError.tooFewClips(what: label, train: yTrain.count, validation: yValidation.count)
        }
        let model = network?(seed) ?? NotebookCNN.make(inputLength: features, classes: classes, seed: seed)
        var fitOptions = FitOptions(seed: seed)
        fitOptions.batchSize = o.batchSize
        fitOptions.epochs = o.epochs
        fitOptions.patience = o.patience
        // Data-parallel workers sum gradients in a fixed order per thread count: the same seed
        // and thread count give the same history bit for bit.
        fitOptions.threads = o.threads
        fitOptions.convAlgorithm = o.conv
        let history = NeuralNet.fit(model, x: xTrain, y: yTrain, xVal: xValidation, yVal: yValidation, features: features,
                                    options: fitOptions) { log in
            progress.line(String(format: "%@: epoch %d/%d  loss %.4f  accuracy %.4f  val_loss %.4f  val_accuracy %.4f  (%.2f s)%@",
                                 label, log.epoch, o.epochs, log.loss, log.accuracy, log.valLoss, log.valAccuracy, log.seconds,
                                 log.improved ? "  saved" : ""))
        }
        let best = history.rows.first { $0.epoch == history.bestEpoch }
        let uniform = Foundation.log(Float(classes))
        let collapsed = best.map { abs($0.valLoss - uniform) < 0.02 } ?? false
        return TrainingRun(model: model, history: history, standardizer: nil, collapsed: collapsed)
    }

    /// Independent trainings (chapters 7 and 8), `o.threads` at a time. Job `i` gets `o` with
    /// one thread, which it trains with, so a result's bits depend neither on `--threads` nor
    /// on the trainings beside it, however the jobs are scheduled. `order` says which jobs start
    /// first (the longest, so that the last ones left running are short). Returns each job's
    /// result in job order.
    /// `o` with early stopping's patience counted in optimiser updates rather than epochs, for
    /// a small training side: the notebook waits 5 epochs of 2240 training clips at batch 64,
    /// i.e. 175 updates without improvement. With `rows` training clips an epoch is
    /// ⌈rows / batch⌉ updates, so patience becomes ⌈patience × 35 / updates⌉ epochs (never fewer
    /// than `o`'s); on a small corpus a few noisy validation losses then no longer stop training
    /// after a handful of updates. The epoch budget stays `o.epochs` (the user's, and the cost
    /// bound). `rows` is the training slice (validation excluded): 2209 rows or more (35
    /// updates) keep `o`'s patience; the ladder's `random` rung on 2800 clips (2016 rows, 32
    /// updates) waits 6 epochs. Applies to the ladder and to chapter 5's fallback model, never to
    /// the notebook's recipe.
    static func smallCorpusSchedule(_ o: StudyOptions, trainingRows rows: Int) -> StudyOptions {
        let updates = max(1, (rows + o.batchSize - 1) / o.batchSize)
        let reference = (2240 + 63) / 64
        guard updates < reference else { return o }
        var scaled = o
        scaled.patience = max(o.patience, (o.patience * reference + updates - 1) / updates)
        return scaled
    }

    static func concurrently<T>(_ count: Int, order: [Int], options o: StudyOptions,
                                _ job: (_ i: Int, _ oneThread: StudyOptions) throws -> T) -> [Result<T, any Error>] {
        var oneThread = o
        oneThread.threads = 1
        let results = ResultSlots<Result<T, any Error>>(count: count)
        // Set before any job starts: every fit saves and restores this same process-wide value.
        BLASThreads.with(1) {
            ConcurrentLoop.queue(order, workers: o.threads) { i in results[i] = Result { try job(i, oneThread) } }
        }
        return results.values
    }

    /// The model file's metadata: the feature recipe and the classes (what `predict` and the
    /// demo need), and the run that wrote it (informative: the corpus's name, which the demo's
    /// page shows, and the seed).
    static func metadata(options o: StudyOptions, features: FeaturesChapter.Output, corpus: String,
                         collapsed: Bool) -> [String: String] {
        var recipe = features.recipe
        recipe.standardization = o.recipe.standardization
        if let preset = recipe.featurePreset {
            recipe.featureSet = .init(MFCCMeansSet(preset: preset, nMFCC: recipe.nMFCC))
        }
        let classes = ModelClasses(codes: features.labels.map(\.code), displayNames: features.labels.map(\.displayName))
        var meta = recipe.metadata().merging(classes.metadata()) { a, _ in a }
        meta["study"] = "TESS speech-emotion study (Swift)"
        meta["seed"] = String(o.seed)
        meta["corpus"] = corpus
        meta[FeatureRecipe.collapsedKey] = collapsed ? "true" : "false"
        return meta
    }
}
