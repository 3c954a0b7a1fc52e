"""TensorFlow/Keras epoch time of the notebook's CNN, to set beside `study-bench nn`.

The notebook's model and training step exactly (../shared/reference/keras-golden.md, GUIDE.md):
Conv1D(256,5,same,relu) -> MaxPooling1D(5,2,same) -> Conv1D(256) -> pool -> Conv1D(128) -> pool
-> Dropout(.2) -> Conv1D(64) -> pool -> Dropout(.2) -> Conv1D(64) -> pool -> Flatten ->
Dense(32,relu) -> Dropout(.3) -> Dense(7,softmax); Adam defaults, categorical cross-entropy,
accuracy, batch 64. Data as `study-bench nn`: 2240 training + 560 validation random vectors of
40 raw-MFCC-like features (c0 in [-600, -300], the others in [-50, 50]), random labels.
TensorFlow limited to `--threads` intra- and inter-op threads (2 = the study's default).

An epoch's time is `fit`'s (training batches plus the validation pass), from a Keras callback;
epoch 1 (graph tracing) is a warm-up and not counted. Prints each epoch, then mean and best.

    pip install tensorflow-cpu   # 2.21 was measured
    python tools/keras_epoch_bench.py --epochs 6 --threads 2
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=6, help="epochs in all (the first is a warm-up)")
    ap.add_argument("--threads", type=int, default=2, help="TensorFlow intra- and inter-op threads")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    import numpy as np
    import tensorflow as tf
    import keras
    from keras import layers

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)

    n_train, n_val, features, classes = 2240, 560, 40, 7
    rng = np.random.default_rng(2024)

    def samples(n):
        x = rng.uniform(-50, 50, size=(n, features, 1)).astype(np.float32)
        x[:, 0, 0] = rng.uniform(-600, -300, size=n)
        y = keras.utils.to_categorical(rng.integers(0, classes, size=n), classes)
        return x, y

    x, y = samples(n_train)
    xv, yv = samples(n_val)

    model = keras.Sequential([
        keras.Input(shape=(features, 1)),
        layers.Conv1D(256, 5, strides=1, padding="same", activation="relu"),
        layers.MaxPooling1D(pool_size=5, strides=2, padding="same"),
        layers.Conv1D(256, 5, strides=1, padding="same", activation="relu"),
        layers.MaxPooling1D(pool_size=5, strides=2, padding="same"),
        layers.Conv1D(128, 5, strides=1, padding="same", activation="relu"),
        layers.MaxPooling1D(pool_size=5, strides=2, padding="same"),
        layers.Dropout(0.2),
        layers.Conv1D(64, 5, strides=1, padding="same", activation="relu"),
        layers.MaxPooling1D(pool_size=5, strides=2, padding="same"),
        layers.Dropout(0.2),
        layers.Conv1D(64, 5, strides=1, padding="same", activation="relu"),
        layers.MaxPooling1D(pool_size=5, strides=2, padding="same"),
        layers.Flatten(),
        layers.Dense(32, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(classes, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    assert model.count_params() == 559367, model.count_params()

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.t0)

    timer = Timer()
    model.fit(x, y, batch_size=64, epochs=args.epochs, validation_data=(xv, yv), callbacks=[timer], verbose=0)
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}; {args.threads} threads; "
          f"{n_train} + {n_val} samples x {features} features, batch 64")
    for i, s in enumerate(timer.seconds):
        print(f"  epoch {i + 1}: {s:.3f} s" + ("  (warm-up)" if i == 0 else ""))
    timed = timer.seconds[1:]
    print(f"TensorFlow: {sum(timed) / len(timed):.3f} s/epoch mean, {min(timed):.3f} best "
          f"({len(timed)} epochs after a {timer.seconds[0]:.3f} s warm-up)")


if __name__ == "__main__":
    main()
