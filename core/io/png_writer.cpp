#include "core/io/png_writer.hpp"

#include <stb/stb_image_write.h>

#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/io/raster.hpp"

namespace xl {
namespace {

uint32_t crc32(const std::string& bytes) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

void put_u32(std::string& s, uint32_t v) {
    s += char(v >> 24); s += char(v >> 16); s += char(v >> 8); s += char(v);
}

}  // namespace

std::string encode_png(const std::vector<uint8_t>& rgba, int width, int height, double dpi) {
    std::string out;
    auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size_t(size)); };
    if (!stbi_write_png_to_func(append, &out, width, height, 4, rgba.data(), width * 4))
        throw Error(ErrorKind::OutOfMemory, "", "PNG encoding failed");
    if (dpi > 0 && out.size() > 33) {
        // pHYs: pixels per metre in x and y, unit 1 (metre); inserted after the 8-byte signature + IHDR.
        const uint32_t ppm = uint32_t(std::lround(dpi / 0.0254));
        std::string body = "pHYs";
        put_u32(body, ppm);
        put_u32(body, ppm);
        body += char(1);
        std::string chunk;
        put_u32(chunk, 9);
        chunk += body;
        put_u32(chunk, crc32(body));
        out.insert(33, chunk);
    }
    return out;
}

void write_png(const FigureSpec& f, const std::string& path, double scale) {
    const double dpi = f.dpi * scale;
    const Canvas c = rasterize(layout_figure(f), dpi / 72.0);
    write_file_atomic(path, encode_png(c.rgba8(), c.width(), c.height(), dpi));
}

void write_png_image(const std::string& path, const std::vector<uint8_t>& rgba, int width, int height) {
    write_file_atomic(path, encode_png(rgba, width, height));
}

}  // namespace xl
