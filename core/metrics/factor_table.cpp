// Runs the factor table: every catalogue method at every factor, one eval cell each.
#include "core/metrics/factor_table.hpp"

#include "core/posenc/catalogue.hpp"

namespace xl {

FactorTablePlan plan_factor_table(const std::vector<double>& factors, const Forward& forward,
                                  const ModelConfig& config, const TokenStream& stream, const Protocol& protocol,
                                  int max_windows) {
    FactorTablePlan p{{}, protocol, {}};
    FactorTable& t = p.skeleton;
    t.protocol = protocol.name();
    t.protocol_description = protocol.description();
    t.max_windows = max_windows;
    t.factors = factors;
    for (size_t k = 0; k < factors.size(); ++k) {  // everything checked before the first forward pass
        const int L = catalogue_length(config, factors[k]);
        const std::vector<CatalogueEntry> catalogue = method_catalogue(config, factors[k]);
        if (k == 0)
            for (const CatalogueEntry& e : catalogue) t.rows.push_back({e.label, e.note, e.skipped, {}});
        EvalSweep sweep{{}, {L}, protocol, max_windows};
        for (size_t r = 0; r < catalogue.size(); ++r)
            if (catalogue[r].skipped.empty()) {
                sweep.methods.push_back(catalogue[r].method);
                (void)make_plan(catalogue[r].method, config, L);
                p.cells.push_back({int(k), int(r), catalogue[r].spec, catalogue[r].method});
            }
        check_eval_sweep(sweep, forward, stream);
        t.lengths.push_back(L);
    }
    return p;
}

EvalRow run_factor_cell(const FactorTablePlan& plan, int cell, Forward& forward, const ModelConfig& config,
                        const TokenStream& stream, const SweepProgress& progress) {
    const FactorCellPlan& c = plan.cells.at(size_t(cell));
    const EvalSweep one{{c.method}, {plan.skeleton.lengths[size_t(c.factor)]}, plan.protocol, plan.skeleton.max_windows};
    const int total = int(plan.cells.size());
    auto on_window = [&](int, int, int window, int windows) {
        if (progress) progress(cell, total, window, windows);
    };
    return run_eval_cell(one, 0, forward, config, stream, on_window);
}

FactorTable assemble_factor_table(FactorTable t, EvalInfo info, std::vector<FactorCellResult> cells) {
    for (FactorRow& r : t.rows) r.cells.clear();
    for (FactorCellResult& c : cells) t.rows.at(size_t(c.row)).cells.push_back({c.spec, std::move(c.result)});
    t.info = std::move(info);
    return t;
}

FactorTable run_factor_table(const std::vector<double>& factors, Forward& forward, const ModelConfig& config,
                             const TokenStream& stream, const Protocol& protocol, int max_windows, EvalInfo info,
                             const SweepProgress& progress) {
    const FactorTablePlan plan = plan_factor_table(factors, forward, config, stream, protocol, max_windows);
    std::vector<FactorCellResult> cells;
    for (int c = 0; c < int(plan.cells.size()); ++c)
        cells.push_back({plan.cells[size_t(c)].row, plan.cells[size_t(c)].spec,
                         run_factor_cell(plan, c, forward, config, stream, progress)});
    return assemble_factor_table(plan.skeleton, std::move(info), std::move(cells));
}

}  // namespace xl
