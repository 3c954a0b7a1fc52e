// `study-bench nn`: one epoch of the notebook's training (2240 training + 560 validation samples
// of 40 features, batch 64, Adam, dropout on, validation in inference mode) on random data, for
// 1 and 2 OpenBLAS threads and each Conv1D algorithm (im2col, the Winograd table, or F(2,5) /
// F(4,5) forced on every conv layer), side by side in one run. Prints seconds per epoch (mean,
// median, best), GFLOP/s and peak RSS; `--conv-table` times every conv layer shape alone on each
// path (the measurements behind `Conv1DPath.table`).
//
// With the environment variable STUDY_BENCH_NN_MODEL=tcn the same benchmark runs the temporal
// CNN (`TemporalCNN`) on random log-mel-sized input instead: 2240 + 560 clips of 301 frames × 64
// bands, 7 classes (TESS's size). (An environment variable rather than `--model`, because the
// `nn` command's options live in StudyBench.swift.) The default, or STUDY_BENCH_NN_MODEL=notebook,
// is the notebook CNN.
//
// FLOPs counted: 2·M·N·K per GEMM of the im2col formulation (direct convolution). Per training
// sample: forward + backward (dW and dx) of every conv/dense layer (no dx for the first layer);
// per validation sample: forward only. Winograd does fewer multiplies for the same work, so its
// GFLOP/s are "direct-convolution equivalent" and can exceed the sgemm peak.
import ArgumentParser
import Base
import Foundation
import NeuralNet

/// The Conv1D setting of one benchmark row.
enum BenchConv: String, CaseIterable, ExpressibleByArgument {
    case im2col, winograd, f2, f4

    var label: String {
        switch self {
        case .im2col: return "im2col"
        case .winograd: return "winograd"
        case .f2: return "F(2,5) all"
        case .f4: return "F(4,5) all"
        }
    }

    /// Applies the setting to a fresh model; returns the FitOptions' algorithm.
    func apply(to model: Sequential) -> ConvAlgorithm {
        for l in model.layers {
            guard let c = l as? Conv1D else { continue }
            switch self {
            case .im2col, .winograd: c.pathOverride = nil
            case .f2: c.pathOverride = .winograd(outputTile: 2)
            case .f4: c.pathOverride = .winograd(outputTile: 4)
            }
        }
        return self == .im2col ? .im2col : .winograd
    }
}

/// The network a benchmark run trains.
enum BenchModel: String, CaseIterable {
    /// The notebook's CNN on 40 MFCC means.
    case notebook
    /// `TemporalCNN` on 301 frames × 64 log-mel bands.
    case tcn

    /// From STUDY_BENCH_NN_MODEL (default: notebook); exits with a message on an unknown name.
    static var fromEnvironment: BenchModel {
        guard let v = ProcessInfo.processInfo.environment["STUDY_BENCH_NN_MODEL"], !v.isEmpty else { return .notebook }
        guard let m = BenchModel(rawValue: v) else {
            FileHandle.standardError.write(Data("STUDY_BENCH_NN_MODEL=\(v): expected one of \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(64)
        }
        return m
    }

    var label: String { self == .notebook ? "notebook CNN" : "temporal CNN (\(TemporalCNN.architecture))" }
    /// Per-sample input shape.
    var inputShape: [Int] { self == .notebook ? [40, 1] : [301, 64] }
    var features: Int { inputShape.reduce(1, *) }

    func make(classes: Int = 7, seed: UInt64 = 1) -> Sequential {
        switch self {
        case .notebook: return NotebookCNN.make(inputLength: 40, classes: classes, seed: seed)
        case .tcn: return TemporalCNN.make(frames: 301, bands: 64, classes: classes, seed: seed)
        }
    }

    /// One random sample: raw-MFCC-like means for the notebook model (c0 around −500, higher
    /// coefficients within ±50); standardised-log-mel-like values for the TCN.
    func sample(_ rng: inout Xoshiro256) -> [Float] {
        switch self {
        case .notebook: return (0..<40).map { f in f == 0 ? rng.uniform(-600, -300) : rng.uniform(-50, 50) }
        case .tcn: return (0..<features).map { _ in rng.uniform(-2, 2) }
        }
    }
}

enum NeuralNetBench {
    static func run(threads: [Int], modes: [FitOptions.Parallelism], convs: [BenchConv], kernels: [Arithmetic], epochs: Int, profile: Bool,
                    convTable: Bool) {
        run(model: .fromEnvironment, threads: threads, modes: modes, convs: convs, kernels: kernels, epochs: epochs,
            profile: profile, convTable: convTable)
    }

    static func run(model kind: BenchModel, threads: [Int], modes: [FitOptions.Parallelism], convs: [BenchConv], kernels: [Arithmetic],
                    epochs: Int, profile: Bool, convTable: Bool) {
        let nTrain = 2240, nVal = 560, features = kind.features, classes = 7
        var rng = Xoshiro256(seed: 2024)
        var x = [Float](), xVal = [Float]()
        x.reserveCapacity(nTrain * features); xVal.reserveCapacity(nVal * features)
        for _ in 0..<nTrain { x += kind.sample(&rng) }
        for _ in 0..<nVal { xVal += kind.sample(&rng) }
        let y = (0..<nTrain).map { _ in rng.nextInt(below: classes) }, yVal = (0..<nVal).map { _ in rng.nextInt(below: classes) }

        let model = kind.make(classes: classes)
        let (fwd, bwd) = flopsPerSample(model)
        let flopsEpoch = Double(nTrain) * (fwd + bwd) + Double(nVal) * fwd
        print("NeuralNet benchmark: \(kind.label) (\(model.parameterCount) parameters), \(nTrain) + \(nVal) samples × \(kind.inputShape) input, batch 64")
        if kind == .tcn { print(model.summary(), terminator: "") }
        print("OpenBLAS: \(BLASThreads.configuration) (core \(BLASThreads.coreName)); machine: \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
        print("deterministic GEMM: \(DeterministicGEMM.variant) micro-kernel (arithmetics timed: \(kernels.map(\.rawValue).joined(separator: ", ")))")
        print(String(format: "work per epoch: %.1f GFLOP (%.2f MFLOP forward, %.2f MFLOP backward per sample)",
                     flopsEpoch / 1e9, fwd / 1e6, bwd / 1e6))
        for conv in convs {
            let probe = kind.make(classes: classes)
            probe.convAlgorithm = conv.apply(to: probe)
            print("conv \(conv.label): layer paths " + probe.convPaths.map(\.description).joined(separator: ", "))
        }
        for mode in modes {
            for t in threads where !(mode == .blas && t == 1 && modes.contains(.dataParallel)) {
                // The algorithms and arithmetics side by side for each thread count, so that they
                // share the load.
                var means: [String: Double] = [:]
                func key(_ c: BenchConv, _ k: Arithmetic) -> String { c.rawValue + "/" + k.rawValue }
                defer {
                    let base = kernels[0]
                    if let im2col = means[key(.im2col, base)], convs.count > 1 {
                        let others = convs.filter { $0 != .im2col }.compactMap { c in means[key(c, base)].map { (c, $0) } }
                        print(String(repeating: " ", count: 39) + "vs im2col (\(base.rawValue)): "
                              + others.map { String(format: "%@ %.2f×", $0.0.label, $0.1 / im2col) }.joined(separator: ", ")
                              + " the epoch time")
                    }
                    if kernels.count > 1 {
                        for conv in convs {
                            guard let b = means[key(conv, base)] else { continue }
                            let others = kernels.dropFirst().compactMap { k in means[key(conv, k)].map { (k, $0) } }
                            print(String(repeating: " ", count: 39) + "\(conv.label): \(base.rawValue) vs "
                                  + others.map { String(format: "%@ %+.1f%% the epoch time", $0.0.rawValue, (b / $0.1 - 1) * 100) }.joined(separator: ", "))
                        }
                    }
                }
                for conv in convs {
                    for k in kernels {
                        Arithmetic.current = k
                        defer { Arithmetic.current = .deterministic }
                        let m = kind.make(classes: classes)
                        let algorithm = conv.apply(to: m)
                        let cpu0 = cpuSeconds(), machine0 = machineBusy()
                        // Epoch 1 is a warm-up (allocation, page faults, thread start); report the rest.
                        let h = fit(m, x: x, y: y, xVal: xVal, yVal: yVal, features: features,
                                    options: FitOptions(seed: 7, epochs: epochs + 1, patience: nil, threads: t, parallelism: mode,
                                                        convAlgorithm: algorithm))
                        let cpu = cpuSeconds() - cpu0
                        let machine = machineBusy().flatMap { m1 in machine0.map { m1 - $0 } }
                        let secs = h.rows.dropFirst().map(\.seconds)
                        let mean = secs.reduce(0, +) / Double(secs.count), best = secs.min()!
                        let sorted = secs.sorted()
                        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
                        means[key(conv, k)] = mean
                        let label = (t == 1 ? "1 thread" : "\(t) threads, \(mode.rawValue)") + ", " + conv.label
                            + (kernels.count > 1 ? ", " + k.rawValue : "")
                        let padded = label.padding(toLength: 38, withPad: " ", startingAt: 0)
                        print(padded + String(format: " %.3f s/epoch mean, %.3f median, %.3f best (%d epochs after a %.3f s warm-up) — %.1f GFLOP/s mean, %.1f best",
                                     mean, median, best, secs.count, h.rows[0].seconds, flopsEpoch / mean / 1e9, flopsEpoch / best / 1e9))
                        if let machine {
                            print(String(repeating: " ", count: 39) + String(format: "CPU: this process %.2f s, whole machine %.2f s busy over %.2f s wall → others used ~%.0f%% of a core",
                                         cpu, machine, h.seconds, max(0, (machine - cpu) / h.seconds * 100)))
                        }
                    }
                }
            }
        }
        if profile {
            for conv in convs { profileLayers(kind, conv: conv, x: x, y: y, xVal: xVal, yVal: yVal, features: features) }
        }
        if convTable { printConvTable(kind) }
        print("peak RSS (VmHWM) of the training runs: \(peakRSS())")
        let peak1 = sgemmPeak(threads: 1), peak2 = sgemmPeak(threads: 2)
        print(String(format: "reference: OpenBLAS sgemm 2048³ reaches %.1f GFLOP/s on 1 thread, %.1f on 2 (the practical peak now)", peak1, peak2))
        print("note: other processes may share the CPUs while this runs; check `uptime` before trusting a figure.")
    }

    static func flopsPerSample(_ model: Sequential) -> (forward: Double, backward: Double) {
        var f = 0.0, b = 0.0
        for (i, l) in model.layers.enumerated() {
            var gemm = 0.0
            if let c = l as? Conv1D { gemm = 2.0 * Double(c.length * c.kernelSize * c.inChannels * c.outChannels) }
            if let d = l as? Dense { gemm = 2.0 * Double(d.inputs * d.units) }
            f += gemm
            b += i == 0 ? gemm : 2 * gemm
        }
        return (f, b)
    }

    /// Wall time per layer inside real training epochs (forward in training and validation,
    /// backward), and what is left for the loss, Adam and batch assembly.
    static func profileLayers(_ kind: BenchModel, conv: BenchConv, x: [Float], y: [Int], xVal: [Float], yVal: [Int], features: Int) {
        let m = kind.make(classes: 7)
        let algorithm = conv.apply(to: m)
        let opts = FitOptions(seed: 7, epochs: 1, patience: nil, threads: 1, convAlgorithm: algorithm)
        fit(m, x: x, y: y, xVal: xVal, yVal: yVal, features: features, options: opts)   // warm-up
        m.profiling = true
        let epochs = 2
        var timed = opts
        timed.epochs = epochs
        let h = fit(m, x: x, y: y, xVal: xVal, yVal: yVal, features: features, options: timed)
        let perEpoch = h.rows.map(\.seconds).reduce(0, +) / Double(epochs)
        print("profile (1 thread, master model only, conv \(conv.label)), seconds per epoch by layer (forward includes validation):")
        var total = 0.0
        for (i, l) in m.layers.enumerated() {
            let f = m.forwardSeconds[i] / Double(epochs), b = m.backwardSeconds[i] / Double(epochs)
            total += f + b
            let path = (l as? Conv1D).map { "  " + $0.path.description } ?? ""
            print("  " + l.name.padding(toLength: 26, withPad: " ", startingAt: 0)
                  + String(format: " forward %6.1f ms  backward %6.1f ms", f * 1e3, b * 1e3) + path)
        }
        print(String(format: "  layers %.1f ms of %.1f ms per epoch; loss, Adam, zeroing and batch assembly %.1f ms",
                     total * 1e3, perEpoch * 1e3, (perEpoch - total) * 1e3))
    }

    /// Every Conv1D shape of the model alone, on each path: forward (training) +
    /// backward (dx except for the first layer), 1 thread, at the data-parallel worker's batch
    /// (32 of 64 on 2 threads) and the whole batch (64); the best of `reps` after a warm-up (the
    /// machine may be shared: the minimum is the least disturbed). The fastest path at batch 32
    /// is what `Conv1DPath.table` should hold.
    static func printConvTable(_ kind: BenchModel, reps: Int = 30) {
        let model = kind.make(classes: 7)
        let convs = model.layers.compactMap { $0 as? Conv1D }
        let paths: [Conv1DPath] = [.im2col, .winograd(outputTile: 2), .winograd(outputTile: 4)]
        let saved = BLASThreads.count
        BLASThreads.count = 1   // for the table; restored below
        defer { BLASThreads.count = saved }
        print("per-layer conv table: forward + backward ms per batch, 1 thread, best of \(reps) (× = speed-up over im2col)")
        print("  layer     (L, Cin→Cout)    batch   im2col        F(2,5)              F(4,5)              fastest")
        var rng = Xoshiro256(seed: 5)
        for (index, c) in convs.enumerated() {
            for batch in [32, 64] {
                let kernel = (0..<c.kernel.count).map { _ in rng.uniform(-0.05, 0.05) }
                let layers = paths.map { p -> Conv1D in
                    let layer = Conv1D(inputShape: [c.length, c.inChannels], filters: c.outChannels, kernelSize: c.kernelSize,
                                       activation: .relu, key: "bench")
                    layer.kernel.value.copy(from: kernel)
                    layer.pathOverride = p
                    layer.allocate(maxBatch: batch)
                    return layer
                }
                let x = Buffer<Float>((0..<(batch * c.length * c.inChannels)).map { _ in max(0, rng.uniform(-1, 2)) })
                let dy = Buffer<Float>((0..<(batch * c.length * c.outChannels)).map { _ in rng.uniform(-1, 1) })
                let y = Buffer<Float>(count: batch * c.length * c.outChannels)
                let dx = Buffer<Float>(count: batch * c.length * c.inChannels)
                // The paths take turns, so that a change in the machine's load hits all of them.
                var times = [[Double]](repeating: [], count: paths.count)
                Parallel.withThreads(1) {
                    for r in 0...reps {
                        for (k, layer) in layers.enumerated() {
                            let t0 = DispatchTime.now().uptimeNanoseconds
                            layer.forward(x: x.pointer, y: y.pointer, batch: batch, training: true)
                            layer.backward(x: x.pointer, y: y.pointer, dy: dy.pointer, dx: index == 0 ? nil : dx.pointer, batch: batch)
                            if r > 0 { times[k].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) }
                        }
                    }
                }
                let ms = times.map { $0.min()! }
                let best = ms.indices.min { ms[$0] < ms[$1] }!
                let shape = "(\(c.length), \(c.inChannels)→\(c.outChannels))".padding(toLength: 16, withPad: " ", startingAt: 0)
                var line = "  " + c.name.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + shape + String(format: " %5d", batch)
                line += String(format: "   %7.3f", ms[0])
                for k in 1..<ms.count { line += String(format: "   %7.3f (%4.2f×)", ms[k], ms[0] / ms[k]) }
                print(line + "   " + paths[best].description)
            }
        }
    }

    /// GFLOP/s of a 2048×2048×2048 sgemm (best of 3), restoring the thread count.
    static func sgemmPeak(threads: Int) -> Double {
        let saved = BLASThreads.count
        BLASThreads.count = threads
        defer { BLASThreads.count = saved }
        let n = 2048
        var rng = Xoshiro256(seed: 1)
        let a = (0..<(n * n)).map { _ in rng.nextFloat() }, b = (0..<(n * n)).map { _ in rng.nextFloat() }
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Float.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: pa.baseAddress!, lda: n,
                           b: pb.baseAddress!, ldb: n, beta: 0, c: pc.baseAddress!, ldc: n)
            } } }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// User + system CPU seconds of this process.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Busy CPU seconds of the whole machine (all processes, from /proc/stat), if readable.
    static func machineBusy() -> Double? {
        guard let s = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = s.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 5 else { return nil }
        let idle = v[3] + v[4]
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (v.reduce(0, +) - idle) / hz
    }

    static func peakRSS() -> String {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return "n/a" }
        let kb = Double(line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0)
        return String(format: "%.1f MB", kb / 1024)
    }
}
