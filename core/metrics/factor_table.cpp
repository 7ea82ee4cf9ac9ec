// Runs the factor table: one eval sweep per factor over the catalogue at that factor.
#include "core/metrics/factor_table.hpp"

#include "core/posenc/catalogue.hpp"

namespace xl {

FactorTable run_factor_table(const std::vector<double>& factors, Forward& forward, const ModelConfig& config,
                             const TokenStream& stream, const Protocol& protocol, int max_windows, EvalInfo info,
                             const SweepProgress& progress) {
    FactorTable t;
    t.protocol = protocol.name();
    t.protocol_description = protocol.description();
    t.max_windows = max_windows;
    t.factors = factors;
    std::vector<std::vector<CatalogueEntry>> catalogues;
    std::vector<EvalSweep> sweeps;
    for (double f : factors) {  // everything checked before the first forward pass
        const int L = catalogue_length(config, f);
        catalogues.push_back(method_catalogue(config, f));
        EvalSweep sweep{{}, {L}, protocol, max_windows};
        for (const CatalogueEntry& e : catalogues.back())
            if (e.skipped.empty()) {
                sweep.methods.push_back(e.method);
                (void)make_plan(e.method, config, L);
            }
        check_eval_sweep(sweep, forward, stream);
        t.lengths.push_back(L);
        sweeps.push_back(std::move(sweep));
    }
    const int rows_total = int(sweeps.empty() ? 0 : sweeps.front().methods.size() * sweeps.size());
    for (const CatalogueEntry& e : catalogues.front()) t.rows.push_back({e.label, e.note, e.skipped, {}});
    for (size_t k = 0; k < sweeps.size(); ++k) {
        const int offset = int(k * sweeps[k].methods.size());
        auto on_row = [&](int row, int, int window, int windows) {
            if (progress) progress(offset + row, rows_total, window, windows);
        };
        const EvalTable et = run_eval_sweep(sweeps[k], forward, config, stream, info, on_row);
        size_t next = 0;
        for (size_t r = 0; r < catalogues[k].size(); ++r)
            if (catalogues[k][r].skipped.empty())
                t.rows[r].cells.push_back({catalogues[k][r].spec, et.rows()[next++]});
    }
    t.info = std::move(info);
    return t;
}

}  // namespace xl
