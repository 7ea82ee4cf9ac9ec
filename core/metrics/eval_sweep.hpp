// An eval sweep: perplexity for every (method spec × window length) on one token stream, with one
// Forward backend and one protocol. The result is an immutable table that names everything a
// number depends on (model, text, protocol, method spec and convention, device).
//
//   EvalSweep sweep{specs, {256, 512, 1024}, parse_protocol("all"), /*max_windows*/ 0};
//   check_eval_sweep(sweep, gpu, stream);              // errors before any work
//   EvalTable t = run_eval_sweep(sweep, gpu, config, stream, info);
//   for (const EvalRow& row : t.rows()) row.ppl ...
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/metrics/protocol.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/posenc/method.hpp"

namespace xl {

struct EvalSweep {
    std::vector<MethodSpec> methods;
    std::vector<int> lengths;        // window lengths L, tokens
    Protocol protocol;
    int max_windows = 0;             // 0 = every window the protocol defines
};

// What the numbers were measured on (printed by every output format).
struct EvalInfo {
    std::string model;               // model path
    std::string model_name;          // config.name
    std::string model_format;        // config.format
    int train_context = 0;           // training length used by the methods
    std::string text;                // text path
    int64_t text_tokens = 0;
    int text_documents = 0;
    std::string separator;           // how documents were split
    std::string encoding;            // how each document became tokens (TokenStream::encoding)
    std::string tokenizer;           // tokenizer kind
    std::string device;              // Forward::device_name()
};

struct EvalRow {
    std::string method;              // canonical spec as given
    std::string resolved;            // plan.method: the spec with every default filled in (at L)
    std::string convention;          // plan.convention ("" when the method has none)
    std::string protocol;            // canonical protocol name
    int length = 0;
    double ppl = 0, mean_nll = 0, ppl_stderr = 0;
    int64_t tokens_scored = 0;
    int windows = 0;
    double seconds = 0;              // forward time of this row
    std::vector<double> position_loss;     // mean NLL per window position (NaN where unscored)
};

// Immutable once built (DESIGN.md #7: results are immutable).
class EvalTable {
public:
    EvalTable(EvalInfo info, std::string protocol_name, std::string protocol_description,
              std::vector<EvalRow> rows)
        : info_(std::move(info)), protocol_(std::move(protocol_name)),
          protocol_description_(std::move(protocol_description)), rows_(std::move(rows)) {}
    const EvalInfo& info() const { return info_; }
    const std::string& protocol() const { return protocol_; }
    const std::string& protocol_description() const { return protocol_description_; }
    const std::vector<EvalRow>& rows() const { return rows_; }

private:
    EvalInfo info_;
    std::string protocol_, protocol_description_;
    std::vector<EvalRow> rows_;
};

// Validates before running: lengths >= 2; every length <= forward.max_tokens()
// (Error OutOfMemory naming the length and the device); every length fits the text
// (Error BadArgument naming the text and its token count); at least one method.
void check_eval_sweep(const EvalSweep& sweep, const Forward& forward, const TokenStream& stream);

// Progress: (row index, rows total, window done, windows total) — for stderr / a progress bar.
using SweepProgress = std::function<void(int row, int rows, int window, int windows)>;

// The sweep's cells, method-major: cell c = methods[c / lengths] at lengths[c % lengths]. This is
// the row order of every output and the numbering shards use (core/metrics/sweep_shard.hpp).
inline int eval_cell_count(const EvalSweep& s) { return int(s.methods.size() * s.lengths.size()); }
// One cell (checked beforehand with check_eval_sweep); progress reports it as row `cell`.
EvalRow run_eval_cell(const EvalSweep& sweep, int cell, Forward& forward, const ModelConfig& config,
                      const TokenStream& stream, const SweepProgress& progress = {});

// Rows are ordered method-major (all lengths of the first method, then the next).
EvalTable run_eval_sweep(const EvalSweep& sweep, Forward& forward, const ModelConfig& config,
                         const TokenStream& stream, EvalInfo info, const SweepProgress& progress = {});

}  // namespace xl
