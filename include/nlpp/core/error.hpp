// nlpp/core/error.hpp: errors as values.
//
// Every fallible nlpp function returns nlpp::result<T>, an expected-style
// value that holds either a T or an nlpp::error; it is [[nodiscard]]. An
// error carries:
//   - code():    an errno (std::system_category) or an nlpp::errc,
//   - context(): what nlpp was doing, outermost first ("dump links: ..."),
//   - extack():  the kernel's extended ACK message, offset and, where a
//                policy table was known, the offending attribute's path,
//   - hint():    what to do about it ("needs CAP_NET_ADMIN").
// An error is a code and a pointer (24 bytes): only a failure allocates the
// rest, so a result<std::uint32_t> stays small. It prints with fmt ("{}") and
// with operator<<, as what() renders it.
//
// Example (given nlpp::attr_view attr):
//   nlpp::result<std::uint32_t> mtu = attr.get<std::uint32_t>();
//   if (!mtu) {
//       std::cerr << mtu.error() << '\n';  // "attribute 4: needs 4 bytes of payload, has 2: invalid attribute"
//       return nlpp::fail(std::move(mtu.error()).wrap("read the MTU"));
//   }
//   nlpp::error e = nlpp::error::from_errno(EPERM, "add link");
//   e.set_hint("needs CAP_NET_ADMIN");
//   fmt::print(stderr, "{}\n", e);  // "add link: Operation not permitted; needs CAP_NET_ADMIN"
//   if (e.code() == std::errc::operation_not_permitted) { /* ... */ }   // errno codes compare with std::errc
//   if (e.is(nlpp::errc::timeout)) { /* ... */ }                       // and the library's own with nlpp::errc
#pragma once

#include <algorithm>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/core.h>
#include <tl/expected.hpp>

#include <nlpp/core/export.hpp>

namespace nlpp {

/// Library error codes, in their own error_category ("nlpp").
enum class errc : int {
    truncated = 1,       ///< a length field points past the end of the bytes
    malformed,           ///< a length or header is impossible (too small, bad alignment)
    message_size,        ///< the builder ran out of room or an attribute grew past 64 KiB
    dump_interrupted,    ///< NLM_F_DUMP_INTR: the dump was inconsistent, retry it
    unexpected_message,  ///< a message the protocol does not allow here
    port_mismatch,       ///< a reply addressed to another port id
    attr_missing,        ///< a required attribute is absent
    attr_invalid,        ///< an attribute has the wrong length or value
    timeout,             ///< no reply within the socket's timeout
    would_block,         ///< non-blocking socket has nothing to read now
    family_not_found,    ///< generic netlink family unknown to this kernel
    invalid_argument,    ///< the caller passed something unusable
    not_answered,        ///< the kernel skipped a request of a failed batch
};

NLPP_API const std::error_category& nlpp_category() noexcept;

}  // namespace nlpp
/// @cond
template <>
struct std::is_error_code_enum<nlpp::errc> : std::true_type {};
/// @endcond
namespace nlpp {

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), nlpp_category()};
}

/// What the kernel said in an extended ACK (NLMSGERR_ATTR_*).
struct extack_info {
    std::string message;                        ///< NLMSGERR_ATTR_MSG
    std::optional<std::uint32_t> offset;        ///< NLMSGERR_ATTR_OFFS, from the request's start
    std::optional<std::uint32_t> missing_type;  ///< NLMSGERR_ATTR_MISS_TYPE
    std::optional<std::uint32_t> missing_nest;  ///< NLMSGERR_ATTR_MISS_NEST (offset)
    std::string attr_path;     ///< ".service.port": the attribute at offset, by name
    std::string missing_path;  ///< ".service.af": the missing attribute, by name
};

/// An error value: a code (errno or nlpp::errc) with context, the kernel's extended ACK and a hint;
/// what() renders it as one line.
class NLPP_API error {
public:
    error() = default;
    /// An error with a code and what was being done.
    error(std::error_code c, std::string context);
    /// An error with one of nlpp's codes and what was being done.
    error(errc e, std::string context) : error(make_error_code(e), std::move(context)) {}

    /// An errno value from the kernel or a system call.
    static error from_errno(int err, std::string context) {
        return {std::error_code(err, std::system_category()), std::move(context)};
    }

    error(const error& other);                     ///< copies, details included
    error& operator=(const error& other);          ///< copies, details included
    error(error&&) noexcept = default;             ///< moves
    error& operator=(error&&) noexcept = default;  ///< moves
    ~error() = default;

    /// The code: an errno (generic category) or an nlpp::errc.
    std::error_code code() const noexcept { return code_; }
    const std::string& context() const noexcept;  ///< empty when not set
    /// The kernel's extended ACK; empty when it sent none.
    const extack_info& extack() const noexcept;
    /// A hint on the likely cause; empty when there is none.
    const std::string& hint() const noexcept;

    void set_context(std::string context);  ///< sets what was being done
    void set_extack(extack_info extack);    ///< sets the kernel's extended ACK
    void set_hint(std::string hint);        ///< sets the hint

    /// The errno, or 0 when the code is a library code.
    int errno_value() const noexcept {
        return code_.category() == std::system_category() ? code_.value() : 0;
    }
    bool is(errc e) const noexcept { return code_ == make_error_code(e); }  ///< the code is e

    /// Prefixes context: error("parse reply").wrap("get family") -> "get family: parse reply".
    error&& wrap(std::string_view outer) &&;

    /// One line: "context: reason (kernel: 'msg', bad attribute: .a.b); hint".
    std::string what() const;

private:
    struct details;  ///< context, extack, hint
    struct NLPP_API details_deleter {
        void operator()(details* d) const noexcept;
    };
    const details& view() const noexcept;  ///< the details, or empty ones
    details& edit();                       ///< the details, allocated on first use

    std::error_code code_;
    std::unique_ptr<details, details_deleter> details_;
};

static_assert(sizeof(error) <= 32, "an error is a code and a pointer: results stay small");

/// Writes e.what().
NLPP_API std::ostream& operator<<(std::ostream& os, const error& e);

/// A T or an error. [[nodiscard]]: a failure must not pass unnoticed; where
/// dropping one is intended, cast it to void and say why.
template <class T>
class [[nodiscard]] result : public tl::expected<T, error> {
public:
    using tl::expected<T, error>::expected;
};

using tl::unexpected;

/// Shorthand for returning a failure: `return fail(errc::truncated, "what")`.
inline tl::unexpected<error> fail(errc e, std::string context) {
    return tl::unexpected<error>(error(e, std::move(context)));
}
inline tl::unexpected<error> fail(error e) { return tl::unexpected<error>(std::move(e)); }

}  // namespace nlpp
/// @cond
// fmt::format("{}", e) writes e.what(). (No format specs: inheriting
// formatter<string_view> would need <fmt/format.h> in every user's build.)
template <>
struct fmt::formatter<nlpp::error> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class FormatContext>
    auto format(const nlpp::error& e, FormatContext& ctx) const {
        // Copied, not formatted: fmt::format_to calls libfmt's vformat_to,
        // which clang 14 links under another name than Debian's libfmt exports.
        const std::string text = e.what();
        return std::copy(text.begin(), text.end(), ctx.out());
    }
};
/// @endcond
