#include "core/io/font.hpp"

#include <stb/stb_truetype.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>

namespace xl {
// The stroke fallback lives in font_builtin.cpp (stb_easy_font's functions are static).
double builtin_text_width(const std::string& ascii, double em_px);
GlyphMask builtin_render(const std::string& ascii, double em_px);

std::vector<uint32_t> decode_utf8(const std::string& s) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = s[i];
        int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (n < 0 || i + n >= s.size() + (n == 0 ? 1 : 0)) { out.push_back(0xFFFD); ++i; continue; }
        uint32_t cp = n == 0 ? c : (c & (0x3F >> n));
        bool ok = true;
        for (int k = 1; k <= n; ++k) {
            const unsigned char d = s[i + k];
            if ((d >> 6) != 2) { ok = false; break; }
            cp = (cp << 6) | (d & 0x3F);
        }
        out.push_back(ok ? cp : 0xFFFD);
        i += ok ? n + 1 : 1;
    }
    return out;
}

namespace {

std::string ascii_only(const std::string& s) {
    std::string out;
    for (uint32_t cp : decode_utf8(s)) out.push_back(cp < 0x80 ? char(cp) : '?');
    return out;
}

std::vector<std::string> candidate_files(const std::string& family, bool bold) {
    std::string stem = "DejaVuSans";
    if (family == "DejaVu Serif") stem = "DejaVuSerif";
    else if (family == "DejaVu Sans Mono") stem = "DejaVuSansMono";
    if (bold) stem += "-Bold";
    std::vector<std::string> out;
#ifdef XL_ASSETS_FONT_DIR
    out.push_back(std::string(XL_ASSETS_FONT_DIR) + "/" + stem + ".ttf");
#endif
    out.push_back("assets/fonts/" + stem + ".ttf");
    out.push_back("/usr/share/fonts/truetype/dejavu/" + stem + ".ttf");
    return out;
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

std::shared_ptr<const FontFace> FontFace::get(const std::string& family, bool bold) {
    static std::mutex mutex;  // guards the cache of immutable faces below
    static std::map<std::string, std::shared_ptr<const FontFace>> cache;
    const std::string key = family + (bold ? "|b" : "|r");
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    auto face = std::make_shared<FontFace>();
    for (const std::string& path : candidate_files(family, bold)) {
        std::vector<uint8_t> data = read_file(path);
        if (data.empty()) continue;
        auto info = std::make_shared<stbtt_fontinfo>();
        face->ttf_ = std::move(data);
        if (stbtt_InitFont(info.get(), face->ttf_.data(), stbtt_GetFontOffsetForIndex(face->ttf_.data(), 0))) {
            face->file_ = path;
            face->info_ = info;
            break;
        }
        face->ttf_.clear();
    }
    cache[key] = face;
    return face;
}

double FontFace::text_width(const std::string& utf8, double em_px) const {
    if (!truetype()) return builtin_text_width(ascii_only(utf8), em_px);
    auto* info = static_cast<const stbtt_fontinfo*>(info_.get());
    const float scale = stbtt_ScaleForMappingEmToPixels(info, float(em_px));
    const std::vector<uint32_t> cps = decode_utf8(utf8);
    double w = 0;
    for (size_t i = 0; i < cps.size(); ++i) {
        int adv = 0, lsb = 0;
        stbtt_GetCodepointHMetrics(info, int(cps[i]), &adv, &lsb);
        w += adv * scale;
        if (i + 1 < cps.size()) w += scale * stbtt_GetCodepointKernAdvance(info, int(cps[i]), int(cps[i + 1]));
    }
    return w;
}

double FontFace::ascent(double em_px) const {
    if (!truetype()) return 0.75 * em_px;
    auto* info = static_cast<const stbtt_fontinfo*>(info_.get());
    int a = 0, d = 0, g = 0;
    stbtt_GetFontVMetrics(info, &a, &d, &g);
    return a * stbtt_ScaleForMappingEmToPixels(info, float(em_px));
}

double FontFace::descent(double em_px) const {
    if (!truetype()) return 0.25 * em_px;
    auto* info = static_cast<const stbtt_fontinfo*>(info_.get());
    int a = 0, d = 0, g = 0;
    stbtt_GetFontVMetrics(info, &a, &d, &g);
    return -d * stbtt_ScaleForMappingEmToPixels(info, float(em_px));
}

GlyphMask FontFace::render(const std::string& utf8, double em_px) const {
    if (!truetype()) return builtin_render(ascii_only(utf8), em_px);
    auto* info = static_cast<const stbtt_fontinfo*>(info_.get());
    const float scale = stbtt_ScaleForMappingEmToPixels(info, float(em_px));
    GlyphMask m;
    m.origin_x = 2;
    m.baseline = int(std::ceil(ascent(em_px))) + 1;
    m.width = int(std::ceil(text_width(utf8, em_px))) + 6;
    m.height = m.baseline + int(std::ceil(descent(em_px))) + 2;
    m.coverage.assign(size_t(m.width) * m.height, 0);
    const std::vector<uint32_t> cps = decode_utf8(utf8);
    double pen = m.origin_x;
    std::vector<uint8_t> glyph;
    for (size_t i = 0; i < cps.size(); ++i) {
        const int cp = int(cps[i]);
        const float shift = float(pen - std::floor(pen));
        int x0, y0, x1, y1;
        stbtt_GetCodepointBitmapBoxSubpixel(info, cp, scale, scale, shift, 0, &x0, &y0, &x1, &y1);
        const int gw = x1 - x0, gh = y1 - y0;
        if (gw > 0 && gh > 0) {
            glyph.assign(size_t(gw) * gh, 0);
            stbtt_MakeCodepointBitmapSubpixel(info, glyph.data(), gw, gh, gw, scale, scale, shift, 0, cp);
            for (int y = 0; y < gh; ++y)
                for (int x = 0; x < gw; ++x) {
                    const int tx = int(std::floor(pen)) + x0 + x, ty = m.baseline + y0 + y;
                    if (tx < 0 || ty < 0 || tx >= m.width || ty >= m.height) continue;
                    uint8_t& dst = m.coverage[size_t(ty) * m.width + tx];
                    dst = uint8_t(std::min(255, dst + glyph[size_t(y) * gw + x]));
                }
        }
        int adv = 0, lsb = 0;
        stbtt_GetCodepointHMetrics(info, cp, &adv, &lsb);
        pen += adv * scale;
        if (i + 1 < cps.size()) pen += scale * stbtt_GetCodepointKernAdvance(info, cp, int(cps[i + 1]));
    }
    return m;
}

}  // namespace xl
