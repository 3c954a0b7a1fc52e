import Base
import Corpus
import Foundation
import Inference
import NeuralNet
import Plot
import Report

extension ChapterID {
    public static let training: ChapterID = "05-training"
}

/// Chapter 5: the notebook's recipe — one-hot labels, an 80/20 split with random_state 42,
/// the 1-D CNN trained with Adam, batch 64, up to 50 epochs, EarlyStopping(val_loss, 5) and
/// ModelCheckpoint(best val_loss) — then the best weights saved for evaluation.
public enum TrainingChapter: Chapter {
    public static let id = ChapterID.training
    public static let title = "Training the 1-D CNN"
    public static let purpose = "80/20 split, the CNN, per-epoch history, early stopping, model.safetensors"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self, FeaturesChapter.self] }
    public static func keyComponents(_ o: StudyOptions) -> [String] { o.trainingKey }

    /// The model file, in this chapter's folder: what `study predict` and the demo serve. It is
    /// the notebook's recipe's model, unless that collapsed: then it is the fallback's, and the
    /// notebook's is `notebookModelFile`.
    public static let modelFile = "model.safetensors"
    /// The notebook's recipe's model when it collapsed (chapter 6 evaluates it all the same).
    public static let notebookModelFile = "notebook-model.safetensors"

    /// The model chapter 5 serves instead of a collapsed one: the notebook's network on the
    /// standardised MFCC means (`StudyOptions.defaultStandardization`), early-stopped on a
    /// validation slice of the training side (never the test split), with the small-corpus
    /// schedule (`TrainingRun.smallCorpusSchedule`).
    public struct Fallback: Codable, Sendable {
        public var standardization: String
        public var nTrain: Int
        public var nValidation: Int
        public var epochs: Int
        public var bestEpoch: Int
        public var patience: Int
        public var maxEpochs: Int
        public var valAccuracy: Float
        public var collapsed: Bool
    }

    public struct Output: Codable, Sendable {
        /// Rows of chapter 4's features on each side of the split, in scikit-learn's order.
        public var train: [Int]
        public var test: [Int]
        public var seed: UInt64
        public var history: [Epoch]
        public var bestEpoch: Int
        public var stoppedEarly: Bool
        /// Ended at the uniform prediction (val_loss ≈ ln classes), as 2 of 6 Keras seeds do on TESS.
        public var collapsed: Bool
        public var standardized: Bool
        public var modelSummary: String
        public var parameters: Int
        public var model: String
        public var architectureFigure: String
        public var historyFigure: String
        /// The file chapter 6 evaluates: `modelFile`, or `notebookModelFile` when the notebook's
        /// recipe collapsed and `fallback` is served instead.
        public var notebookModel: String
        public var fallback: Fallback?
        public var best: Epoch? { history.first { $0.epoch == bestEpoch } ?? history.last }
        public var seconds: Double { history.map(\.seconds).reduce(0, +) }
    }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let o = ctx.options
        let features = try ctx.output(of: FeaturesChapter.self)
        let data = LabelledData(features)
        let split = Split.shuffled(count: data.count, testSize: 0.2, seed: o.seed)
        let testRows = Set(split.test)
        try ctx.write(CSV.encode(header: ["path", "split"],
                                 rows: data.paths.indices.map { [data.paths[$0], testRows.contains($0) ? "test" : "train"] }),
                      to: "split.csv")

        let run = try TrainingRun.train(data: data, train: split.train, validation: split.test, options: o,
                                        seed: o.seed, label: "training", progress: ctx.progress)
        try ctx.write(run.history.csv(), to: "history.csv")
        let corpusName = try ctx.output(of: LoadChapter.self).corpus.name
        // A collapsed model answers one class for every clip: chapter 6 still evaluates it (it is
        // the notebook's result), but `predict` and the demo get the collapse-free recipe's.
        var fallback: Fallback?
        var notebookModel = modelFile
        if run.collapsed {
            notebookModel = notebookModelFile
            var fo = o
            fo.recipe.standardization = StudyOptions.defaultStandardization
            let side = LadderPlan.validationSlice(of: split.train, words: data.words, wholeWords: false, seed: o.seed)
            fo = TrainingRun.smallCorpusSchedule(fo, trainingRows: side.train.count)
            ctx.progress.line("training: the notebook's recipe collapsed; training the fallback (standardised means, validation from the training side)")
            let fb = try TrainingRun.train(data: data, train: side.train, validation: side.validation, options: fo, seed: o.seed,
                                           label: "fallback", progress: ctx.progress)
            try ModelFile.save(fb.model, standardizer: fb.standardizer,
                               metadata: TrainingRun.metadata(options: fo, features: features, corpus: corpusName, collapsed: fb.collapsed),
                               to: try ctx.url(modelFile))
            fallback = Fallback(standardization: fo.recipe.standardization.rawValue, nTrain: side.train.count,
                                nValidation: side.validation.count, epochs: fb.history.rows.count, bestEpoch: fb.history.bestEpoch,
                                patience: fo.patience, maxEpochs: fo.epochs, valAccuracy: fb.history.best?.valAccuracy ?? 0,
                                collapsed: fb.collapsed)
        }
        try ModelFile.save(run.model, standardizer: run.standardizer,
                           metadata: TrainingRun.metadata(options: o, features: features, corpus: corpusName, collapsed: run.collapsed),
                           to: try ctx.url(notebookModel))

        let h = run.history
        let historyFigure = try ctx.write(
            Charts.trainingHistory(epochs: h.rows.map(\.epoch), trainAccuracy: h.rows.map { Double($0.accuracy) },
                                   valAccuracy: h.rows.map { Double($0.valAccuracy) },
                                   trainLoss: h.rows.map { Double($0.loss) }, valLoss: h.rows.map { Double($0.valLoss) },
                                   bestEpoch: h.bestEpoch),
            to: "training_history.png")
        let info = run.model.layerInfo
        let architecture = try ctx.write(Charts.layerDiagram(layers: info.enumerated().map { i, l in
            (name: l.name, type: l.type,
             inputShape: i == 0 ? shapeText([nil] + run.model.inputShape.map { Optional($0) }) : shapeText(info[i - 1].outputShape),
             outputShape: shapeText(l.outputShape))
        }), to: "architecture.png")
        return Output(train: split.train, test: split.test, seed: o.seed, history: h.rows.map(Epoch.init),
                      bestEpoch: h.bestEpoch, stoppedEarly: h.stoppedEarly, collapsed: run.collapsed,
                      standardized: run.standardizer != nil, modelSummary: run.model.summary(),
                      parameters: run.model.parameterCount, model: ctx.link(modelFile),
                      architectureFigure: architecture, historyFigure: historyFigure, notebookModel: notebookModel, fallback: fallback)
    }

    public struct Section {
        var nTrain: Int
        var nTest: Int
        var seed: String
        var splitTable: String
        var summary: String
        var parameters: Int
        var architecture: String
        var historyFigure: String
        var historyTable: String
        var epochsRun: Int
        var maxEpochs: Int
        var patience: Int
        var batchSize: Int
        var bestEpoch: Int
        var bestValLoss: String
        var bestValAccuracy: String
        var stopText: String
        var seconds: String
        var secondsPerEpoch: String
        var standardize: Bool
        var collapsed: Bool
        var nClasses: Int
        var lnClasses: String
        var hasFallback: Bool
        var fallbackText: String
    }

    public static func section(_ output: Output, _ report: ReportContext) throws -> Section {
        guard let features = report.output(of: FeaturesChapter.self) else { throw StudyError.missingOutput(path: FeaturesChapter.id.rawValue) }
        let o = report.options
        let data = LabelledData(features)
        let rows = output.history.map { r in
            [String(r.epoch), Markdown.fixed(Double(r.loss), 4), Markdown.fixed(Double(r.accuracy), 4),
             Markdown.fixed(Double(r.valLoss), 4), Markdown.fixed(Double(r.valAccuracy), 4),
             r.epoch == output.bestEpoch ? "saved (best val_loss)" : (r.improved ? "saved" : ""), Markdown.fixed(r.seconds, 2)]
        }
        let historyTable = Markdown.table(["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "checkpoint", "seconds"],
                                          rows, align: ["r", "r", "r", "r", "r", "l", "r"])
        let stopText = output.stoppedEarly
            ? "Early stopping ended training after epoch \(output.history.count): val_loss had not improved for \(o.patience) epochs since epoch \(output.bestEpoch)."
            : "Training ran all \(output.history.count) epochs."
        var trainCounts: [String: Int] = [:]
        var testCounts: [String: Int] = [:]
        for i in output.train { trainCounts[data.labels[data.y[i]], default: 0] += 1 }
        for i in output.test { testCounts[data.labels[data.y[i]], default: 0] += 1 }
        let splitTable = Markdown.table(["label", "train", "test"], data.labels.map { [$0, String(trainCounts[$0] ?? 0), String(testCounts[$0] ?? 0)] },
                                        align: ["l", "r", "r"])
        let best = output.best
        return Section(nTrain: output.train.count, nTest: output.test.count, seed: String(output.seed), splitTable: splitTable,
                       summary: output.modelSummary, parameters: output.parameters, architecture: output.architectureFigure,
                       historyFigure: output.historyFigure, historyTable: historyTable, epochsRun: output.history.count,
                       maxEpochs: o.epochs, patience: o.patience, batchSize: o.batchSize, bestEpoch: output.bestEpoch,
                       bestValLoss: Markdown.fixed(Double(best?.valLoss ?? .nan), 4),
                       bestValAccuracy: Markdown.fixed(Double(best?.valAccuracy ?? .nan), 4), stopText: stopText,
                       seconds: Markdown.fixed(output.seconds, 1),
                       secondsPerEpoch: Markdown.fixed(output.seconds / Double(max(output.history.count, 1)), 3),
                       standardize: output.standardized, collapsed: output.collapsed,
                       nClasses: data.labels.count, lnClasses: Markdown.fixed(Foundation.log(Double(data.labels.count)), 3),
                       hasFallback: output.fallback != nil, fallbackText: output.fallback.map { f in
                           "the same network on the **\(f.standardization)-standardised** MFCC means, early-stopped on a validation slice of the "
                               + "training side (\(f.nTrain) training / \(f.nValidation) validation clips; never the test split), patience \(f.patience) "
                               + "(the notebook's 175 updates without improvement, counted in this training side's epochs) and at most \(f.maxEpochs) epochs. "
                               + "It trained \(f.epochs) epochs, kept epoch \(f.bestEpoch) (val_accuracy \(Markdown.fixed(Double(f.valAccuracy), 3)))"
                               + (f.collapsed ? ", and **collapsed too**: `05-training/model.safetensors` is a collapsed model, which the demo refuses to serve." : ".")
                       } ?? "")
    }

    static func shapeText(_ shape: [Int?]) -> String {
        "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
    }
}

/// One epoch of training as the record keeps it (NeuralNet's `EpochLog`).
public struct Epoch: Codable, Sendable {
    public var epoch: Int
    public var loss: Float
    public var accuracy: Float
    public var valLoss: Float
    public var valAccuracy: Float
    public var seconds: Double
    public var improved: Bool

    init(_ e: EpochLog) {
        epoch = e.epoch; loss = e.loss; accuracy = e.accuracy; valLoss = e.valLoss; valAccuracy = e.valAccuracy
        seconds = e.seconds; improved = e.improved
    }
}
