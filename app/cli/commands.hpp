// The `extrapolab` subcommands, one file each (cmd_*.cpp). Each adds its CLI11 subcommand to the
// root app and returns the action main() runs when that subcommand was given.
//
//   Command eval = add_eval_command(root);
//   root.parse(argc, argv);
//   if (eval.app->parsed()) return eval.run();
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace xl::cli {

struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;   // returns the exit code; throws xl::Error on user errors
};

Command add_eval_command(CLI::App& root);      // perplexity sweep (cmd_eval.cpp)
Command add_generate_command(CLI::App& root);  // text generation (cmd_generate.cpp)
Command add_rope_command(CLI::App& root);      // per-pair RoPE frequencies (cmd_rope.cpp)
Command add_info_command(CLI::App& root);      // model metadata (cmd_info.cpp)
Command add_bench_command(CLI::App& root);     // forward-pass timing (cmd_bench.cpp)
Command add_figure_command(CLI::App& root);    // preset figures, headless (cmd_figure.cpp)
Command add_compare_command(CLI::App& root);   // loss difference / KL of two configurations (cmd_compare.cpp)
Command add_passkey_command(CLI::App& root);   // passkey retrieval grid (cmd_passkey.cpp)
Command add_table_command(CLI::App& root);     // every method at 1x..8x the training length (cmd_table.cpp)
Command add_nbce_command(CLI::App& root);      // NBCE loss on long text vs the plain model (cmd_nbce.cpp)
Command add_positions_command(CLI::App& root); // training-time position sampling figures (cmd_positions.cpp)
Command add_merge_command(CLI::App& root);     // join the shard files of a sharded sweep (cmd_merge.cpp)
Command add_posvec_command(CLI::App& root);    // positional vectors per layer and method (cmd_posvec.cpp)
Command add_evict_command(CLI::App& root);     // KV-cache eviction: perplexity vs budget (cmd_evict.cpp)
Command add_needle_command(CLI::App& root);    // needle retrieval and retrieval heads per method (cmd_needle.cpp)
Command add_logits_command(CLI::App& root);    // attention-logit spread per distance and layer (cmd_logits.cpp)

}  // namespace xl::cli
