#include "core/session/engine.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/model/load_model.hpp"
#include "core/ref/cpu_forward.hpp"

#if __has_include("core/forward/vulkan_forward.hpp")
#include "core/forward/vulkan_forward.hpp"
#define XL_SESSION_HAVE_VULKAN 1
#endif

namespace xl {

std::unique_ptr<Forward> make_forward(const Model& model, int device_index) {
    const char* choice = std::getenv("XL_FORWARD");  // "cpu" forces the scalar reference (debugging)
    if (choice && std::string(choice) == "cpu") return std::make_unique<CpuForward>(model);
#ifdef XL_SESSION_HAVE_VULKAN
    return std::make_unique<VulkanForward>(model, device_index);
#else
    (void)device_index;
    return std::make_unique<CpuForward>(model);
#endif
}

void Engine::ensure(const std::string& model_path, const std::string& tokenizer_path, const std::string& text_path,
                    const DocumentFormat& format, const std::function<void(double, const std::string&)>& progress) {
    const auto step = [&](double f, const std::string& what) { if (progress) progress(f, what); };
    if (!model_ || model_path != model_path_ || tokenizer_path != tokenizer_path_) {
        // Load into locals first: a failure leaves the previous engine usable.
        step(0.0, "loading model: reading " + std::filesystem::path(model_path).filename().string());
        auto model = std::make_unique<Model>(load_model(model_path, tokenizer_path));
        step(0.3, "loading model: uploading " + std::to_string(model->config.n_layers) + " layers of weights");
        auto forward = make_forward(*model, device_index_);
        forward_.reset();
        model_ = std::move(model);
        forward_ = std::move(forward);
        model_path_ = model_path;
        tokenizer_path_ = tokenizer_path;
        text_path_.clear();
        stage_cache_.clear();
        last_pass_ = {};
    }
    if (text_path != text_path_ || format.prefix != format_.prefix || format.newlines_to_spaces != format_.newlines_to_spaces) {
        stage_cache_.clear();
        step(0.9, "loading model: tokenising " + std::filesystem::path(text_path).filename().string());
        stream_ = load_token_stream(text_path, *model_->tokenizer, format);
        text_path_ = text_path;
        format_ = format;
    }
}

void Engine::forget_device() {
    forward_.reset();
    model_.reset();
    model_path_.clear();
    tokenizer_path_.clear();
    text_path_.clear();
    stage_cache_.clear();
    last_pass_ = {};
}

}  // namespace xl
