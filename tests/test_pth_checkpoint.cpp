// Zip archive and pickle reading of PyTorch checkpoints, and their error paths: truncated or
// corrupted files, unknown opcodes/globals, non-contiguous tensors, unknown state_dict layouts.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iterator>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/model/pickle_reader.hpp"
#include "core/model/pth_reader.hpp"
#include "core/model/zip_archive.hpp"

namespace {

const std::string kPth = std::string(XL_SHARED_DIR) + "/models/alilama/alilama_batches_512_470K.pth";
using Bytes = std::vector<uint8_t>;
using namespace std::string_view_literals;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

void put(Bytes& b, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(uint8_t(v >> (8 * i)));
}

// A minimal zip writer (stored entries, data 64-byte aligned like torch.save) for test inputs.
void write_zip(const std::string& path, const std::vector<std::pair<std::string, Bytes>>& entries) {
    Bytes out, central;
    for (const auto& [name, data] : entries) {
        const uint64_t local = out.size();
        const uint64_t pad = (64 - (local + 30 + name.size() + 4) % 64) % 64;
        put(out, 0x04034b50, 4), put(out, 20, 2), put(out, 0, 2), put(out, 0, 2), put(out, 0, 4);
        put(out, 0, 4), put(out, data.size(), 4), put(out, data.size(), 4);
        put(out, name.size(), 2), put(out, 4 + pad, 2);
        out.insert(out.end(), name.begin(), name.end());
        put(out, 0x1234, 2), put(out, pad, 2), out.insert(out.end(), size_t(pad), 0);  // padding extra field
        out.insert(out.end(), data.begin(), data.end());
        put(central, 0x02014b50, 4), put(central, 20, 2), put(central, 20, 2), put(central, 0, 2);
        put(central, 0, 2), put(central, 0, 4), put(central, 0, 4), put(central, data.size(), 4);
        put(central, data.size(), 4), put(central, name.size(), 2), put(central, 0, 2), put(central, 0, 2);
        put(central, 0, 2), put(central, 0, 2), put(central, 0, 4), put(central, local, 4);
        central.insert(central.end(), name.begin(), name.end());
    }
    const uint64_t cd_offset = out.size();
    out.insert(out.end(), central.begin(), central.end());
    put(out, 0x06054b50, 4), put(out, 0, 2), put(out, 0, 2), put(out, entries.size(), 2);
    put(out, entries.size(), 2), put(out, central.size(), 4), put(out, cd_offset, 4), put(out, 0, 2);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(out.data()), long(out.size()));
}

// The real checkpoint's entries, with data.pkl passed through `edit`, written to `path`.
void write_edited_checkpoint(const std::string& path, const std::function<void(Bytes&)>& edit) {
    xl::ZipArchive zip(kPth);
    std::vector<std::pair<std::string, Bytes>> entries;
    for (const xl::ZipEntry& e : zip.entries()) {
        auto d = zip.data(e);
        Bytes b(d.begin(), d.end());
        if (e.name.size() >= 8 && e.name.compare(e.name.size() - 8, 8, "data.pkl") == 0) edit(b);
        entries.emplace_back(e.name, std::move(b));
    }
    write_zip(path, entries);
}

void replace_once(Bytes& b, std::string_view from, std::string_view to) {
    REQUIRE(from.size() == to.size());
    const Bytes f = bytes_of(from), t = bytes_of(to);  // compare as bytes (char may be signed)
    auto it = std::search(b.begin(), b.end(), f.begin(), f.end());
    REQUIRE(it != b.end());
    std::copy(t.begin(), t.end(), it);
}

xl::Error load_error(const std::string& path) {
    try {
        xl::load_pth_model(path, "");
    } catch (const xl::Error& e) {
        return e;
    }
    FAIL("expected xl::Error for " << path);
    return xl::Error(xl::ErrorKind::BadFile, "", "");
}

}  // namespace

TEST_CASE("pth checkpoint: zip central directory of the alilama checkpoint") {
    xl::ZipArchive zip(kPth);
    CHECK(zip.entries().size() == 49);
    const xl::ZipEntry* pkl = zip.find_suffix("/data.pkl");
    REQUIRE(pkl);
    CHECK(pkl->name == "alilama_batches_512_470K/data.pkl");
    const xl::ZipEntry* d0 = zip.find("alilama_batches_512_470K/data/0");
    REQUIRE(d0);
    CHECK(d0->size == 4000u * 64u * 4u);
    for (const xl::ZipEntry& e : zip.entries()) {
        CHECK(e.method == 0);
        if (e.name.find("/data/") != std::string::npos) CHECK(e.data_offset % 64 == 0);
    }
    auto v = zip.data(*zip.find_suffix("/version"));
    CHECK(std::string(v.begin(), v.end()) == "3\n");
}

TEST_CASE("pth checkpoint: ZIP64 end records are used when the classic record saturates") {
    // torch.save writes a ZIP64 end record and locator; saturating the classic record's fields
    // (as in files over 4 GiB) must lead the reader to the ZIP64 values.
    std::ifstream in(kPth, std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const uint8_t sig[4] = {'P', 'K', 5, 6};
    auto end = std::find_end(b.begin(), b.end(), sig, sig + 4);
    REQUIRE(end != b.end());
    std::fill(end + 8, end + 20, uint8_t(0xFF));  // entry counts, directory size and offset
    const std::string tmp = "/tmp/xl_test_pth_zip64_" + std::to_string(getpid()) + ".pth";
    std::ofstream(tmp, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
    xl::ZipArchive zip(tmp);
    CHECK(zip.entries().size() == 49);
    CHECK(zip.find("alilama_batches_512_470K/data/44"));
    std::remove(tmp.c_str());
}

TEST_CASE("pth checkpoint: pickle of the checkpoint resolves tensors and params") {
    xl::ZipArchive zip(kPth);
    xl::PyRef root = xl::read_pickle(zip.data(*zip.find_suffix("/data.pkl")), kPth);
    REQUIRE(root->kind == xl::PyKind::Dict);
    const xl::PyObject* sd = root->get("state_dict");
    REQUIRE(sd);
    CHECK(sd->dict.size() == 46);
    const xl::PyObject* emb = sd->get("embed.weight");
    REQUIRE(emb);
    REQUIRE(emb->kind == xl::PyKind::Tensor);
    CHECK(emb->tensor.storage_key == "0");
    CHECK(emb->tensor.storage_type == "FloatStorage");
    CHECK(emb->tensor.shape == std::vector<int64_t>{4000, 64});
    CHECK(emb->tensor.contiguous());
    CHECK(sd->get("last_lin.weight")->tensor.storage_key == "0");  // tied to the embedding
    CHECK(sd->get("blocks.2.MLP.p2.weight")->tensor.shape == std::vector<int64_t>{64, 256});
    const xl::PyObject* params = root->get("params");
    REQUIRE(params);
    CHECK(params->get("d_model")->i == 64);
    CHECK(params->get("model_name")->s == "alilama_batches_512");
    CHECK(root->get("train_time")->f == doctest::Approx(124.6169376));
}

TEST_CASE("pth checkpoint: protocol 4 opcodes and integer encodings") {
    // {'a': 256, 'b': -2, 'c': 1.5, 'd': [True, None], 'e': 4294967296} with FRAME, MEMOIZE,
    // SHORT_BINUNICODE, LONG1, BININT, BINFLOAT, APPENDS, STACK_GLOBAL + REDUCE (OrderedDict).
    Bytes p = {0x80, 4, 0x95};
    put(p, 0, 8);
    Bytes body = bytes_of("\x8c\x0b" "collections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94(");
    p.insert(p.end(), body.begin(), body.end());
    const std::vector<std::string> items = {std::string("\x8c\x01" "aM\x00\x01", 6),
                                            std::string("\x8c\x01" "bJ\xfe\xff\xff\xff", 8),
                                            std::string("\x8c\x01" "cG\x3f\xf8\x00\x00\x00\x00\x00\x00", 12),
                                            std::string("\x8c\x01" "d](\x88Ne", 8),
                                            std::string("\x8c\x01" "e\x8a\x05\x00\x00\x00\x00\x01", 10)};
    for (const std::string& s : items) p.insert(p.end(), s.begin(), s.end());
    Bytes tail = bytes_of("u.");
    p.insert(p.end(), tail.begin(), tail.end());
    xl::PyRef d = xl::read_pickle(p, "mem.pkl");
    REQUIRE(d->kind == xl::PyKind::Dict);
    CHECK(d->get("a")->i == 256);
    CHECK(d->get("b")->i == -2);
    CHECK(d->get("c")->f == 1.5);
    REQUIRE(d->get("d")->items.size() == 2);
    CHECK(d->get("d")->items[0]->b);
    CHECK(d->get("d")->items[1]->kind == xl::PyKind::None);
    CHECK(d->get("e")->i == 4294967296LL);
}

TEST_CASE("pth checkpoint: unknown opcodes and globals are Unsupported, naming the file") {
    try {
        xl::read_pickle(bytes_of("\x80\x02I42\n."), "x.pth", "arch/data.pkl");
        FAIL("expected an error");
    } catch (const xl::Error& e) {
        CHECK(e.kind() == xl::ErrorKind::Unsupported);
        CHECK(e.subject() == "x.pth");
        CHECK(std::string(e.what()).find("opcode 0x49 ('I')") != std::string::npos);
        CHECK(std::string(e.what()).find("arch/data.pkl") != std::string::npos);
    }
    try {
        xl::read_pickle(bytes_of("\x80\x02" "cos\nsystem\n)R."), "x.pth");
        FAIL("expected an error");
    } catch (const xl::Error& e) {
        CHECK(e.kind() == xl::ErrorKind::Unsupported);
        CHECK(std::string(e.what()).find("'os system'") != std::string::npos);
    }
    CHECK_THROWS_AS(xl::read_pickle(bytes_of("\x80\x02}q\x00(X\x05\x00\x00\x00"sv), "x.pth"), xl::Error);
}

TEST_CASE("pth checkpoint: truncated zip and corrupted pickle throw xl::Error naming the file") {
    const std::string tmp = "/tmp/xl_test_pth_broken_" + std::to_string(getpid()) + ".pth";
    {  // truncated: the end of central directory is gone
        std::ifstream in(kPth, std::ios::binary);
        std::vector<char> head(1000000);
        in.read(head.data(), long(head.size()));
        std::ofstream(tmp, std::ios::binary).write(head.data(), long(head.size()));
        xl::Error e = load_error(tmp);
        CHECK(e.kind() == xl::ErrorKind::BadFile);
        CHECK(e.subject() == tmp);
    }
    write_edited_checkpoint(tmp, [](Bytes& b) { b.resize(b.size() / 2); });
    xl::Error trunc = load_error(tmp);
    CHECK(trunc.kind() == xl::ErrorKind::BadFile);
    CHECK(std::string(trunc.what()).find(tmp) == 0);
    CHECK(std::string(trunc.what()).find("data.pkl") != std::string::npos);

    write_edited_checkpoint(tmp, [](Bytes& b) { b[3] = 0xff; });  // the first BINPUT becomes junk
    xl::Error junk = load_error(tmp);
    CHECK(junk.kind() == xl::ErrorKind::Unsupported);
    CHECK(std::string(junk.what()).find("opcode 0xff") != std::string::npos);

    write_edited_checkpoint(tmp, [](Bytes& b) { replace_once(b, "K@K\x01\x86", "K\x01K@\x86"); });
    xl::Error strided = load_error(tmp);  // embed.weight with strides (1, 64): a transposed view
    CHECK(strided.kind() == xl::ErrorKind::Unsupported);
    CHECK(std::string(strided.what()).find("'embed.weight' is not contiguous") != std::string::npos);

    write_edited_checkpoint(tmp, [](Bytes& b) {
        replace_once(b, "blocks.1.MHSA.k.weight", "blocks.1.MHSA.K.weight");
        replace_once(b, "blocks.3.MLP.p1.weight", "blocks.3.MLP.P1.weight");
    });
    xl::Error layout = load_error(tmp);
    CHECK(layout.kind() == xl::ErrorKind::Unsupported);
    CHECK(std::string(layout.what()).find("missing blocks.1.MHSA.k.weight, blocks.3.MLP.p1.weight") !=
          std::string::npos);

    write_edited_checkpoint(tmp, [](Bytes&) {});  // the rewritten (unchanged) checkpoint still loads
    CHECK(xl::load_pth_model(tmp, "").config.n_layers == 4);
    std::remove(tmp.c_str());
}
