// Multinomial logistic regression with an L2 penalty: the classic baseline, the same model as
// scikit-learn's LogisticRegression(penalty="l2", C=c, solver="lbfgs") with more than two
// classes (multinomial, one weight row per class, no reference class).
//
// Objective (scikit-learn's exactly, divided by the number of samples, which moves no minimum):
//
//     f(W, b) = (1/N) Σ_i −log softmax(W x_i + b)[y_i]  +  (1 / (2 C N)) ‖W‖²_F
//
// The intercepts b are not penalised. f is strictly convex in W; in b it is flat along
// (1, 1, …, 1) (adding a constant to every intercept changes no probability), so the fit
// starts from zero, every step keeps Σ b = 0 (every gradient's intercept part sums to zero),
// and the intercepts are centred once more at the end: the reported solution is the unique
// one with Σ_k b_k = 0, which is also what scikit-learn's lbfgs path returns.
//
// The INPUT IS EXPECTED ALREADY STANDARDISED (z = (x − mean) / std, e.g. with `Standardizer`
// fitted on the training split): the penalty depends on the features' scale, and the caller
// owns that choice. Nothing here rescales.
//
// Optimiser: full-batch L-BFGS (memory 10) in Double with a backtracking Armijo line search.
// Every sum is a plain Swift loop in one fixed order (samples, then classes, then features),
// no BLAS, no threads: the fitted coefficients are the same bits on any CPU and thread count.
// Convergence: the largest |gradient component| of f ≤ tolerance, or f stops decreasing at
// Double precision (relative change ≤ 4 ε with the gradient already ≤ √tolerance).
import Base
import Foundation

public enum LogisticRegressionError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(String)
    case sizeMismatch(String)
    case labelOutOfRange(sample: Int, label: Int, classes: Int)
    case nonFiniteValue(sample: Int, feature: Int)
    case tooFewClassesPresent(Int)

    public var description: String {
        switch self {
        case .invalidParameter(let m): return "logistic regression: \(m)"
        case .sizeMismatch(let m): return "logistic regression: \(m)"
        case .labelOutOfRange(let s, let l, let c):
            return "logistic regression: sample \(s) has label \(l), outside 0..<\(c)"
        case .nonFiniteValue(let s, let f):
            return "logistic regression: sample \(s), feature \(f) is not finite"
        case .tooFewClassesPresent(let n):
            return "logistic regression: the labels name \(n) class\(n == 1 ? "" : "es"); at least 2 are needed"
        }
    }
}

public struct LogisticRegression: Sendable, Equatable {
    public let classes: Int
    public let features: Int
    /// Coefficients, classes × features, row-major (scikit-learn's `coef_`).
    public let weights: [Double]
    /// One per class (scikit-learn's `intercept_`), centred: they sum to zero.
    public let intercepts: [Double]
    /// L-BFGS iterations the fit took (0 for a model built from coefficients).
    public let iterations: Int
    /// Whether the fit met its tolerance before `maxIterations`.
    public let converged: Bool
    /// max |∂f/∂θ| at the returned coefficients (f as above, divided by N).
    public let gradientNorm: Double

    /// A model from known coefficients (e.g. read back from a file).
    public init(classes: Int, features: Int, weights: [Double], intercepts: [Double]) {
        precondition(classes >= 2 && features >= 1, "LogisticRegression: \(classes) classes, \(features) features")
        precondition(weights.count == classes * features && intercepts.count == classes,
                     "LogisticRegression: \(weights.count) weights, \(intercepts.count) intercepts for \(classes) × \(features)")
        self.init(classes: classes, features: features, weights: weights, intercepts: intercepts,
                  iterations: 0, converged: true, gradientNorm: .nan)
    }

    private init(classes: Int, features: Int, weights: [Double], intercepts: [Double],
                 iterations: Int, converged: Bool, gradientNorm: Double) {
        self.classes = classes; self.features = features
        self.weights = weights; self.intercepts = intercepts
        self.iterations = iterations; self.converged = converged; self.gradientNorm = gradientNorm
    }

    public static func == (a: LogisticRegression, b: LogisticRegression) -> Bool {
        a.classes == b.classes && a.features == b.features && a.weights == b.weights && a.intercepts == b.intercepts
    }

    // MARK: Fitting

    /// Fits on x (samples × features, row-major, ALREADY STANDARDISED) and labels in 0..<classes.
    /// `c` is scikit-learn's C (inverse penalty strength). Throws `LogisticRegressionError` on
    /// inconsistent sizes, labels out of range, non-finite values, fewer than two classes
    /// present or invalid parameters. Not converging within `maxIterations` is not an error:
    /// see `converged`.
    public static func fit(x: [Float], samples: Int, features: Int, labels: [Int], classes: Int,
                           c: Double = 1.0, tolerance: Double = 1e-8, maxIterations: Int = 1000) throws -> LogisticRegression {
        typealias E = LogisticRegressionError
        guard samples >= 1 else { throw E.invalidParameter("samples must be ≥ 1 (got \(samples))") }
        guard features >= 1 else { throw E.invalidParameter("features must be ≥ 1 (got \(features))") }
        guard classes >= 2 else { throw E.invalidParameter("classes must be ≥ 2 (got \(classes))") }
        guard c > 0 && c.isFinite else { throw E.invalidParameter("C must be positive and finite (got \(c))") }
        guard tolerance >= 0 && tolerance.isFinite else { throw E.invalidParameter("tolerance must be ≥ 0 (got \(tolerance))") }
        guard maxIterations >= 1 else { throw E.invalidParameter("maxIterations must be ≥ 1 (got \(maxIterations))") }
        guard x.count == samples * features else {
            throw E.sizeMismatch("\(x.count) values for \(samples) samples × \(features) features")
        }
        guard labels.count == samples else { throw E.sizeMismatch("\(labels.count) labels for \(samples) samples") }
        var present = [Bool](repeating: false, count: classes)
        for (i, l) in labels.enumerated() {
            guard l >= 0 && l < classes else { throw E.labelOutOfRange(sample: i, label: l, classes: classes) }
            present[l] = true
        }
        let presentCount = present.filter { $0 }.count
        guard presentCount >= 2 else { throw E.tooFewClassesPresent(presentCount) }
        for i in 0..<x.count where !x[i].isFinite {
            throw E.nonFiniteValue(sample: i / features, feature: i % features)
        }

        let problem = LogisticObjective(x: x.map(Double.init), samples: samples, features: features, labels: labels,
                                classes: classes, c: c)
        var result = LogisticLBFGS.minimise(problem, dimension: classes * (features + 1), tolerance: tolerance,
                                    maxIterations: maxIterations)
        // Centre the intercepts (see the header): no probability changes.
        let bStart = classes * features
        var mean = 0.0
        for k in 0..<classes { mean += result.theta[bStart + k] }
        mean /= Double(classes)
        for k in 0..<classes { result.theta[bStart + k] -= mean }
        return LogisticRegression(classes: classes, features: features,
                                  weights: Array(result.theta[0..<bStart]),
                                  intercepts: Array(result.theta[bStart...]),
                                  iterations: result.iterations, converged: result.converged,
                                  gradientNorm: result.gradientNorm)
    }

    // MARK: Prediction

    /// Class probabilities, samples × classes row-major, for x (samples × features, standardised
    /// like the training data). Computed in Double (max-subtracted softmax), returned as Float.
    public func probabilities(_ x: [Float], samples: Int) -> [Float] {
        precondition(x.count == samples * features, "LogisticRegression.probabilities: \(x.count) values for \(samples) × \(features)")
        var out = [Float](repeating: 0, count: samples * classes)
        var z = [Double](repeating: 0, count: classes)
        for i in 0..<samples {
            logits(x, sample: i, into: &z)
            var m = z[0]
            for k in 1..<classes where z[k] > m { m = z[k] }
            var s = 0.0
            for k in 0..<classes { z[k] = exp(z[k] - m); s += z[k] }
            for k in 0..<classes { out[i * classes + k] = Float(z[k] / s) }
        }
        return out
    }

    /// The most probable class of each sample (the largest logit; the lowest index on a tie).
    public func predict(_ x: [Float], samples: Int) -> [Int] {
        precondition(x.count == samples * features, "LogisticRegression.predict: \(x.count) values for \(samples) × \(features)")
        var z = [Double](repeating: 0, count: classes)
        return (0..<samples).map { i in
            logits(x, sample: i, into: &z)
            var best = 0
            for k in 1..<classes where z[k] > z[best] { best = k }
            return best
        }
    }

    private func logits(_ x: [Float], sample i: Int, into z: inout [Double]) {
        let row = i * features
        for k in 0..<classes {
            var s = intercepts[k]
            let w = k * features
            for f in 0..<features { s += weights[w + f] * Double(x[row + f]) }
            z[k] = s
        }
    }
}

// MARK: - Objective and optimiser (internal)

/// f(θ) and ∇f(θ), θ = [W (classes × features, row-major), b (classes)].
struct LogisticObjective {
    let x: [Double]
    let samples: Int, features: Int, classes: Int
    let labels: [Int]
    let c: Double

    init(x: [Double], samples: Int, features: Int, labels: [Int], classes: Int, c: Double) {
        self.x = x; self.samples = samples; self.features = features; self.labels = labels
        self.classes = classes; self.c = c
    }

    /// Returns f and writes ∇f into `grad` (length classes × (features + 1)).
    func evaluate(_ theta: [Double], grad: inout [Double]) -> Double {
        let F = features, K = classes, bStart = K * F
        for j in 0..<grad.count { grad[j] = 0 }
        var z = [Double](repeating: 0, count: K)
        var loss = 0.0
        theta.withUnsafeBufferPointer { t in
            x.withUnsafeBufferPointer { xs in
                grad.withUnsafeMutableBufferPointer { g in
                    for i in 0..<samples {
                        let row = i * F
                        for k in 0..<K {
                            var s = t[bStart + k]
                            let w = k * F
                            for f in 0..<F { s += t[w + f] * xs[row + f] }
                            z[k] = s
                        }
                        var m = z[0]
                        for k in 1..<K where z[k] > m { m = z[k] }
                        var sum = 0.0
                        for k in 0..<K { sum += exp(z[k] - m) }
                        let logSum = m + log(sum)
                        loss += logSum - z[labels[i]]
                        for k in 0..<K {
                            var r = exp(z[k] - logSum)          // p_k
                            if k == labels[i] { r -= 1 }
                            g[bStart + k] += r
                            let w = k * F
                            for f in 0..<F { g[w + f] += r * xs[row + f] }
                        }
                    }
                    let n = Double(samples), lambda = 1 / (c * n)
                    var penalty = 0.0
                    for j in 0..<bStart {
                        penalty += t[j] * t[j]
                        g[j] = g[j] / n + lambda * t[j]
                    }
                    for k in 0..<K { g[bStart + k] /= n }
                    loss = loss / n + 0.5 * lambda * penalty
                }
            }
        }
        return loss
    }
}

enum LogisticLBFGS {
    struct Result { var theta: [Double]; var iterations: Int; var converged: Bool; var gradientNorm: Double }

    static func maxAbs(_ v: [Double]) -> Double {
        var m = 0.0
        for e in v { m = max(m, abs(e)) }
        return m
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for j in 0..<a.count { s += a[j] * b[j] }
        return s
    }

    static func minimise(_ problem: LogisticObjective, dimension n: Int, tolerance: Double, maxIterations: Int,
                         memory: Int = 10) -> Result {
        var theta = [Double](repeating: 0, count: n)
        var g = theta
        var f = problem.evaluate(theta, grad: &g)
        var gNorm = maxAbs(g)
        if gNorm <= tolerance { return Result(theta: theta, iterations: 0, converged: true, gradientNorm: gNorm) }

        var sHist: [[Double]] = [], yHist: [[Double]] = [], rhoHist: [Double] = []
        var alpha = [Double](repeating: 0, count: memory)
        var d = theta, trial = theta, gTrial = theta
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            // Two-loop recursion: d = −H ∇f.
            for j in 0..<n { d[j] = -g[j] }
            let m = sHist.count
            if m > 0 {
                for h in stride(from: m - 1, through: 0, by: -1) {
                    let a = rhoHist[h] * dot(sHist[h], d)
                    alpha[h] = a
                    for j in 0..<n { d[j] -= a * yHist[h][j] }
                }
                let gamma = dot(sHist[m - 1], yHist[m - 1]) / dot(yHist[m - 1], yHist[m - 1])
                for j in 0..<n { d[j] *= gamma }
                for h in 0..<m {
                    let beta = rhoHist[h] * dot(yHist[h], d)
                    for j in 0..<n { d[j] += (alpha[h] - beta) * sHist[h][j] }
                }
            }
            var slope = dot(g, d)
            if !(slope < 0) {   // not a descent direction (numerical trouble): restart from −∇f
                sHist.removeAll(); yHist.removeAll(); rhoHist.removeAll()
                for j in 0..<n { d[j] = -g[j] }
                slope = dot(g, d)
            }
            // Backtracking Armijo line search; the first iteration's step is scaled to ‖d‖∞ = 1.
            var step = m == 0 ? min(1, 1 / maxAbs(d)) : 1
            var fTrial = f
            var accepted = false
            for _ in 0..<60 {
                for j in 0..<n { trial[j] = theta[j] + step * d[j] }
                fTrial = problem.evaluate(trial, grad: &gTrial)
                if fTrial.isFinite && fTrial <= f + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted {
                // No decrease representable at Double precision: converged if the gradient is small.
                return Result(theta: theta, iterations: iteration, converged: gNorm <= tolerance.squareRoot(),
                              gradientNorm: gNorm)
            }
            var s = [Double](repeating: 0, count: n), y = s
            for j in 0..<n { s[j] = trial[j] - theta[j]; y[j] = gTrial[j] - g[j] }
            let sy = dot(s, y)
            if sy > 1e-300 {
                if sHist.count == memory { sHist.removeFirst(); yHist.removeFirst(); rhoHist.removeFirst() }
                sHist.append(s); yHist.append(y); rhoHist.append(1 / sy)
            }
            let fOld = f
            swap(&theta, &trial); swap(&g, &gTrial)
            f = fTrial
            gNorm = maxAbs(g)
            if gNorm <= tolerance { return Result(theta: theta, iterations: iteration, converged: true, gradientNorm: gNorm) }
            if (fOld - f) <= 4 * Double.ulpOfOne * max(abs(fOld), abs(f), 1) && gNorm <= tolerance.squareRoot() {
                return Result(theta: theta, iterations: iteration, converged: true, gradientNorm: gNorm)
            }
        }
        return Result(theta: theta, iterations: iteration, converged: false, gradientNorm: gNorm)
    }
}
