// A pickle virtual machine for the opcodes listed in Python's pickletools documentation that
// torch.save emits (protocol 2 by default; 4/5 framing and memoize also accepted).
#include "core/model/pickle_reader.hpp"

#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "core/error.hpp"
#include "core/util/checked_math.hpp"

namespace xl {

const char* to_string(PyKind kind) {
    switch (kind) {
        case PyKind::None: return "None";
        case PyKind::Bool: return "bool";
        case PyKind::Int: return "int";
        case PyKind::Float: return "float";
        case PyKind::String: return "str";
        case PyKind::Bytes: return "bytes";
        case PyKind::Tuple: return "tuple";
        case PyKind::List: return "list";
        case PyKind::Dict: return "dict";
        case PyKind::Global: return "global";
        case PyKind::Storage: return "storage";
        case PyKind::Tensor: return "tensor";
    }
    return "?";
}

int64_t PyTensor::numel() const {
    int64_t n = 1;
    for (int64_t d : shape)
        if (d < 0 || !checked_mul(n, d, n)) return -1;
    return n;
}

bool PyTensor::contiguous() const {
    if (stride.size() != shape.size()) return false;
    int64_t expect = 1;
    for (size_t k = shape.size(); k-- > 0;) {
        if (shape[k] != 1 && stride[k] != expect) return false;
        if (!checked_mul(expect, shape[k], expect)) return false;
    }
    return true;
}

const PyObject* PyObject::get(const std::string& key) const {
    if (kind != PyKind::Dict) return nullptr;
    for (const auto& [k, v] : dict)
        if (k && k->kind == PyKind::String && k->s == key) return v.get();
    return nullptr;
}

namespace {

// Appends o's text to out until out reaches `limit` characters; each visited object adds at
// least one character, so the walk visits at most `limit` objects whatever the sharing.
void repr_into(const PyObject& o, std::string& out, size_t limit) {
    if (out.size() >= limit) return;
    auto seq = [&](const std::vector<PyRef>& xs, const char* open, const char* close) {
        out += open;
        for (size_t k = 0; k < xs.size() && out.size() < limit; ++k) {
            if (k) out += ", ";
            repr_into(*xs[k], out, limit);
        }
        out += close;
    };
    switch (o.kind) {
        case PyKind::None: out += "None"; break;
        case PyKind::Bool: out += o.b ? "True" : "False"; break;
        case PyKind::Int: out += std::to_string(o.i); break;
        case PyKind::Float: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.10g", o.f);
            out += buf;
            break;
        }
        case PyKind::String: out += "'" + o.s.substr(0, limit) + "'"; break;
        case PyKind::Bytes: out += "b<" + std::to_string(o.s.size()) + " bytes>"; break;
        case PyKind::Tuple: seq(o.items, "(", o.items.size() == 1 ? ",)" : ")"); break;
        case PyKind::List: seq(o.items, "[", "]"); break;
        case PyKind::Dict:
            out += "{";
            for (size_t k = 0; k < o.dict.size() && out.size() < limit; ++k) {
                if (k) out += ", ";
                repr_into(*o.dict[k].first, out, limit);
                out += ": ";
                repr_into(*o.dict[k].second, out, limit);
            }
            out += "}";
            break;
        case PyKind::Global: out += "<" + o.s + ">"; break;
        case PyKind::Storage: out += "<" + o.s + " '" + o.tensor.storage_key + "'>"; break;
        case PyKind::Tensor:
            out += "tensor(" + o.tensor.storage_type + ", [";
            for (size_t k = 0; k < o.tensor.shape.size(); ++k) out += (k ? ", " : "") + std::to_string(o.tensor.shape[k]);
            out += "])";
            break;
    }
}

}  // namespace

std::string PyObject::repr(size_t max_chars) const {
    std::string out;
    repr_into(*this, out, max_chars);
    if (out.size() > max_chars) out = out.substr(0, max_chars > 3 ? max_chars - 3 : 0) + "...";
    return out;
}

namespace {

PyRef make(PyKind kind) {
    auto o = std::make_shared<PyObject>();
    o->kind = kind;
    return o;
}

class Machine {
public:
    Machine(std::span<const uint8_t> b, const std::string& subject, const std::string& where)
        : b_(b), subject_(subject), where_(where) {}
    PyRef run();

private:
    [[noreturn]] void fail(ErrorKind kind, const std::string& msg) const {
        std::string prefix = where_.empty() ? "pickle: " : "pickle '" + where_ + "': ";
        throw Error(kind, subject_, prefix + msg + " (at byte " + std::to_string(op_at_) + ")");
    }
    const uint8_t* take(uint64_t n) {
        if (n > b_.size() - pos_) fail(ErrorKind::BadFile, "truncated data");
        const uint8_t* p = b_.data() + pos_;
        pos_ += size_t(n);
        return p;
    }
    uint64_t le(int n) {
        const uint8_t* p = take(uint64_t(n));
        uint64_t v = 0;
        for (int k = n - 1; k >= 0; --k) v = (v << 8) | p[k];
        return v;
    }
    std::string line() {
        size_t start = pos_;
        while (pos_ < b_.size() && b_[pos_] != '\n') ++pos_;
        if (pos_ >= b_.size()) fail(ErrorKind::BadFile, "truncated text line");
        return std::string(reinterpret_cast<const char*>(b_.data() + start), pos_++ - start);
    }
    PyRef pop() {
        if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail(ErrorKind::BadFile, "stack underflow");
        PyRef v = std::move(stack_.back());
        stack_.pop_back();
        return v;
    }
    PyRef& top() {
        if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail(ErrorKind::BadFile, "stack underflow");
        return stack_.back();
    }
    std::vector<PyRef> pop_mark() {
        if (marks_.empty()) fail(ErrorKind::BadFile, "MARK expected");
        size_t m = marks_.back();
        marks_.pop_back();
        std::vector<PyRef> xs(std::make_move_iterator(stack_.begin() + long(m)), std::make_move_iterator(stack_.end()));
        stack_.resize(m);
        return xs;
    }
    void push_int(int64_t v) {
        auto o = make(PyKind::Int);
        o->i = v;
        stack_.push_back(o);
    }
    void push_str(PyKind kind, uint64_t n) {
        auto o = make(kind);
        const uint8_t* p = take(n);
        o->s.assign(reinterpret_cast<const char*>(p), size_t(n));
        stack_.push_back(o);
    }
    // Every object placed into a container goes through here: it is sealed (takes no more
    // items: no cycles) and the container's height grows past it (bounded nesting).
    void adopt(PyObject& container, PyObject& child) {
        child.sealed = true;  // first: a container put into itself is then sealed too
        if (container.sealed) fail(ErrorKind::BadFile, "a container is modified after being put into another (a reference cycle?)");
        if (child.height + 1 > container.height) container.height = child.height + 1;
        if (container.height > kMaxPickleDepth)
            fail(ErrorKind::BadFile, "containers nested deeper than " + std::to_string(kMaxPickleDepth));
    }
    void push_tuple(std::vector<PyRef> xs) {
        auto o = make(PyKind::Tuple);
        for (PyRef& x : xs) adopt(*o, *x);
        o->items = std::move(xs);
        stack_.push_back(o);
    }
    void memo_put(uint64_t key) { memo_[key] = top(); }
    void memo_get(uint64_t key) {
        auto it = memo_.find(key);
        if (it == memo_.end()) fail(ErrorKind::BadFile, "memo key " + std::to_string(key) + " not found");
        stack_.push_back(it->second);
    }
    void set_items(PyRef& dict, std::vector<PyRef>& kv) {
        if (dict->kind != PyKind::Dict) fail(ErrorKind::Unsupported, std::string("SETITEM on a ") + to_string(dict->kind));
        if (kv.size() % 2) fail(ErrorKind::BadFile, "odd number of items for SETITEMS");
        for (size_t k = 0; k < kv.size(); k += 2) {
            adopt(*dict, *kv[k]);
            adopt(*dict, *kv[k + 1]);
            dict->dict.emplace_back(kv[k], kv[k + 1]);
        }
    }
    void append_items(PyRef& list, std::vector<PyRef>& xs) {
        if (list->kind != PyKind::List) fail(ErrorKind::Unsupported, std::string("APPEND on a ") + to_string(list->kind));
        for (auto& x : xs) {
            adopt(*list, *x);
            list->items.push_back(std::move(x));
        }
    }
    void global(std::string module, std::string name) {
        auto o = make(PyKind::Global);
        o->s = module + " " + name;
        stack_.push_back(o);
    }
    PyRef call(const PyObject& callable, const PyObject& args);
    PyRef rebuild_tensor(const PyObject& args);
    PyRef persistent_load(const PyObject& pid);
    bool step(uint8_t op);

    std::span<const uint8_t> b_;
    const std::string& subject_;
    const std::string& where_;
    size_t pos_ = 0, op_at_ = 0;
    std::vector<PyRef> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint64_t, PyRef> memo_;
};

PyRef Machine::rebuild_tensor(const PyObject& a) {
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (a.items.size() < 4 || a.items[0]->kind != PyKind::Storage || a.items[1]->kind != PyKind::Int ||
        a.items[2]->kind != PyKind::Tuple || a.items[3]->kind != PyKind::Tuple)
        fail(ErrorKind::BadFile, "malformed _rebuild_tensor_v2 arguments " + a.repr());
    auto t = make(PyKind::Tensor);
    t->tensor = a.items[0]->tensor;  // storage key, type, numel
    t->tensor.storage_offset = a.items[1]->i;
    for (const PyRef& d : a.items[2]->items) {
        if (d->kind != PyKind::Int || d->i < 0) fail(ErrorKind::BadFile, "bad tensor size " + a.items[2]->repr());
        t->tensor.shape.push_back(d->i);
    }
    for (const PyRef& d : a.items[3]->items) {
        if (d->kind != PyKind::Int) fail(ErrorKind::BadFile, "bad tensor stride " + a.items[3]->repr());
        t->tensor.stride.push_back(d->i);
    }
    return t;
}

PyRef Machine::persistent_load(const PyObject& pid) {
    // ('storage', <torch XStorage>, key, location, numel)
    if (pid.kind != PyKind::Tuple || pid.items.size() != 5 || pid.items[0]->kind != PyKind::String ||
        pid.items[0]->s != "storage")
        fail(ErrorKind::Unsupported, "persistent id " + pid.repr() + " is not a torch storage");
    const PyObject& type = *pid.items[1];
    if (type.kind != PyKind::Global || type.s.rfind("torch ", 0) != 0 || type.s.size() < 13 ||
        type.s.compare(type.s.size() - 7, 7, "Storage") != 0)
        fail(ErrorKind::Unsupported, "storage type " + type.repr() + " is not supported");
    if (pid.items[2]->kind != PyKind::String || pid.items[4]->kind != PyKind::Int)
        fail(ErrorKind::BadFile, "malformed storage id " + pid.repr());
    auto st = make(PyKind::Storage);
    st->s = type.s.substr(6);
    st->tensor.storage_type = st->s;
    st->tensor.storage_key = pid.items[2]->s;
    st->tensor.storage_numel = pid.items[4]->i;
    return st;
}

PyRef Machine::call(const PyObject& fn, const PyObject& args) {
    if (fn.kind != PyKind::Global) fail(ErrorKind::Unsupported, std::string("REDUCE on a ") + to_string(fn.kind));
    if (args.kind != PyKind::Tuple) fail(ErrorKind::BadFile, "REDUCE arguments are not a tuple");
    if (fn.s == "collections OrderedDict") return make(PyKind::Dict);
    if (fn.s == "torch._utils _rebuild_tensor_v2") return rebuild_tensor(args);
    // nn.Parameter: (tensor, requires_grad, backward_hooks[, state]) -> the tensor itself.
    if ((fn.s == "torch._utils _rebuild_parameter" || fn.s == "torch._utils _rebuild_parameter_with_state") &&
        !args.items.empty() && args.items[0]->kind == PyKind::Tensor)
        return args.items[0];
    fail(ErrorKind::Unsupported, "global '" + fn.s + "' is not supported");
}

// Executes one opcode; returns false at STOP.
bool Machine::step(uint8_t op) {
    switch (op) {
        case 0x80: if (le(1) > 5) fail(ErrorKind::Unsupported, "pickle protocol above 5"); break;  // PROTO
        case 0x95: le(8); break;                                                   // FRAME
        case '}': stack_.push_back(make(PyKind::Dict)); break;                     // EMPTY_DICT
        case ']': stack_.push_back(make(PyKind::List)); break;                     // EMPTY_LIST
        case ')': push_tuple({}); break;                                           // EMPTY_TUPLE
        case '(': marks_.push_back(stack_.size()); break;                          // MARK
        case 'X': push_str(PyKind::String, le(4)); break;                          // BINUNICODE
        case 0x8c: push_str(PyKind::String, le(1)); break;                         // SHORT_BINUNICODE
        case 0x8d: push_str(PyKind::String, le(8)); break;                         // BINUNICODE8
        case 'C': push_str(PyKind::Bytes, le(1)); break;                           // SHORT_BINBYTES
        case 'B': push_str(PyKind::Bytes, le(4)); break;                           // BINBYTES
        case 0x8e: push_str(PyKind::Bytes, le(8)); break;                          // BINBYTES8
        case 'J': push_int(int32_t(uint32_t(le(4)))); break;                       // BININT
        case 'K': push_int(int64_t(le(1))); break;                                 // BININT1
        case 'M': push_int(int64_t(le(2))); break;                                 // BININT2
        case 0x8a: {                                                               // LONG1
            uint64_t n = le(1);
            if (n > 8) fail(ErrorKind::Unsupported, "integer wider than 64 bits");
            uint64_t v = n ? le(int(n)) : 0;
            if (n && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t(0) << (8 * n);  // sign-extend
            push_int(int64_t(v));
            break;
        }
        case 'G': {                                                                // BINFLOAT (big-endian)
            const uint8_t* p = take(8);
            uint64_t bits = 0;
            for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];
            auto o = make(PyKind::Float);
            std::memcpy(&o->f, &bits, 8);
            stack_.push_back(o);
            break;
        }
        case 'N': stack_.push_back(make(PyKind::None)); break;                     // NONE
        case 0x88: case 0x89: {                                                    // NEWTRUE / NEWFALSE
            auto o = make(PyKind::Bool);
            o->b = op == 0x88;
            stack_.push_back(o);
            break;
        }
        case 0x85: case 0x86: case 0x87: {                                         // TUPLE1/2/3
            std::vector<PyRef> xs(size_t(op - 0x84));
            for (size_t k = xs.size(); k-- > 0;) xs[k] = pop();
            push_tuple(std::move(xs));
            break;
        }
        case 't': push_tuple(pop_mark()); break;                                   // TUPLE
        case 's': { PyRef v = pop(), k = pop(); std::vector<PyRef> kv{k, v}; set_items(top(), kv); break; }
        case 'u': { auto kv = pop_mark(); set_items(top(), kv); break; }           // SETITEMS
        case 'a': { std::vector<PyRef> xs{pop()}; append_items(top(), xs); break; }  // APPEND
        case 'e': { auto xs = pop_mark(); append_items(top(), xs); break; }        // APPENDS
        case 'q': memo_put(le(1)); break;                                          // BINPUT
        case 'r': memo_put(le(4)); break;                                          // LONG_BINPUT
        case 0x94: memo_put(memo_.size()); break;                                  // MEMOIZE
        case 'h': memo_get(le(1)); break;                                          // BINGET
        case 'j': memo_get(le(4)); break;                                          // LONG_BINGET
        case 'c': { std::string m = line(); global(m, line()); break; }            // GLOBAL
        case 0x93: {                                                               // STACK_GLOBAL
            PyRef name = pop(), module = pop();
            if (name->kind != PyKind::String || module->kind != PyKind::String) fail(ErrorKind::BadFile, "bad STACK_GLOBAL");
            global(module->s, name->s);
            break;
        }
        case 'R': { PyRef args = pop(), fn = pop(); stack_.push_back(call(*fn, *args)); break; }  // REDUCE
        case 'b': pop(); top(); break;  // BUILD: state ignored (OrderedDict _metadata, tensor hooks)
        case 'Q': { PyRef pid = pop(); stack_.push_back(persistent_load(*pid)); break; }  // BINPERSID
        case '0': pop(); break;                                                    // POP
        case '1': pop_mark(); break;                                               // POP_MARK
        case '2': stack_.push_back(top()); break;                                  // DUP
        case '.': return false;                                                    // STOP
        default: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "opcode 0x%02x", unsigned(op));
            std::string name = buf;
            if (op >= 0x20 && op < 0x7f) name += std::string(" ('") + char(op) + "')";
            fail(ErrorKind::Unsupported, name + " is not supported");
        }
    }
    return true;
}

PyRef Machine::run() {
    while (true) {
        op_at_ = pos_;
        if (pos_ >= b_.size()) fail(ErrorKind::BadFile, "truncated (no STOP opcode)");
        if (!step(b_[pos_++])) break;
    }
    if (stack_.size() != 1 || !marks_.empty()) fail(ErrorKind::BadFile, "unbalanced stack at STOP");
    return stack_.back();
}

}  // namespace

PyRef read_pickle(std::span<const uint8_t> bytes, const std::string& subject, const std::string& where) {
    return Machine(bytes, subject, where).run();
}

}  // namespace xl
