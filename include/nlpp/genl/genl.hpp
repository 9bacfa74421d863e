// nlpp/genl/genl.hpp: generic netlink: families, nlctrl, policies.
//
//   | nlmsghdr (type = family id) | genlmsghdr: cmd u8, version u8, reserved u16 |
//   | family header (hdrsize bytes, usually none) | attributes |
//
// Family ids are assigned by the kernel at run time. genl::resolve asks
// the nlctrl family (CTRL_CMD_GETFAMILY) on a NETLINK_GENERIC socket the
// caller keeps. genl::client wraps such a socket and caches what resolve
// answers; it also lists every family and dumps a family's attribute
// policy (CTRL_CMD_GETPOLICY) into a typed structure.
//
// A typed family describes itself with a trait (the genl::family concept):
// a name, a version, a fixed header size and its command enum;
// client::message<F>() resolves it and writes both headers.
//
// Example:
//   struct ipvs_family {
//       static constexpr std::string_view name = "IPVS";
//       static constexpr std::uint8_t version = 1;
//       static constexpr std::size_t header_size = 0;
//       enum class command : std::uint8_t { new_service = 1, get_service = 4 };
//   };
//   auto gc = nlpp::genl::client::open();
//   if (!gc) return nlpp::fail(gc.error());
//   auto b = gc->message<ipvs_family>(ipvs_family::command::get_service);
//   if (!b) return nlpp::fail(b.error());   // e.g. family not found: module not loaded
//   return gc->raw().dump(*b, [](nlpp::message_view m) -> nlpp::result<void> {
//       nlpp::attr_range attrs = m.attrs(nlpp::genl::header_size);
//       for (nlpp::attr_view a : attrs) std::printf("attribute %u\n", unsigned{a.type()});
//       if (auto e = attrs.error()) return nlpp::fail(*e);
//       return {};
//   });
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/core/builder.hpp>
#include <nlpp/core/extack.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/socket/socket.hpp>

namespace nlpp::genl {

inline constexpr std::uint16_t ctrl_family_id = 0x10;  ///< GENL_ID_CTRL
inline constexpr std::size_t header_size = 4;          ///< GENL_HDRLEN

/// genlmsghdr.
struct header {
    std::uint8_t cmd = 0;        ///< the command
    std::uint8_t version = 0;    ///< the family's version
    std::uint16_t reserved = 0;  ///< zero
};
static_assert(sizeof(header) == header_size);

/// Operation flags (GENL_ADMIN_PERM...).
inline constexpr std::uint32_t op_admin_perm = 0x01, op_cap_do = 0x02, op_cap_dump = 0x04,
                               op_has_policy = 0x08, op_uns_admin_perm = 0x10;

/// One operation of a family.
struct operation {
    std::uint32_t id = 0;     ///< the command id
    std::uint32_t flags = 0;  ///< GENL_* flags (admin, do, dump, policy...)
};
/// One multicast group of a family.
struct mcast_group {
    std::string name;      ///< the group's name
    std::uint32_t id = 0;  ///< the group's id
};
/// A generic netlink family as nlctrl describes it.
struct NLPP_API family_info {
    std::string name;                       ///< the family's name
    std::uint16_t id = 0;                   ///< the family id of this kernel
    std::uint32_t version = 0;              ///< the family's version
    std::uint32_t hdrsize = 0;              ///< the size of the family's own header
    std::uint32_t maxattr = 0;              ///< the largest attribute type
    std::vector<operation> ops;             ///< the operations
    std::vector<mcast_group> mcast_groups;  ///< the multicast groups
    /// The id of a multicast group by name.
    std::optional<std::uint32_t> group(std::string_view group_name) const;
};

/// One attribute's policy as CTRL_CMD_GETPOLICY reports it (NL_POLICY_TYPE_ATTR_*).
struct attr_policy {
    std::uint32_t type = 0;  ///< NL_ATTR_TYPE_*
    /// @{ Signed value limits.
    std::optional<std::int64_t> min_value_s, max_value_s;
    /// @}
    /// @{ Unsigned value limits.
    std::optional<std::uint64_t> min_value_u, max_value_u;
    /// @}
    /// @{ Length limits, in bytes.
    std::optional<std::uint32_t> min_length, max_length;
    /// @}
    /// @{ For nests: the policy of the attributes inside and its largest type.
    std::optional<std::uint32_t> policy_idx, policy_maxtype;
    /// @}
    std::optional<std::uint32_t> bitfield32_mask;  ///< the valid bits of a bitfield32
    std::optional<std::uint64_t> mask;             ///< the valid bits of an integer
};
/// The limits an attr_policy carries, named as pyynl names them
/// ("min-value", "max-length", "policy-idx", "mask"...), in that order.
struct policy_limit {
    std::string_view name;     ///< the limit's name
    std::int64_t value = 0;    ///< when is_signed
    std::uint64_t uvalue = 0;  ///< otherwise
    bool is_signed = false;    ///< the value is signed
};
NLPP_API std::vector<policy_limit> limits(const attr_policy& p);

/// The policies of one operation.
struct op_policy {
    /// @{ Policy indexes of the do and dump requests.
    std::optional<std::uint32_t> do_policy, dump_policy;
    /// @}
};
/// A family's policies as CTRL_CMD_GETPOLICY dumps them.
struct policy_dump {
    std::uint16_t family_id = 0;                                             ///< the family's id
    std::map<std::uint32_t, std::map<std::uint32_t, attr_policy>> policies;  ///< [index][attr type]
    std::map<std::uint32_t, op_policy> ops;                                  ///< [cmd]
};

/// The name of an NL_ATTR_TYPE_* value ("u32", "nested"...).
NLPP_API std::string_view attr_type_name(std::uint32_t type) noexcept;

/// Names of nlctrl's attributes, for extack paths and the debug dumper.
NLPP_API const attr_set& ctrl_attrs() noexcept;

/// A request to a family: nlmsghdr + genlmsghdr. Flags as in message_builder.
NLPP_API message_builder make_request(std::uint16_t family_id, std::uint8_t cmd,
                                      std::uint8_t version, std::uint16_t flags = 0);

/// Decodes a CTRL_CMD_NEWFAMILY message (GETFAMILY reply or notification).
NLPP_API result<family_info> parse_family(message_view m);
/// Adds one CTRL_CMD_GETPOLICY reply message to `out`.
NLPP_API result<void> parse_policy(message_view m, policy_dump& out);

/// The family `name` (id, version, operations, multicast groups) asked of
/// nlctrl (CTRL_CMD_GETFAMILY) on `sock`, a NETLINK_GENERIC socket the
/// caller keeps using for the family. errc::family_not_found when this
/// kernel has no such family. No cache: genl::client keeps one.
NLPP_API result<family_info> resolve(socket& sock, std::string_view name);

/// A family trait: what a typed family declares about itself.
template <class F>
concept family = requires {
    { F::name } -> std::convertible_to<std::string_view>;
    { F::version } -> std::convertible_to<std::uint8_t>;
    { F::header_size } -> std::convertible_to<std::size_t>;
    typename F::command;
};

/// A NETLINK_GENERIC socket with a per-socket family cache.
class NLPP_API client {
public:
    /// Opens a NETLINK_GENERIC socket.
    static result<client> open(const socket_options& options = {});
    explicit client(socket s) : sock_(std::move(s)) {}  ///< uses an open NETLINK_GENERIC socket

    socket& raw() noexcept { return sock_; }  ///< the socket underneath

    /// The family by name: from the cache, else resolve()d.
    /// errc::family_not_found when this kernel has no such family.
    result<const family_info*> family(std::string_view name);
    /// Drops a cached family (after a module reload, say).
    void forget(std::string_view name);
    /// Every family this kernel has (refreshes the cache).
    result<std::vector<family_info>> families();
    /// The family's attribute policies and per-command policy indexes; with
    /// `command`, only that command's (CTRL_ATTR_OP), filed under it. Ask
    /// per command to tell dump-only commands apart: a whole-family dump
    /// files them under command 0 (the kernel takes the number from the
    /// command's absent do half).
    result<policy_dump> policy(std::string_view name,
                               std::optional<std::uint32_t> command = std::nullopt);

    /// A request to a typed family: resolves it, writes both headers and a
    /// zeroed family header of F::header_size bytes.
    template <genl::family F>
    result<message_builder> message(typename F::command cmd, std::uint16_t flags = 0) {
        auto f = family(F::name);
        if (!f) return fail(f.error());
        message_builder b =
            make_request((*f)->id, static_cast<std::uint8_t>(cmd), F::version, flags);
        if constexpr (F::header_size > 0) {
            std::byte zeros[F::header_size] = {};
            b.put_header(bytes(zeros, F::header_size));
        }
        return b;
    }

private:
    socket sock_;
    std::map<std::string, family_info, std::less<>> cache_;
};

}  // namespace nlpp::genl
