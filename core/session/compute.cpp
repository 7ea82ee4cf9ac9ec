#include "core/session/compute.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.hpp"
#include "core/metrics/compare.hpp"
#include "core/metrics/perplexity.hpp"
#include "core/metrics/protocol.hpp"
#include "core/posenc/method.hpp"
#include "core/session/attention_stats.hpp"
#include "core/session/compute_run.hpp"
#include "core/session/replay_forward.hpp"

namespace xl {

using namespace compute_detail;

namespace {


void stage_forward(Run& run, ConfigResult& c, const MethodSpec& spec) {
    const ModelConfig& cfg = run.engine.model().config;
    const int n = run.r.eval_length;
    c.plan = make_plan(spec, cfg, n);
    c.convention = c.plan.convention;
    const int rope_dim = cfg.rope_dim > 0 ? cfg.rope_dim : cfg.head_dim;
    if (cfg.position == PositionSignal::RoPE && c.plan.per_kind.empty())
        c.rope = rope_table(spec, rope_dim, cfg.rope_base, run.r.train_length, n);
    if (!c.plan.per_kind.empty()) {  // one table per layer kind, at its own base
        const std::vector<LayerKind> kinds = layer_kinds_of(cfg);
        for (size_t k = 0; k < kinds.size(); ++k)
            if (kinds[k].position == PositionSignal::RoPE)
                c.kind_rope.emplace_back(kinds[k].name, rope_table(parse_method_spec(c.plan.per_kind[k].method), rope_dim,
                                                                    kinds[k].rope_base, run.r.train_length, n));
        const std::string primary = kinds[size_t(c.plan.primary_kind)].name;
        for (const auto& [name, table] : c.kind_rope)
            if (name == primary) c.rope = table;
    }
    ForwardRequest fr;
    fr.tokens = run.window(n);
    fr.plan = c.plan;
    fr.want_attention = true;
    fr.probe.layer = std::clamp(run.req.layer, 0, cfg.n_layers - 1);
    fr.probe.head = std::clamp(run.req.head, -1, cfg.n_heads - 1);
    fr.probe.grid = std::min(n, run.req.session.attention_grid);
    fr.want_final_hidden = run.req.want_kl;  // KL to A, from n × dim hidden states (never n × vocab)
    if (run.req.preview_budget_s <= 0)  // a full pass: progress as the layers go, dropped inside one when out of date
        fr.checkpoint = [&run, &c, L = cfg.n_layers](double done) {
            const int l = std::min(int(done * L), L);
            run.progress(done, std::string("forward ") + c.label + ": layer " + std::to_string(l) + " of " + std::to_string(L));
            run.check();
        };
    ForwardResult out = run.engine.forward().run(fr);
    run.engine.last_pass() = {n, out.seconds};
    if (!out.final_hidden.empty()) c.hidden = std::make_shared<const std::vector<float>>(std::move(out.final_hidden));
    c.position_loss.assign(n, NAN);
    double sum = 0;
    for (size_t i = 0; i < out.nll.size(); ++i) {
        c.position_loss[i + 1] = out.nll[i];
        sum += out.nll[i];
    }
    c.eval_ppl = out.nll.empty() ? NAN : std::exp(sum / double(out.nll.size()));
    AttentionGrid& a = c.attention;
    a.layer = fr.probe.layer;
    a.head = fr.probe.head;
    a.rows = out.attention_rows;
    a.cols = out.attention_cols;
    a.seq_len = n;
    a.p = out.attention;
    // Mask cells entirely in the future (block row r covers queries < (r+1)·n/rows).
    for (int i = 0; i < a.rows; ++i)
        for (int j = 0; j < a.cols; ++j)
            if (int64_t(j) * n / a.cols > (int64_t(i + 1) * n / a.rows) - 1) a.p[size_t(i) * a.cols + j] = NAN;
}

// KL(P_A ‖ P_X) at each position p of the eval window, from the logits row p−1 that predicts it
// (position-aligned with position_loss), for every configuration after A. The logits of both
// come from the kept hidden states in blocks of rows (core/forward: Forward::head_logits), so
// that host memory holds two blocks, never n × vocab.
void stage_kl(Run& run) {
    Results& r = run.r;
    if (r.configs.empty() || !r.configs.front().hidden) return;
    const std::vector<float>& ha = *r.configs.front().hidden;
    const int vocab = r.config.vocab_size, dim = r.config.dim, rows = r.eval_length - 1;
    const int block = int(std::clamp<int64_t>((int64_t(32) << 20) / (int64_t(vocab) * 4), 1, 4096));
    std::vector<float> la;
    for (size_t k = 1; k < r.configs.size(); ++k) {
        ConfigResult& c = r.configs[k];
        c.kl_to_first.assign(size_t(r.eval_length), NAN);
        if (!c.hidden || c.hidden->size() != ha.size() || rows <= 0 || ha.size() < size_t(rows) * dim) continue;
        for (int t0 = 0; t0 < rows; t0 += block) {
            const int m = std::min(block, rows - t0);
            la.assign(size_t(m) * vocab, 0.f);
            const bool ok = run.engine.forward().head_logits(ha.data() + size_t(t0) * dim, m, [&](int i0, int mi, const float* l) {
                std::copy(l, l + size_t(mi) * vocab, la.begin() + ptrdiff_t(size_t(i0) * vocab));
            });
            if (!ok) break;
            run.engine.forward().head_logits(c.hidden->data() + size_t(t0) * dim, m, [&](int i0, int mi, const float* l) {
                const std::vector<double> kl = kl_per_position(la.data() + size_t(i0) * vocab, l, mi, vocab);
                for (int i = 0; i < mi; ++i) c.kl_to_first[size_t(t0 + i0 + i + 1)] = kl[size_t(i)];
            });
            if (run.req.preview_budget_s <= 0) run.check();
        }
    }
}

// Entropy, receptive field and sink mass of every layer (means over heads) from one pass that
// accumulates the attention statistics of every layer and head (core/forward/attention_stats.hpp).
void stage_entropy(Run& run, ConfigResult& c, const MethodSpec& spec, int ci, int nc) {
    const ModelConfig& cfg = run.engine.model().config;
    const int n = std::min(run.r.eval_length, run.req.entropy_max_tokens);
    // At a sweep length other than the eval length (stage 1's), this pass is also the sweep's
    // first window there: keep its losses (the statistics do not change them) for the replay.
    const std::vector<int>& lengths = run.r.lengths;
    const bool sweep_replays = shows_panel(run.req.session, "perplexity") && n != run.r.eval_length &&
                               std::find(lengths.begin(), lengths.end(), n) != lengths.end();
    ForwardRequest fr;
    fr.tokens = run.window(n);
    fr.plan = make_plan(spec, cfg, n);
    fr.want_nll = sweep_replays;
    fr.stats.want = true;
    fr.checkpoint = [&run, &c, ci, nc, L = cfg.n_layers](double done) {
        run.progress((ci + done) / nc, std::string("entropy ") + c.label + ": layer " + std::to_string(std::min(int(done * L), L)));
        run.check();
    };
    const ForwardResult out = run.engine.forward().run(fr);
    if (sweep_replays && out.nll.size() + 1 == size_t(n)) run.window_nll[{size_t(ci), n}] = out.nll;
    const LayerMeans m = layer_means(out.stats);
    c.entropy = m.entropy;
    c.receptive = m.receptive;
    c.sink_mass = m.sink_mass;
}

// Stage 1's losses of a configuration at length n (position_loss[p] = nll[p − 1]), or none.
std::vector<float> stage_one_nll(const ConfigResult& c, int n) {
    if (int(c.position_loss.size()) != n || n < 2) return {};
    std::vector<float> nll(size_t(n - 1));
    for (int p = 1; p < n; ++p) {
        if (!std::isfinite(c.position_loss[size_t(p)])) return {};
        nll[size_t(p - 1)] = float(c.position_loss[size_t(p)]);
    }
    return nll;
}

void stage_sweep(Run& run, const std::vector<MethodSpec>& specs) {
    const Protocol protocol = parse_protocol(run.req.session.protocol);
    const auto& tokens = run.engine.stream().tokens;
    const int bos = run.engine.model().tokenizer ? run.engine.model().tokenizer->bos() : -1;
    const int steps = int(run.r.lengths.size() * run.r.configs.size());
    int step = 0;
    for (size_t k = 0; k < run.r.lengths.size(); ++k) {
        const int L = run.r.lengths[k];
        if (L > run.engine.forward().max_tokens())
            run.r.warnings.push_back("length " + std::to_string(L) + " skipped: the device holds at most " +
                                     std::to_string(run.engine.forward().max_tokens()) + " tokens");
        for (size_t ci = 0; ci < run.r.configs.size(); ++ci, ++step) {
            ConfigResult& c = run.r.configs[ci];
            if (!c.error.empty()) continue;
            run.check();
            run.progress(double(step) / steps, "perplexity " + std::string(1, c.label) + " at " + std::to_string(L));
            if (int64_t(L) > int64_t(tokens.size()) || L > run.engine.forward().max_tokens()) continue;
            // Window 0 is stage 1's pass at the eval length, or the entropy pass at its length.
            const auto kept = run.window_nll.find({ci, L});
            std::vector<float> held = kept != run.window_nll.end() ? kept->second : std::vector<float>{};
            std::vector<int> window = held.empty() ? std::vector<int>{} : run.window(L);
            ReplayForward forward(run.engine.forward(), std::move(window), std::move(held));
            const PerplexityResult pr = evaluate_perplexity(
                forward, tokens, protocol, L, run.req.session.max_windows, bos,
                [&](int n) { return make_plan(specs[ci], run.engine.model().config, n); },
                [&](int, int) { run.check(); }, run.hooks.check);
            c.ppl[k] = pr.stats.ppl();
            c.ppl_stderr[k] = pr.stats.ppl_stderr();
            run.r.sweep_replayed += forward.replayed();
        }
        run.publish();
    }
    run.r.sweep_done = true;
}

}  // namespace

std::string session_model_path(const ComputeRequest& q) {
    return resolve_path(q.session.model.empty() ? q.defaults.model : q.session.model, q.session.base_dir);
}
std::string session_tokenizer_path(const ComputeRequest& q) {
    if (!q.session.tokenizer.empty()) return resolve_path(q.session.tokenizer, q.session.base_dir);
    return q.session.model.empty() ? resolve_path(q.defaults.tokenizer, q.session.base_dir) : "";
}
std::string session_text_path(const ComputeRequest& q) {
    return resolve_path(q.session.text.empty() ? q.defaults.text : q.session.text, q.session.base_dir);
}

int preview_length(const PassCost& last, int full, int passes, double budget_s) {
    if (full <= kMinPreviewTokens) return full;
    if (last.tokens <= 0 || last.seconds <= 0) return std::min(full, 4 * kMinPreviewTokens);  // nothing measured yet
    auto cost = [&](int n) {
        const double ratio = double(n) / last.tokens;
        return last.seconds * ratio * std::max(1.0, ratio) * std::max(1, passes);
    };
    int n = kMinPreviewTokens;
    while (n * 2 < full && cost(n * 2) <= budget_s) n *= 2;
    return cost(full) <= budget_s ? full : n;
}

namespace {

// Everything the results name, the eval window, and the memory check before any pass.
void describe_run(Run& run) {
    const Session& s = run.req.session;
    Results& r = run.r;
    Forward& fwd = run.engine.forward();
    const Model& model = run.engine.model();
    r.generation = run.req.generation;
    r.model_path = model.path;
    r.model_name = model.config.name;
    r.text_path = run.engine.stream().path;
    r.device = fwd.device_name();
    r.config = model.config;
    r.train_length = model.config.train_context_length > 0 ? model.config.train_context_length : model.config.file_context_length;
    r.text_tokens = int(run.engine.stream().tokens.size());
    const int wanted = std::min(s.eval_length, r.text_tokens);
    r.memory = fwd.memory_estimate(wanted);
    if (wanted > fwd.max_tokens())  // refuse before anything runs (ErrorKind::OutOfMemory: the app's dialog)
        throw Error(ErrorKind::OutOfMemory, "eval length " + std::to_string(wanted), memory_refusal(fwd, wanted));
    r.eval_length = wanted;
    if (r.eval_length < s.eval_length)
        r.warnings.push_back("eval length cut to " + std::to_string(r.eval_length) + " tokens (the text is shorter)");
    const Protocol protocol = parse_protocol(s.protocol);
    r.protocol = protocol.name();
    r.protocol_description = protocol.description();
    r.lengths = s.lengths;
    r.max_windows = s.max_windows;
}

std::string stage_key(const Run& run, const ConfigResult& c, int n) {
    const ComputeRequest& q = run.req;
    return c.method + "|" + std::to_string(n) + "|" + std::to_string(q.layer) + "|" + std::to_string(q.head) + "|" +
           std::to_string(q.session.attention_grid) + (q.want_kl ? "|hidden" : "");
}

// A preview covers the longest prefix that lands within the budget for the passes not cached.
void choose_preview(Run& run) {
    Results& r = run.r;
    const auto uncached = [&](int n) {
        int k = 0;
        for (const ConfigResult& c : r.configs) k += run.engine.stage_cache().count(stage_key(run, c, n)) == 0;
        return std::max(k, 1);
    };
    const PassCost last = run.engine.last_pass();
    const int full = r.eval_length;
    int n = preview_length(last, full, 1, run.req.preview_budget_s);
    n = preview_length(last, full, uncached(n), run.req.preview_budget_s);
    if (n < full) {
        r.preview_of = full;
        r.eval_length = n;
    }
}

}  // namespace

bool compute_detail::vulkan_failure(const Error& e) {
    return e.subject() == "Vulkan" && (e.kind() == ErrorKind::Device || e.kind() == ErrorKind::OutOfMemory);
}

namespace {

// Stage 1 for every configuration, from the cache where nothing it depends on changed.
void stage_quick(Run& run, const std::vector<MethodSpec>& specs) {
    Results& r = run.r;
    auto& cache = run.engine.stage_cache();
    for (size_t i = 0; i < r.configs.size(); ++i) {
        run.progress(0.0, std::string("forward ") + r.configs[i].label);
        const std::string key = stage_key(run, r.configs[i], r.eval_length);
        if (auto it = cache.find(key); it != cache.end()) {
            const char label = r.configs[i].label;
            std::vector<double> ppl = r.configs[i].ppl, se = r.configs[i].ppl_stderr;
            r.configs[i] = *std::static_pointer_cast<const ConfigResult>(it->second);
            r.configs[i].label = label;
            r.configs[i].ppl = ppl;
            r.configs[i].ppl_stderr = se;
            continue;
        }
        try {
            stage_forward(run, r.configs[i], specs[i]);
            if (cache.size() > 32) cache.clear();
            cache[key] = std::make_shared<const ConfigResult>(r.configs[i]);
        } catch (const Error& e) {
            // A failed Vulkan call (a lost device, device memory exhausted) is not this
            // configuration's fault: every later pass would fail the same way, so the job fails
            // (the app's error dialog). Refusals and method errors stay with their configuration.
            if (vulkan_failure(e)) throw;
            r.configs[i].error = e.what();
        }
    }
    if (run.req.want_kl) stage_kl(run);
    for (size_t i = 0; i < r.configs.size(); ++i) {  // the sweep's window 0 at the eval length
        std::vector<float> nll = stage_one_nll(r.configs[i], r.eval_length);
        if (!nll.empty()) run.window_nll[{i, r.eval_length}] = std::move(nll);
    }
}

// Stage 1 at the length the next preview will have (one configuration dragged, the rest cached),
// for every configuration not in the cache at that length: what a preview then reuses.
void warm_previews(Run& run, const std::vector<MethodSpec>& specs) {
    Results& r = run.r;
    const int full = r.eval_length;
    const int n = preview_length(run.engine.last_pass(), full, 1, run.req.warm_preview_budget_s);
    if (n >= full) return;
    auto& cache = run.engine.stage_cache();
    const PassCost measured = run.engine.last_pass();  // the next preview is sized from this, not from the warm-up
    r.eval_length = n;  // stage_forward's window; restored below (also when cancelled: r is then dropped)
    for (size_t i = 0; i < r.configs.size(); ++i) {
        if (!r.configs[i].error.empty()) continue;
        ConfigResult c;
        c.label = r.configs[i].label;
        c.method = r.configs[i].method;
        const std::string key = stage_key(run, c, n);
        if (cache.count(key)) continue;
        run.progress(0.0, std::string("preview warm-up ") + c.label + ": " + std::to_string(n) + " tokens");
        try {
            stage_forward(run, c, specs[i]);
            cache[key] = std::make_shared<const ConfigResult>(std::move(c));
        } catch (const Error& e) {
            if (vulkan_failure(e)) throw;  // a configuration's own error shows in its full result already
        }
        run.engine.last_pass() = measured;
    }
    r.eval_length = full;
}

}  // namespace

namespace {

std::shared_ptr<const Results> compute_on(const ComputeRequest& req, Engine& engine, const ComputeHooks& hooks) {
    const Session& s = req.session;
    validate_session(s, s.name);
    engine.ensure(session_model_path(req), session_tokenizer_path(req), session_text_path(req),
                  DocumentFormat{req.session.doc_prefix, req.session.flatten_newlines}, hooks.progress);
    Run run{req, engine, hooks, {}, Clock::now(), {}};
    Results& r = run.r;
    const Model& model = engine.model();
    describe_run(run);
    std::vector<MethodSpec> specs;
    for (size_t i = 0; i < s.configs.size(); ++i) {
        if (!s.configs[i].enabled) continue;
        ConfigResult c;
        c.label = config_label(int(i));
        specs.push_back(parse_method_spec(s.configs[i].method));
        c.method = specs.back().canonical();
        c.ppl.assign(r.lengths.size(), NAN);
        c.ppl_stderr.assign(r.lengths.size(), NAN);
        r.configs.push_back(std::move(c));
    }
    if (req.preview_budget_s > 0) choose_preview(run);
    stage_quick(run, specs);
    run.publish();
    if (req.preview_budget_s > 0) return std::make_shared<const Results>(r);  // a preview: stage 1 only
    if (req.warm_preview_budget_s > 0) warm_previews(run, specs);
    if (req.want_logit && shows_panel(s, "logit_decay")) {
        const int n = std::min(r.eval_length, 1024);
        for (ConfigResult& c : r.configs) {
            run.check();
            if (c.error.empty()) c.qk_by_distance = live_qk_by_distance(model, run.window(n), make_plan(specs[&c - &r.configs[0]], model.config, n));
        }
        run.publish();
    }
    if (req.want_evict && shows_panel(s, "evict")) {  // before the sweep: asked for while its tab is open
        stage_evict(run, specs);
        run.publish();
    }
    if (req.want_posvec && shows_panel(s, "posvec")) {  // before the sweep: asked for while its tab is open
        stage_posvec(run, specs);
        run.publish();
    }
    if (req.want_needle && shows_panel(s, "needle")) {  // before the sweep: asked for while its tab is open
        stage_needle(run, specs);
        run.publish();
    }
    if (req.want_logit_spread && shows_panel(s, "logit_spread")) {
        stage_logit_spread(run, specs);
        run.publish();
    }
    if (req.want_entropy && (shows_panel(s, "entropy") || shows_panel(s, "alibi"))) {  // before the sweep: it replays these passes
        for (size_t i = 0; i < r.configs.size(); ++i)
            if (r.configs[i].error.empty()) stage_entropy(run, r.configs[i], specs[i], int(i), int(r.configs.size()));
        r.entropy_done = true;
        run.publish();
    }
    if (shows_panel(s, "perplexity")) stage_sweep(run, specs);
    run.progress(1.0, "done");
    r.seconds = std::chrono::duration<double>(Clock::now() - run.t0).count();
    return std::make_shared<const Results>(r);
}

}  // namespace

std::shared_ptr<const Results> compute_results(const ComputeRequest& req, Engine& engine, const ComputeHooks& hooks) {
    try {
        return compute_on(req, engine, hooks);
    } catch (const Error& e) {
        if (vulkan_failure(e) && e.kind() == ErrorKind::Device) engine.forget_device();  // the next job starts on a fresh device
        throw;
    }
}

}  // namespace xl
