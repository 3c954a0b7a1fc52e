import Base
import Foundation
import Inference

// The reproducibility digest (issue 21): four SHA-256 values that say whether two runs gave the
// same bits, and where a difference entered. Each is computed over a canonical byte form that
// anyone can recompute with another tool (docs/summary-schema.md gives the rules):
//
//   features     chapter 4's features as little-endian float32, clip (row) order
//   model        the bytes of 05-training/model.safetensors
//   predictions  test-set class probabilities as little-endian float32: chapter 6's, then every
//                ladder run's (chapter 7), then every cross-corpus pair's (chapter 8)
//   figures      the bytes of every PNG the run's chapters wrote, in bytewise order of their
//                paths relative to the output folder, back to back
//
// plus one SHA-256 per chapter over its data files (PNG, CSV, safetensors, WAV: nothing that
// holds a timing or a date) and the floats it contributes, so that `study verify` can name the
// first chapter whose outputs differ. The run computes them from the files it just wrote, with
// the same code `study verify` runs on a folder later: the two can only disagree when the
// files changed.

/// The four parts of the digest, in the order a difference usually propagates.
public enum DigestPart: String, CaseIterable, Codable, Sendable {
    case features, model, predictions, figures
}

/// `summary.json`'s `reproducibility` object.
public struct ReproducibilityDigest: Codable, Sendable, Equatable {
    /// The arithmetic the run's chapters ran with (`--kernels`): `deterministic` or `native`.
    public var kernels: String
    /// What that arithmetic promises (`Arithmetic.reproducibility`).
    public var kernelsNote: String
    /// `--threads` of this run (the bits do not depend on it).
    public var threads: Int
    public var featuresSHA256: String?
    public var modelSHA256: String?
    public var predictionsSHA256: String?
    public var figuresSHA256: String?
    /// Chapter id → SHA-256 of its data files and digest floats; only the run's up-to-date
    /// chapters (the ones the four parts cover).
    public var chapters: [String: String]
    /// The versions of what shapes the bytes (`LibraryVersions.reproducibility`).
    public var libraries: [String: String]
    /// Whether the run's options are the default run's (`RunOptionsSummary.differencesFromDefault`).
    public var defaultRun: Bool

    enum CodingKeys: String, CodingKey {
        case kernels, kernelsNote = "kernels_note", threads
        case featuresSHA256 = "features_sha256", modelSHA256 = "model_sha256"
        case predictionsSHA256 = "predictions_sha256", figuresSHA256 = "figures_sha256"
        case chapters, libraries, defaultRun = "default_run"
    }

    public func value(_ part: DigestPart) -> String? {
        switch part {
        case .features: return featuresSHA256
        case .model: return modelSHA256
        case .predictions: return predictionsSHA256
        case .figures: return figuresSHA256
        }
    }

    /// The run's four parts and chapters, for comparisons.
    var values: DigestValues {
        DigestValues(parts: Dictionary(uniqueKeysWithValues: DigestPart.allCases.compactMap { p in value(p).map { (p, $0) } }),
                     chapters: chapters)
    }

    /// One line for stderr at the end of `study run`: the first 8 hex digits of each part.
    public var line: String {
        let parts = DigestPart.allCases.map { "\($0.rawValue) \(value($0).map { String($0.prefix(8)) + "…" } ?? "n/a")" }
        return "digest: " + parts.joined(separator: " ") + " (kernels \(kernels), threads \(threads))"
    }
}

/// The options of a run, as `summary.json` records them (`options`): what `study verify` reads
/// to decide whether a folder holds a default run, and to say how two runs differ.
public struct RunOptionsSummary: Codable, Sendable, Equatable {
    /// `--data` folders as given, in order; empty for the synthetic corpus.
    public var data: [String]
    /// `--words` and the synthetic corpus's seed (used only without `--data`).
    public var words: Int
    public var syntheticSeed: UInt64
    public var seed: UInt64
    public var recipe: FeatureRecipe
    public var epochs: Int
    public var batchSize: Int
    public var patience: Int
    public var repeats: Int
    public var ladder: String
    /// `--features` and `--models` (absent in summaries written before they existed).
    public var features: [String]?
    public var models: [String]?
    public var conv: String
    public var kernels: String
    /// Recorded for people; never part of a comparison (the bits do not depend on it).
    public var threads: Int

    enum CodingKeys: String, CodingKey {
        case data, words, syntheticSeed = "synthetic_seed", seed, recipe, epochs, batchSize = "batch_size", patience, repeats
        case ladder, features, models, conv, kernels, threads
    }

    public init(_ o: StudyOptions) {
        data = o.dataDirectories.map(\.path)
        words = o.syntheticWords
        syntheticSeed = o.syntheticSeed
        seed = o.seed
        recipe = o.recipe
        epochs = o.epochs
        batchSize = o.batchSize
        patience = o.patience
        repeats = o.repeats
        ladder = o.ladder.rawValue
        features = o.featureSets
        models = o.models
        conv = o.conv.rawValue
        kernels = o.kernels.rawValue
        threads = o.threads
    }

    /// The options that change the bits, as (name, value) in a fixed order. The corpus is named
    /// by kind and count, not by path: the same corpus may live anywhere.
    var comparable: [(String, String)] {
        let r = recipe
        return [
            ("corpus", data.isEmpty ? "synthetic" : "\(data.count) --data folder\(data.count == 1 ? "" : "s")"),
            ("words", data.isEmpty ? String(words) : "-"),
            ("synthetic seed", data.isEmpty ? String(syntheticSeed) : "-"),
            ("seed", String(seed)),
            ("preset", r.preset), ("n_mfcc", String(r.nMFCC)), ("offset", String(r.offset)), ("duration", String(r.duration)),
            ("sample rate", String(r.sampleRate)), ("standardization", r.standardization.rawValue),
            ("epochs", String(epochs)), ("batch size", String(batchSize)), ("patience", String(patience)),
            ("repeats", String(repeats)), ("ladder", ladder),
            ("features", features?.joined(separator: ",") ?? "(not recorded)"), ("models", models?.joined(separator: ",") ?? "(not recorded)"),
            ("conv", conv), ("kernels", kernels),
        ]
    }

    /// How these options differ from `other`'s, as "epochs 10 (other: 50)"; empty when the bits
    /// should be the same. `otherName` names the other side.
    func differences(from other: RunOptionsSummary, otherName: String) -> [String] {
        zip(comparable, other.comparable).compactMap { mine, theirs in
            mine.1 == theirs.1 ? nil : "\(mine.0) \(mine.1) (\(otherName): \(theirs.1))"
        }
    }

    /// How these options differ from the default run's (`make study`: no `--data`, every option
    /// at its default; `--threads` does not count); empty for a default run.
    public func differencesFromDefault() -> [String] {
        differences(from: RunOptionsSummary(StudyOptions()), otherName: "default")
    }
}

/// Four parts and per-chapter values from any source (a summary, the files, the README's).
struct DigestValues: Equatable {
    var parts: [DigestPart: String]
    var chapters: [String: String]
}

/// The digest of an output folder recomputed from its files, with what could not be read.
struct ComputedDigest {
    var parts: [DigestPart: String] = [:]
    /// Every chapter asked for, in running order; nil where it could not be computed.
    var chapters: [(id: String, sha256: String?)] = []
    /// What could not be read, one line each, naming the file.
    var problems: [String] = []

    var values: DigestValues {
        DigestValues(parts: parts, chapters: Dictionary(uniqueKeysWithValues: chapters.map { ($0.id, $0.sha256 ?? "unavailable") }))
    }
}

/// Computes the digest of an output folder from its files: the one code path of `study run`
/// (at its end) and `study verify`.
public enum Reproducibility {
    /// Files whose bytes are data: what the chapter digests cover. Left out: `chapter.json`
    /// (it holds the chapter's seconds; its floats enter through `Chapter.digestFloats`),
    /// and nothing else a chapter writes holds a timing or a date.
    static let dataExtensions: Set<String> = ["png", "csv", "safetensors", "wav"]

    /// The canonical bytes of `values`: little-endian IEEE 754 binary32, every NaN as the one
    /// quiet NaN 0x7FC00000 (JSON, which records hold, keeps no NaN payload or sign).
    public static func canonicalBytes(_ values: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * 4)
        out.withUnsafeMutableBytes { raw in
            values.withUnsafeBufferPointer { v in
                var i = 0
                while i < v.count {
                    let bits = v[i].isNaN ? UInt32(0x7FC0_0000) : v[i].bitPattern
                    raw.storeBytes(of: bits.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                    i += 1
                }
            }
        }
        return out
    }

    /// SHA-256 (hex) of `values`' canonical bytes.
    public static func sha256(floats values: [Float]) -> String {
        var h = SHA256()
        h.update(canonicalBytes(values))
        return h.hex
    }

    /// The part of a record the digest needs before its output: the files it vouches for.
    private struct RecordFiles: Decodable {
        var codeVersion: String?
        var artifacts: [Artifact]
        var written: [String]?
    }

    /// A relative path from a record, or nil when it could leave the chapter folder (a record is
    /// a file like any other: its names are not trusted to be paths).
    static func safeRelativePath(_ path: String) -> String? {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0") else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return nil }
        return path
    }

    static func bytewise(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// One entry of a chapter digest: its name, then its bytes.
    private struct Entry {
        var name: String
        var bytes: Data
    }

    /// The data files of `id` in `output` as its record lists them (this run's files when the
    /// record says which; otherwise every file it vouches for), bytewise sorted, and its record
    /// decoded as `C`'s. Throws a line naming the file.
    private static func entries<C: Chapter>(_ type: C.Type, output: URL) throws -> (files: [Entry], floats: (DigestPart, [Float])?) {
        let folder = output.appendingPathComponent(C.id.rawValue, isDirectory: true)
        let recordURL = folder.appendingPathComponent(RecordStore.fileName)
        let shown = "\(C.id.rawValue)/\(RecordStore.fileName)"
        guard let data = FileManager.default.contents(atPath: recordURL.path) else {
            throw DigestProblem("\(shown): missing")
        }
        let files: RecordFiles
        do { files = try RecordStore.decoder().decode(RecordFiles.self, from: data) } catch {
            throw DigestProblem("\(shown): not a chapter record (\(error))")
        }
        var names: [String] = []
        for name in files.written ?? files.artifacts.map(\.path) {
            guard let safe = safeRelativePath(name) else { throw DigestProblem("\(shown): lists an unsafe path \(String(reflecting: name))") }
            if dataExtensions.contains((safe as NSString).pathExtension.lowercased()) { names.append(safe) }
        }
        var out: [Entry] = []
        for name in names.sorted(by: bytewise) {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { throw DigestProblem("\(C.id.rawValue)/\(name): missing") }
            do { out.append(Entry(name: name, bytes: try Data(contentsOf: url))) } catch {
                throw DigestProblem("\(C.id.rawValue)/\(name): unreadable (\(SystemErrorText.describe(error)))")
            }
        }
        // Decoded for every chapter, not only those with digest floats: a record this build
        // cannot read is named here rather than hashed as if it were understood.
        let record: ChapterRecord<C.Output>
        do { record = try RecordStore.decoder().decode(ChapterRecord<C.Output>.self, from: data) } catch {
            throw DigestProblem("\(shown): cannot read its output (record version \(files.codeVersion ?? "?"), this study reads \(studyCodeVersion)): \(error)")
        }
        return (out, C.digestFloats(record.output).map { ($0.part, $0.values) })
    }

    /// SHA-256 of each entry of chapter `id`'s digest (its data files and its floats), by
    /// name: to name the files that differ between two folders. Nil when unreadable.
    static func entryDigests(output: URL, chapter id: String) -> [String: String]? {
        guard let type = Chapters.chapter(ChapterID(rawValue: id)) else { return nil }
        return try? entryDigests(type, output: output)
    }

    private static func entryDigests<C: Chapter>(_ type: C.Type, output: URL) throws -> [String: String] {
        let (files, floats) = try entries(type, output: output)
        var out = Dictionary(uniqueKeysWithValues: files.map { ($0.name, SHA256.hex(of: $0.bytes)) })
        if let (part, values) = floats { out["\(RecordStore.fileName)#\(part.rawValue)"] = sha256(floats: values) }
        return out
    }

    /// The data files of chapter `id` whose size or FNV-1a no longer match what its record
    /// vouches for (or that are gone): what changed in a folder after its run.
    static func changedSinceRecord(output: URL, chapter id: String) -> [String] {
        let folder = output.appendingPathComponent(id, isDirectory: true)
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(RecordStore.fileName).path),
              let files = try? RecordStore.decoder().decode(RecordFiles.self, from: data) else { return [] }
        let listed = Set(files.written ?? files.artifacts.map(\.path))
        return files.artifacts.filter { a in
            guard listed.contains(a.path), safeRelativePath(a.path) != nil,
                  dataExtensions.contains((a.path as NSString).pathExtension.lowercased()) else { return false }
            guard let (hash, size) = try? FNV1a64.hash(fileAt: folder.appendingPathComponent(a.path)) else { return true }
            return size != a.size || FNV1a64.hex(hash) != a.fnv1a64
        }.map(\.path).sorted(by: bytewise)
    }

    /// The digest of the chapters `ids` of the output folder `output`, from its files.
    static func compute(output: URL, chapters ids: [String]) -> ComputedDigest {
        var result = ComputedDigest()
        var features: SHA256?, predictions: SHA256?
        var figures = SHA256(), anyFigureChapter = false
        let wanted = Set(ids)
        // Chapters in running order, which is also the bytewise order of their folder names,
        // so the figures are hashed in the bytewise order of their paths from the output folder.
        var known = Chapters.all.map { $0 as any Chapter.Type }.filter { wanted.contains($0.id.rawValue) }
        known.sort { bytewise($0.id.rawValue, $1.id.rawValue) }
        for type in known {
            let id = type.id.rawValue
            do {
                let (files, floats) = try entries(type, output: output)
                var chapter = SHA256()
                var all = files
                if let (part, values) = floats {
                    let bytes = Data(canonicalBytes(values))
                    all.append(Entry(name: "\(RecordStore.fileName)#\(part.rawValue)", bytes: bytes))
                    switch part {
                    case .features:
                        if features == nil { features = SHA256() }
                        features!.update(bytes)
                    case .predictions:
                        if predictions == nil { predictions = SHA256() }
                        predictions!.update(bytes)
                    case .model, .figures: break
                    }
                }
                for e in all.sorted(by: { bytewise($0.name, $1.name) }) {
                    chapter.update(e.name)
                    chapter.update([0])
                    withUnsafeBytes(of: UInt64(e.bytes.count).littleEndian) { chapter.update($0) }
                    chapter.update(e.bytes)
                }
                anyFigureChapter = true
                for e in files where (e.name as NSString).pathExtension.lowercased() == "png" { figures.update(e.bytes) }
                if type.id == .training {
                    if let model = files.first(where: { $0.name == TrainingChapter.modelFile }) {
                        result.parts[.model] = SHA256.hex(of: model.bytes)
                    } else {
                        result.problems.append("\(id)/\(TrainingChapter.modelFile): not among the chapter's files")
                    }
                }
                result.chapters.append((id, chapter.hex))
            } catch let p as DigestProblem {
                result.problems.append(p.text)
                result.chapters.append((id, nil))
            } catch {
                result.problems.append("\(id): \(error)")
                result.chapters.append((id, nil))
            }
        }
        // Chapters this build does not know (a summary of a later study): named, never guessed.
        for id in ids where !known.contains(where: { $0.id.rawValue == id }) {
            result.problems.append("\(id): not a chapter of this study")
            result.chapters.append((id, nil))
        }
        let failed = Set(result.chapters.filter { $0.sha256 == nil }.map(\.id))
        // A part is left out when a chapter it reads could not be read: half a digest would
        // only ever differ.
        if let features, !failed.contains(ChapterID.features.rawValue) { result.parts[.features] = features.hex }
        let predictionChapters = [ChapterID.evaluation, .beyond, .crossCorpus].map(\.rawValue)
        if let predictions, failed.isDisjoint(with: predictionChapters) { result.parts[.predictions] = predictions.hex }
        if anyFigureChapter, failed.isEmpty { result.parts[.figures] = figures.hex }
        return result
    }

    /// The digest of a run just finished: its up-to-date chapters, the run's options and the
    /// library versions of this process.
    static func digest(output: URL, chapters ids: [String], options: StudyOptions) -> (ReproducibilityDigest, problems: [String]) {
        let c = compute(output: output, chapters: ids)
        return (ReproducibilityDigest(kernels: options.kernels.rawValue, kernelsNote: options.kernels.reproducibility,
                                      threads: options.threads,
                                      featuresSHA256: c.parts[.features], modelSHA256: c.parts[.model],
                                      predictionsSHA256: c.parts[.predictions], figuresSHA256: c.parts[.figures],
                                      chapters: c.values.chapters, libraries: LibraryVersions.reproducibility(),
                                      defaultRun: RunOptionsSummary(options).differencesFromDefault().isEmpty),
                c.problems)
    }
}

/// A file the digest could not read, named.
struct DigestProblem: Error {
    var text: String
    init(_ text: String) { self.text = text }
}

/// The digest of the default run (`make study`: synthetic corpus, every option at its default,
/// `--kernels deterministic`) that the README states: the ONE place in the source that holds
/// it. `study verify` compares a default run's folder with it. `study verify --print-default-digest`
/// prints this literal for a folder, so that it is pasted, never typed.
public struct DefaultRunDigest: Sendable {
    public var features: String
    public var model: String
    public var predictions: String
    public var figures: String
    public var chapters: [String: String]
    /// The versions of the libraries the README's run used (`LibraryVersions.reproducibility`).
    public var libraries: [String: String]
    /// The CPU it was made on (for people).
    public var cpu: String

    // The README's default run (`make study`, deterministic arithmetic, 2-core AMD EPYC with
    // AVX-512, 2026-12-06), pasted from `study verify --print-default-digest`. A change that
    // moves it says why, and replaces it with the new run's. 2026-12-06 (issue 23): the model
    // file records its feature set and whether training collapsed (same weights, other
    // metadata bytes); chapter 4 adds mfcc-functionals (features digest unchanged); chapter 7
    // adds the feature set × model runs and counts patience in updates (predictions, figures).
    // 2026-12-06 (issue 24): chapter 4 adds egemaps-v02 (chapter 4's digest; the MFCC means and
    // so the features digest unchanged); chapter 7 adds egemaps-v02 × logistic and × cnn1d on
    // speaker_independent (predictions, figures, chapter 7).
    public static let readme: DefaultRunDigest? = DefaultRunDigest(
        features: "b3920c192d2406c56c6be3494adeb7f6b088112b26d090e42e078390a0a12a96",
        model: "535edb546bffabce1fcc96c05a79b825546c3a74d24d4d5c2b91a117d9ed74c6",
        predictions: "4fce3def6a1843a360baf8899c3abb00f2bacbea9f5c77245295b8c2bb4c2cba",
        figures: "0375c8c27085dc0bd06589ad5c0a3337481097bdd6329025a81a9cc66023ecf8",
        chapters: [
            "01-load": "503ded24b74d75dc9b97d173fae80addcb07a42d2c3ea709d7d79e34cecee308",
            "02-eda": "64c9f40fdc783fce04a509d712262225420ecd2c5b7f492fae96fb7b62c75271",
            "03-target-distribution": "564ddc1d74c70332d7e0f7f9959685e17afee43bfa5a85e14534568fee57379c",
            "04-features": "f09e8d43c1e259941fe922be73e2c435d335a30f0ac6ec06549da88f0053924e",
            "05-training": "79c38e3335316a29590e261f9c5ca3ce342b79bfa1958d7683ac7c2e51cc0d51",
            "06-evaluation": "9065f65ed62b1b44a763bd8173872df14364f4271b64cf1f2ce101ba3100750e",
            "07-beyond": "8507069a3741f224707c3291d540856b9335664b6abad8cbc68818afd56321b6",
        ],
        libraries: [
            "espeak-ng": "1.51",
            "fftw": "fftw-3.3.10-sse2-avx",
            "font": "DejaVuSans.ttf",
            "font_bold": "DejaVuSans-Bold.ttf",
            "font_bold_sha256": "0d977336a6d5fba34eab8e3199eb218327161b5143749f802982c2bc34df0c96",
            "font_sha256": "abdc775b21b1bc470d50c97e790d276f2054b7504e56e5bd3e64f48d68582322",
            "freetype": "2.12.1",
            "glibc": "2.36",
            "libpng": "1.6.39",
            "libsndfile": "libsndfile-1.2.0",
            "libsoxr": "libsoxr-0.1.3",
            "openblas": "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64",
            "swift": "6.3 or later",
            "zlib": "1.2.13",
        ],
        cpu: "AMD EPYC")

    var values: DigestValues {
        DigestValues(parts: [.features: features, .model: model, .predictions: predictions, .figures: figures], chapters: chapters)
    }

    /// This type's Swift literal for a run's digest: what replaces the placeholder above.
    public static func swiftLiteral(_ d: ReproducibilityDigest, cpu: String) -> String {
        func dict(_ m: [String: String], indent: String) -> String {
            "[\n" + m.keys.sorted().map { "\(indent)    \(String(reflecting: $0)): \(String(reflecting: m[$0]!))," }.joined(separator: "\n") + "\n\(indent)]"
        }
        return """
        public static let readme: DefaultRunDigest? = DefaultRunDigest(
            features: \(String(reflecting: d.featuresSHA256 ?? "")),
            model: \(String(reflecting: d.modelSHA256 ?? "")),
            predictions: \(String(reflecting: d.predictionsSHA256 ?? "")),
            figures: \(String(reflecting: d.figuresSHA256 ?? "")),
            chapters: \(dict(d.chapters, indent: "    ")),
            libraries: \(dict(d.libraries, indent: "    ")),
            cpu: \(String(reflecting: cpu)))
        """
    }
}
