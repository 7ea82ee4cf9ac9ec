#include "core/io/xml_check.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace xl {
namespace {

struct Parser {
    explicit Parser(const std::string& text) : s(text) {}
    const std::string& s;
    size_t i = 0;
    std::string error;
    std::vector<std::string> names;

    int line() const { return 1 + int(std::count(s.begin(), s.begin() + std::min(i, s.size()), '\n')); }
    bool fail(const std::string& why) {
        if (error.empty()) error = "line " + std::to_string(line()) + ": " + why;
        return false;
    }
    static bool name_char(char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' ||
               static_cast<unsigned char>(c) >= 0x80;
    }
    void spaces() { while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i; }
    std::string name() {
        const size_t b = i;
        while (i < s.size() && name_char(s[i])) ++i;
        return s.substr(b, i - b);
    }
    bool skip_until(const char* end) {
        const size_t p = s.find(end, i);
        if (p == std::string::npos) return fail(std::string("missing ") + end);
        i = p + std::char_traits<char>::length(end);
        return true;
    }
    bool entity() {  // at '&'
        const size_t semi = s.find(';', i);
        if (semi == std::string::npos || semi - i > 10) return fail("bare '&'");
        const std::string e = s.substr(i + 1, semi - i - 1);
        static const std::set<std::string> known = {"amp", "lt", "gt", "quot", "apos"};
        const bool num = e.size() > 1 && e[0] == '#';
        if (!num && !known.count(e)) return fail("unknown entity &" + e + ";");
        i = semi + 1;
        return true;
    }
    bool text() {
        while (i < s.size() && s[i] != '<') {
            if (s[i] == '&') { if (!entity()) return false; }
            else ++i;
        }
        return true;
    }
    bool attributes(bool& self_closing) {
        std::set<std::string> seen;
        for (;;) {
            spaces();
            if (i >= s.size()) return fail("unterminated tag");
            if (s[i] == '>') { ++i; self_closing = false; return true; }
            if (s.compare(i, 2, "/>") == 0) { i += 2; self_closing = true; return true; }
            const std::string a = name();
            if (a.empty()) return fail("bad attribute");
            if (!seen.insert(a).second) return fail("duplicate attribute " + a);
            spaces();
            if (i >= s.size() || s[i] != '=') return fail("attribute " + a + " without value");
            ++i;
            spaces();
            if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return fail("unquoted attribute " + a);
            const char q = s[i++];
            while (i < s.size() && s[i] != q) {
                if (s[i] == '<') return fail("'<' in attribute " + a);
                if (s[i] == '&') { if (!entity()) return false; }
                else ++i;
            }
            if (i >= s.size()) return fail("unterminated attribute " + a);
            ++i;
        }
    }
    bool run() {
        std::vector<std::string> stack;
        int roots = 0;
        while (i < s.size()) {
            if (s[i] != '<') {
                const size_t b = i;
                if (!text()) return false;
                if (stack.empty() && s.find_first_not_of(" \t\r\n", b) < i) return fail("text outside the root");
                continue;
            }
            if (s.compare(i, 4, "<!--") == 0) { if (!skip_until("-->")) return false; continue; }
            if (s.compare(i, 2, "<?") == 0) { if (!skip_until("?>")) return false; continue; }
            if (s.compare(i, 9, "<![CDATA[") == 0) { if (!skip_until("]]>")) return false; continue; }
            if (s.compare(i, 2, "<!") == 0) { if (!skip_until(">")) return false; continue; }
            if (s.compare(i, 2, "</") == 0) {
                i += 2;
                const std::string n = name();
                spaces();
                if (i >= s.size() || s[i] != '>') return fail("bad end tag </" + n);
                ++i;
                if (stack.empty() || stack.back() != n)
                    return fail("</" + n + "> closes " + (stack.empty() ? "nothing" : "<" + stack.back() + ">"));
                stack.pop_back();
                continue;
            }
            ++i;
            const std::string n = name();
            if (n.empty()) return fail("bad start tag");
            if (stack.empty() && ++roots > 1) return fail("second root element <" + n + ">");
            names.push_back(n);
            bool self_closing = false;
            if (!attributes(self_closing)) return false;
            if (!self_closing) stack.push_back(n);
        }
        if (!stack.empty()) return fail("<" + stack.back() + "> not closed");
        if (roots == 0) return fail("no root element");
        return true;
    }
};

}  // namespace

bool xml_well_formed(const std::string& text, std::string* error) {
    Parser p(text);
    const bool ok = p.run();
    if (error) *error = p.error;
    return ok;
}

std::vector<std::string> xml_element_names(const std::string& text) {
    Parser p(text);
    p.run();
    return p.names;
}

}  // namespace xl
