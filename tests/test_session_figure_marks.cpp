// The perplexity figures' training-length line is drawn only inside the x range of the data
// (a 128-token evaluation of a model trained on 8192 tokens kept its curves in the left 2 % of
// the plot), and legends shorten long configuration names while the series keep them whole.
#include <doctest/doctest.h>

#include <cmath>

#include "core/io/figure_spec.hpp"
#include "core/session/figures.hpp"

namespace {

bool has_train_line(const xl::FigureSpec& f) {
    for (const xl::Marker& m : f.markers)
        if (m.kind == xl::MarkerKind::Vertical && m.label.rfind("train ", 0) == 0) return true;
    return false;
}

xl::Results results(int eval_length, int train_length, std::vector<int> lengths) {
    xl::Results r;
    r.eval_length = eval_length;
    r.train_length = train_length;
    r.lengths = std::move(lengths);
    xl::ConfigResult a;
    a.label = 'A';
    a.method = "longrope:long=" + std::string(90, '1') + ",s=4";
    a.position_loss.assign(size_t(eval_length), 2.0);
    a.ppl.assign(r.lengths.size(), 7.0);
    r.configs = {a};
    return r;
}

}  // namespace

TEST_CASE("session figures: the training-length line only inside the evaluated range") {
    const xl::Results short_eval = results(128, 8192, {64, 128});
    CHECK_FALSE(has_train_line(xl::figure_position_loss(short_eval, 1)));
    CHECK_FALSE(has_train_line(xl::figure_ppl_vs_length(short_eval)));
    const xl::Results long_eval = results(2048, 512, {256, 512, 1024, 2048});
    CHECK(has_train_line(xl::figure_position_loss(long_eval, 1)));
    CHECK(has_train_line(xl::figure_ppl_vs_length(long_eval)));
    CHECK(has_train_line(xl::figure_position_loss(results(512, 512, {512}), 1)));
}

TEST_CASE("session figures: legends shorten long configuration names, series keep them") {
    const xl::FigureSpec f = xl::figure_ppl_vs_length(results(128, 8192, {64, 128}));
    REQUIRE(f.series.size() == 1);
    const std::string& name = f.series[0].name;
    CHECK(name.size() > xl::kLegendChars);
    const std::string shown = xl::legend_label(name);
    CHECK(shown.size() == xl::kLegendChars);
    CHECK(shown.substr(shown.size() - 3) == "...");
    CHECK(name.rfind(shown.substr(0, shown.size() - 3), 0) == 0);
    CHECK(xl::legend_label("A: none") == "A: none");
    // A cut never splits a UTF-8 sequence (θ is two bytes).
    const std::string greek = std::string(52, 'x') + "θθθθθθ";
    const std::string cut = xl::legend_label(greek);
    CHECK(cut.size() <= xl::kLegendChars);
    CHECK((static_cast<unsigned char>(cut[cut.size() - 4]) & 0xC0) != 0xC0);  // no lead byte left dangling
}
