import Foundation
import Inference
import TestSupport
import XCTest

/// The whole study on the real RAVDESS and EmoDB samples in ../shared/corpora-sample (read in
/// place, never copied; skipped with a message when absent): the corpus is recognised by its
/// names, its own labels and speakers flow through every chapter, and the network has as many
/// outputs as the corpus has labels.
extension EndToEndTests {
    func testWholeStudyOnTheRAVDESSAndEmoDBSamples() throws {
        let expected: [(folder: String, name: String, clips: Int, labels: [String], speakers: [String])] = [
            ("ravdess", "RAVDESS", 32, ["01", "02", "03", "04", "05", "06", "07", "08"], ["02", "03"]),
            ("emodb", "EmoDB", 25, ["A", "E", "F", "L", "N", "T", "W"], ["03", "08"]),
        ]
        for e in expected {
            let data = try SharedData.require("corpora-sample/\(e.folder)")
            let dir = try SharedData.temporaryDirectory("study-\(e.folder)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let out = dir.appendingPathComponent("output")
            try study(["run", "--data", data.path, "--output", out.path, "--epochs", "1", "--preset", "librosa", "-q"] + StudyTestFeatures.arguments)
            let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                                        as? [String: Any])
            let corpus = try XCTUnwrap(summary["corpus"] as? [String: Any])
            XCTAssertEqual(corpus["name"] as? String, e.name)
            XCTAssertEqual(corpus["n_files"] as? Int, e.clips)
            XCTAssertEqual(corpus["labels"] as? [String], e.labels)
            XCTAssertEqual(corpus["speakers"] as? [String], e.speakers)
            let chapters = try XCTUnwrap(summary["chapters"] as? [String: String])
            XCTAssertEqual(chapters.count, 8)
            XCTAssertTrue(chapters.filter { $0.key != "08-cross-corpus" }.values.allSatisfy { $0.hasPrefix("ran") }, "\(chapters)")
            XCTAssertEqual(chapters["08-cross-corpus"]?.hasPrefix("not applicable"), true)
            let cm = try XCTUnwrap((summary["evaluation"] as? [String: Any])?["confusion_matrix"] as? [[Int]])
            XCTAssertEqual(cm.count, e.labels.count, "one output per label of the corpus")
            // Two statements / ten texts: the word-disjoint rungs run or say why not; the speaker ones run.
            let ladder = try XCTUnwrap(summary["ladder"] as? [[String: Any]])
            XCTAssertTrue(ladder.contains { $0["protocol"] as? String == "speaker_independent" }, "\(e.name)")
            let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
            XCTAssertTrue(md.contains("common vocabulary"), "the label mapping table")
            let noInterval = md.components(separatedBy: "too few clusters for an interval (").dropFirst()
            XCTAssertFalse(noInterval.isEmpty, "\(e.name): too few texts on the test side for an interval")
            XCTAssertTrue(noInterval.allSatisfy { ["texts", "text"].contains($0.prefix(while: { $0 != ")" }).split(separator: " ").last ?? "") },
                          "\(e.name)'s intervals count texts, not words")

            // The model carries the corpus's classes: predict gives one probability per label
            // and the label's own name.
            let clip = try XCTUnwrap(try csvRows(out.appendingPathComponent("01-load/files.csv")).dropFirst().first?.first)
            let (json, _) = try study(["predict", "--model", out.appendingPathComponent("05-training/model.safetensors").path, "--json",
                                       data.appendingPathComponent(clip).path])
            let preds = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            let probs = try XCTUnwrap(preds.first?["probabilities"] as? [String: Double])
            XCTAssertEqual(Set(probs.keys), Set(e.labels))
            let label = try XCTUnwrap(preds.first?["label"] as? String)
            XCTAssertTrue(e.labels.contains(label))
            XCTAssertNotEqual(preds.first?["name"] as? String, label, "\(e.name)'s codes have names (05 → angry, W → anger)")
            // …and the corpus's name, which the demo's page shows.
            XCTAssertEqual(try Predictor(modelURL: out.appendingPathComponent("05-training/model.safetensors")).corpus, e.name)
        }
    }
}

/// The other conventions without ../shared: a small synthetic TESS-shaped corpus renamed into
/// CREMA-D's and SAVEE's naming and listed in a manifest (the files are the same; only their
/// names and the labels read from them differ), and the cross-corpus chapter on them.
extension EndToEndTests {
    /// TESS emotion → (CREMA-D code, SAVEE code, manifest word). CREMA-D has no surprise.
    static let renamings: [String: (crema: String?, savee: String, word: String)] = [
        "angry": ("ANG", "a", "anger"), "disgust": ("DIS", "d", "disgust"), "fear": ("FEA", "f", "fearful"),
        "happy": ("HAP", "h", "happy"), "neutral": ("NEU", "n", "neutral"), "sad": ("SAD", "sa", "sad"), "ps": (nil, "su", "surprised"),
    ]

    /// Writes `<dir>/crema-d`, `<dir>/savee` and `<dir>/listed` from a synthetic corpus of `words` words.
    func renamedCorpora(in dir: URL, words: Int) throws -> (crema: URL, savee: URL, listed: URL) {
        let source = dir.appendingPathComponent("synthetic")
        try study(["synthesize", "--output", source.path, "--words", "\(words)", "-q"])
        let fm = FileManager.default
        let crema = dir.appendingPathComponent("crema-d"), savee = dir.appendingPathComponent("savee"),
            listed = dir.appendingPathComponent("listed")
        for d in [crema, savee, listed, listed.appendingPathComponent("clips")] { try fm.createDirectory(at: d, withIntermediateDirectories: true) }
        let sentences = ["IEO", "TIE", "IOM", "IWW", "TAI", "MTI", "IWL", "ITH", "DFA", "ITS", "TSI", "WSI"]
        var manifest = "path,label,speaker,text\n"
        var n = 0
        let clips = (fm.enumerator(at: source, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            .filter { $0.pathExtension == "wav" }.sorted { $0.path < $1.path }
        var wordIndex: [String: Int] = [:]
        // The synthetic corpus's two speakers, in order: the first and the second actor.
        let speakers = Array(Set(clips.map { $0.lastPathComponent.split(separator: "_")[0] })).sorted().map(String.init)
        XCTAssertEqual(speakers.count, 2)
        for url in clips {
            // OAF_back_angry.wav
            let parts = url.deletingPathExtension().lastPathComponent.split(separator: "_").map(String.init)
            XCTAssertEqual(parts.count, 3, url.lastPathComponent)
            let (speaker, word, emotion) = (parts[0], parts[1], parts[2])
            let r = try XCTUnwrap(Self.renamings[emotion], emotion)
            let w = wordIndex[word] ?? { wordIndex[word] = wordIndex.count; return wordIndex.count - 1 }()
            if let code = r.crema {
                let actor = speaker == speakers[0] ? "1001" : "1002"
                try fm.copyItem(at: url, to: crema.appendingPathComponent("\(actor)_\(sentences[w])_\(code)_XX.wav"))
            }
            let sp = speaker == speakers[0] ? "DC" : "JE"
            try fm.copyItem(at: url, to: savee.appendingPathComponent(String(format: "%@_%@%02d.wav", sp, r.savee, w + 1)))
            n += 1
            let name = String(format: "clips/take%03d.wav", n)
            try fm.copyItem(at: url, to: listed.appendingPathComponent(name))
            manifest += "\(name),\(r.word),\(speaker == speakers[0] ? "older" : "younger")-\(w % 2 + 1),\(word)\n"
        }
        try manifest.write(to: listed.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        return (crema, savee, listed)
    }

    func testWholeStudyOnCREMADAndSAVEENamedAndManifestFolders() throws {
        let dir = try SharedData.temporaryDirectory("study-renamed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let words = 2
        let (crema, savee, listed) = try renamedCorpora(in: dir, words: words)
        let expected: [(folder: URL, name: String, clips: Int, labels: [String], speakers: [String], textHoldout: String?)] = [
            (crema, "CREMA-D", 2 * 6 * words, ["ANG", "DIS", "FEA", "HAP", "NEU", "SAD"], ["1001", "1002"], nil),
            (savee, "SAVEE", 2 * 7 * words, ["a", "d", "f", "h", "n", "sa", "su"], ["DC", "JE"], "not applicable to SAVEE"),
            // Four speakers (each of the two voices split by text): leave-one-speaker-out folds.
            (listed, "manifest", 2 * 7 * words, ["anger", "disgust", "fearful", "happy", "neutral", "sad", "surprised"],
             ["older-1", "older-2", "younger-1", "younger-2"], nil),
        ]
        for e in expected {
            let out = dir.appendingPathComponent("out-\(e.folder.lastPathComponent)")
            try study(["run", "--data", e.folder.path, "--output", out.path, "--epochs", "1", "--preset", "librosa", "-q"] + StudyTestFeatures.arguments)
            let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                                        as? [String: Any])
            let corpus = try XCTUnwrap(summary["corpus"] as? [String: Any])
            XCTAssertEqual(corpus["name"] as? String, e.name)
            XCTAssertEqual(corpus["n_files"] as? Int, e.clips, e.name)
            XCTAssertEqual(corpus["labels"] as? [String], e.labels, e.name)
            XCTAssertEqual(corpus["speakers"] as? [String], e.speakers, e.name)
            let chapters = try XCTUnwrap(summary["chapters"] as? [String: String])
            XCTAssertEqual(chapters.count, 8)
            for (id, status) in chapters {
                if id == "08-cross-corpus" {
                    XCTAssertTrue(status.hasPrefix("not applicable: it needs two corpora"), status)
                } else {
                    XCTAssertTrue(status.hasPrefix("ran"), "\(e.name) \(id): \(status)")
                }
            }
            let cm = try XCTUnwrap((summary["evaluation"] as? [String: Any])?["confusion_matrix"] as? [[Int]])
            XCTAssertEqual(cm.count, e.labels.count, "\(e.name): one output per label of the corpus")
            let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
            XCTAssertTrue(md.contains("common vocabulary"), "the label mapping table")
            // Every ladder rung ran or says why not: two texts are too few to hold 20 % out, and
            // SAVEE's texts are confounded with the emotion.
            let ladder = try XCTUnwrap(summary["ladder"] as? [[String: Any]])
            let ran = Set(ladder.map { $0["protocol"] as? String ?? "?" })
            XCTAssertEqual(ran, ["random", "speaker_independent", "label_shuffle"], e.name)
            XCTAssertTrue(md.contains("### Runs this corpus cannot support"), e.name)
            XCTAssertTrue(md.contains(e.textHoldout ?? "only \(words) words; holding out 20 % needs at least 5"), e.name)
            XCTAssertTrue(md.contains("*Not part of this run: it needs two corpora"), e.name)
            // More than two speakers: the folds are pooled, each clip tested once.
            let pooled = try XCTUnwrap(summary["ladder_pooled"] as? [[String: Any]])
            if e.speakers.count > 2 {
                // The notebook's model with both recipes, and each other feature set × model.
                XCTAssertEqual(Set(pooled.map { "\($0["features"]!) × \($0["model"]!) \($0["recipe"]!)" }),
                               ["mfcc-means × cnn1d standardized", "mfcc-means × cnn1d speaker_normalized",
                                "mfcc-means × logistic standardized", "mfcc-functionals × logistic standardized"], e.name)
                for q in pooled {
                    XCTAssertEqual(q["folds"] as? Int, e.speakers.count)
                    XCTAssertEqual(q["n_test"] as? Int, e.clips)
                    XCTAssertEqual(q["n_speakers"] as? Int, e.speakers.count)
                }
                let folds = ladder.filter { $0["protocol"] as? String == "speaker_independent" }.compactMap { $0["direction"] as? String }
                XCTAssertTrue(folds.contains("fold 1/4 (older-1)"), "\(folds)")
                XCTAssertTrue(md.contains("### Speaker folds pooled"))
            } else {
                XCTAssertTrue(pooled.isEmpty, "two speakers: the two directions are the result")
            }
        }
    }

    func testCrossCorpusChapterOnTwoSmallCorpora() throws {
        let dir = try SharedData.temporaryDirectory("study-cross")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (crema, savee, _) = try renamedCorpora(in: dir, words: 5)
        let out = dir.appendingPathComponent("output")
        try study(["run", "--data", savee.path, "--data", crema.path, "--output", out.path, "--epochs", "2", "--ladder", "off"] + StudyTestFeatures.arguments + [
                   "--preset", "librosa", "-q"])
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                                    as? [String: Any])
        XCTAssertEqual((summary["corpus"] as? [String: Any])?["name"] as? String, "SAVEE", "chapters 1–7 study the first corpus")
        XCTAssertEqual((summary["chapters"] as? [String: String])?["08-cross-corpus"]?.hasPrefix("ran"), true)
        let x = try XCTUnwrap(summary["cross_corpus"] as? [String: Any])
        XCTAssertEqual(x["corpora"] as? [String], ["SAVEE", "CREMA-D"])
        // SAVEE's surprise has no CREMA-D counterpart: six labels in common.
        XCTAssertEqual(x["labels"] as? [String], ["angry", "disgust", "fear", "happy", "neutral", "sad"])
        let pairs = try XCTUnwrap(x["pairs"] as? [[String: Any]])
        XCTAssertEqual(pairs.count, 4)
        let nTest = Dictionary(uniqueKeysWithValues: pairs.map { ("\($0["train"]!)→\($0["test"]!)", $0["n_test"] as? Int ?? -1) })
        // Off the diagonal every clip of the test corpus with a shared label; on it, the held-out 20 %.
        XCTAssertEqual(nTest["SAVEE→CREMA-D"], 2 * 6 * 5)
        XCTAssertEqual(nTest["CREMA-D→SAVEE"], 2 * 6 * 5)
        XCTAssertEqual(nTest["SAVEE→SAVEE"], 12, "ceil(20 % of 60)")
        for p in pairs {
            let acc = try XCTUnwrap(p["accuracy"] as? Double)
            XCTAssertTrue((0...1).contains(acc))
        }
        let accuracy = try XCTUnwrap(x["accuracy"] as? [[Double]])
        XCTAssertEqual(accuracy.count, 2)
        XCTAssertEqual(accuracy.map(\.count), [2, 2])
        let cell = pairs.first { $0["train"] as? String == "SAVEE" && $0["test"] as? String == "CREMA-D" }
        XCTAssertEqual(accuracy[0][1], cell?["accuracy"] as? Double, "matrix[train][test] is the pair's accuracy")
        for name in ["cross_corpus_accuracy.png", "cross_corpus_uar.png", "confusion_1_to_2.png", "confusion_2_to_2.png"] {
            let size = try pngSize(out.appendingPathComponent("08-cross-corpus/\(name)"))
            XCTAssertNotNil(size, name)
        }
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## 8. Cross-corpus"))
        XCTAssertTrue(md.contains("![cross-corpus accuracy](08-cross-corpus/cross_corpus_accuracy.png)"))

        // Chapter 8 is cached against the other corpus's clips: a changed clip there re-runs it,
        // and only it (chapters 2–7 study the first corpus).
        let victim = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: crema.path).sorted().first)
        try FileManager.default.removeItem(at: crema.appendingPathComponent(victim))
        try study(["run", "--data", savee.path, "--data", crema.path, "--output", out.path, "--epochs", "2", "--ladder", "off"] + StudyTestFeatures.arguments + [
                   "--preset", "librosa", "-q"])
        let again = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                                  as? [String: Any])
        let status = try XCTUnwrap(again["chapters"] as? [String: String])
        XCTAssertEqual(status["05-training"], "up to date")
        XCTAssertEqual(status["08-cross-corpus"]?.hasPrefix("ran"), true, "\(status)")
        let pairs2 = try XCTUnwrap((again["cross_corpus"] as? [String: Any])?["pairs"] as? [[String: Any]])
        XCTAssertEqual(pairs2.first { $0["train"] as? String == "SAVEE" && $0["test"] as? String == "CREMA-D" }?["n_test"] as? Int, 2 * 6 * 5 - 1)
    }
}
