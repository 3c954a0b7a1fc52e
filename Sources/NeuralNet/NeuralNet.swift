// NeuralNet module.
import COpenBLAS
