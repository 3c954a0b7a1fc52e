import ArgumentParser
import Base
import Corpus
import Features
import Foundation
import Study

extension StudyCommand {
    /// `study features`: the feature-set registry, and one set computed for every clip of a
    /// folder (a user who only wants features needs nothing else).
    struct FeaturesCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "features",
            abstract: "List the feature sets, or compute one for every clip of a corpus folder.",
            subcommands: [List.self, Extract.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the feature sets (name, version, columns, parameters).")

            @Flag(name: .customLong("list"), help: "The same as no flag (`study features --list`).")
            var list = false

            func run() {
                for set in FeatureSets.all {
                    let size: String
                    switch set.shape {
                    case .vector: size = "\(set.columns.count) columns"
                    case .sequence(let frames, let bands): size = "\(frames) frames × \(bands) bands"
                    }
                    print("\(set.name) v\(set.version)\t\(size)\t\(set.summary)")
                    print("    " + set.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
                }
            }
        }

        struct Extract: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Compute a feature set for every clip of a folder and write one CSV row per clip.")

            @Option(name: .customLong("set"), help: "The feature set (`study features --list`).")
            var set: String

            @Option(help: "A corpus folder (any convention the study reads, or a manifest.csv).")
            var data: String

            @Option(help: "The CSV file to write: one row per clip, its path relative to --data, then the set's columns.")
            var output: String

            @Option(help: "Feature preset: how clips are resampled and the STFT padded.")
            var preset: FeaturePreset = .notebook

            @Option(help: "Threads (the results do not depend on it).")
            var threads: Int = min(64, max(1, ProcessInfo.processInfo.activeProcessorCount))

            @Flag(name: .shortAndLong, help: "No progress output on stderr.")
            var quiet = false

            func validate() throws {
                guard FeatureSets.named(set) != nil else {
                    throw ValidationError("--set \(set): no such feature set; there are \(FeatureSets.all.map(\.name).joined(separator: ", "))")
                }
                if let named = FeatureSets.named(set), case .sequence(let frames, let bands) = named.shape {
                    throw ValidationError("--set \(set): a sequence set (\(frames) frames × \(bands) bands per clip) has no CSV row per clip; "
                                          + "use a vector set (\(FeatureSets.vectors.map(\.name).joined(separator: ", "))), or `study run --features \(set)`, which stores it in 04-features/sets/")
                }
                guard !data.isEmpty else { throw ValidationError("--data: an empty path; name a corpus folder") }
                guard !output.isEmpty else { throw ValidationError("--output: an empty path; name a CSV file") }
                guard (1...64).contains(threads) else { throw ValidationError("--threads \(threads): use 1…64 threads") }
            }

            func run() throws {
                var failures: [(String, String)] = []
                try runReportingErrors {
                    let featureSet = FeatureSets.named(set)!.configured(preset: preset)
                    let corpus = try EmotionCorpus.scan(root: URL(fileURLWithPath: data))
                    let clips = corpus.clips
                    let progress = StudyProgress(quiet: quiet)
                    let label = "computing \(featureSet.name)"
                    progress.start(label, total: clips.count)
                    let results = FeatureSets.extractAll(featureSet, urls: clips.map(\.url), preset: preset, threads: threads) { done, total in
                        progress.update(label, done: done, total: total)
                    }
                    var rows: [[String]] = []
                    for (clip, result) in zip(clips, results) {
                        switch result {
                        case .success(let x): rows.append([clip.path] + x.map { String($0) })
                        case .failure(let e): failures.append((clip.path, "\(e)"))
                        }
                    }
                    let csv = CSV.encode(header: ["path"] + featureSet.columns, rows: rows)
                    try writeAtomically(Data(csv.utf8), to: URL(fileURLWithPath: output))
                    progress.line("\(output): \(rows.count) clips × \(featureSet.columns.count) columns of \(featureSet.name) v\(featureSet.version)"
                                  + (corpus.skipped.isEmpty ? "" : "; \(corpus.skipped.count) files skipped by the corpus scan"))
                    for (path, error) in failures.prefix(10) {
                        FileHandle.standardError.write(Data("study: \(visibleText(path)): \(error)\n".utf8))
                    }
                }
                if !failures.isEmpty {
                    FileHandle.standardError.write(Data("study: \(failures.count) clip(s) failed; the others are in \(output)\n".utf8))
                    throw ExitCode(1)
                }
            }
        }
    }
}
