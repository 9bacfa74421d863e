// Attribute and message views: the slow paths (errors, variable-width ints).
#include <nlpp/core/attr.hpp>
#include <nlpp/core/message.hpp>

#include <fmt/format.h>

namespace nlpp {

nlpp::error walk_fault::to_error(std::string_view what) const {
    return {code, fmt::format("{} at offset {}: {}", what, offset, reason)};
}

nlpp::error attr_view::size_error(std::size_t want) const {
    return {errc::attr_invalid, fmt::format("attribute {}: needs {} bytes of payload, has {}",
                                            type(), want, length_ - attr_header_size)};
}

result<std::uint64_t> attr_view::get_uint(byte_order o) const {
    switch (length_ - attr_header_size) {
    case 4: return load<std::uint32_t>(payload(), o);
    case 8: return load<std::uint64_t>(payload(), o);
    default:
        return fail(errc::attr_invalid, fmt::format("attribute {}: uint needs 4 or 8 bytes, has {}",
                                                    type(), length_ - attr_header_size));
    }
}

result<std::int64_t> attr_view::get_sint(byte_order o) const {
    switch (length_ - attr_header_size) {
    case 4: return load<std::int32_t>(payload(), o);
    case 8: return load<std::int64_t>(payload(), o);
    default:
        return fail(errc::attr_invalid, fmt::format("attribute {}: sint needs 4 or 8 bytes, has {}",
                                                    type(), length_ - attr_header_size));
    }
}

std::string_view attr_view::get_string() const noexcept {
    auto p = payload();
    std::string_view s(reinterpret_cast<const char*>(p.data()), p.size());
    auto nul = s.find('\0');
    return nul == std::string_view::npos ? s : s.substr(0, nul);
}

std::optional<attr_view> attr_range::find(std::uint16_t type) const noexcept {
    for (attr_view a : *this)
        if (a.type() == type) return a;
    return std::nullopt;
}

std::optional<nlpp::error> attr_range::error() const {
    if (!fault_) return std::nullopt;
    return fault_->to_error("attribute");
}

// Messages.

attr_range message_view::attrs(std::size_t fixed_header) const noexcept {
    auto p = payload();
    if (p.size() < fixed_header)
        return attr_range::failed(
            {errc::truncated, 0, "message payload is shorter than its family header"});
    const std::size_t skip = std::min(align4(fixed_header), p.size());
    return attr_range(p.subspan(skip));
}

nlpp::error message_view::short_error(std::size_t want) const {
    return {errc::truncated,
            fmt::format("message type {}: payload of {} bytes is shorter than its {}-byte header",
                        type(), payload().size(), want)};
}

result<message_view> message_view::parse(bytes data) {
    if (data.size() < message_header_size)
        return fail(errc::truncated,
                    fmt::format("message: {} bytes is shorter than a message header", data.size()));
    const auto len = load<std::uint32_t>(data);
    if (len < message_header_size)
        return fail(errc::malformed,
                    fmt::format("message: nlmsg_len {} is smaller than the header", len));
    if (len > data.size())
        return fail(errc::truncated,
                    fmt::format("message: nlmsg_len {} runs past the {} bytes", len, data.size()));
    if (align4(len) < data.size())
        return fail(errc::malformed,
                    fmt::format("message: {} bytes after nlmsg_len {}", data.size() - len, len));
    return message_view(data.first(len));
}

std::optional<nlpp::error> message_range::error() const {
    if (!fault_) return std::nullopt;
    return fault_->to_error("message");
}

}  // namespace nlpp
