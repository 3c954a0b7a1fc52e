import Foundation
import XCTest
import TestSupport

/// Runs the built `study` executable on a small synthetic corpus and checks what it wrote
/// against itself: the CSVs, the PNG files and the summary must agree with each other and with
/// the corpus design (7 emotions × 2 speakers × N words).
final class EndToEndTests: XCTestCase {
    static var studyBinary: URL { BuiltProduct.url("study") }

    @discardableResult
    func study(_ args: [String], expectStatus: Int32 = 0) throws -> (out: String, err: String) {
        let r = try BuiltProduct.run(Self.studyBinary, args)
        XCTAssertEqual(r.status, expectStatus, "study \(args.joined(separator: " ")) stderr:\n\(r.err)")
        return (r.out, r.err)
    }

    func csvRows(_ url: URL) throws -> [[String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// PNG signature and IHDR width/height.
    func pngSize(_ url: URL) throws -> (Int, Int)? {
        let d = try Data(contentsOf: url)
        guard d.count > 24, d.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        func be32(_ o: Int) -> Int { d[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    func testWholeStudyOnASmallSyntheticCorpus() throws {
        let dir = try SharedData.temporaryDirectory("study-e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("output")
        let words = 3
        let (stdout, stderr) = try study(["run", "--output", out.path, "--words", "\(words)", "--epochs", "3", "--repeats", "1",
                                          "--preset", "librosa"])
        XCTAssertTrue(stdout.contains("report.html"), stdout)
        XCTAssertTrue(stderr.contains("epoch 1/3"), "progress lines on stderr")

        // Chapter 1: 7 emotions × 2 speakers × 3 words.
        let files = try csvRows(out.appendingPathComponent("01-load/files.csv"))
        XCTAssertEqual(files.first?.prefix(4), ["path", "speaker", "word", "label"])
        XCTAssertEqual(files.count - 1, 7 * 2 * words)
        XCTAssertEqual(Set(files.dropFirst().map { $0[3] }), ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"])

        // Chapter 4: one row of 40 finite features per clip.
        let features = try csvRows(out.appendingPathComponent("04-features/features.csv"))
        XCTAssertEqual(features.count, files.count)
        XCTAssertEqual(features[0].count, 3 + 40)
        for row in features.dropFirst() {
            XCTAssertTrue(row[3...].allSatisfy { Float($0)?.isFinite == true }, "\(row[0])")
        }

        // Chapter 5: history rows and the summary agree.
        let history = try csvRows(out.appendingPathComponent("05-training/history.csv"))
        let summaryData = try Data(contentsOf: out.appendingPathComponent("summary.json"))
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
        let training = try XCTUnwrap(summary["training"] as? [String: Any])
        XCTAssertEqual(training["epochs_run"] as? Int, history.count - 1)
        XCTAssertEqual(summary["schema_version"] as? Int, 3, "docs/summary-schema.md")
        let corpus = try XCTUnwrap(summary["corpus"] as? [String: Any])
        XCTAssertEqual(corpus["n_files"] as? Int, 7 * 2 * words)
        XCTAssertEqual(corpus["kind"] as? String, "synthetic")

        // Chapter 6: the confusion matrix sums to the test split, its diagonal to the accuracy.
        let evaluation = try XCTUnwrap(summary["evaluation"] as? [String: Any])
        let cm = try XCTUnwrap(evaluation["confusion_matrix"] as? [[Int]])
        let total = cm.joined().reduce(0, +)
        XCTAssertEqual(total, training["n_test"] as? Int)
        let diagonal = cm.indices.map { cm[$0][$0] }.reduce(0, +)
        XCTAssertEqual(evaluation["test_accuracy"] as? Double ?? -1, Double(diagonal) / Double(total), accuracy: 1e-9)
        // 3 words: too few clusters for an interval, left out rather than invented.
        XCTAssertNil(evaluation["test_accuracy_ci95"])
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
            .contains("too few clusters for an interval (3 words)"))
        let cmCSV = try csvRows(out.appendingPathComponent("06-evaluation/confusion_matrix.csv"))
        XCTAssertEqual(cmCSV.dropFirst().map { $0.dropFirst().compactMap { Int($0) } }, cm)

        // Chapter 7: the ladder's runs at both seeds; the word-disjoint rungs need 5 words, so
        // they are skipped (3 words), and said so in the report.
        let all = try XCTUnwrap(summary["ladder"] as? [[String: Any]])
        // The notebook's model on its features: the ladder as it was; then every other feature
        // set × model of the default level on speaker_independent (both directions, each seed).
        let ladder = all.filter { $0["features"] as? String == "mfcc-means" && $0["model"] as? String == "cnn1d" }
        let others = all.filter { !($0["features"] as? String == "mfcc-means" && $0["model"] as? String == "cnn1d") }
        XCTAssertEqual(Set(others.map { "\($0["features"]!) × \($0["model"]!) \($0["protocol"]!) \($0["recipe"]!)" }),
                       ["mfcc-means × logistic speaker_independent standardized", "mfcc-functionals × logistic speaker_independent standardized",
                        "egemaps-v02 × logistic speaker_independent standardized", "egemaps-v02 × cnn1d speaker_independent standardized"])
        XCTAssertEqual(others.count, 4 * 2 * 2, "four combinations × two directions × two seeds")
        let names = ladder.map { "\($0["protocol"]!) \(($0["direction"] as? String) ?? "-") \($0["recipe"]!) \($0["seed"]!)" }
        for seed in [42, 43] {
            for expected in ["random - standardized", "speaker_independent SOF→SYF standardized", "speaker_independent SYF→SOF standardized",
                             "label_shuffle - standardized", "speaker_independent SOF→SYF speaker_normalized",
                             "speaker_independent SYF→SOF speaker_normalized"] {
                XCTAssertTrue(names.contains("\(expected) \(seed)"), "\(expected) \(seed) in \(names)")
            }
        }
        XCTAssertEqual(ladder.count, 12, "\(names)")
        XCTAssertTrue(ladder.allSatisfy { $0.keys.contains("direction") }, "direction is present, null when there is none")
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
            .contains("only 3 words; holding out 20 % needs at least 5"))
        let predictions = try csvRows(out.appendingPathComponent("07-beyond/predictions.csv"))
        XCTAssertEqual(predictions.first?.prefix(9), ["clip", "protocol", "direction", "recipe", "features", "model", "seed", "true", "predicted"])
        XCTAssertEqual(predictions.count - 1, all.map { $0["n_test"] as! Int }.reduce(0, +), "one row per test clip of every run")
        // The survival figure and the feature set's file exist.
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("07-beyond/what_survives.png").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("04-features/sets/mfcc-functionals.safetensors").path))
        XCTAssertNotNil(summary["calibration"] as? [String: Any])

        // Figures decode as PNG with sensible sizes.
        for rel in ["03-target-distribution/target_dist.png", "05-training/training_history.png",
                    "05-training/architecture.png", "06-evaluation/confusion_matrix.png", "04-features/mfcc_mean_heatmap.png",
                    "06-evaluation/reliability_diagram.png", "07-beyond/leakage_ladder.png"] {
            let size = try pngSize(out.appendingPathComponent(rel))
            XCTAssertNotNil(size, rel)
            XCTAssertGreaterThan(size?.0 ?? 0, 100, rel)
        }
        let eda = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("02-eda/figures").path)
        XCTAssertEqual(eda.filter { $0.hasSuffix("_wave.png") }.count, 14)

        // Report files: self-contained HTML, Markdown with relative links, every chapter present.
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("data:image/png;base64,"))
        XCTAssertFalse(html.contains("src=\"0"), "no relative image links left in the HTML")
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for heading in ["## 1. Load the data", "## 4. MFCC features", "## 6. Evaluation", "## 7. Beyond the notebook"] {
            XCTAssertTrue(md.contains(heading), heading)
        }
        XCTAssertTrue(md.contains("](05-training/training_history.png)"))

        // A second run reuses every chapter.
        let (_, again) = try study(["run", "--output", out.path, "--words", "\(words)", "--epochs", "3", "--repeats", "1",
                                    "--preset", "librosa"])
        XCTAssertTrue(again.contains("05-training: up to date"), again)

        // The README figures under the original file names (spellings included).
        let docs = dir.appendingPathComponent("images")
        try study(["figures", "--output", out.path, "--words", "\(words)", "--epochs", "3", "--repeats", "1",
                   "--preset", "librosa", "--to", docs.path])
        for name in ["example_data_1_wave.png", "example_data_1_spectogram.png", "example_data_2_wave.png",
                     "example_data_2_spectogram.png", "target_dist.png", "traning_hist.png", "audio_recognition_architecture.png"] {
            XCTAssertNotNil(try pngSize(docs.appendingPathComponent(name)), name)
        }

        // predict on a clip of the corpus, JSON output.
        let clip = out.appendingPathComponent("corpus-synthetic").appendingPathComponent(files[1][0])
        let (json, _) = try study(["predict", "--model", out.appendingPathComponent("05-training/model.safetensors").path, "--json", clip.path])
        let preds = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let probs = try XCTUnwrap(preds.first?["probabilities"] as? [String: Double])
        XCTAssertEqual(probs.values.reduce(0, +), 1, accuracy: 1e-4)

        // The ladder trains its runs --threads at a time, each on one thread: a run's predictions
        // are the same bits with one thread (the runs one after another, seed 42 only) as with
        // two at once (and seed 43's runs in the queue too).
        let ladderPredictions = out.appendingPathComponent("07-beyond/predictions.csv")
        let seed42 = { (text: String) in text.split(separator: "\n").filter { $0.split(separator: ",")[4] == "42" } }
        let withTwoThreads = seed42(try String(contentsOf: ladderPredictions, encoding: .utf8))
        try study(["run", "--output", out.path, "--words", "\(words)", "--epochs", "3", "--repeats", "0",
                   "--preset", "librosa", "--threads", "1", "--only", "07-beyond", "-q"])
        let withOneThread = seed42(try String(contentsOf: ladderPredictions, encoding: .utf8))
        XCTAssertEqual(withOneThread.count, withTwoThreads.count)
        XCTAssertEqual(withOneThread, withTwoThreads, "chapter 7's predictions with --threads 1 equal those with --threads 2")
    }

    /// A 16-bit mono PCM WAV of a 220 Hz sine, header written by hand (RIFF/WAVE, 44 bytes).
    static func sineWAV(seconds: Double, rate: Int, frequency: Double = 220) -> Data {
        let n = Int(seconds * Double(rate))
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * n); d.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(1); u32(rate); u32(2 * rate); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(2 * n)
        for i in 0..<n {
            let v = Int16(8000 * sin(2 * Double.pi * frequency * Double(i) / Double(rate)))
            withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
        }
        return d
    }

    func testBadInputsGiveClearErrors() throws {
        let dir = try SharedData.temporaryDirectory("study-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A folder with no TESS-named clip.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try "not audio".write(to: empty.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let (_, err) = try study(["run", "--data", empty.path, "--output", dir.appendingPathComponent("o").path], expectStatus: 1)
        XCTAssertTrue(err.contains(empty.lastPathComponent), err)

        // A corrupt model file.
        let model = dir.appendingPathComponent("model.safetensors")
        try Data("garbage".utf8).write(to: model)
        let wav = dir.appendingPathComponent("x.wav")
        try Data("RIFF....".utf8).write(to: wav)
        let (_, err2) = try study(["predict", "--model", model.path, wav.path], expectStatus: 1)
        XCTAssertTrue(err2.contains("model.safetensors"), err2)

        // A single clip: too few to split and train on — a clear error, not a crash.
        let one = dir.appendingPathComponent("one/OAF_angry")
        try FileManager.default.createDirectory(at: one, withIntermediateDirectories: true)
        try Self.sineWAV(seconds: 1.5, rate: 24414).write(to: one.appendingPathComponent("OAF_back_angry.wav"))
        let (_, err4) = try study(["run", "--data", one.deletingLastPathComponent().path, "--output", dir.appendingPathComponent("o1").path,
                                   "--preset", "librosa", "-q"], expectStatus: 1)
        XCTAssertTrue(err4.contains("too few"), err4)

        // Seeds outside numpy's 0…2³²−1, negative ones included, and --data that is a file.
        for seed in ["-1", "18446744073709551615", "4294967296", "x"] {
            let (_, e) = try study(["run", "--seed", seed, "--output", dir.appendingPathComponent("o2").path], expectStatus: 64)
            XCTAssertTrue(e.contains("0…4294967295"), e)
        }
        let (_, e5) = try study(["run", "--data", model.path, "--output", dir.appendingPathComponent("o3").path], expectStatus: 64)
        XCTAssertTrue(e5.contains("is a file, not a folder"), e5)

        for threads in ["0", "65", "1000"] {
            let (_, e) = try study(["run", "--threads", threads, "--output", dir.appendingPathComponent("o4").path], expectStatus: 64)
            XCTAssertTrue(e.contains("1…64"), e)
        }
        // Options with a fixed list of values (Sources/study/Arguments.swift): ArgumentParser's
        // message names the option, the bad value and every accepted value, from the list the
        // help prints.
        for (option, bad, accepted) in [("--conv", "fft", ["winograd", "im2col"]),
                                        ("--ladder", "foo", ["default", "full", "off"]),
                                        ("--kernels", "x", ["deterministic", "native"]),
                                        ("--standardization", "none", ["per-coefficient", "centred", "global"]),
                                        ("--preset", "z", ["notebook", "librosa"])] {
            let (_, e) = try study(["run", option, bad, "--output", dir.appendingPathComponent("o6").path], expectStatus: 64)
            XCTAssertTrue(e.contains("The value '\(bad)' is invalid for '\(option) <"), e)
            for value in accepted { XCTAssertTrue(e.contains("'\(value)'"), "\(value) in \(e)") }
            // Only the accepted values are offered (--standardization refuses `none`).
            let offered = e.components(separatedBy: "Please provide one of").dropFirst().first?.components(separatedBy: "\n").first ?? ""
            XCTAssertEqual(offered.components(separatedBy: "'").count - 1, 2 * accepted.count, e)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o6").path), "a bad value stops before any work")
        let (_, e6) = try study(["run", "--from", "5", "--only", "6", "--output", dir.appendingPathComponent("o5").path], expectStatus: 64)
        XCTAssertTrue(e6.contains("cannot be combined"), e6)

        // Unknown chapter.
        let (_, err3) = try study(["run", "--only", "9"], expectStatus: 64)
        XCTAssertTrue(err3.contains("unknown chapter"), err3)
    }

    /// Killed during training with --seed 7, then `--only 06-evaluation` (seed 42): the runner
    /// must re-train with seed 42 first, never evaluate a model on another seed's split.
    ///
    /// The kill lands mid-training by construction, not by timing: the child's stderr is a
    /// `LockstepPipe`, which holds one unread write, so the child can never be more than one
    /// progress line ahead of what this test has read. Once the test has read
    /// "training: epoch 1/", the child has written at most "epoch 2" and cannot finish writing
    /// "epoch 3" (early stopping waits 5 epochs; 50 are allowed) until the test reads again:
    /// it is inside 05-training, after the runner forgot the chapter's old record (that
    /// happens before the "05-training: …" line's work starts) and before it writes the new one.
    func testKilledTrainingThenOnlyEvaluationEvaluatesTheMatchingModel() throws {
        #if os(Linux)
        let dir = try SharedData.temporaryDirectory("study-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try RunnerTests.toneCorpus(in: dir)
        let out = dir.appendingPathComponent("output")
        // No ladder: chapter 7 has no part in this story, and it is most of a run's time.
        let common = ["--data", data.path, "--output", out.path, "--preset", "librosa", "--ladder", "off"] + StudyTestFeatures.arguments
        try study(["run"] + common + ["--epochs", "2", "-q"])
        let report = ["report.html", "report.md", "summary.json"]
        let before = try report.map { try Data(contentsOf: out.appendingPathComponent($0)) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("05-training/chapter.json").path))

        // Seed 7, killed while it trains (see above).
        let pipe = try LockstepPipe()
        let p = Process()
        p.executableURL = Self.studyBinary
        p.arguments = ["run"] + common + ["--seed", "7", "--epochs", "50"]
        p.standardError = FileHandle(fileDescriptor: pipe.write, closeOnDealloc: false)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        pipe.closeWriteEnd()   // the child holds the only write end: end of file when it dies
        var seen = ""
        while !seen.contains("training: epoch 1/"), let packet = pipe.readWrite() { seen += packet }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        while let packet = pipe.readWrite() { seen += packet }   // the one write it may have made since
        XCTAssertEqual(p.terminationReason, .uncaughtSignal, seen)
        XCTAssertTrue(seen.contains("05-training: training the 1-d cnn… (options or earlier chapters changed)"), seen)
        XCTAssertTrue(seen.contains("training: epoch 1/50"), seen)
        XCTAssertFalse(seen.contains("05-training: done"), "the kill must land before the chapter's end:\n\(seen)")
        XCTAssertFalse(seen.contains("training: epoch 3/"), "the pipe lets the child one write ahead, no more:\n\(seen)")

        // The killed run left the previous report as it was, and no record vouching for the
        // training files it was rewriting; the chapters before it kept theirs.
        for (name, data) in zip(report, before) {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(name)), data, "\(name) is the previous run's")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("05-training/chapter.json").path),
                       "05-training's old record must be gone before the chapter rewrites its files")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("04-features/chapter.json").path))

        let (_, log) = try study(["run"] + common + ["--epochs", "2", "--only", "06-evaluation"])
        XCTAssertTrue(log.contains("05-training: training the 1-d cnn… (never ran here; 06-evaluation needs it"), log)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("05-training/chapter.json"))) as? [String: Any]
        let output = try XCTUnwrap(record?["output"] as? [String: Any])
        XCTAssertEqual(output["seed"] as? Int, 42)
        // numpy: RandomState(42).permutation(28)[:6] (sklearn's test rows for 28 clips, test_size 0.2).
        XCTAssertEqual(output["test"] as? [Int], [9, 25, 8, 21, 0, 12])
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
        let cm = try XCTUnwrap((summary?["evaluation"] as? [String: Any])?["confusion_matrix"] as? [[Int]])
        XCTAssertEqual(cm.joined().reduce(0, +), 6)
        XCTAssertTrue(log.contains("04-features: up to date"), log)
        #else
        throw XCTSkip("needs Linux's packet-mode pipes (LockstepPipe) to kill the run at a known point")
        #endif
    }
}

#if os(Linux)
/// A pipe that holds one write: packet mode (`O_DIRECT`, each write(2) is a packet of its own,
/// never merged with the next) and a capacity of one page, i.e. one packet. A child writing
/// to it blocks in its second write until the reader has read the first, so the reader knows
/// the child is at most one write past the last one read. Each progress line of `study` is one
/// write (StudyProgress.write), so this paces the child line by line.
final class LockstepPipe {
    let read: Int32
    let write: Int32
    private var writeOpen = true

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        (read, write) = (fds[0], fds[1])
        // Glibc's Swift module does not export these (they are _GNU_SOURCE): the kernel's values.
        #if arch(x86_64)
        let oDirect: Int32 = 0o40000
        #elseif arch(arm64)
        let oDirect: Int32 = 0o200000
        #endif
        let setPipeSize: Int32 = 1031   // F_SETPIPE_SZ, F_LINUX_SPECIFIC_BASE + 7 on every architecture
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }   // the child gets only its stderr (dup2 clears it)
        guard fcntl(write, F_SETFL, fcntl(write, F_GETFL) | oDirect) == 0,
              fcntl(write, setPipeSize, Int32(getpagesize())) == Int32(getpagesize()) else {
            let e = errno
            close(read); close(write)
            throw POSIXError(POSIXErrorCode(rawValue: e) ?? .EIO)
        }
    }

    func closeWriteEnd() {
        if writeOpen { close(write); writeOpen = false }
    }

    /// The next write of the child (one packet), nil at end of file.
    func readWrite() -> String? {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)   // a packet is never cut short
        while true {
            let n = Glibc.read(read, &buffer, buffer.count)
            if n > 0 { return String(decoding: buffer[..<n], as: UTF8.self) }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }

    deinit {
        closeWriteEnd()
        close(read)
    }
}
#endif
