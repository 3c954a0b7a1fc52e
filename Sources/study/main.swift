import ArgumentParser
import Audio
import Base
import Corpus
import Features
import Foundation
import Inference
import NeuralNet
import Study

/// The TESS speech-emotion study: re-runs the notebook's chapters and writes the report.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Re-run the TESS speech-emotion study and write its report.",
        discussion: "With no subcommand, runs the whole study on the embedded synthetic corpus (`study run`).",
        subcommands: [Run.self, Chapters.self, Figures.self, Predict.self, FeaturesCommand.self, Synthesize.self, Verify.self, SweepCommand.self],
        defaultSubcommand: Run.self)
}

struct CommonOptions: ParsableArguments {
    @Option(help: "Output folder (chapters, report.md, report.html, summary.json).")
    var output: String = "output"

    @Option(help: "A corpus folder: TESS (any layout), RAVDESS, CREMA-D, SAVEE or EmoDB, recognised by its file names, or any folder with a manifest.csv (path,label,speaker[,text]). Repeat it for the cross-corpus chapter: chapters 1–7 study the first, chapter 8 trains on each and tests on every other. Default: the synthetic TESS-shaped corpus.")
    var data: [String] = []

    @Option(help: "Feature preset: how clips are resampled and the STFT padded.")
    var preset: FeaturePreset = .notebook

    // Parsed as text, and unconditionally, so that `--seed -1` gets the range message below
    // instead of ArgumentParser reading -1 as a flag.
    @Option(parsing: .unconditional,
            help: "Seed of the split, the initialisation and the batch order: 0…4294967295 (2³²−1), the range numpy's RandomState accepts; --repeats uses seed+1… (wrapping at 2³²).")
    var seed: String = "42"

    @Option(help: "Maximum number of training epochs.")
    var epochs: Int = 50

    @Option(help: "Chapter 7 repeats every ladder run over seeds seed+1…seed+N (mean and sd per run).")
    var repeats: Int = 0

    @Option(help: "Leakage-ladder runs in chapter 7.")
    var ladder: LadderLevel = .default

    @Option(help: ArgumentHelp("Feature sets chapter 4 computes and chapter 7 compares, comma-separated (`study features --list`). Chapters 4–6 always use mfcc-means with the notebook's recipe. Default: every vector set (\(FeatureSets.vectors.map(\.name).joined(separator: ","))); sequence sets (logmel) run when named or with --ladder full."))
    var features: String?

    @Option(help: ArgumentHelp("Models chapter 7 crosses with the feature sets, comma-separated: \(Models.list.map(\.name).joined(separator: ", ")) (the default: all). The notebook's cnn1d on mfcc-means, the ladder itself, always runs; leaving cnn1d out spares --ladder full its costliest runs (the CNN on 720 functionals)."))
    var models: String?

    @Flag(help: ArgumentHelp("Standardise the features with the training split's statistics (the recipe --standardization names; default \(StudyOptions.defaultStandardization.rawValue))."))
    var standardize = false

    @Option(help: "How --standardize pools its statistics; implies --standardize.")
    var standardization: FeatureRecipe.Standardization?

    @Option(help: "Cache folder of the synthetic corpus (default <output>/corpus-synthetic).")
    var corpusCache: String?

    @Option(help: "Words per speaker and emotion in the synthetic corpus (TESS: 200).")
    var words: Int = 200

    @Flag(name: .shortAndLong, help: "No progress output on stderr.")
    var quiet = false

    @Option(help: "Threads for feature extraction and training (default: the number of cores, at most 64): chapter 5's threads share each batch's rows, and every gradient is summed over the rows in one order; chapters 7 and 8 train that many runs at once, each on one thread. The results are the same bits with any thread count.")
    var threads: Int = min(64, max(1, ProcessInfo.processInfo.activeProcessorCount))

    @Option(help: "The arithmetic of the float work.")
    var kernels: Arithmetic = .deterministic

    @Option(help: "How the network's Conv1D layers compute; changes the bits of a training, not its meaning.")
    var conv: ConvAlgorithm = .winograd

    @Option(name: .customLong("max-clip-mb"), help: "A corpus clip larger than this many megabytes is skipped and listed in 01-load/skipped.csv.")
    var maxClipMB: Int = ClipLimits.default.maxBytes >> 20

    @Option(name: .customLong("max-clip-seconds"), help: "A corpus clip longer than this is skipped and listed in 01-load/skipped.csv.")
    var maxClipSeconds: Double = ClipLimits.default.maxSeconds

    func studyOptions() throws -> StudyOptions {
        var o = StudyOptions()
        guard !output.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--output: an empty path; name a folder (the default is output)")
        }
        o.outputDirectory = URL(fileURLWithPath: output)
        guard (1...4096).contains(maxClipMB) else { throw ValidationError("--max-clip-mb \(maxClipMB): use 1…4096") }
        guard maxClipSeconds.isFinite, maxClipSeconds > 0, maxClipSeconds <= 86400 else {
            throw ValidationError("--max-clip-seconds \(maxClipSeconds): use a positive number of seconds up to 86400")
        }
        o.clipLimits = ClipLimits(maxBytes: maxClipMB << 20, maxSeconds: maxClipSeconds)
        var seen: Set<String> = []
        for folder in data {
            guard !folder.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--data: an empty path; name a corpus folder") }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
                throw ValidationError("--data \(folder): no such folder")
            }
            guard isDir.boolValue else {
                throw ValidationError("--data \(folder): is a file, not a folder; pass the folder that holds the clips")
            }
            let url = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
            guard seen.insert(url.path).inserted else {
                throw ValidationError("--data \(folder): given twice; each corpus once (the cross-corpus chapter tests every corpus on every other)")
            }
            o.dataDirectories.append(URL(fileURLWithPath: folder))
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard repeats >= 0 else { throw ValidationError("--repeats must be 0 or more") }
        guard words >= 1 && words <= 200 else { throw ValidationError("--words must be between 1 and 200") }
        o.preset = preset.name
        guard let seed = UInt32(seed) else {
            throw ValidationError("--seed \(seed): seeds are whole numbers 0…4294967295 (2³²−1), the range numpy's split reproduces")
        }
        o.seed = UInt64(seed)
        o.epochs = epochs
        o.repeats = repeats
        o.ladder = ladder
        if let features {
            let names = commaList(features)
            for n in names where FeatureSets.named(n) == nil {
                throw ValidationError("--features: no feature set '\(n)'; there are \(FeatureSets.all.map(\.name).joined(separator: ", "))")
            }
            guard Set(names).count == names.count else { throw ValidationError("--features \(features): a set is named twice") }
            o.featureSets = names
        }
        if let models {
            let names = commaList(models)
            let known = Models.list.map(\.name)
            for n in names where !known.contains(n) {
                throw ValidationError("--models: no model '\(n)'; there are \(known.joined(separator: ", "))")
            }
            guard Set(names).count == names.count else { throw ValidationError("--models \(models): a model is named twice") }
            o.models = names
        }
        o.standardize = standardize
        // Never `.none`: the option does not accept it (Arguments.swift).
        if let standardization { o.recipe.standardization = standardization }
        o.corpusCache = corpusCache.map { URL(fileURLWithPath: $0) }
        o.syntheticWords = words
        o.quiet = quiet
        // The bits do not depend on the thread count; the cap bounds the copies of the network's
        // buffers that the threads hold.
        guard (1...64).contains(threads) else { throw ValidationError("--threads \(threads): use 1…64 threads") }
        o.threads = threads
        o.kernels = kernels
        o.conv = conv
        return o
    }
}

/// A comma-separated option's values, each trimmed; empty ones kept, so that the caller names them.
func commaList(_ text: String) -> [String] {
    text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
}

/// Errors from the library are printed as one clear line, without a stack of Swift types.
/// Standard output is flushed and checked at the end, so that `study predict … > file` on a
/// full disk fails with the system's reason instead of losing the table silently.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
        if fflush(nil) != 0 {   // every open stream; stdout is the one this program writes
            throw WriteError(path: "standard output", code: errno)
        }
    } catch let e as ValidationError {
        throw e
    } catch {
        FileHandle.standardError.write(Data("study: error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

extension StudyCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the chapters in order (cached) and write the report.")

        @OptionGroup var common: CommonOptions

        @Option(help: "Re-run from this chapter on (e.g. 05-training or 5).")
        var from: String?

        @Option(help: "Re-run only this chapter; earlier chapters it reads from run first when they are stale.")
        var only: String?

        func run() throws {
            if from != nil && only != nil {
                throw ValidationError("--from and --only cannot be combined: --from re-runs a chapter and all after it, --only one chapter")
            }
            var o = try common.studyOptions()
            if let from {
                guard let c = ChapterID(argument: from) else { throw ValidationError("--from: unknown chapter '\(from)'; see `study chapters`") }
                o.from = c
            }
            if let only {
                guard let c = ChapterID(argument: only) else { throw ValidationError("--only: unknown chapter '\(only)'; see `study chapters`") }
                o.only = c
            }
            try runReportingErrors {
                let html = try StudyRunner(options: o).run()
                print(html.path)
            }
        }
    }

    struct Chapters: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the chapters of the study.")
        func run() {
            for c in Study.Chapters.all {
                print("\(c.id.rawValue.padding(toLength: 24, withPad: " ", startingAt: 0)) \(c.title) — \(c.purpose)")
            }
        }
    }

    struct Figures: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-render the README figures (original file names) from the last run.")

        @OptionGroup var common: CommonOptions

        @Option(help: "Where to write the figures.")
        var to: String = "docs/images"

        func run() throws {
            let o = try common.studyOptions()
            try runReportingErrors {
                for name in try READMEFigures.export(options: o, to: URL(fileURLWithPath: to)) {
                    print("\(to)/\(name)")
                }
            }
        }
    }

    struct Synthesize: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the synthetic TESS-shaped corpus to a folder.")

        @Option(help: "Folder to write (TESS layout: <SPK>_<emotion>/<SPK>_<word>_<emotion>.wav).")
        var output: String

        @Option(help: "Words per speaker and emotion (TESS: 200).")
        var words: Int = 200

        @Option(help: "Seed of the per-clip variation.")
        var seed: UInt64 = 42

        @Flag(name: .shortAndLong, help: "No progress output.")
        var quiet = false

        @Flag(help: "Write into a folder that holds other files (a clip may overwrite a file of the same name).")
        var force = false

        func run() throws {
            guard words >= 1 && words <= 200 else { throw ValidationError("--words must be between 1 and 200") }
            guard !output.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--output: an empty path; name a folder") }
            try runReportingErrors {
                try SyntheticCorpus.checkTarget(URL(fileURLWithPath: output), force: force)
                let progress = StudyProgress(quiet: quiet)
                progress.start("synthesizing corpus", total: words * 14)
                try SyntheticCorpus.synthesize(to: URL(fileURLWithPath: output), words: words, seed: seed) { done, total in
                    progress.update("synthesizing corpus", done: done, total: total)
                }
                print(output)
            }
        }
    }
}

// Before anything else: OpenBLAS's kernels for this CPU (may re-execute the program once).
BLASKernels.useBestKernels()
// libsoxr reads SOXR_* variables when it makes a resampler: unset them unless --kernels native.
SoxrEnvironment.pinAtStartup()
StudyCommand.main()
