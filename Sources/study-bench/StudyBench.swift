// study-bench: benchmarks that print figures (not timed tests). One subcommand per benchmark;
// each benchmark lives in its own file (NeuralNetBench.swift, FeaturesBench.swift, ...).
import ArgumentParser
import Audio
import Base
import Corpus
import Features
import Foundation
import NeuralNet

@main
struct StudyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study-bench",
        abstract: "Benchmarks that print figures (not timed tests).",
        subcommands: [NN.self, FeaturesCommand.self, CorpusCommand.self, PlotCommand.self, Kernels.self, ProbeCommand.self])

    /// OpenBLAS's kernels for this CPU first (may re-execute the program once), then the command.
    static func main() {
        BLASKernels.useBestKernels()
        SoxrEnvironment.pinAtStartup()
        main(nil)
    }
}

/// An option value that is a comma-separated list, e.g. `--threads 1,2`. A list with a bad or
/// empty item is refused by ArgumentParser ("The value '1,x' is invalid for '--threads …'").
struct CommaList<Element: ExpressibleByArgument>: ExpressibleByArgument {
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        var values: [Element] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Element(argument: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(v)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }
}

extension Arithmetic: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
}

extension FitOptions.Parallelism: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
}

/// Which OpenBLAS kernels this machine runs (`BLASKernels`). `make test` uses `--coretype` to
/// give the test process the same kernels the executables pick for themselves.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the OpenBLAS kernels in use and why (see BLASKernels).")

    @Flag(help: "Print only the OPENBLAS_CORETYPE to use (empty when OpenBLAS's own choice stands).")
    var coretype = false

    func run() {
        let chosen = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? ""
        if coretype {
            print(chosen)
        } else {
            print("OpenBLAS core: \(BLASThreads.coreName)" + (chosen.isEmpty ? " (OpenBLAS's own choice)" : " (OPENBLAS_CORETYPE=\(chosen))"))
            print(BLASThreads.configuration)
        }
    }
}

struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Train/validate the notebook CNN on 2240 + 560 random samples, per thread count and mode.")

    @Option(help: "Comma-separated thread counts, e.g. 1,2.")
    var threads = CommaList([1, 2])

    @Option(help: "Comma-separated parallelism modes: data-parallel, blas.")
    var mode = CommaList<FitOptions.Parallelism>([.dataParallel, .blas])

    @Option(help: "Timed epochs per configuration (after one warm-up epoch).")
    var epochs = 3

    @Option(help: "Comma-separated Conv1D settings, timed side by side: im2col, winograd (the per-shape table), f2, f4 (F(2,5) / F(4,5) on every conv layer).")
    var conv = CommaList<BenchConv>([.im2col, .winograd])

    @Option(help: "Comma-separated arithmetics, timed side by side: deterministic (the study's own GEMM, the same bits on every CPU), native (OpenBLAS's kernels for this CPU).")
    var kernels = CommaList<Arithmetic>([.deterministic, .native])

    @Option(name: .customLong("gemm-variant"), help: "The deterministic GEMM's micro-kernel: scalar, avx2 or avx512 (default: the widest this CPU runs; all give the same bits). With OPENBLAS_CORETYPE=Haswell, avx2 shows what an AVX2 machine pays.")
    var gemmVariant: String?

    @Flag(inversion: .prefixedNo, help: "Time every layer, forward and backward, for each --conv setting.")
    var profile = true

    @Flag(name: .customLong("conv-table"), help: "Also time every conv layer shape alone on im2col, F(2,5) and F(4,5) (the measurements behind Conv1DPath.table).")
    var convTable = false

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard threads.values.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads: every count must be at least 1") }
        if let gemmVariant, !DeterministicGEMM.available.contains(gemmVariant) {
            throw ValidationError("--gemm-variant \(gemmVariant): this CPU runs \(DeterministicGEMM.available.joined(separator: ", "))")
        }
    }

    func run() throws {
        if let gemmVariant { DeterministicGEMM.force(gemmVariant) }
        NeuralNetBench.run(threads: threads.values, modes: mode.values, convs: conv.values, kernels: kernels.values,
                           epochs: epochs, profile: profile,
                           convTable: convTable)
    }
}

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "40 MFCC means per clip (offset 0.5 s, duration 3 s, as the notebook), with the time per stage.")

    @Argument(help: "Folder of audio clips (default: ../shared/tess-sample beside the repository, or $TESS_SHARED/tess-sample).")
    var directory: String?

    @Option(help: "Use N synthetic 2-second 24414 Hz clips instead of a folder.")
    var synthetic: Int?

    @Option(help: "Threads to extract on.")
    var threads = 2

    @Option(help: "notebook, librosa or both.")
    var preset = "both"

    @Flag(help: "First time each step in isolation on one clip.")
    var micro = false

    @Option(name: .customLong("set"), help: "Time this feature set of the registry instead (the whole chain per clip, loading included; e.g. egemaps-v02).")
    var featureSet: String?

    func validate() throws {
        if let featureSet, FeatureSets.named(featureSet) == nil {
            throw ValidationError("--set \(featureSet): no such feature set; there are \(FeatureSets.all.map(\.name).joined(separator: ", "))")
        }
        if let synthetic, synthetic < 1 { throw ValidationError("--synthetic needs a positive count") }
        guard threads >= 1 else { throw ValidationError("--threads needs a positive count") }
        _ = try presets()
    }

    func presets() throws -> [FeaturePreset] {
        if preset == "both" { return FeaturePreset.all }
        guard let p = FeaturePreset.named(preset) else {
            throw ValidationError("unknown preset '\(preset)': use notebook, librosa or both")
        }
        return [p]
    }

    func run() throws {
        if let featureSet {
            runFeatureSetBench(FeatureSets.named(featureSet)!, directory: directory.map { URL(fileURLWithPath: $0) }, synthetic: synthetic,
                               threads: threads)
            return
        }
        runFeaturesBench(directory: directory.map { URL(fileURLWithPath: $0) }, synthetic: synthetic, threads: threads,
                         presets: try presets(), micro: micro)
    }
}

struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Synthesize the TESS-shaped corpus into a temporary folder, then scan it with the TESS loader.")

    @Option(help: "Target words (TESS has 200).")
    var words = 200

    @Option(help: "Synthesis seed.")
    var seed: UInt64 = 42

    @Option(help: "Per-clip variation (1 = the default corpus).")
    var variation = SyntheticCorpus.defaultVariation

    @Flag(help: "Keep the folder for listening.")
    var keep = false

    func validate() throws {
        guard words >= 1 else { throw ValidationError("--words must be at least 1") }
        guard variation >= 0, variation.isFinite else { throw ValidationError("--variation must be a finite value ≥ 0") }
    }

    func run() throws {
        runCorpusBench(words: words, seed: seed, variation: variation, keep: keep)
    }
}

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Render and write all figures of one study run.")

    func run() throws {
        runPlotBench()
    }
}
