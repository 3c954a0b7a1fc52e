import Base
import Corpus
import Features
import Foundation
import Inference
import NeuralNet

// A sweep: the grid corpora × feature sets × models × protocols (both directions) × recipes ×
// seeds, as a plan of independent cells that any executor runs one by one (`study sweep`).
//
//   SWEEP/plan.json                 the plan (SweepPlan): stages, cells, the code and executable
//   SWEEP/stages/<stage id>/        one features stage: a study output folder (01-load, 04-features)
//   SWEEP/stages/<stage id>.done    written last, when the stage is complete
//   SWEEP/cells/<cell id>/result.json   one cell's result (CellResult), its folder renamed into place
//   SWEEP/cells/<cell id>.failed    the last error of a cell that failed (removed when it succeeds)
//
// A cell is a chapter 7 run (LadderPlan, the model registry, TestResult) on a stage's features,
// so a cell gives the same bits as the same run in chapter 7 and the same bits on any machine
// and executor.

/// The options every cell of a sweep shares: those of `study run` that change a training's bits.
public struct SweepTraining: Codable, Sendable, Equatable {
    public var preset: String
    public var epochs: Int
    public var batchSize: Int
    public var patience: Int
    public var kernels: String
    public var conv: String
    /// The scope of the `standardized` recipe (`--standardization`; default global).
    public var standardization: String

    public init(preset: String, epochs: Int, batchSize: Int, patience: Int, kernels: String, conv: String, standardization: String) {
        self.preset = preset
        self.epochs = epochs
        self.batchSize = batchSize
        self.patience = patience
        self.kernels = kernels
        self.conv = conv
        self.standardization = standardization
    }

    /// The canonical text of these options, part of every cell's id.
    public var key: String {
        "preset=\(preset)|epochs=\(epochs)|batch=\(batchSize)|patience=\(patience)|kernels=\(kernels)|conv=\(conv)|standardization=\(standardization)"
    }
}

/// One corpus of a sweep: the folder as the user gave it and the fingerprint of its clips when
/// planned (a corpus that changed after planning is refused).
public struct SweepCorpus: Codable, Sendable, Equatable {
    public var path: String
    public var name: String
    public var fingerprint: String
    public var clips: Int
    public var speakers: [String]
}

/// One features stage: a corpus × a feature set, computed once and read by every cell that needs it.
public struct SweepStage: Codable, Sendable, Equatable {
    public var index: Int
    public var id: String
    public var corpus: Int
    public var features: String
}

/// One cell: one training and its evaluation.
public struct SweepCell: Codable, Sendable, Equatable {
    public var index: Int
    /// SHA-256 (first 16 hex digits) of the cell's full options: stable across plans.
    public var id: String
    public var corpus: Int
    public var stage: Int
    public var features: String
    public var model: String
    public var protocolName: LadderProtocol
    /// The speaker fold of the speaker protocols ("A→B"), nil otherwise.
    public var direction: String?
    public var testSpeakers: [String]?
    public var recipe: LadderRecipe
    public var seed: UInt64

    /// The combination a cell belongs to (everything but the seed), for the collected table.
    var combination: String {
        [String(corpus), features, model, protocolName.rawValue, direction ?? "", recipe.rawValue].joined(separator: "|")
    }
}

/// A cell of the grid that cannot run on its corpus, with the reason (said, not silently dropped).
public struct SweepSkip: Codable, Sendable, Equatable {
    public var corpus: Int
    public var features: String
    public var model: String
    public var protocolName: LadderProtocol
    public var recipe: LadderRecipe
    public var reason: String
}

/// The grid a user asks for (`study sweep plan`).
public struct SweepGrid: Sendable {
    public var corpora: [URL]
    public var features: [String]
    public var models: [String]
    public var protocols: [LadderProtocol]
    public var recipes: [LadderRecipe]
    public var seeds: [UInt64]
    public var training: SweepTraining
    public var clipLimits: ClipLimits = .default

    public init(corpora: [URL], features: [String], models: [String], protocols: [LadderProtocol], recipes: [LadderRecipe],
                seeds: [UInt64], training: SweepTraining) {
        self.corpora = corpora
        self.features = features
        self.models = models
        self.protocols = protocols
        self.recipes = recipes
        self.seeds = seeds
        self.training = training
    }
}

/// `SWEEP/plan.json`.
public struct SweepPlan: Codable, Sendable, Equatable {
    public static let fileName = "plan.json"
    public var schema: Int = 1
    /// The study's code version (`studyCodeVersion`) and the SHA-256 of the executable that
    /// planned: `run-cell` refuses to run with another.
    public var codeVersion: String
    public var executableSHA256: String
    public var training: SweepTraining
    public var corpora: [SweepCorpus]
    public var stages: [SweepStage]
    public var cells: [SweepCell]
    public var skipped: [SweepSkip]

    /// Plans `grid`: scans each corpus (its speakers decide the folds), then lists the stages
    /// and the cells in a fixed order (corpus, feature set, model, protocol, recipe, seed,
    /// direction). Planning the same grid with the same executable gives the same bytes.
    public static func make(_ grid: SweepGrid, executableSHA256: String) throws -> SweepPlan {
        guard !grid.corpora.isEmpty else { throw StudyError.invalidOption("a sweep needs at least one corpus (--data)") }
        for f in grid.features where FeatureSets.named(f) == nil {
            throw StudyError.invalidOption("no feature set '\(f)'; there are \(FeatureSets.all.map(\.name).joined(separator: ", "))")
        }
        for m in grid.models where Models.named(m) == nil {
            throw StudyError.invalidOption("no model '\(m)'; there are \(Models.list.map(\.name).joined(separator: ", "))")
        }
        for (what, n) in [("--data", grid.corpora.count), ("--features", grid.features.count), ("--models", grid.models.count),
                          ("--protocols", grid.protocols.count), ("--recipes", grid.recipes.count), ("--seeds", grid.seeds.count)] where n == 0 {
            throw StudyError.invalidOption("\(what): the grid needs at least one value")
        }
        var corpora: [SweepCorpus] = []
        var textHoldout: [String?] = []
        for url in grid.corpora {
            let scan = try EmotionCorpus.scan(root: url, limits: grid.clipLimits)
            try scan.checkTrainable()
            corpora.append(SweepCorpus(path: url.path, name: scan.name, fingerprint: scan.fingerprint, clips: scan.clips.count,
                                       speakers: Array(Set(scan.clips.map(\.speaker))).sorted()))
            textHoldout.append(scan.convention?.textHoldoutNotApplicable)
        }
        var stages: [SweepStage] = []
        var cells: [SweepCell] = []
        var skipped: [SweepSkip] = []
        for (c, corpus) in corpora.enumerated() {
            for f in grid.features {
                let set = FeatureSets.named(f)!
                let takers = grid.models.filter { Models.named($0)!.accepts(set.shape) }
                for m in grid.models where !takers.contains(m) {
                    skipped.append(SweepSkip(corpus: c, features: f, model: m, protocolName: grid.protocols[0], recipe: grid.recipes[0],
                                             reason: "\(m) does not take \(f)'s shape"))
                }
                guard !takers.isEmpty else { continue }
                let stage = SweepStage(index: stages.count, id: Self.id(["stage", corpus.fingerprint, f, grid.training.preset]), corpus: c, features: f)
                stages.append(stage)
                for m in takers {
                    for p in grid.protocols {
                        for r in grid.recipes {
                            if let why = textHoldout[c], p == .wordDisjoint || p == .speakerWordDisjoint {
                                skipped.append(SweepSkip(corpus: c, features: f, model: m, protocolName: p, recipe: r, reason: why))
                                continue
                            }
                            for seed in grid.seeds {
                                let folds = BeyondChapter.directions(p, speakers: corpus.speakers, seed: seed)
                                if folds.isEmpty {
                                    if seed == grid.seeds[0] {
                                        skipped.append(SweepSkip(corpus: c, features: f, model: m, protocolName: p, recipe: r,
                                                                 reason: "needs at least two speakers; the corpus has \(corpus.speakers.count)"))
                                    }
                                    continue
                                }
                                for fold in folds {
                                    let test = fold.map { Array($0.test).sorted() }
                                    let id = Self.id(["cell", corpus.fingerprint, f, m, p.rawValue, test?.joined(separator: ",") ?? "",
                                                      r.rawValue, String(seed), grid.training.key])
                                    cells.append(SweepCell(index: cells.count, id: id, corpus: c, stage: stage.index, features: f, model: m,
                                                           protocolName: p, direction: fold?.name, testSpeakers: test, recipe: r, seed: seed))
                                }
                            }
                        }
                    }
                }
            }
        }
        return SweepPlan(codeVersion: studyCodeVersion, executableSHA256: executableSHA256, training: grid.training,
                         corpora: corpora, stages: stages, cells: cells, skipped: skipped)
    }

    /// 16 hex digits of the SHA-256 of the parts: a name for a folder that only the options decide.
    static func id(_ parts: [String]) -> String {
        var h = SHA256()
        h.update(Data(parts.joined(separator: "\u{1F}").utf8))
        return String(h.hex.prefix(16))
    }

    // MARK: files

    public static func read(_ sweep: URL) throws -> SweepPlan {
        let url = sweep.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StudyError.invalidOption("\(url.path): no sweep plan here; `study sweep plan … --output \(sweep.path)` writes one")
        }
        // A plan is a file like any other: sizes and names in it are checked before use.
        guard data.count <= 256 << 20 else { throw StudyError.invalidOption("\(url.path): \(data.count) bytes, too large for a plan") }
        let plan: SweepPlan
        do { plan = try JSONDecoder().decode(SweepPlan.self, from: data) } catch {
            throw StudyError.invalidOption("\(url.path): not a sweep plan (\(error))")
        }
        try plan.validate(url.path)
        return plan
    }

    /// Ids are the folder names of stages and cells: only hex digits, never a path.
    func validate(_ path: String) throws {
        func hex(_ s: String) -> Bool { s.count == 16 && s.allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isLowercase) } }
        for s in stages where !hex(s.id) || !corpora.indices.contains(s.corpus) {
            throw StudyError.invalidOption("\(path): stage \(s.index) has a bad id or corpus")
        }
        for (i, c) in cells.enumerated() where !hex(c.id) || c.index != i || !stages.indices.contains(c.stage) || !corpora.indices.contains(c.corpus) {
            throw StudyError.invalidOption("\(path): cell \(i) has a bad id, index, stage or corpus")
        }
    }

    public func write(to sweep: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(try e.encode(self), to: sweep.appendingPathComponent(Self.fileName))
    }

    /// Refuses a plan made by other code: its results would not be comparable.
    public func checkExecutable(_ sha256: String, sweep: URL) throws {
        guard codeVersion == studyCodeVersion, executableSHA256 == sha256 else {
            throw StudyError.invalidOption("\(sweep.path)/plan.json was made by another build of study (code version \(codeVersion), executable "
                + "\(executableSHA256.prefix(12))…; this one is \(studyCodeVersion), \(sha256.prefix(12))…): its cells would not be comparable. "
                + "Plan again with this executable into a new folder (`study sweep plan … --output NEW`), or run the one that planned it")
        }
    }
}

extension SweepPlan {
    /// The plan of `sweep`, refused when another build made it (what `run-stage` and `run-cell` read).
    public static func open(_ sweep: URL, executableSHA256: String) throws -> SweepPlan {
        let plan = try read(sweep)
        try plan.checkExecutable(executableSHA256, sweep: sweep)
        return plan
    }

    /// `index` when it is one of `count` stages or cells, else a clear error.
    func checked(_ index: Int, of count: Int, _ what: String) throws -> Int {
        guard (0..<count).contains(index) else {
            throw StudyError.invalidOption("\(what) \(index): the plan has \(what)s 0…\(count - 1)")
        }
        return index
    }
}

/// Where a sweep keeps what.
public struct SweepFolder: Sendable {
    public var root: URL
    public init(_ root: URL) { self.root = root }
    public func stage(_ s: SweepStage) -> URL { root.appendingPathComponent("stages/\(s.id)", isDirectory: true) }
    public func stageDone(_ s: SweepStage) -> URL { root.appendingPathComponent("stages/\(s.id).done") }
    public func cell(_ c: SweepCell) -> URL { root.appendingPathComponent("cells/\(c.id)", isDirectory: true) }
    public func result(_ c: SweepCell) -> URL { cell(c).appendingPathComponent(CellResult.fileName) }
    public func failed(_ c: SweepCell) -> URL { root.appendingPathComponent("cells/\(c.id).failed") }
    public var slurm: URL { root.appendingPathComponent("slurm", isDirectory: true) }
    public var report: URL { root.appendingPathComponent("report", isDirectory: true) }

    public func isDone(_ c: SweepCell) -> Bool { FileManager.default.fileExists(atPath: result(c).path) }
    public func hasFailed(_ c: SweepCell) -> Bool { FileManager.default.fileExists(atPath: failed(c).path) }
    public func isDone(_ s: SweepStage) -> Bool { FileManager.default.fileExists(atPath: stageDone(s).path) }
}

/// One cell's result: `cells/<id>/result.json`.
public struct CellResult: Codable, Sendable {
    public static let fileName = "result.json"
    public var cell: SweepCell
    public var corpus: String
    public var nTrain: Int
    public var nValidation: Int
    public var nTest: Int
    public var epochs: Int
    public var bestEpoch: Int
    public var collapsed: Bool
    public var accuracy: Double
    public var uar: Double
    /// The cluster bootstrap intervals chapter 7 computes (the corpus's texts as clusters).
    public var accuracyCI: Statistics.Interval
    public var uarCI: Statistics.Interval
    public var confusion: [[Int]]
    public var labels: [String]
    /// Test clips (paths relative to the corpus), their true and predicted labels, and the
    /// class probabilities (row-major, clip × class).
    public var testClips: [String]
    public var truth: [String]
    public var predicted: [String]
    public var probabilities: [Float]
    /// SHA-256 of the probabilities' canonical bytes (`Reproducibility.sha256(floats:)`).
    public var predictionsSHA256: String
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case cell, corpus, epochs, collapsed, accuracy, uar, confusion, labels, truth, predicted, probabilities, seconds
        case nTrain = "n_train", nValidation = "n_validation", nTest = "n_test", bestEpoch = "best_epoch"
        case accuracyCI = "accuracy_ci", uarCI = "uar_ci", testClips = "test_clips", predictionsSHA256 = "predictions_sha256"
    }
}

/// Running a sweep's stages and cells (what `run-stage` and `run-cell` do).
public enum SweepRunner {
    /// Computes stage `index` (chapters 1 and 4 on its corpus, with its feature set), unless done.
    public static func runStage(_ sweep: URL, index: Int, threads: Int, executableSHA256: String, quiet: Bool) throws {
        let plan = try SweepPlan.open(sweep, executableSHA256: executableSHA256)
        let stage = plan.stages[try plan.checked(index, of: plan.stages.count, "stage")]
        let folder = SweepFolder(sweep)
        if folder.isDone(stage) { return }
        var o = StudyOptions()
        o.dataDirectories = [URL(fileURLWithPath: plan.corpora[stage.corpus].path)]
        o.outputDirectory = folder.stage(stage)
        o.featureSets = stage.features == "mfcc-means" ? [] : [stage.features]
        o.preset = plan.training.preset
        o.only = FeaturesChapter.id
        o.threads = threads
        o.quiet = quiet
        o.kernels = Arithmetic(rawValue: plan.training.kernels) ?? .deterministic
        try StudyRunner(options: o).run()
        let fingerprint = try read(LoadChapter.self, stage: folder.stage(stage)).corpus.fingerprint
        guard fingerprint == plan.corpora[stage.corpus].fingerprint else {
            throw StudyError.invalidOption("\(plan.corpora[stage.corpus].path): the corpus changed since the sweep was planned (fingerprint "
                + "\(fingerprint), the plan says \(plan.corpora[stage.corpus].fingerprint)); plan again")
        }
        try writeAtomically("stage \(stage.id) \(plan.corpora[stage.corpus].path) \(stage.features)\n", to: folder.stageDone(stage))
    }

    /// Chapter `C`'s output in a stage folder.
    static func read<C: Chapter>(_ type: C.Type, stage stageFolder: URL) throws -> C.Output {
        let folder = stageFolder.appendingPathComponent(C.id.rawValue, isDirectory: true)
        switch RecordStore.read(C.self, from: folder) {
        case .success(let r):
            guard let out = r.output as? C.Output else { throw StudyError.invalidOption("\(folder.path): unreadable record") }
            return out
        case .failure(let why):
            throw StudyError.invalidOption("\(folder.path): the stage's \(C.id) cannot be read (\(why.description)); run its stage again")
        }
    }

    /// Runs cell `index` (one training, one thread, and its evaluation) unless it is done, and
    /// writes its result folder atomically (built beside it, then renamed into place).
    public static func runCell(_ sweep: URL, index: Int, executableSHA256: String, progress: StudyProgress) throws {
        let plan = try SweepPlan.open(sweep, executableSHA256: executableSHA256)
        let cell = plan.cells[try plan.checked(index, of: plan.cells.count, "cell")]
        let folder = SweepFolder(sweep)
        if folder.isDone(cell) { return }
        do {
            let result = try evaluate(cell, plan: plan, folder: folder, progress: progress)
            // The records' encoder: a diverged run's NaN probabilities are written, not refused.
            let data = try RecordStore.encoder().encode(result)
            let cells = sweep.appendingPathComponent("cells", isDirectory: true)
            try FileManager.default.createDirectory(at: cells, withIntermediateDirectories: true)
            let temp = cells.appendingPathComponent(".\(cell.id).\(getpid()).tmp", isDirectory: true)
            try? FileManager.default.removeItem(at: temp)
            try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
            try writeAtomically(data, to: temp.appendingPathComponent(CellResult.fileName))
            // rename(2) of a folder onto a missing name is atomic: a reader sees all or nothing.
            if rename(temp.path, folder.cell(cell).path) != 0 {
                let err = errno
                try? FileManager.default.removeItem(at: temp)
                // Another task finished the same cell first (a requeued Slurm task): its result stands.
                if folder.isDone(cell) { return }
                throw WriteError(path: folder.cell(cell).path, code: err)
            }
            try? FileManager.default.removeItem(at: folder.failed(cell))
        } catch {
            try? writeAtomically("cell \(index) (\(cell.id)): \(error)\n", to: folder.failed(cell))
            throw error
        }
    }

    static func evaluate(_ cell: SweepCell, plan: SweepPlan, folder: SweepFolder, progress: StudyProgress) throws -> CellResult {
        let stage = plan.stages[cell.stage]
        guard folder.isDone(stage) else {
            throw StudyError.invalidOption("cell \(cell.index) needs features stage \(stage.index) (\(plan.corpora[stage.corpus].path), \(stage.features)), "
                + "which is not done: `study sweep run-stage \(folder.root.path) \(stage.index)` computes it")
        }
        let start = Date()
        let features = try read(FeaturesChapter.self, stage: folder.stage(stage))
        // As chapter 7: the clips every set of the stage has.
        let data = try LabelledData.common(features, sets: [cell.features],
                                           folder: folder.stage(stage).appendingPathComponent(FeaturesChapter.id.rawValue, isDirectory: true)).sets[cell.features]!
        let fold = cell.testSpeakers.map { SpeakerFold(name: cell.direction ?? "", test: Set($0)) }
        let ladderPlan: LadderPlan
        switch LadderPlan.make(cell.protocolName, speakers: data.speakers, words: data.words, labels: data.y, fold: fold, seed: cell.seed) {
        case .failure(let why): throw StudyError.invalidOption("cell \(cell.index): cannot run on this corpus: \(why.reason)")
        case .success(let p): ladderPlan = p
        }
        guard let model = Models.named(cell.model) else { throw StudyError.invalidOption("cell \(cell.index): no model '\(cell.model)'") }
        var o = StudyOptions()
        o.epochs = plan.training.epochs
        o.batchSize = plan.training.batchSize
        o.patience = plan.training.patience
        o.threads = 1
        o.kernels = Arithmetic(rawValue: plan.training.kernels) ?? .deterministic
        o.conv = ConvAlgorithm(rawValue: plan.training.conv) ?? .winograd
        if let s = FeatureRecipe.Standardization(rawValue: plan.training.standardization) { o.recipe.standardization = s }
        Arithmetic.current = o.kernels
        let label = "cell \(cell.index)/\(plan.cells.count): \(cell.features) × \(cell.model) \(cell.protocolName.rawValue)"
            + (cell.direction.map { " \($0)" } ?? "") + " \(cell.recipe.rawValue) seed \(cell.seed)"
        let (trained, probs) = try BLASThreads.with(1) {
            try cell.recipe.run(model, on: data, ladderPlan, scope: o.ladderScope, options: o, seed: cell.seed, label: label, progress: progress)
        }
        let truth = ladderPlan.test.map { data.y[$0] }
        let result = TestResult(probabilities: probs, truth: truth, labels: data.labels,
                                clusters: ladderPlan.test.map { data.words[$0] }, seed: cell.seed)
        return CellResult(cell: cell, corpus: plan.corpora[cell.corpus].name,
                          nTrain: ladderPlan.train.count, nValidation: ladderPlan.validation.count, nTest: ladderPlan.test.count,
                          epochs: trained.epochs, bestEpoch: trained.bestEpoch, collapsed: trained.collapsed,
                          accuracy: result.metrics.accuracy, uar: result.metrics.uar,
                          accuracyCI: result.accuracyCI, uarCI: result.uarCI, confusion: result.metrics.confusion, labels: data.labels,
                          testClips: ladderPlan.test.map { data.paths[$0] }, truth: truth.map { data.labels[$0] },
                          predicted: result.predicted.map { data.labels[$0] }, probabilities: probs,
                          predictionsSHA256: Reproducibility.sha256(floats: probs), seconds: Date().timeIntervalSince(start))
    }
}
