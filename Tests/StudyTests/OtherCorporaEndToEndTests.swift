import Foundation
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
            try study(["run", "--data", data.path, "--output", out.path, "--epochs", "1", "--preset", "librosa", "-q"])
            let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                                        as? [String: Any])
            let corpus = try XCTUnwrap(summary["corpus"] as? [String: Any])
            XCTAssertEqual(corpus["name"] as? String, e.name)
            XCTAssertEqual(corpus["n_files"] as? Int, e.clips)
            XCTAssertEqual(corpus["labels"] as? [String], e.labels)
            XCTAssertEqual(corpus["speakers"] as? [String], e.speakers)
            let chapters = try XCTUnwrap(summary["chapters"] as? [String: String])
            XCTAssertEqual(chapters.count, 7)
            XCTAssertTrue(chapters.values.allSatisfy { $0.hasPrefix("ran") }, "\(chapters)")
            let cm = try XCTUnwrap((summary["evaluation"] as? [String: Any])?["confusion_matrix"] as? [[Int]])
            XCTAssertEqual(cm.count, e.labels.count, "one output per label of the corpus")
            // Two statements / ten texts: the word-disjoint rungs run or say why not; the speaker ones run.
            let ladder = try XCTUnwrap(summary["ladder"] as? [[String: Any]])
            XCTAssertTrue(ladder.contains { $0["protocol"] as? String == "speaker_independent" }, "\(e.name)")
            let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
            XCTAssertTrue(md.contains("common vocabulary"), "the label mapping table")
        }
    }
}
