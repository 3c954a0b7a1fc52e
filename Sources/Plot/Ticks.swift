import Foundation

/// Where an axis puts its ticks.
public enum TickSpec: Sendable {
    /// "Nice" positions: multiples of 1, 2, 2.5 or 5 times a power of ten (matplotlib's
    /// AutoLocator), as many as fit without labels touching.
    case auto
    /// These positions, labelled with `labels` when given (categorical axes), else formatted.
    case fixed([Double], labels: [String]? = nil)
    /// No ticks or tick labels.
    case none
}

/// How tick values become labels.
public enum TickFormat: Sendable {
    /// The fewest decimals that tell all ticks apart (matplotlib's ScalarFormatter), with a true
    /// minus sign.
    case auto
    /// A printf format with one floating-point conversion, e.g. `"%+2.0f dB"`.
    case printf(String)
    case custom(@Sendable (Double) -> String)

    func labels(for values: [Double]) -> [String] {
        switch self {
        case .auto: return TickFormat.autoLabels(values)
        case .printf(let f): return values.map { String(format: f, $0) }
        case .custom(let f): return values.map(f)
        }
    }

    static func autoLabels(_ values: [Double]) -> [String] {
        guard !values.isEmpty else { return [] }
        let scale = values.map { abs($0) }.max() ?? 1
        var decimals = 0
        while decimals < 10 {
            let p = Foundation.pow(10, Double(decimals))
            if values.allSatisfy({ abs(($0 * p).rounded() - $0 * p) <= 1e-6 * max(1, scale * p) }) { break }
            decimals += 1
        }
        return values.map { v in
            var s = String(format: "%.\(decimals)f", v)
            if s.hasPrefix("-") {
                // "-0.0" is zero; any other negative gets U+2212 like matplotlib.
                if s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() } else { s = "\u{2212}" + s.dropFirst() }
            }
            return s
        }
    }
}

enum TickLocator {
    static let steps: [Double] = [1, 2, 2.5, 5, 10]

    /// Nice tick values within [lo, hi] (either order) using at most `maxBins` intervals.
    static func ticks(_ a: Double, _ b: Double, maxBins: Int) -> [Double] {
        let lo = min(a, b), hi = max(a, b)
        guard lo.isFinite, hi.isFinite, hi > lo else { return lo.isFinite ? [lo] : [] }
        let bins = max(1, maxBins)
        let raw = (hi - lo) / Double(bins)
        let mag = Foundation.pow(10, floor(log10(raw)))
        // Smallest step ≥ raw; if that leaves fewer than two ticks inside, try the smaller ones.
        var candidates: [Double] = []
        for s in steps + steps.map({ $0 * 10 }) where s * mag >= raw * (1 - 1e-9) { candidates.append(s * mag) }
        let first = candidates.first ?? raw
        var tried = [first]
        for s in steps.reversed() where s * mag < first { tried.append(s * mag) }
        for step in tried {
            let t = values(lo, hi, step)
            if t.count >= 2 { return t }
        }
        return values(lo, hi, tried.last!)
    }

    static func values(_ lo: Double, _ hi: Double, _ step: Double) -> [Double] {
        let eps = 1e-10 * max(abs(lo), abs(hi), step)
        let k0 = Int(ceil((lo - eps) / step)), k1 = Int(floor((hi + eps) / step))
        guard k1 >= k0, k1 - k0 < 10_000 else { return [] }
        return (k0...k1).map { Double($0) * step }.map { abs($0) < step * 1e-9 ? 0 : $0 }
    }
}
