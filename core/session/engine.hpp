// The loaded model, its forward backend and the tokenised evaluation text, kept between jobs
// and reloaded only when a path changes. Used by one thread at a time (the job runner's worker,
// or the headless figure command).
//
//   Engine e;
//   e.ensure(model_path, tokenizer_path, text_path);   // throws Error naming the bad file
//   e.forward().run(request);
//
// make_forward() picks the Vulkan engine when it is built in, else the CPU reference: switching
// backends is this one function. XL_FORWARD=cpu in the environment forces the CPU reference.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/forward/forward.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/model.hpp"

namespace xl {

std::unique_ptr<Forward> make_forward(const Model& model, int device_index = -1);

// Measured cost of the last quick-stage forward pass (what previews are sized from).
struct PassCost {
    int tokens = 0;        // 0 = nothing measured yet
    double seconds = 0;    // wall time of that pass
};

class Engine {
public:
    explicit Engine(int device_index = -1) : device_index_(device_index) {}
    // `progress` (may be empty) hears the loading steps of a new model: reading the file, uploading
    // the weights, tokenising the text (a 100-300 MB model takes seconds on lavapipe).
    void ensure(const std::string& model_path, const std::string& tokenizer_path, const std::string& text_path,
                const DocumentFormat& format = {},
                const std::function<void(double, const std::string&)>& progress = nullptr);
    const Model& model() const { return *model_; }
    Forward& forward() { return *forward_; }
    const TokenStream& stream() const { return stream_; }
    bool loaded() const { return model_ != nullptr; }
    // Results of the quick stage per configuration, keyed by everything they depend on, so that
    // dragging one configuration's slider recomputes only that configuration. Worker thread only.
    std::map<std::string, std::shared_ptr<const void>>& stage_cache() { return stage_cache_; }
    PassCost& last_pass() { return last_pass_; }
    // After a lost device: drops the forward backend (and the model it holds on the device), so the
    // next ensure() starts over on a fresh device instead of reusing the lost one.
    void forget_device();

private:
    int device_index_;
    std::string model_path_, tokenizer_path_, text_path_;
    DocumentFormat format_;
    std::unique_ptr<Model> model_;       // stable address: the forward keeps a reference
    std::unique_ptr<Forward> forward_;
    TokenStream stream_;
    std::map<std::string, std::shared_ptr<const void>> stage_cache_;
    PassCost last_pass_;
};

// Bundled defaults (assets/), found relative to a directory (the preset's, the working one).
struct DefaultData {
    std::string model = "assets/stories260K.bin";
    std::string tokenizer = "assets/tok512.bin";
    std::string text = "assets/tinystories-valid-first201.txt";
};

}  // namespace xl
