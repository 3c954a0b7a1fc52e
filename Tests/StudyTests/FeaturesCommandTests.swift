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
    }
}
