import Foundation
import Plot

extension Charts {
    // MARK: The study's charts in the plot gallery

    /// The study's chart kinds from fixed synthetic data, for the contact sheet after Plot's
    /// general ones (`Gallery.renderAll(to:categories:extra:)`): the leakage ladder, the
    /// reliability diagram and the cross-corpus matrix, the ladder's chance level from the
    /// number of `categories` (at least one).
    static func galleryFigures(categories: [String]) -> [(name: String, figure: Figure)] {
        precondition(!categories.isEmpty, "Charts.galleryFigures: no categories")
        let k = categories.count
        return [
            ("leakage-ladder", Charts.ladder(bars: [
                Charts.LadderBar(label: "random", group: "standardized", value: 0.95, interval: (0.93, 0.97)),
                Charts.LadderBar(label: "word_disjoint", group: "standardized", value: 0.92, interval: (0.90, 0.95)),
                Charts.LadderBar(label: "speaker_independent A→B", group: "standardized", value: 0.46, interval: (0.44, 0.48)),
                Charts.LadderBar(label: "speaker_independent A→B", group: "speaker_normalized", value: 0.54, interval: (0.52, 0.56)),
                Charts.LadderBar(label: "label_shuffle", group: "standardized", value: 0.13, interval: (0.10, 0.15)),
                Charts.LadderBar(label: "few words", group: "faithful", value: 0.143, interval: nil, collapsed: true),
            ], chance: 1 / Double(k), references: [("published 0.9929", 0.9929)], title: "Leakage ladder")),
            ("reliability-diagram", Charts.reliabilityDiagram(
                bins: (0..<15).map { b in
                    let lo = Double(b) / 15, hi = Double(b + 1) / 15
                    return (lo, hi, b < 5 ? 0 : 10 * b, min(1, (lo + hi) / 2 * 0.9), (lo + hi) / 2)
                }, ece: 0.05, title: "Reliability")),
            ("cross-corpus-matrix", Charts.crossCorpusMatrix(
                values: [[0.95, 0.21, nil], [0.18, 0.62, 0.25], [0.22, 0.31, 0.71]], names: ["TESS", "RAVDESS", "EmoDB"],
                notes: [["6 labels, n=480", "6 labels, n=1056", "not run"], ["6 labels, n=2400", "6 labels, n=211", "6 labels, n=408"],
                        ["6 labels, n=2400", "6 labels, n=1056", "6 labels, n=82"]],
                title: "Cross-corpus accuracy\nrows trained on, columns tested on; dashed: within the corpus")),
        ]
    }
}
