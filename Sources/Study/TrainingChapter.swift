import Base
import Corpus
import Foundation
import NeuralNet
import Plot
import Report

/// Chapter 5: the notebook's recipe — one-hot labels, an 80/20 split with random_state 42,
/// the 1-D CNN trained with Adam, batch 64, up to 50 epochs, EarlyStopping(val_loss, 5) and
/// ModelCheckpoint(best val_loss) — then the best weights saved for evaluation.
enum TrainingChapter {
    static func run(_ ctx: StudyContext) throws -> ChapterOutput {
        let o = ctx.options
        let folder = ctx.folder(.training)
        let data = try LabelledData.load(ctx)
        let split = Split.shuffled(count: data.count, testSize: 0.2, seed: o.seed)
        let testRows = Set(split.test)
        try writeAtomically(CSV.encode(header: ["path", "split"],
                                       rows: data.paths.indices.map { [data.paths[$0], testRows.contains($0) ? "test" : "train"] }),
                            to: folder.appendingPathComponent("split.csv"))

        let run = try TrainingRun.train(data: data, train: split.train, validation: split.test, options: o,
                                        seed: o.seed, label: "training", progress: ctx.progress)
        try writeAtomically(run.history.csv(), to: folder.appendingPathComponent("history.csv"))
        try ModelFile.save(run.model, standardizer: run.standardizer,
                           metadata: TrainingRun.metadata(options: o, labels: data.labels), to: folder.appendingPathComponent("model.safetensors"))

        let h = run.history
        let figure = Charts.trainingHistory(epochs: h.rows.map(\.epoch), trainAccuracy: h.rows.map { Double($0.accuracy) },
                                            valAccuracy: h.rows.map { Double($0.valAccuracy) },
                                            trainLoss: h.rows.map { Double($0.loss) }, valLoss: h.rows.map { Double($0.valLoss) },
                                            bestEpoch: h.bestEpoch)
        try figure.write(to: folder.appendingPathComponent("training_history.png"))
        let diagram = Charts.layerDiagram(layers: run.model.layerInfo.enumerated().map { i, l in
            (name: l.name, type: l.type,
             inputShape: i == 0 ? shapeText([nil, 40, 1]) : shapeText(run.model.layerInfo[i - 1].outputShape),
             outputShape: shapeText(l.outputShape))
        })
        try diagram.write(to: folder.appendingPathComponent("architecture.png"))

        let historyRows = h.rows.map { r in
            [String(r.epoch), Markdown.fixed(Double(r.loss), 4), Markdown.fixed(Double(r.accuracy), 4),
             Markdown.fixed(Double(r.valLoss), 4), Markdown.fixed(Double(r.valAccuracy), 4),
             r.epoch == h.bestEpoch ? "saved (best val_loss)" : (r.improved ? "saved" : ""), Markdown.fixed(r.seconds, 2)]
        }
        let historyTable = Markdown.table(["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "checkpoint", "seconds"],
                                          historyRows, align: ["r", "r", "r", "r", "r", "l", "r"])
        let best = h.rows.first { $0.epoch == h.bestEpoch } ?? h.rows.last!
        let trainSeconds = h.rows.map(\.seconds).reduce(0, +)
        let stopText = h.stoppedEarly
            ? "Early stopping ended training after epoch \(h.rows.count): val_loss had not improved for \(o.patience) epochs since epoch \(h.bestEpoch)."
            : "Training ran all \(h.rows.count) epochs."
        var trainCounts: [String: Int] = [:]
        var testCounts: [String: Int] = [:]
        for i in split.train { trainCounts[data.labels[data.y[i]], default: 0] += 1 }
        for i in split.test { testCounts[data.labels[data.y[i]], default: 0] += 1 }
        let splitTable = Markdown.table(["label", "train", "test"], data.labels.map { [$0, String(trainCounts[$0] ?? 0), String(testCounts[$0] ?? 0)] },
                                        align: ["l", "r", "r"])
        return ChapterOutput(
            context: [
                "n_train": split.train.count, "n_test": split.test.count, "seed": String(o.seed),
                "split_table": splitTable,
                "summary": run.model.summary(),
                "parameters": run.model.parameterCount,
                "architecture": "\(ChapterID.training.rawValue)/architecture.png",
                "history_figure": "\(ChapterID.training.rawValue)/training_history.png",
                "history_table": historyTable,
                "epochs_run": h.rows.count, "max_epochs": o.epochs, "patience": o.patience, "batch_size": o.batchSize,
                "best_epoch": h.bestEpoch,
                "best_val_loss": Markdown.fixed(Double(best.valLoss), 4),
                "best_val_accuracy": Markdown.fixed(Double(best.valAccuracy), 4),
                "stop_text": stopText,
                "seconds": Markdown.fixed(trainSeconds, 1),
                "seconds_per_epoch": Markdown.fixed(trainSeconds / Double(max(h.rows.count, 1)), 3),
                "standardize": o.standardize,
                "collapsed": run.collapsed,
            ],
            summary: [
                "epochs_run": h.rows.count, "best_epoch": h.bestEpoch, "best_val_loss": Double(best.valLoss),
                "seconds": trainSeconds, "seconds_per_epoch": trainSeconds / Double(max(h.rows.count, 1)),
                "n_train": split.train.count, "n_test": split.test.count, "standardize": o.standardize,
                "collapsed": run.collapsed,
                "history": h.rows.map { ["epoch": $0.epoch, "accuracy": Double($0.accuracy), "loss": Double($0.loss),
                                         "val_accuracy": Double($0.valAccuracy), "val_loss": Double($0.valLoss)] },
            ])
    }

    static func shapeText(_ shape: [Int?]) -> String {
        "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
    }
}

/// The features of chapter 4 as a design matrix with class indices in TESS's label order
/// (the notebook's OneHotEncoder sorts categories, which gives the same order).
struct LabelledData {
    var paths: [String]
    var speakers: [String]
    var x: [Float]          // (N, 40) row-major
    var y: [Int]            // (N,) class index into `labels`
    var labels: [String]
    var features: Int
    var count: Int { y.count }

    static func load(_ ctx: StudyContext) throws -> LabelledData {
        let rows = try FeaturesChapter.read(ctx)
        let labels = TESSCorpus.labels
        var d = LabelledData(paths: [], speakers: [], x: [], y: [], labels: labels, features: FeaturesChapter.nMFCC)
        d.x.reserveCapacity(rows.count * d.features)
        for r in rows {
            guard let k = labels.firstIndex(of: r.label) else { continue }
            d.paths.append(r.path); d.speakers.append(r.speaker); d.x += r.x; d.y.append(k)
        }
        guard !d.y.isEmpty else {
            throw StudyError.corruptOutput(path: ctx.folder(.features).appendingPathComponent("features.csv").path, reason: "no labelled rows")
        }
        return d
    }

    /// The inputs and labels of rows `idx`, standardised when the model was trained so.
    func rows(_ idx: [Int], standardizer: Standardizer? = nil) -> (x: [Float], y: [Int]) {
        var x = [Float](); x.reserveCapacity(idx.count * features)
        for i in idx { x += self.x[(i * features)..<((i + 1) * features)] }
        return (standardizer?.apply(x) ?? x, idx.map { y[$0] })
    }
}

/// One training run of the notebook's recipe on chosen rows: used by chapter 5 and by the
/// speaker-independent and repeated runs of chapter 7.
struct TrainingRun {
    var model: Sequential
    var history: History
    var standardizer: Standardizer?
    /// The network ended at the uniform prediction (val_loss ≈ ln 7), as 2 of 6 Keras seeds do.
    var collapsed: Bool

    static func train(data: LabelledData, train: [Int], validation: [Int], options o: StudyOptions, seed: UInt64,
                      label: String, progress: StudyProgress) throws -> TrainingRun {
        guard train.count >= 2, !validation.isEmpty else {
            throw StudyError.tooFewClips(what: label, train: train.count, validation: validation.count)
        }
        let (raw, yTrain) = data.rows(train)
        // Fitted on the training rows only, then applied to both.
        let standardizer = o.standardize ? Standardizer.fit(x: raw, count: yTrain.count, features: data.features) : nil
        let xTrain = standardizer?.apply(raw) ?? raw
        let (xVal, yVal) = data.rows(validation, standardizer: standardizer)
        let model = NotebookCNN.make(inputLength: data.features, classes: data.labels.count, seed: seed)
        var fitOptions = FitOptions(seed: seed)
        fitOptions.batchSize = o.batchSize
        fitOptions.epochs = o.epochs
        fitOptions.patience = o.patience
        // Data-parallel workers sum gradients in a fixed order per thread count: the same seed
        // and thread count give the same history bit for bit.
        fitOptions.threads = o.threads
        let history = fit(model, x: xTrain, y: yTrain, xVal: xVal, yVal: yVal, features: data.features, options: fitOptions) { log in
            progress.line(String(format: "%@: epoch %d/%d  loss %.4f  accuracy %.4f  val_loss %.4f  val_accuracy %.4f  (%.2f s)%@",
                                 label, log.epoch, o.epochs, log.loss, log.accuracy, log.valLoss, log.valAccuracy, log.seconds,
                                 log.improved ? "  saved" : ""))
        }
        let best = history.rows.first { $0.epoch == history.bestEpoch }
        let uniform = log(Float(data.labels.count))
        let collapsed = best.map { abs($0.valLoss - uniform) < 0.02 } ?? false
        return TrainingRun(model: model, history: history, standardizer: standardizer, collapsed: collapsed)
    }

    static func metadata(options o: StudyOptions, labels: [String]) -> [String: String] {
        [
            "study": "TESS speech-emotion study (Swift)",
            "classes": labels.joined(separator: ","),
            "feature_preset": o.preset,
            "n_mfcc": String(FeaturesChapter.nMFCC),
            "offset_s": "0.5",
            "duration_s": "3",
            "seed": String(o.seed),
            "standardized": String(o.standardize),
        ]
    }
}
