// Fonts for figure text: a TrueType face read with stb_truetype (the DejaVu families of Debian's
// fonts-dejavu-core, or assets/fonts/), else a built-in stroke font (stb_easy_font, ASCII only) so
// that exports never fail for want of a font file. Faces are cached process-wide (read-only data).
//
//   auto f = FontFace::get("DejaVu Sans");
//   double w = f->text_width("Perplexity", 33.3);          // pixels at a 33.3 px em
//   GlyphMask m = f->render("Perplexity", 33.3);            // coverage mask + baseline
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace xl {

struct GlyphMask {
    int width = 0, height = 0;
    int baseline = 0;             // row of the baseline inside the mask
    int origin_x = 0;             // column of the pen's start inside the mask
    std::vector<uint8_t> coverage;  // width*height, 0..255
};

class FontFace {
public:
    // family: "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono" (anything else: DejaVu Sans).
    static std::shared_ptr<const FontFace> get(const std::string& family, bool bold = false);

    double text_width(const std::string& utf8, double em_px) const;
    double ascent(double em_px) const;    // above the baseline, positive
    double descent(double em_px) const;   // below the baseline, positive
    GlyphMask render(const std::string& utf8, double em_px) const;
    bool truetype() const { return !ttf_.empty(); }
    const std::string& file() const { return file_; }

    FontFace() = default;

private:
    std::string file_;            // empty for the built-in font
    std::vector<uint8_t> ttf_;    // file contents
    std::shared_ptr<void> info_;  // stbtt_fontinfo
};

std::vector<uint32_t> decode_utf8(const std::string& s);  // invalid bytes -> U+FFFD

}  // namespace xl
