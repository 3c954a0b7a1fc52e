// A small temporal convolutional network over log-mel frames: input (frames, bands), e.g.
// (301, 64) for 3 s at a 10 ms hop and 64 mel bands, channels-last like every model here.
//
//   4 × [Conv1D(64, 5, same, relu) → MaxPool1D(2, 2, same)]   time 301 → 151 → 76 → 38 → 19
//   → GlobalAveragePooling1D (19, 64) → (64) → Dropout(0.2) → Dense(classes, softmax)
//
// No batch-norm (not a layer here). 82,631 parameters for 64 bands and 7 classes (4 × 20,544 for
// the convs, 455 for the head). Every conv runs Winograd F(4,5) under the default
// `ConvAlgorithm.winograd` (`Conv1DPath.table` lists the four shapes of the 301 × 64 input;
// other input sizes take im2col, equally deterministic). The widths and pooling were chosen so
// that one training epoch on TESS's size (2240 + 560 clips, batch 64, 2 threads, the
// deterministic kernels) stays under 3 s on a 2-core machine; measured with `study-bench nn`
// and STUDY_BENCH_NN_MODEL=tcn (NeuralNetBench.swift): about 0.8 s on 2 threads, 1.5 s on 1.

public enum TemporalCNN {
    public static let architecture = "temporal-cnn-v1"

    /// Channels of every conv block, pool size (= stride) after each.
    public static let widths = [64, 64, 64, 64]
    public static let pool = 2
    public static let dropout: Float = 0.2

    /// The layers: 4 × [Conv1D(64, 5, relu) → MaxPool1D(2, 2)] → GAP → Dropout(0.2) → Dense(softmax).
    public static func specs(classes: Int = 7) -> [LayerSpec] {
        specs(classes: classes, widths: widths, pool: pool, dropout: dropout)
    }

    /// The same design with other widths (one block per width), pool size (= stride) and
    /// dropout before the head (0: no Dropout layer); the tests train tiny ones.
    public static func specs(classes: Int, widths: [Int], pool: Int, dropout: Float) -> [LayerSpec] {
        precondition(!widths.isEmpty && pool >= 1, "TemporalCNN: needs at least one block and a pool of at least 1")
        var s: [LayerSpec] = []
        for w in widths {
            s.append(.conv1D(filters: w, kernelSize: 5, activation: .relu))
            s.append(.maxPool1D(poolSize: pool, stride: pool))
        }
        s.append(.globalAveragePool1D)
        if dropout > 0 { s.append(.dropout(rate: dropout)) }
        s.append(.dense(units: classes, activation: .softmax))
        return s
    }

    /// The model with input (frames, bands), glorot_uniform kernels from `seed`, zero biases.
    public static func make(frames: Int = 301, bands: Int = 64, classes: Int = 7, seed: UInt64) -> Sequential {
        Sequential(inputShape: [frames, bands], specs: specs(classes: classes), seed: seed)
    }
}
