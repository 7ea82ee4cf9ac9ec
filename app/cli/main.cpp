#include <cstdio>
int main() { std::puts("extrapolab: command line under construction"); return 0; }
