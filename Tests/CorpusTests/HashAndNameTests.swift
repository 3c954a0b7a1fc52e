import Base
import Foundation
import XCTest
@testable import Corpus

final class HashAndNameTests: XCTestCase {
    /// Reference values from the FNV specification's test suite (Fowler, Noll & Vo).
    func testFNV1a64MatchesPublishedVectors() {
        func fnv(_ s: String) -> UInt64 { var h = FNV1a64(); h.update(s); return h.value }
        XCTAssertEqual(fnv(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(fnv("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(fnv("foobar"), 0x8594_4171_f739_67e8)
        var h = FNV1a64(); h.update("foobar")
        XCTAssertEqual(h.hex, "85944171f73967e8")
    }

    /// SplitMix64 seeded with 0 starts with these outputs (Vigna's reference C code).
    func testSplitMix64MatchesReferenceOutputs() {
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xe220_a839_7b1d_cdaf)
        XCTAssertEqual(rng.next(), 0x6e78_9e6a_a1b9_65f4)
    }

    func testNoiseHasUnitVarianceAndZeroMean() {
        var rng = SplitMix64(seed: 7)
        let n = 20000
        let xs = (0..<n).map { _ in Double(rng.noise()) }
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }

    func testParsesTESSNames() throws {
        XCTAssertEqual(try TESSCorpus.parseFileName("OAF_back_angry.wav"), TESSName(speaker: "OAF", word: "back", label: "angry"))
        XCTAssertEqual(try TESSCorpus.parseFileName("OA_bite_neutral.wav"), TESSName(speaker: "OAF", word: "bite", label: "neutral"))
        XCTAssertEqual(try TESSCorpus.parseFileName("YAF_chain_ps.wav"), TESSName(speaker: "YAF", word: "chain", label: "ps"))
        XCTAssertEqual(try TESSCorpus.parseFileName("yaf_Dodge_FEAR.WAV"), TESSName(speaker: "YAF", word: "dodge", label: "fear"))
        XCTAssertEqual(try TESSCorpus.parseFileName("YAF_back_pleasant_surprise.wav"), TESSName(speaker: "YAF", word: "back", label: "ps"))
        XCTAssertEqual(try TESSCorpus.parseFileName("SOF_jug_sad.aiff"), TESSName(speaker: "SOF", word: "jug", label: "sad"))
    }

    func testRejectsNamesThatAreNotTESS() {
        for name in ["README.txt", "OAF_back_bored.wav", "back_angry.wav", "OAF__angry.wav", "OAF_back_angry (1).wav", "OAF_b4ck_angry.wav"] {
            XCTAssertThrowsError(try TESSCorpus.parseFileName(name), name)
        }
    }

    func testLabelOrderAndDisplayNames() {
        XCTAssertEqual(TESSCorpus.labels, ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"])
        XCTAssertEqual(TESSCorpus.displayName("ps"), "pleasant surprise")
        XCTAssertEqual(Set(EmotionTable.styles.map(\.label)), Set(TESSCorpus.labels))
    }

    func testWordListHas200DistinctWords() {
        XCTAssertEqual(TESSWords.all.count, 200)
        XCTAssertEqual(Set(TESSWords.all).count, 200)
        XCTAssertEqual(TESSWords.all.first, "back")
        XCTAssertEqual(TESSWords.all.last, "youth")
    }

    func testCSVFieldQuoting() {
        XCTAssertEqual(CSV.field("plain"), "plain")
        XCTAssertEqual(CSV.field("a,b"), "\"a,b\"")
        XCTAssertEqual(CSV.field("say \"hi\""), "\"say \"\"hi\"\"\"")
    }
}

final class EmotionTableTests: XCTestCase {
    func testMarkdownTableHasOneRowPerEmotion() {
        let lines = EmotionTable.markdownTable().split(separator: "\n")
        XCTAssertEqual(lines.count, 2 + 7)
        XCTAssertTrue(lines.contains { $0.hasPrefix("| pleasant surprise |") && $0.contains("rising") })
    }
}
