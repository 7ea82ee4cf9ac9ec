// `extrapolab nbce`: NBCE (core/metrics/nbce.hpp) on long text. Each sample's long context is split
// into chunks the model can read, the chunks' next-token distributions are combined, and the loss on
// the continuation is compared with the plain model reading the whole context at the same length
// (under --method), the plain model with the context truncated to its training length, and no context.
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "app/cli/commands.hpp"
#include "app/cli/eval_inputs.hpp"
#include "core/error.hpp"
#include "core/io/csv_writer.hpp"
#include "core/metrics/eval_report.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/nbce_baseline.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method_args.hpp"

namespace xl::cli {

namespace {

struct NbceCliOptions {
    EvalInputOptions in;
    std::string method = "none", pooling = "min-entropy", format = "table", out;
    int context = 0, continuation = 32, samples = 4;
    double beta = 0.25;
};

struct Line {
    std::string name;
    NllStats stats;
};

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6f", v);
    return std::isfinite(v) ? b : "nan";
}

std::string protocol_description(const NbceEvalOptions& eo, const NbceEvalResult& r) {
    std::ostringstream s;
    s << r.samples << " non-overlapping samples of " << eo.context_len << " context + " << eo.continuation_len
      << " continuation tokens; NBCE reads the context in " << r.chunks << " chunks of <= " << r.chunk_len
      << " tokens (each + the continuation), beta " << format_number(eo.nbce.beta) << ", " << to_string(eo.nbce.pooling)
      << " pooling; the continuation tokens are scored";
    return s.str();
}

std::string format_output(const std::string& format, const EvalInfo& ei, const std::string& description,
                          const std::vector<Line>& lines) {
    std::ostringstream s;
    if (format == "json") {
        nlohmann::json j;
        j["tool"] = "extrapolab nbce";
        j["model"] = {{"path", ei.model}, {"name", ei.model_name}, {"train_context", ei.train_context}};
        j["text"] = {{"path", ei.text}, {"tokens", ei.text_tokens}, {"encoding", ei.encoding}};
        j["protocol"] = {{"name", "nbce"}, {"description", description}};
        j["device"] = ei.device;
        for (const Line& l : lines)
            j["results"].push_back({{"scoring", l.name}, {"mean_nll", l.stats.mean()}, {"ppl", l.stats.ppl()},
                                    {"tokens_scored", l.stats.count}});
        return json_text(j);
    }
    const bool csv = format == "csv";
    s << (csv ? "# extrapolab nbce\n" : "") << eval_header_lines(ei, "nbce", description, csv ? "# " : "");
    s << (csv ? "scoring,mean_nll,ppl,tokens_scored\n" : "\nscoring                                   mean_nll   perplexity  tokens\n");
    for (const Line& l : lines) {
        char b[256];
        if (csv) std::snprintf(b, sizeof b, "%s,%s,%s,%lld\n", csv_field(l.name).c_str(), num(l.stats.mean()).c_str(),
                               num(l.stats.ppl()).c_str(), (long long)l.stats.count);
        else std::snprintf(b, sizeof b, "%-40s %9s %12s %7lld\n", l.name.c_str(), num(l.stats.mean()).c_str(),
                           num(l.stats.ppl()).c_str(), (long long)l.stats.count);
        s << b;
    }
    return s.str();
}

int run_nbce(const NbceCliOptions& o) {
    if (o.continuation < 2)
        throw Error(ErrorKind::BadArgument, "--continuation " + std::to_string(o.continuation), "must be >= 2");
    if (o.context < 0) throw Error(ErrorKind::BadArgument, "--context " + std::to_string(o.context), "must be >= 0");
    if (o.samples < 0) throw Error(ErrorKind::BadArgument, "--samples " + std::to_string(o.samples), "must be >= 0");
    if (!(o.beta >= 0)) throw Error(ErrorKind::BadArgument, "--beta " + format_number(o.beta), "must be >= 0");
    const MethodSpec method = parse_method_spec(o.method);

    const EvalInputs in = load_eval_inputs(o.in);
    const ModelConfig& c = in.lm.model.config;
    NbceEvalOptions eo;
    eo.train_ctx = c.train_context_length;
    eo.continuation_len = o.continuation;
    eo.context_len = o.context > 0 ? o.context : 4 * c.train_context_length - o.continuation;
    eo.max_samples = o.samples;
    eo.nbce.beta = o.beta;
    eo.nbce.pooling = o.pooling == "average" ? NbcePooling::Average : NbcePooling::MinEntropy;
    eo.nbce.bos = in.lm.model.tokenizer->bos();
    const int full_len = eo.context_len + eo.continuation_len + (eo.nbce.bos >= 0 ? 1 : 0);
    (void)make_plan(method, c, full_len);  // a spec the model cannot use fails before any forward pass

    const MethodSpec none = parse_method_spec("none");
    const PlanBuilder plain = [&](int n) { return make_plan(none, c, n); };
    const LogitsSource logits = o.in.cpu ? reference_logits(in.lm.model) : forward_logits(*in.forward);
    info("nbce: context " + std::to_string(eo.context_len) + " + continuation " + std::to_string(eo.continuation_len) +
         " tokens per sample");
    const NbceEvalResult r = evaluate_nbce(logits, in.stream.tokens, eo, plain);
    info("full context: " + std::to_string(full_len) + " tokens per forward pass, method " + method.canonical());
    const NllStats full =
        score_full_context(*in.forward, in.stream.tokens, eo, [&](int n) { return make_plan(method, c, n); });

    const std::vector<Line> lines = {
        {"nbce (" + std::to_string(r.chunks) + " chunks)", r.nbce},
        {"plain, full context L=" + std::to_string(full_len) + " (" + method.canonical() + ")", full},
        {"plain, context truncated to L=" + std::to_string(c.train_context_length), r.truncated},
        {"plain, no context", r.no_context}};
    emit_output(format_output(o.format, eval_info(in), protocol_description(eo, r), lines), o.out);
    return 0;
}

}  // namespace

Command add_nbce_command(CLI::App& root) {
    auto o = std::make_shared<NbceCliOptions>();
    CLI::App* app = root.add_subcommand("nbce", "NBCE loss on long text vs the plain model at the same length");
    add_eval_input_options(app, o->in);
    app->add_option("--context", o->context, "context tokens per sample (0 = 4 x training length - continuation)");
    app->add_option("--continuation", o->continuation, "scored continuation tokens per sample")->capture_default_str();
    app->add_option("--samples", o->samples, "samples (0 = every sample of the text)")->capture_default_str();
    app->add_option("--beta", o->beta, "NBCE weight of the prior subtraction")->capture_default_str();
    app->add_option("--pooling", o->pooling, "how chunk distributions are pooled")
        ->capture_default_str()
        ->check(CLI::IsMember({"min-entropy", "average"}));
    app->add_option("--method", o->method, "position method of the plain full-context baseline")->capture_default_str();
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    return {app, [o] { return run_nbce(*o); }};
}

}  // namespace xl::cli
