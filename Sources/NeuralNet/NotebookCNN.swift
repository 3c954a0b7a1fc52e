// The notebook's model, layer for layer (see ../shared/GUIDE.md and keras-golden.md):
// Conv1D(256,5,same,relu) → MaxPool1D(5,2,same) → Conv1D(256) → pool → Conv1D(128) → pool →
// Dropout(.2) → Conv1D(64) → pool → Dropout(.2) → Conv1D(64) → pool → Flatten → Dense(32,relu) →
// Dropout(.3) → Dense(7, softmax). 559,367 parameters for 40 inputs and 7 classes.

public enum NotebookCNN {
    public static let architecture = "notebook-cnn-v1"

    public static func specs(classes: Int = 7) -> [LayerSpec] {
        [
            .conv1D(filters: 256, kernelSize: 5, activation: .relu),
            .maxPool1D(poolSize: 5, stride: 2),
            .conv1D(filters: 256, kernelSize: 5, activation: .relu),
            .maxPool1D(poolSize: 5, stride: 2),
            .conv1D(filters: 128, kernelSize: 5, activation: .relu),
            .maxPool1D(poolSize: 5, stride: 2),
            .dropout(rate: 0.2),
            .conv1D(filters: 64, kernelSize: 5, activation: .relu),
            .maxPool1D(poolSize: 5, stride: 2),
            .dropout(rate: 0.2),
            .conv1D(filters: 64, kernelSize: 5, activation: .relu),
            .maxPool1D(poolSize: 5, stride: 2),
            .flatten,
            .dense(units: 32, activation: .relu),
            .dropout(rate: 0.3),
            .dense(units: classes, activation: .softmax),
        ]
    }

    /// The model with input (inputLength, 1), glorot_uniform kernels from `seed`, zero biases.
    public static func make(inputLength: Int = 40, classes: Int = 7, seed: UInt64) -> Sequential {
        Sequential(inputShape: [inputLength, 1], specs: specs(classes: classes), seed: seed)
    }
}
