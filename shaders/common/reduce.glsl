// Workgroup reductions through shared memory (tree of halves). WG must be a power of two and
// equal to local_size_x; every invocation of the group must call these (they contain barriers).
shared float xl_reduce[WG];

float group_sum(float v) {
    const uint l = gl_LocalInvocationID.x;
    xl_reduce[l] = v;
    barrier();
    for (uint s = WG / 2u; s > 0u; s >>= 1u) {
        if (l < s) xl_reduce[l] += xl_reduce[l + s];
        barrier();
    }
    const float r = xl_reduce[0];
    barrier();
    return r;
}

float group_max(float v) {
    const uint l = gl_LocalInvocationID.x;
    xl_reduce[l] = v;
    barrier();
    for (uint s = WG / 2u; s > 0u; s >>= 1u) {
        if (l < s) xl_reduce[l] = max(xl_reduce[l], xl_reduce[l + s]);
        barrier();
    }
    const float r = xl_reduce[0];
    barrier();
    return r;
}
