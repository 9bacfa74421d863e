// nlpp/core/decoder.hpp: reading attributes into typed values, with one error at the end.
//
// An attr_decoder walks a run of attributes (a message's, or a nest's) and
// reads the current one through attr_view's checked getters, in the byte
// order the caller names. A problem does not interrupt the caller's code:
// a read that fails returns a zero value, the decoder keeps the first
// problem (a wrong length, a malformed attribute, a value the caller calls
// invalid()), next() returns false from then on, and error() reports it
// once, at the end, with the attribute's path: names from an attr_set
// (policy.hpp) when one is given, type numbers otherwise. While the data is
// good no error is built and nothing is allocated. Attributes the caller
// does not read are skipped (forward compatible). After mdlayher/netlink's
// AttributeDecoder.
//
// Example (given nlpp::message_view m):
//   constexpr nlpp::attr_name op_names[] = {{}, {"id"}, {"flags"}};
//   constexpr nlpp::attr_set op_set{"op", op_names};
//   constexpr nlpp::attr_name family_names[] = {{}, {"family-id"}, {"family-name"}, {}, {}, {}, {"ops"}};
//   constexpr nlpp::attr_set family_set{"family", family_names};
//   std::uint16_t id = 0;
//   std::vector<std::uint32_t> op_ids;
//   nlpp::attr_decoder d(m.attrs(4), "nlctrl family", &family_set);
//   while (d.next()) {
//       switch (d.type()) {
//       case CTRL_ATTR_FAMILY_ID: id = d.get<std::uint16_t>(); break;
//       case CTRL_ATTR_OPS:                        // a nest of nests numbered 1, 2, ...
//           d.nested([&](nlpp::attr_decoder& list) {
//               while (list.next())
//                   list.nested(op_set, [&](nlpp::attr_decoder& op) {
//                       while (op.next())
//                           if (op.type() == CTRL_ATTR_OP_ID) op_ids.push_back(op.get<std::uint32_t>());
//                   });
//           });
//           break;
//       default: break;                            // newer attributes are skipped
//       }
//   }
//   if (auto e = d.error()) return nlpp::fail(*e);
//   // e->what(): "nlctrl family ops.1.id: attribute 1: needs 4 bytes of payload, has 2: invalid attribute"
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlpp/core/attr.hpp>
#include <nlpp/core/bytes.hpp>
#include <nlpp/core/error.hpp>
#include <nlpp/core/policy.hpp>

namespace nlpp {

/// The one way to read a nest's attributes: sticky (the first error stops the decoding) and errors
/// name the attribute's path.
class NLPP_API attr_decoder {
public:
    /// Decodes `attrs` (message_view::attrs(), attr_view::nested()). `what`
    /// names them in errors ("nlctrl family") and must outlive the decoder
    /// (a literal); `set`, when given, names the attributes by type and,
    /// through its `nested` entries, those of the nests inside.
    attr_decoder(attr_range attrs, std::string_view what, const attr_set* set = nullptr) noexcept
        : range_(attrs), what_(what), set_(set) {}
    /// The decoder points into itself while it walks: it stays where it is made.
    attr_decoder(const attr_decoder&) = delete;
    attr_decoder& operator=(const attr_decoder&) = delete;

    /// Moves to the next attribute. False at the end, at a malformed
    /// attribute, and once a problem is kept.
    bool next() noexcept {
        if (problem_ || done_) return false;
        if (!started_) {
            pos_ = range_.begin();
            started_ = true;
        } else {
            ++pos_;
        }
        done_ = pos_ == range_.end();
        return !done_;
    }

    /// The current attribute (after next() returned true).
    attr_view attr() const noexcept { return *pos_; }
    /// The current attribute's type.
    std::uint16_t type() const noexcept { return attr().type(); }

    /// The current attribute's value, read by attr_view's getters (exact
    /// sizes; see attr.hpp). On a problem: kept, and a zero value returned.
    template <std::integral T>
    [[nodiscard]] T get(byte_order o = byte_order::host) {
        return keep(attr().get<T>(o));
    }
    /// The current attribute as a kernel "uint" (4 or 8 bytes).
    [[nodiscard]] std::uint64_t get_uint(byte_order o = byte_order::host) {
        return keep(attr().get_uint(o));
    }
    /// The current attribute as a kernel "sint" (4 or 8 bytes).
    [[nodiscard]] std::int64_t get_sint(byte_order o = byte_order::host) {
        return keep(attr().get_sint(o));
    }
    /// The current attribute as struct S (its exact size).
    template <class S>
    requires std::is_trivially_copyable_v<S> && std::is_default_constructible_v<S>
    [[nodiscard]] S get_struct() { return keep(attr().get_struct<S>()); }
    /// Up to the first NUL; never a problem.
    [[nodiscard]] std::string_view get_string() const noexcept { return attr().get_string(); }

    /// Decodes the current attribute's payload as attributes: calls
    /// decode(attr_decoder&) with a decoder over them, whose problem, if
    /// any, becomes this decoder's. The inner names come from this set's
    /// entry for the current type, or from `set` when given (a nest whose
    /// entries are numbered, like nlctrl's ops, names its inner nests so).
    template <class F>
    requires std::invocable<F&, attr_decoder&>
    void nested(F&& decode) {
        const attr_name* n = set_ ? set_->find(type()) : nullptr;
        nested(n ? n->nested : nullptr, 0, decode);
    }
    /// Decodes the current attribute as a nest of `set` with `decode`.
    template <class F>
    requires std::invocable<F&, attr_decoder&>
    void nested(const attr_set& set, F&& decode) { nested(&set, 0, decode); }
    /// The general form: `set` names the inner attributes (nullptr: by
    /// number), after a fixed header of `fixed_header` bytes (padded to 4,
    /// as message_view::attrs(); a sub-message's), which the caller reads
    /// from attr().payload(). A shorter payload is a problem.
    template <class F>
    requires std::invocable<F&, attr_decoder&>
    void nested(const attr_set* set, std::size_t fixed_header, F&& decode) {
        attr_decoder inner(inner_range(fixed_header), this, set);
        decode(inner);
        if (auto e = inner.error()) adopt(std::move(*e));
    }

    /// Keeps a problem of the caller's finding (errc::attr_invalid): with
    /// the current attribute, or with `a`, an attribute this decoder walked
    /// (e.g. one kept to read once the walk is over).
    void invalid(std::string_view reason) { invalid(attr(), reason); }
    /// Records that attribute a is invalid, and why.
    void invalid(attr_view a, std::string_view reason);

    /// Keeps a problem found outside the walk as it is (e.g. in bytes kept
    /// to decode once the walk is over, by a decoder of their own): like the
    /// others, only the first problem is kept.
    void adopt(nlpp::error e);

    /// No problem so far.
    bool ok() const noexcept { return !problem_; }
    /// The problem kept, else the walk's fault (a malformed attribute), with
    /// `what` and the path: "service stats64.conns: attribute 1: needs 8 bytes of payload, has 4".
    std::optional<nlpp::error> error() const;

private:
    attr_decoder(attr_range attrs, const attr_decoder* parent, const attr_set* set) noexcept
        : range_(attrs), what_(parent->what_), set_(set), parent_(parent) {}

    template <class T>
    T keep(result<T>&& r) {
        if (r) return *std::move(r);
        keep_at(std::move(r.error()), attr());
        return T{};
    }
    /// Slow paths (decoder.cpp): the path is rendered only for a problem.
    void keep_at(nlpp::error e, attr_view a);  ///< wraps e with the path of a
    attr_range inner_range(std::size_t fixed_header) const noexcept;
    std::string path_of(std::uint16_t type) const;
    std::string where(const std::string& path) const;

    attr_range range_;
    attr_range::iterator pos_{};
    std::string_view what_;
    const attr_set* set_ = nullptr;
    const attr_decoder* parent_ = nullptr;
    bool started_ = false;
    bool done_ = false;
    std::optional<nlpp::error> problem_;
};

}  // namespace nlpp
