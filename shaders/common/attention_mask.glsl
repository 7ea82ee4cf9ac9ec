// The visibility rule of a PositionPlan (core/posenc/position_plan.hpp):
//   visible(i,j) = j <= i && (window == 0 || i - j < window || j < sinks)
// Sliding windows (Mistral-style) and attention sinks (StreamingLLM, position-methods.md §15).
bool visible(uint i, uint j, uint window, uint sinks) {
    return j <= i && (window == 0u || i - j < window || j < sinks);
}
