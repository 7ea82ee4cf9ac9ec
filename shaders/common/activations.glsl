// SiLU (swish): x · sigmoid(x); the gate of SwiGLU and the plain SiLU MLP.
float silu(float x) { return x / (1.0 + exp(-x)); }
// GELU, tanh approximation (Gemma): x/2 · (1 + tanh(u)) = x · sigmoid(2u), u = √(2/π)(x + 0.044715x³);
// the sigmoid form stays finite where tanh's exp would overflow.
float gelu_tanh(float x) {
    const float u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
    return x / (1.0 + exp(-2.0 * u));
}
