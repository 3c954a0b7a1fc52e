/// How one emotion is rendered, after Murray & Arnott (1993), "Toward the simulation of
/// emotion in synthetic speech", Table 1 (speech rate, pitch average, pitch range, intensity,
/// voice quality, pitch changes). Values are espeak-ng's units (rate in words per minute, pitch
/// and range 0...100 with 50 the voice's normal) and post-processing amounts; the comments
/// quote the table's qualitative entry each value renders.
public struct EmotionStyle: Sendable, Equatable {
    public var label: String
    /// Words per minute. TESS's actresses are slow (median clip 2.05 s for four words), so the
    /// neutral rate is below espeak's default of 175.
    public var rate: Double
    public var pitch: Double
    public var range: Double
    /// Loudness relative to neutral, in dB (applied to the clip's speech RMS).
    public var gainDB: Double
    /// Sentence-final punctuation: "." falling statement, "!" exclamation, "?" rising contour.
    public var punctuation: String
    /// Amplitude modulation depth (0...1) at 5–8 Hz: the tremor of fear.
    public var tremolo: Double
    /// Depth of slow random pitch/time wobble (fraction of the playback speed): irregular voicing.
    public var jitter: Double
    /// Breath noise level relative to the speech RMS (breathy voice).
    public var breath: Double
    /// One-pole low-pass cutoff in Hz, 0 for none (lax, muffled voice).
    public var lowPassHz: Double
    /// Soft-clipping drive, 0 for none: the "blaring", tense quality of anger.
    public var drive: Double
}

public enum EmotionTable {
    /// One style per label, in `TESSCorpus.labels` order.
    public static let styles: [EmotionStyle] = [
        // Anger: slightly faster, very much higher pitch, much wider range, higher intensity,
        // breathy chest tone, abrupt on stressed syllables.
        EmotionStyle(label: "angry", rate: 128, pitch: 66, range: 82, gainDB: 7, punctuation: "!",
                     tremolo: 0, jitter: 0, breath: 0.03, lowPassHz: 0, drive: 2.2),
        // Disgust: very much slower, very much lower pitch, slightly wider range, lower
        // intensity, grumbled chest tone, wide falling terminal inflections.
        EmotionStyle(label: "disgust", rate: 82, pitch: 24, range: 58, gainDB: -2, punctuation: ".",
                     tremolo: 0, jitter: 0.012, breath: 0.0, lowPassHz: 3200, drive: 0),
        // Fear: much faster, very much higher pitch, much wider range, normal intensity,
        // irregular voicing.
        EmotionStyle(label: "fear", rate: 150, pitch: 82, range: 70, gainDB: 1, punctuation: ".",
                     tremolo: 0.35, jitter: 0.05, breath: 0.06, lowPassHz: 0, drive: 0),
        // Happiness: faster or slower, much higher pitch, much wider range, higher intensity,
        // breathy blaring tone, smooth upward inflections.
        EmotionStyle(label: "happy", rate: 118, pitch: 64, range: 92, gainDB: 3, punctuation: "!",
                     tremolo: 0, jitter: 0, breath: 0.04, lowPassHz: 0, drive: 0.8),
        // Neutral: the voice as it is.
        EmotionStyle(label: "neutral", rate: 108, pitch: 44, range: 40, gainDB: 0, punctuation: ".",
                     tremolo: 0, jitter: 0, breath: 0, lowPassHz: 0, drive: 0),
        // Pleasant surprise (not in Murray & Arnott's table; after the surprise literature):
        // highest pitch, widest range, rising contour.
        EmotionStyle(label: "ps", rate: 112, pitch: 92, range: 96, gainDB: 3, punctuation: "?",
                     tremolo: 0, jitter: 0, breath: 0.02, lowPassHz: 0, drive: 0.4),
        // Sadness: slightly slower, slightly lower pitch, slightly narrower range, lower
        // intensity, resonant, downward inflections.
        EmotionStyle(label: "sad", rate: 88, pitch: 30, range: 14, gainDB: -7, punctuation: ".",
                     tremolo: 0.08, jitter: 0.01, breath: 0.12, lowPassHz: 2600, drive: 0),
    ]

    public static func style(for label: String) -> EmotionStyle? { styles.first { $0.label == label } }

    /// The table as Markdown, for the report and README: what each emotion does to the voice.
    public static func markdownTable() -> String {
        var lines = [
            "| emotion | rate (wpm) | pitch (0–100) | range (0–100) | level (dB) | contour | voice quality |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        for style in styles {
            var quality: [String] = []
            if style.drive > 0 { quality.append(String(format: "tense (saturation %.1f)", style.drive)) }
            if style.tremolo > 0 { quality.append(String(format: "tremor %.0f%%", style.tremolo * 100)) }
            if style.jitter > 0 { quality.append(String(format: "irregular pitch ±%.0f%%", style.jitter * 100)) }
            if style.breath > 0 { quality.append(String(format: "breath %.0f%%", style.breath * 100)) }
            if style.lowPassHz > 0 { quality.append(String(format: "muffled (low-pass %.0f Hz)", style.lowPassHz)) }
            let contour = ["?": "rising", "!": "exclamation"][style.punctuation] ?? "falling"
            lines.append(String(format: "| %@ | %.0f | %.0f | %.0f | %+.0f | %@ | %@ |",
                                TESSCorpus.displayName(style.label), style.rate, style.pitch, style.range, style.gainDB,
                                contour, quality.isEmpty ? "plain" : quality.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A synthetic speaker: an espeak-ng voice and offsets that age or rejuvenate it.
public struct SyntheticSpeaker: Sendable, Equatable {
    /// Code used in file and folder names; never one of TESS's (`OAF`, `YAF`).
    public var code: String
    public var voice: String
    /// Added to every emotion's espeak pitch (0...100 scale).
    public var pitchOffset: Double
    /// Multiplies every emotion's rate.
    public var rateFactor: Double

    /// SOF: older female, lower and a little slower (TESS's OAF was 64). SYF: younger female
    /// with a different formant set and accent (TESS's YAF was 26).
    public static let all: [SyntheticSpeaker] = [
        SyntheticSpeaker(code: "SOF", voice: "en+f4", pitchOffset: -14, rateFactor: 0.93),
        SyntheticSpeaker(code: "SYF", voice: "en-us+f2", pitchOffset: 4, rateFactor: 1.0),
    ]
}
