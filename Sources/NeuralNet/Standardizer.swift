// Per-feature standardisation (z = (x − mean) / std), fitted on the training split only and
// stored in the model file. Not part of the notebook's recipe (which trains on raw MFCC means);
// it is the `--standardize` option.

public struct Standardizer: Equatable, Sendable {
    public var mean: [Float]   // (features)
    public var std: [Float]    // (features), population std (ddof 0, like sklearn's StandardScaler); 0 → 1

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "Standardizer: \(mean.count) means, \(std.count) stds")
        self.mean = mean; self.std = std
    }
    public var features: Int { mean.count }

    /// Mean and standard deviation of each column of x (count × features), accumulated in Float64.
    public static func fit(x: [Float], count: Int, features: Int) -> Standardizer {
        precondition(x.count == count * features && count > 0, "Standardizer.fit: \(x.count) values for \(count) × \(features)")
        var mean = [Double](repeating: 0, count: features), m2 = mean
        for r in 0..<count { for f in 0..<features { mean[f] += Double(x[r * features + f]) } }
        for f in 0..<features { mean[f] /= Double(count) }
        for r in 0..<count {
            for f in 0..<features { let d = Double(x[r * features + f]) - mean[f]; m2[f] += d * d }
        }
        let std = m2.map { s -> Float in
            let v = (s / Double(count)).squareRoot()
            return v > 0 && v.isFinite ? Float(v) : 1
        }
        return Standardizer(mean: mean.map(Float.init), std: std)
    }

    /// What one mean and one deviation are computed over.
    public enum Scope: String, Sendable, CaseIterable {
        /// Each column its own mean and deviation (scikit-learn's StandardScaler).
        case perCoefficient = "per-coefficient"
        /// Each column its own mean, one deviation over all centred values: the coefficients
        /// keep their relative scale (MFCC 1's range stays larger than MFCC 40's).
        case centred
        /// One mean and one deviation over every value.
        case global
    }

    /// `fit` with the statistics pooled as `scope` says; the result is stored per column either
    /// way, so model files and `apply` do not change.
    public static func fit(x: [Float], count: Int, features: Int, scope: Scope) -> Standardizer {
        let perColumn = fit(x: x, count: count, features: features)
        switch scope {
        case .perCoefficient:
            return perColumn
        case .centred, .global:
            var mean = perColumn.mean.map(Double.init)
            if scope == .global {
                let m = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
                mean = Array(repeating: m, count: features)
            }
            var m2 = 0.0
            for r in 0..<count { for f in 0..<features { let d = Double(x[r * features + f]) - mean[f]; m2 += d * d } }
            let v = (m2 / Double(x.count)).squareRoot()
            let sd = Float(v > 0 && v.isFinite ? v : 1)
            return Standardizer(mean: mean.map(Float.init), std: Array(repeating: sd, count: features))
        }
    }

    /// (x − mean) / std for every row of x (count × features).
    public func apply(_ x: [Float]) -> [Float] {
        precondition(x.count % features == 0, "Standardizer.apply: \(x.count) values are not rows of \(features)")
        var out = x
        let rows = x.count / features
        for r in 0..<rows {
            for f in 0..<features { out[r * features + f] = (x[r * features + f] - mean[f]) / std[f] }
        }
        return out
    }
}
