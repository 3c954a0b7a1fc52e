import Foundation
import Plot

extension Charts {
    // MARK: Cross-corpus matrix

    /// Accuracy of a model trained on row `r`'s corpus and tested on column `c`'s, with the
    /// diagonal (held out within the corpus) outlined. Every cell shows its value and, below it,
    /// `notes[r][c]` (e.g. the number of shared labels); an empty cell (nil) says why in its note.
    /// Colours run from 0 to 1, so that two matrices can be compared by eye.
    static func crossCorpusMatrix(values: [[Double?]], names: [String], notes: [[String]], title: String,
                                  colorbarLabel: String = "test accuracy", colormap: Colormap = .viridis,
                                  width: Int? = nil, height: Int? = nil) -> Figure {
        let n = names.count
        precondition(n > 0 && values.count == n && values.allSatisfy { $0.count == n } && notes.count == n && notes.allSatisfy { $0.count == n },
                     "Charts.crossCorpusMatrix: values and notes must be \(n)×\(n) for \(n) corpora")
        let side = 150 * n
        let fig = Figure(width: width ?? max(640, side + 280), height: height ?? max(460, side + 170))
        let ax = fig.addAxes()
        // Missing cells are drawn at the bottom of the scale and say why in their note.
        let flat = values.flatMap { $0.map { Float($0 ?? .nan) } }
        ax.image(flat.map { $0.isNaN ? 0 : $0 }, rows: n, cols: n, extent: DataRect(x0: 0, x1: Double(n), y0: 0, y1: Double(n)),
                 colormap: colormap, vmin: 0, vmax: 1, origin: .lower, interpolation: .nearest)
        ax.yInverted = true
        ax.colorbar(label: colorbarLabel)
        let centres = (0..<n).map { Double($0) + 0.5 }
        ax.xTicks = .fixed(centres, labels: names)
        ax.yTicks = .fixed(centres, labels: names)
        ax.xLabel = "tested on"
        ax.yLabel = "trained on"
        ax.title = title
        for r in 0..<n {
            for c in 0..<n {
                let v = values[r][c]
                let cell = v.map { colormap.color(at: $0) } ?? Color(gray: 0.9)
                if v == nil {
                    ax.rectangle(DataRect(x0: Double(c), x1: Double(c + 1), y0: Double(r), y1: Double(r + 1)), fill: Color(gray: 0.9))
                }
                let ink = cell.relativeLuminance > 0.408 ? Color(gray: 0.15) : .white
                let text = (v.map { String(format: "%.3f", $0) } ?? "—") + (notes[r][c].isEmpty ? "" : "\n" + notes[r][c])
                ax.text(text, x: Double(c) + 0.5, y: Double(r) + 0.5, size: 9, color: ink, horizontal: .center, vertical: .center)
            }
            // The diagonal (held out within the corpus): a dashed frame inside the cell.
            let a = Double(r) + 0.04, b = Double(r) + 0.96
            ax.line(x: [a, b, b, a, a], y: [a, a, b, b, a], color: Color(gray: 0.6), width: 2, dash: .dashed)
        }
        return fig
    }
}
