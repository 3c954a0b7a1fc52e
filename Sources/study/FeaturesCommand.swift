import ArgumentParser
import Audio
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
                    for option in set.options {
                        print("    option \(option.key): \(option.values.joined(separator: " | ")) (--set-option \(option.key)=VALUE)")
                    }
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

            @Option(name: .customLong("set-option"), help: ArgumentHelp("An option of the set, KEY=VALUE (repeatable; `study features --list` names each set's).",
                                                                      valueName: "KEY=VALUE"))
            var setOptions: [String] = []

            @Flag(help: "Write the set's frame-level descriptors instead (one row per frame: path, start, end in seconds, then the descriptors), for sets that have them (egemaps-v02's 25 LLDs).")
            var lld = false

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
                _ = try configuredSet()
                guard !data.isEmpty else { throw ValidationError("--data: an empty path; name a corpus folder") }
                guard !output.isEmpty else { throw ValidationError("--output: an empty path; name a CSV file") }
                guard (1...64).contains(threads) else { throw ValidationError("--threads \(threads): use 1…64 threads") }
            }

            /// The named set with the preset and every `--set-option`; `--lld` needs frame-level descriptors.
            func configuredSet() throws -> any FeatureSet {
                var featureSet = FeatureSets.named(set)!.configured(preset: preset)
                for option in setOptions {
                    let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
                    let known = featureSet.options.map { "\($0.key)=\($0.values.joined(separator: "|"))" }
                    guard parts.count == 2, let next = featureSet.configured(option: parts[0], value: parts[1]) else {
                        throw ValidationError("--set-option \(visibleText(option)): \(set) " + (known.isEmpty ? "has no options"
                                              : "takes \(known.joined(separator: ", "))"))
                    }
                    featureSet = next
                }
                if lld, !(featureSet is any FrameLevelFeatureSet) {
                    throw ValidationError("--lld: \(set) has no frame-level descriptors; sets that have them: "
                                          + FeatureSets.all.filter { $0 is any FrameLevelFeatureSet }.map(\.name).joined(separator: ", "))
                }
                return featureSet
            }

            func run() throws {
                var failures: [(String, String)] = []
                try runReportingErrors {
                    let featureSet = try configuredSet()
                    if lld, let frameSet = featureSet as? any FrameLevelFeatureSet {
                        failures = try writeFrames(frameSet)
                        return
                    }
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

            /// `--lld`: one row per frame of every clip (path, start, end, descriptors), written
            /// atomically; returns the clips that failed (path, error).
            func writeFrames(_ frameSet: any FrameLevelFeatureSet) throws -> [(String, String)] {
                let corpus = try EmotionCorpus.scan(root: URL(fileURLWithPath: data))
                let clips = corpus.clips
                let progress = StudyProgress(quiet: quiet)
                let label = "computing \(frameSet.name) frame descriptors"
                progress.start(label, total: clips.count)
                let window = frameSet.loadingWindow(FeatureSets.Window())
                var rows: [[String]] = [], failures: [(String, String)] = []
                for (i, clip) in clips.enumerated() {
                    do {
                        let signal = try load(clip.url, sampleRate: window.sampleRate, offset: window.offset, duration: window.duration,
                                              resampler: preset.resampler)
                        for f in try frameSet.frames(samples: signal.samples, sampleRate: signal.sampleRate, path: clip.url.path) {
                            rows.append([clip.path, String(f.start), String(f.end)] + f.values.map { String($0) })
                        }
                    } catch {
                        failures.append((clip.path, "\(error)"))
                    }
                    progress.update(label, done: i + 1, total: clips.count)
                }
                let csv = CSV.encode(header: ["path", "start", "end"] + frameSet.frameColumns, rows: rows)
                try writeAtomically(Data(csv.utf8), to: URL(fileURLWithPath: output))
                progress.line("\(output): \(rows.count) frames of \(clips.count - failures.count) clips × \(frameSet.frameColumns.count) descriptors of \(frameSet.name) v\(frameSet.version)")
                for (path, error) in failures.prefix(10) {
                    FileHandle.standardError.write(Data("study: \(visibleText(path)): \(error)\n".utf8))
                }
                return failures
            }
        }
    }
}
