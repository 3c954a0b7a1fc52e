/// The feature sets that the study-running tests compute when they are not about feature sets:
/// the two MFCC sets. eGeMAPS, a default set, costs ~0.5 s a clip in a debug build (80× its
/// release speed); `EndToEndTests.testWholeStudyOnASmallSyntheticCorpus` runs the defaults, eGeMAPS
/// included, and the Features tests check eGeMAPS itself.
enum StudyTestFeatures {
    static let sets = ["mfcc-means", "mfcc-functionals"]
    static var arguments: [String] { ["--features", sets.joined(separator: ",")] }
}
