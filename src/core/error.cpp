// Error values: the nlpp error category and rendering.
#include <nlpp/core/error.hpp>

#include <ostream>

#include <fmt/format.h>

namespace nlpp {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "nlpp"; }
    std::string message(int v) const override {
        switch (static_cast<errc>(v)) {
        case errc::truncated: return "truncated data";
        case errc::malformed: return "malformed data";
        case errc::message_size: return "message does not fit";
        case errc::dump_interrupted:
            return "dump interrupted (NLM_F_DUMP_INTR): the data changed during the dump, retry it";
        case errc::unexpected_message: return "unexpected message";
        case errc::port_mismatch: return "reply addressed to another port id";
        case errc::attr_missing: return "missing attribute";
        case errc::attr_invalid: return "invalid attribute";
        case errc::timeout: return "timed out waiting for the kernel";
        case errc::would_block: return "no data ready (non-blocking)";
        case errc::family_not_found: return "netlink family not found";
        case errc::invalid_argument: return "invalid argument";
        case errc::not_answered: return "not answered";
        }
        return fmt::format("nlpp error {}", v);
    }
};

}  // namespace

const std::error_category& nlpp_category() noexcept {
    static const category c;
    return c;
}

struct error::details {
    std::string context;
    extack_info extack;
    std::string hint;
};

void error::details_deleter::operator()(details* d) const noexcept { delete d; }

error::error(std::error_code c, std::string context) : code_(c) {
    if (!context.empty()) edit().context = std::move(context);
}

error::error(const error& other) : code_(other.code_) {
    if (other.details_) details_.reset(new details(*other.details_));
}

error& error::operator=(const error& other) {
    if (this != &other) *this = error(other);
    return *this;
}

const error::details& error::view() const noexcept {
    static const details none;
    return details_ ? *details_ : none;
}

error::details& error::edit() {
    if (!details_) details_.reset(new details());
    return *details_;
}

const std::string& error::context() const noexcept { return view().context; }
const extack_info& error::extack() const noexcept { return view().extack; }
const std::string& error::hint() const noexcept { return view().hint; }

void error::set_context(std::string context) { edit().context = std::move(context); }
void error::set_extack(extack_info extack) { edit().extack = std::move(extack); }
void error::set_hint(std::string hint) { edit().hint = std::move(hint); }

error&& error::wrap(std::string_view outer) && {
    std::string& context = edit().context;
    context = context.empty() ? std::string(outer) : fmt::format("{}: {}", outer, context);
    return std::move(*this);
}

std::string error::what() const {
    const auto& [context, extack, hint] = view();
    std::string out = context;
    if (!out.empty()) out += ": ";
    out += code_.message();
    std::string k;
    if (!extack.message.empty()) k = fmt::format("kernel: '{}'", extack.message);
    auto add = [&k](std::string s) { k += k.empty() ? s : ", " + s; };
    if (!extack.attr_path.empty())
        add("bad attribute: " + extack.attr_path);
    else if (extack.offset)
        add(fmt::format("bad attribute at offset {}", *extack.offset));
    if (!extack.missing_path.empty())
        add("missing attribute: " + extack.missing_path);
    else if (extack.missing_type)
        add(fmt::format("missing attribute type {}", *extack.missing_type));
    if (!k.empty()) out += " (" + k + ")";
    if (!hint.empty()) out += "; " + hint;
    return out;
}

std::ostream& operator<<(std::ostream& os, const error& e) { return os << e.what(); }

}  // namespace nlpp
