import Base
import Features
import Foundation
import XCTest
import TestSupport

/// `study features`: the registry listed, and a set computed for every clip of a folder.
extension EndToEndTests {
    func testFeaturesListAndExtract() throws {
        let dir = try SharedData.temporaryDirectory("study-features")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (list, _) = try study(["features", "--list"])
        for set in FeatureSets.vectors {
            XCTAssertTrue(list.contains("\(set.name) v\(set.version)\t\(set.columns.count) columns"), list)
        }
        XCTAssertTrue(list.contains("mfcc-functionals v1\t720 columns"), list)
        XCTAssertTrue(list.contains("logmel v1\t301 frames × 64 bands"), list)
        // A sequence set has no CSV row per clip: refused before anything is read or written.
        let (_, refused) = try study(["features", "extract", "--set", "logmel", "--data", dir.path,
                                      "--output", dir.appendingPathComponent("logmel.csv").path], expectStatus: 64)
        XCTAssertTrue(refused.contains("sequence set") && refused.contains("mfcc-functionals"), refused)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("logmel.csv").path))

        let tones = try RunnerTests.toneCorpus(in: dir)
        for (name, width) in [("mfcc-means", 40), ("mfcc-functionals", 720)] {
            let out = dir.appendingPathComponent("\(name).csv")
            try study(["features", "extract", "--set", name, "--data", tones.path, "--output", out.path, "--preset", "librosa", "-q"])
            let table = try CSV.decode(String(contentsOf: out, encoding: .utf8), source: out.path)
            XCTAssertEqual(table.header.count, 1 + width)
            XCTAssertEqual(table.header.first, "path")
            XCTAssertEqual(table.rows.count, 28, "one row per clip")
            XCTAssertEqual(table.rows.map { $0[0] }, table.rows.map { $0[0] }.sorted())
            if name == "mfcc-means" {
                // The same numbers as the library's chain for the notebook's window.
                let first = table.rows[0]
                let x = try extractMFCCMeans(url: tones.appendingPathComponent(first[0]), preset: .librosa)
                XCTAssertEqual(first.dropFirst().map { Float($0)! }, x)
            }
        }
        let (_, bad) = try study(["features", "extract", "--set", "nope", "--data", tones.path, "--output", "x.csv"], expectStatus: 64)
        XCTAssertTrue(bad.contains("--set nope: no such feature set"), bad)
        // A set's options and frame-level descriptors: listed, and refused where they do not exist.
        XCTAssertTrue(list.contains("egemaps-v02 v1\t88 columns") && list.contains("option analysis: whole-clip | study-window"), list)
        let (_, noLLD) = try study(["features", "extract", "--set", "mfcc-means", "--lld", "--data", tones.path, "--output", "x.csv"],
                                   expectStatus: 64)
        XCTAssertTrue(noLLD.contains("--lld: mfcc-means has no frame-level descriptors") && noLLD.contains("egemaps-v02"), noLLD)
        let (_, badOption) = try study(["features", "extract", "--set", "egemaps-v02", "--set-option", "analysis=<b>x</b>",
                                        "--data", tones.path, "--output", "x.csv"], expectStatus: 64)
        XCTAssertTrue(badOption.contains("takes analysis=whole-clip|study-window"), badOption)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "x.csv"))

        // eGeMAPS' frame-level descriptors of one clip (1.6 s at 24414 Hz): openSMILE's frame count
        // (complete 60 ms frames + 1), start every 244 samples, 25 finite descriptors each.
        let one = dir.appendingPathComponent("one/OAF_angry")
        try FileManager.default.createDirectory(at: one, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: tones.appendingPathComponent("OAF_angry/OAF_back_angry.wav"),
                                         to: one.appendingPathComponent("OAF_back_angry.wav"))
        let lld = dir.appendingPathComponent("lld.csv")
        try study(["features", "extract", "--set", "egemaps-v02", "--lld", "--data", one.deletingLastPathComponent().path,
                   "--output", lld.path, "-q"])
        let frames = try CSV.decode(String(contentsOf: lld, encoding: .utf8), source: lld.path)
        XCTAssertEqual(Array(frames.header.prefix(4)), ["path", "start", "end", "Loudness_sma3"])
        XCTAssertEqual(frames.header.count, 3 + 25)
        let samples = Int(1.6 * 24414.0)
        XCTAssertEqual(frames.rows.count, (samples - 1465) / 244 + 2)
        XCTAssertEqual(Double(frames.rows[1][1])!, 244.0 / 24414, accuracy: 1e-6)
        XCTAssertTrue(frames.rows.allSatisfy { $0.dropFirst().allSatisfy { Double($0)?.isFinite == true } })
    }
}
