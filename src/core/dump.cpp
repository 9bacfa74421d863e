// The annotated hex dumper.
#include <nlpp/core/dump.hpp>

#include <linux/netlink.h>

#include <cctype>

#include <fmt/format.h>

namespace nlpp {
namespace {

// Up to four bytes as "xx xx xx xx " (blank-padded to 12 columns).
std::string hex_word(bytes w) { return fmt::format("{:<12}", hex(w, ' ') + ' '); }

std::string printable(bytes w) {
    std::string s;
    for (std::byte b : w) {
        const auto c = static_cast<unsigned char>(b);
        s += std::isprint(c) ? static_cast<char>(c) : '.';
    }
    return s;
}

std::string flag_names(std::uint16_t f) {
    static constexpr std::pair<std::uint16_t, const char*> names[] = {
        {NLM_F_REQUEST, "REQUEST"},
        {NLM_F_MULTI, "MULTI"},
        {NLM_F_ACK, "ACK"},
        {NLM_F_ECHO, "ECHO"},
        {NLM_F_DUMP_INTR, "DUMP_INTR"},
        {NLM_F_DUMP_FILTERED, "DUMP_FILTERED"}};
    std::string s;
    for (auto [bit, name] : names)
        if (f & bit) {
            if (!s.empty()) s += ',';
            s += name;
        }
    return s;
}

void payload_lines(std::string& out, bytes p, const std::string& indent) {
    for (std::size_t i = 0; i < p.size(); i += 4) {
        bytes w = p.subspan(i, std::min<std::size_t>(4, p.size() - i));
        out += fmt::format("{}| {}|  {}\n", indent, hex_word(w), printable(w));
    }
}

// True when the payload is a clean, non-empty sequence of attributes.
bool looks_nested(bytes p) {
    if (p.size() < attr_header_size) return false;
    attr_range r(p);
    std::size_t n = 0;
    for ([[maybe_unused]] attr_view a : r) ++n;
    return n > 0 && !r.fault();
}

constexpr int max_depth = 32;  // deeper nests are shown as hex

void attrs_lines(std::string& out, bytes region, const attr_set* names, bool guess,
                 const std::string& indent, int depth) {
    attr_range r(region);
    for (attr_view a : r) {
        const attr_name* n = names ? names->find(a.type()) : nullptr;
        out += fmt::format("{}|{:5}|{}{}|{:5}|  attr {}{}\n", indent, a.raw().size(),
                           a.nested_flag() ? 'N' : '-', a.net_byteorder_flag() ? 'B' : '-',
                           a.type(), n ? n->name : "", n ? "" : fmt::format("type {}", a.type()));
        const attr_set* inner = n ? n->nested : nullptr;
        const bool descend = inner || (!names && guess && looks_nested(a.payload())) ||
                             (names && !n && a.nested_flag());
        if (descend && depth < max_depth)
            attrs_lines(out, a.payload(), inner, guess && !inner, indent + "  ", depth + 1);
        else
            payload_lines(out, a.payload(), indent + "  ");
    }
    if (auto e = r.error()) out += fmt::format("{}!! {}\n", indent, *e);
}

}  // namespace

std::string format_message(message_view m, std::size_t fixed_header, const attr_set* names) {
    std::string out;
    out += fmt::format("| {:08x}        |  length {}\n", m.length(), m.length());
    out += fmt::format("| {:04x} {:04x}       |  type {} flags {}\n", m.type(), m.flags(), m.type(),
                       flag_names(m.flags()));
    out += fmt::format("| {:08x}        |  seq {}\n", m.seq(), m.seq());
    out += fmt::format("| {:08x}        |  port {}\n", m.port(), m.port());
    bytes p = m.payload();
    if (m.type() == NLMSG_ERROR || m.type() == NLMSG_DONE || p.size() < fixed_header) {
        payload_lines(out, p, "");
        return out;
    }
    if (fixed_header) {
        out += "  family header:\n";
        payload_lines(out, p.first(fixed_header), "  ");
    }
    attrs_lines(out, p.subspan(std::min(align4(fixed_header), p.size())), names, true, "", 0);
    return out;
}

}  // namespace nlpp
