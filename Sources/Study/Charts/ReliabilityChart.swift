import Foundation
import Plot

extension Charts {
    // MARK: Reliability diagram

    /// Accuracy against top-label confidence per bin (bars at the bins, width of the bin), the
    /// diagonal of perfect calibration, and the ECE in the title. `bins` are (lo, hi, count,
    /// accuracy, confidence); empty bins draw nothing.
    static func reliabilityDiagram(bins: [(lo: Double, hi: Double, count: Int, accuracy: Double, confidence: Double)],
                                   ece: Double, title: String, width: Int = 520, height: Int = 480) -> Figure {
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        let full = bins.filter { $0.count > 0 }
        ax.bar(x: full.map { ($0.lo + $0.hi) / 2 }, heights: full.map(\.accuracy), width: (bins.first.map { $0.hi - $0.lo } ?? 0.1),
               colors: [Palette.deep[0]], edgeColor: Color(gray: 0.2), label: "accuracy in the bin")
        ax.scatter(x: full.map(\.confidence), y: full.map(\.accuracy), color: Palette.deep[3], size: 5, label: "mean confidence in the bin")
        ax.line(x: [0, 1], y: [0, 1], color: Color(gray: 0.35), width: 1.2, dash: .dashed, label: "perfect calibration")
        // A band above 1 for the legend, so that it never covers a bar.
        ax.xLimits = (0, 1)
        ax.yLimits = (0, 1.32)
        ax.yTicks = .fixed([0, 0.2, 0.4, 0.6, 0.8, 1.0], labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        ax.xLabel = "top-label confidence"
        ax.yLabel = "accuracy"
        ax.title = title + String(format: " — ECE %.3f", ece)
        ax.legendFontSize = 8.5
        ax.legend(location: .upperLeft)
        return fig
    }
}
