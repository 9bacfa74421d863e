// ACK / DONE decoding and attribute path rendering.
#include <nlpp/core/extack.hpp>
#include <nlpp/core/decoder.hpp>

#include <linux/netlink.h>

#include <fmt/format.h>

namespace nlpp {

nlpp::error ack::to_error(std::string context) const {
    nlpp::error e = nlpp::error::from_errno(error, std::move(context));
    e.set_extack(extack);
    return e;
}

namespace {

// NLMSGERR_ATTR_*, named for errors.
constexpr attr_name tlv_names[] = {{},         {"message"},      {"offset"},      {"cookie"},
                                   {"policy"}, {"missing-type"}, {"missing-nest"}};
constexpr attr_set tlv_set{"extack", tlv_names};

result<void> parse_tlvs(bytes tlvs, extack_info& out) {
    attr_decoder in{attr_range(tlvs), "extended ACK", &tlv_set};
    while (in.next()) {
        switch (in.type()) {
        case NLMSGERR_ATTR_MSG: out.message = in.get_string(); break;
        case NLMSGERR_ATTR_OFFS: out.offset = in.get<std::uint32_t>(); break;
        case NLMSGERR_ATTR_MISS_TYPE: out.missing_type = in.get<std::uint32_t>(); break;
        case NLMSGERR_ATTR_MISS_NEST: out.missing_nest = in.get<std::uint32_t>(); break;
        default: break;  // cookie, policy and future TLVs are skipped
        }
    }
    if (auto e = in.error()) return fail(std::move(*e));
    return {};
}

// Walks a request's attributes down to `offset`. Returns the path and the
// attribute set in force at the deepest attribute found.
struct walk_result {
    std::string path;
    const attr_set* set = nullptr;
};

walk_result walk_to(bytes request, std::size_t fixed_header, std::uint32_t offset,
                    const attr_set* names) {
    walk_result out;
    std::size_t base = message_header_size + align4(fixed_header);
    if (request.size() < message_header_size) return out;
    const std::size_t msg_len = std::min<std::size_t>(load<std::uint32_t>(request), request.size());
    if (base > msg_len) return out;
    bytes region = request.subspan(base, msg_len - base);
    const attr_set* set = names;
    for (;;) {
        bool descended = false;
        for (attr_view a : attr_range(region)) {
            const std::size_t pos = base + static_cast<std::size_t>(a.raw().data() - region.data());
            if (offset < pos || offset >= pos + align4(a.raw().size())) continue;
            const attr_name* n = set ? set->find(a.type()) : nullptr;
            out.path += n ? fmt::format(".{}", n->name) : fmt::format(".{}", a.type());
            const attr_set* inner = n ? n->nested : nullptr;
            out.set = inner;
            if (offset == pos || (!inner && !a.nested_flag()) || offset < pos + attr_header_size)
                return out;
            base = pos + attr_header_size;
            region = a.payload();
            set = inner;
            descended = true;
            break;
        }
        if (!descended) return out;
    }
}

// The kernel sends 0 or a negative errno; anything else is malformed.
result<int> errno_field(bytes p, const char* what) {
    const auto raw = load<std::int32_t>(p);
    if (raw > 0 || raw < -4095)
        return fail(errc::malformed,
                    fmt::format("{}: error field {} is not 0 or a negative errno", what, raw));
    return -raw;
}

}  // namespace

result<ack> parse_ack(message_view m) {
    ack a;
    bytes p = m.payload();
    if (m.type() == NLMSG_DONE) {
        a.done = true;
        if (p.empty()) return a;
        if (p.size() < 4)
            return fail(errc::truncated, fmt::format("NLMSG_DONE: {}-byte status", p.size()));
        auto err = errno_field(p, "NLMSG_DONE");
        if (!err) return fail(err.error());
        a.error = *err;
        if (m.flags() & NLM_F_ACK_TLVS)
            if (auto r = parse_tlvs(p.subspan(4), a.extack); !r)
                return fail(std::move(r.error()).wrap("NLMSG_DONE"));
        return a;
    }
    if (m.type() != NLMSG_ERROR)
        return fail(errc::unexpected_message,
                    fmt::format("message type {} is neither NLMSG_ERROR nor NLMSG_DONE", m.type()));
    if (p.size() < 4 + message_header_size)
        return fail(
            errc::truncated,
            fmt::format("NLMSG_ERROR: payload of {} bytes is shorter than nlmsgerr", p.size()));
    auto err = errno_field(p, "NLMSG_ERROR");
    if (!err) return fail(err.error());
    a.error = *err;
    a.request_seq = load<std::uint32_t>(p.subspan(4 + 8));
    std::size_t tlv_start = 4 + message_header_size;
    if (!(m.flags() & NLM_F_CAPPED)) {
        const std::size_t orig = load<std::uint32_t>(p.subspan(4));
        if (orig < message_header_size || 4 + align4(orig) > p.size()) {
            if (m.flags() & NLM_F_ACK_TLVS)
                return fail(
                    errc::truncated,
                    fmt::format(
                        "NLMSG_ERROR: echoed request of {} bytes runs past the {}-byte payload",
                        orig, p.size()));
            return a;  // echo shorter than its header claims and no TLVs: keep the errno
        }
        tlv_start = 4 + align4(orig);
    }
    if (m.flags() & NLM_F_ACK_TLVS)
        if (auto r = parse_tlvs(p.subspan(std::min(tlv_start, p.size())), a.extack); !r)
            return fail(std::move(r.error()).wrap("NLMSG_ERROR"));
    return a;
}

std::string attr_path(bytes request, std::size_t fixed_header, std::uint32_t offset,
                      const attr_set* names) {
    return walk_to(request, fixed_header, offset, names).path;
}

std::string missing_attr_path(bytes request, std::size_t fixed_header,
                              std::optional<std::uint32_t> nest_offset, std::uint32_t missing_type,
                              const attr_set* names) {
    walk_result w;
    if (nest_offset)
        w = walk_to(request, fixed_header, *nest_offset, names);
    else
        w.set = names;
    const attr_name* n = w.set && missing_type <= 0xffff
                             ? w.set->find(static_cast<std::uint16_t>(missing_type))
                             : nullptr;
    return w.path + (n ? fmt::format(".{}", n->name) : fmt::format(".{}", missing_type));
}

}  // namespace nlpp
