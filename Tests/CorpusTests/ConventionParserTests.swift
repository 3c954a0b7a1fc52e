import Foundation
import XCTest
@testable import Corpus

/// Each corpus's file-name parser on valid and invalid names, and the label tables.
final class ConventionParserTests: XCTestCase {
    func clip(_ c: CorpusConvention, _ path: String, file: StaticString = #filePath, line: UInt = #line) -> ClipName? {
        guard case .clip(let name) = c.match(path) else {
            XCTFail("\(path): \(c.match(path))", file: file, line: line)
            return nil
        }
        return name
    }

    func reason(_ c: CorpusConvention, _ path: String, excluded: Bool, file: StaticString = #filePath, line: UInt = #line) -> String {
        switch c.match(path) {
        case .excluded(let r) where excluded: return r
        case .mismatch(let r) where !excluded: return r
        case let other:
            XCTFail("\(path): expected \(excluded ? "excluded" : "mismatch"), got \(other)", file: file, line: line)
            return ""
        }
    }

    func testRAVDESSSpeechNames() {
        XCTAssertEqual(clip(.ravdess, "Actor_12/03-01-05-01-02-01-12.wav"), ClipName(speaker: "12", text: "02", label: "05"))
        XCTAssertEqual(clip(.ravdess, "03-01-08-02-01-02-01.wav"), ClipName(speaker: "01", text: "01", label: "08"))
        XCTAssertEqual(clip(.ravdess, "03-01-01-01-01-01-24"), ClipName(speaker: "24", text: "01", label: "01"), "no extension")
    }

    func testRAVDESSSongAndVideoFilesAreExcludedWithTheReason() {
        XCTAssertTrue(reason(.ravdess, "03-02-05-01-02-01-12.wav", excluded: true).contains("song"))
        XCTAssertTrue(reason(.ravdess, "01-01-05-01-02-01-12.mp4", excluded: true).contains("video"))
        XCTAssertTrue(reason(.ravdess, "02-02-05-01-02-01-12.mp4", excluded: true).contains("video"))
        XCTAssertTrue(reason(.ravdess, "03-01-09-01-02-01-12.wav", excluded: true).contains("emotion 09"))
        XCTAssertTrue(reason(.ravdess, "03-01-05-03-02-01-12.wav", excluded: true).contains("intensity"))
        XCTAssertTrue(reason(.ravdess, "03-01-05-01-03-01-12.wav", excluded: true).contains("statement"))
        XCTAssertTrue(reason(.ravdess, "03-01-05-01-02-01-25.wav", excluded: true).contains("actor 25"))
        XCTAssertTrue(reason(.ravdess, "04-01-05-01-02-01-12.wav", excluded: true).contains("modality 04"))
        XCTAssertTrue(CorpusConvention.ravdess.match("03-02-05-01-02-01-12.wav").follows, "a song counts for RAVDESS")
    }

    func testRAVDESSRejectsOtherShapes() {
        for name in ["03-01-05-01-02-01.wav", "03-01-05-01-02-01-12-01.wav", "3-01-05-01-02-01-12.wav",
                     "03_01_05_01_02_01_12.wav", "03-01-05-01-02-01-1a.wav", "03-01-05-01-02-01-12 (1).wav", "README.md"] {
            XCTAssertFalse(CorpusConvention.ravdess.match(name).follows, name)
        }
    }

    func testCREMADNames() {
        XCTAssertEqual(clip(.cremaD, "AudioWAV/1001_DFA_ANG_XX.wav"), ClipName(speaker: "1001", text: "DFA", label: "ANG"))
        XCTAssertEqual(clip(.cremaD, "1091_WSI_SAD_HI.wav"), ClipName(speaker: "1091", text: "WSI", label: "SAD"))
        for level in CorpusConvention.cremaDLevels { XCTAssertNotNil(clip(.cremaD, "1002_IEO_HAP_\(level).wav")) }
        for sentence in CorpusConvention.cremaDSentences { XCTAssertNotNil(clip(.cremaD, "1002_\(sentence)_NEU_XX.wav")) }
        XCTAssertEqual(CorpusConvention.cremaDSentences.count, 12)
        XCTAssertTrue(reason(.cremaD, "1001_DFA_ANG_XY.wav", excluded: true).contains("level 'XY'"))
        XCTAssertTrue(reason(.cremaD, "1001_ABC_ANG_XX.wav", excluded: true).contains("sentence 'ABC'"))
        XCTAssertTrue(reason(.cremaD, "1001_DFA_SUR_XX.wav", excluded: true).contains("emotion 'SUR'"))
        for name in ["101_DFA_ANG_XX.wav", "1001_DFA_ANG.wav", "1001_dfa_ang_xx.wav", "1001_DFA_ANG_XXX.wav", "1001-DFA-ANG-XX.wav"] {
            XCTAssertFalse(CorpusConvention.cremaD.match(name).follows, name)
        }
    }

    func testSAVEEPrefixedAndFolderForms() {
        XCTAssertEqual(clip(.savee, "ALL/DC_a01.wav"), ClipName(speaker: "DC", text: "01", label: "a"))
        XCTAssertEqual(clip(.savee, "KL_su15.wav"), ClipName(speaker: "KL", text: "15", label: "su"))
        XCTAssertEqual(clip(.savee, "JE_sa03.wav"), ClipName(speaker: "JE", text: "03", label: "sa"))
        XCTAssertEqual(clip(.savee, "AudioData/JK/n30.wav"), ClipName(speaker: "JK", text: "30", label: "n"))
        XCTAssertEqual(clip(.savee, "DC/sa01.wav"), ClipName(speaker: "DC", text: "01", label: "sa"))
        XCTAssertTrue(reason(.savee, "AudioData/XY/a01.wav", excluded: false).contains("folder named DC"))
        XCTAssertTrue(reason(.savee, "a01.wav", excluded: false).contains("folder named DC"))
        for name in ["XX_a01.wav", "DC_s01.wav", "DC_a1.wav", "DC_a001.wav", "DC_A01.wav", "dc_a01.wav", "DC_a01_x.wav", "DC_b01.wav"] {
            XCTAssertFalse(CorpusConvention.savee.match(name).follows, name)
        }
    }

    func testEmoDBNameEdgeCases() {
        XCTAssertEqual(clip(.emoDB, "wav/03a01Fa.wav"), ClipName(speaker: "03", text: "a01", label: "F"))
        XCTAssertEqual(clip(.emoDB, "16b10Wz.wav"), ClipName(speaker: "16", text: "b10", label: "W"))
        for e in "WLEAFTN" { XCTAssertNotNil(clip(.emoDB, "08a02\(e)b.wav"), String(e)) }
        XCTAssertTrue(reason(.emoDB, "01a01Fa.wav", excluded: true).contains("speaker 01"))
        XCTAssertTrue(reason(.emoDB, "17a01Fa.wav", excluded: true).contains("speaker 17"))
        for name in ["03c01Fa.wav", "03a01Xa.wav", "03a01FA.wav", "03a01fa.wav", "03a01Fab.wav", "3a01Fa.wav",
                     "03a1Fa.wav", "03A01Fa.wav", "03a01F1.wav", "03a01F.wav", "03a01Fä.wav"] {
            XCTAssertFalse(CorpusConvention.emoDB.match(name).follows, name)
        }
    }

    func testTESSConventionIsTheExistingParser() {
        XCTAssertEqual(clip(.tess, "OAF_neutral/OA_bite_neutral.wav"), ClipName(speaker: "OAF", text: "bite", label: "neutral"))
        XCTAssertEqual(clip(.tess, "YAF_back_pleasant_surprise.wav"), ClipName(speaker: "YAF", text: "back", label: "ps"))
        XCTAssertFalse(CorpusConvention.tess.match("OAF_back_bored.wav").follows)
    }

    /// A name follows at most one of the strict conventions; TESS, the loosest, is tried last.
    func testEachExampleIsDetectedAsItsOwnCorpusOnly() {
        let examples: [(String, CorpusConvention)] = [
            ("03-01-05-01-02-01-12.wav", .ravdess), ("1001_DFA_ANG_XX.wav", .cremaD), ("DC_a01.wav", .savee),
            ("DC/a01.wav", .savee), ("03a01Fa.wav", .emoDB), ("OAF_back_angry.wav", .tess), ("YAF_chain_ps.wav", .tess),
        ]
        for (name, expected) in examples {
            XCTAssertEqual(CorpusConvention.detect(name), expected, name)
            for other in CorpusConvention.allCases where other != expected {
                XCTAssertFalse(other.match(name).follows, "\(name) also follows \(other.name)")
            }
        }
        XCTAssertEqual(CorpusConvention.allCases.last, .tess)
        XCTAssertNil(CorpusConvention.detect("README.md"))
    }

    func testLabelsAreSortedCodesWithDisplayNamesAndTESSIsUnchanged() {
        XCTAssertEqual(CorpusConvention.tess.labels, TESSCorpus.corpusLabels)
        XCTAssertEqual(CorpusConvention.ravdess.labels.map(\.code), ["01", "02", "03", "04", "05", "06", "07", "08"])
        XCTAssertEqual(CorpusConvention.cremaD.labels.map(\.code), ["ANG", "DIS", "FEA", "HAP", "NEU", "SAD"])
        XCTAssertEqual(CorpusConvention.savee.labels.map(\.code), ["a", "d", "f", "h", "n", "sa", "su"])
        XCTAssertEqual(CorpusConvention.emoDB.labels.map(\.code), ["A", "E", "F", "L", "N", "T", "W"])
        for c in CorpusConvention.allCases {
            XCTAssertEqual(c.labels.map(\.code), c.labels.map(\.code).sorted(), c.name)
            XCTAssertEqual(c.mapping.map(\.code), c.labels.map(\.code), c.name)
        }
        XCTAssertEqual(CorpusConvention.ravdess.labels[5].displayName, "fearful")
    }

    func testEveryLabelMapsToTheCommonVocabulary() {
        func table(_ c: CorpusConvention) -> [String: String] {
            Dictionary(uniqueKeysWithValues: c.mapping.map { ($0.code, $0.common.rawValue) })
        }
        XCTAssertEqual(CommonEmotion.vocabulary, ["angry", "calm", "boredom", "disgust", "fear", "happy", "neutral", "sad", "surprise"])
        XCTAssertEqual(table(.tess), ["angry": "angry", "disgust": "disgust", "fear": "fear", "happy": "happy",
                                      "neutral": "neutral", "ps": "surprise", "sad": "sad"])
        XCTAssertEqual(table(.ravdess), ["01": "neutral", "02": "calm", "03": "happy", "04": "sad", "05": "angry",
                                         "06": "fear", "07": "disgust", "08": "surprise"])
        XCTAssertEqual(table(.cremaD), ["ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy", "NEU": "neutral", "SAD": "sad"])
        XCTAssertEqual(table(.savee), ["a": "angry", "d": "disgust", "f": "fear", "h": "happy", "n": "neutral", "sa": "sad", "su": "surprise"])
        XCTAssertEqual(table(.emoDB), ["W": "angry", "L": "boredom", "E": "disgust", "A": "fear", "F": "happy", "T": "sad", "N": "neutral"])
        XCTAssertNil(CorpusConvention.emoDB.commonLabel("a"), "codes are case-sensitive: SAVEE's a is not EmoDB's A")
    }

    func testCommonEmotionReadsUsualSpellings() {
        XCTAssertEqual(CommonEmotion(word: "Anger"), .angry)
        XCTAssertEqual(CommonEmotion(word: "fearful"), .fear)
        XCTAssertEqual(CommonEmotion(word: "pleasant_surprise"), .surprise)
        XCTAssertEqual(CommonEmotion(word: "ps"), .surprise)
        XCTAssertEqual(CommonEmotion(word: " sad "), .sad)
        XCTAssertNil(CommonEmotion(word: "frustrated"))
    }
}
