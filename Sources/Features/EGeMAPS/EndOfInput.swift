import Foundation

/// openSMILE's end of input for eGeMAPS v02: how many F0-level frames existed before the
/// end-of-input flush (`M`, `EGeMAPSContours.framesBeforeEOI`).
///
/// openSMILE runs its components tick by tick while input lasts; only then does it signal the
/// end of input and let each component flush. cPitchSmootherViterbi (`bufferLength = 40`) hands a
/// frame out only once it is *decided*: all surviving Viterbi paths agree on its state (or it is
/// 40 frames old, a forced decision). Every level joined with the smoothed F0 (the F set:
/// F0, jitter/shimmer, harmonics, formants; the voiced/unvoiced spectral sets) therefore holds,
/// before the flush, exactly the frames the Viterbi had decided after its last input frame.
/// The contour smoothers and functionals of those levels see that count `M` before the flush
/// (the smoother pads frame `M − 1`, see `SmileContourSmoother.level`); the flushed frames come
/// after the functionals have been computed.
///
/// Rule (measured with opensmile 2.6.0, `smile.process_file` / `process_signal`, on 9 corpus
/// clips and 46 generated signals, exact on all):
///
///     M = number of frames decided by the Viterbi after all N complete 60 ms frames were added
///         (its `convIdx + 1` just before the end-of-input flush),
///
/// except when that number is 0 (no frame decided: clips of at most a few frames, ≲ 0.1 s):
/// then nothing existed before the flush and every level is smoothed whole (M = N for the F
/// set and the voice-quality/formant functionals; openSMILE's F0 functionals then see only the
/// first F0 frame, unsmoothed).
///
/// It depends on the F0 content, not on the length alone: the undecided tail is the last frames
/// whose best state is still ambiguous (typically 1–2 in stable voicing or silence, up to ~5
/// after a late voiced/unvoiced change).
public enum SmileEndOfInput {
    /// `M` from the Viterbi's decided-frame count before the flush (`decidedFrames`) and the
    /// F0-level frame count `frameCount` (complete 60 ms frames): `decidedFrames` clamped to
    /// `0...frameCount`, and `frameCount` when no frame was decided.
    public static func framesBeforeEOI(decidedFrames: Int, frameCount: Int) -> Int {
        guard frameCount > 0 else { return 0 }
        let d = min(max(decidedFrames, 0), frameCount)
        return d == 0 ? frameCount : d
    }

    /// `M` of a clip from its F0 level: `SmileF0.decidedBeforeEnd` (the Viterbi's decided frames
    /// before the flush, `convIdx + 1` at the end of its main loop) and `SmileF0.count`.
    public static func framesBeforeEOI(_ f0: SmileF0) -> Int {
        framesBeforeEOI(decidedFrames: f0.decidedBeforeEnd, frameCount: f0.count)
    }
}
