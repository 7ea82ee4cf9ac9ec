// SiLU (swish): x · sigmoid(x); the gate of SwiGLU and the plain SiLU MLP.
float silu(float x) { return x / (1.0 + exp(-x)); }
