// Flat index of the workgroup when a large 1-D range is dispatched as a 2-D grid
// (x at most 65535 groups, see core/forward/gpu_ops.cpp split_groups).
uint flat_group() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
