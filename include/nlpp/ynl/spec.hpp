// nlpp/ynl/spec.hpp: one model for every YNL spec (genetlink, genetlink-c,
// genetlink-legacy, netlink-raw).
//
// load_spec() reads a kernel YAML netlink spec with libfyaml into plain
// structs: definitions (const, enum, flags, struct), attribute sets
// (subsets resolved against their parent), operations (with message ids
// assigned as the kernel's nlspec.py does, unified or directional),
// multicast groups and sub-messages. Keys the engine does not need (C
// naming, kernel codegen, docs) are ignored, as are keys it does not know.
// A malformed spec is an error naming the file, the line and the reason;
// YAML syntax errors also the column ("rt-link.yaml:43:3: not valid YAML: ...").
//
// Example:
//   auto s = nlpp::ynl::load_spec("/usr/share/ynl/specs/rt-link.yaml");
//   if (!s) return nlpp::fail(s.error());      // "rt-link.yaml:120: attribute 'mtu': unknown type 'u33'"
//   const nlpp::ynl::operation* op = s->find_op("getlink");
//   const nlpp::ynl::attr_set* set = s->find_set(op->attribute_set);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/core/bytes.hpp>
#include <nlpp/core/error.hpp>

namespace nlpp::ynl {

enum class protocol { genetlink, genetlink_c, genetlink_legacy, netlink_raw };

/// A display hint as the decoder applies it (the spec's text stays in
/// display_hint; a hint the engine does not know is `none`).
enum class display : std::uint8_t { none, hex, mac, fddi, ipv4, ipv6, ipv4_or_v6, uuid };
NLPP_API display display_of(std::string_view hint) noexcept;

enum class attr_type {
    unused,
    pad,
    flag,
    u8,
    u16,
    u32,
    u64,
    s8,
    s16,
    s32,
    s64,
    uint,
    sint,
    string,
    binary,
    nest,
    indexed_array,
    nest_type_value,
    bitfield32,
    sub_message,
};
NLPP_API std::string_view type_name(attr_type t) noexcept;
/// Bytes of a fixed-width integer type (0 for others).
constexpr std::size_t scalar_size(attr_type t) noexcept {
    switch (t) {
    case attr_type::u8:
    case attr_type::s8: return 1;
    case attr_type::u16:
    case attr_type::s16: return 2;
    case attr_type::u32:
    case attr_type::s32: return 4;
    case attr_type::u64:
    case attr_type::s64: return 8;
    default: return 0;
    }
}

/// One entry of an enum or flags definition.
struct enum_entry {
    std::string name;         ///< the entry's name
    std::uint64_t value = 0;  ///< flags: the mask (1 << bit)
    std::string json;         ///< "\"name\"": the decoder's cache (src/ynl/json_out.cpp)
};

struct NLPP_API definition;
struct NLPP_API attr_set;
struct NLPP_API sub_message;

/// One member of a struct definition.
struct struct_member {
    std::string name;                ///< the member's name
    attr_type type = attr_type::u8;  ///< u8..s64, string, binary, pad
    std::size_t len = 0;  ///< string/binary/pad bytes (binary with `struct`: that struct's size)
    byte_order order = byte_order::host;  ///< the byte order of integers
    std::string enum_name;                ///< the enum its value names; empty: none
    bool enum_as_flags = false;           ///< the enum is a set of flags
    std::string display_hint;             ///< how to print it (hex, mac, ipv4...)
    display hint = display::none;         ///< display_hint, resolved at load
    std::string struct_name;              ///< nested struct (netlink-raw)
    /// Resolved at load: pointers into the same spec.
    const definition* enum_def = nullptr;
    const definition* struct_def = nullptr;  ///< the struct of a nested struct member, resolved
    std::string json_key;  ///< "\"name\":": the decoder's cache (src/ynl/json_out.cpp)
};

/// A definition of the spec: a constant, an enum, flags or a struct.
struct NLPP_API definition {
    /// What a definition is.
    enum class kind { constant, enumeration, flags, structure };
    std::string name;                        ///< its name
    definition::kind kind = kind::constant;  ///< what it is
    std::int64_t value = 0;                  ///< constant
    std::string string_value;                ///< constant given as a string
    std::vector<enum_entry> entries;         ///< enum, flags
    std::vector<struct_member> members;      ///< struct
    std::size_t size = 0;                    ///< struct: packed size in bytes
    /// The decoder's cache (src/ynl/json_out.cpp), filled at load: the most
    /// JSON text a struct of integer members (plain or enum names) decodes
    /// to, for its fast path; 0 for others.
    std::size_t plain_text = 0;
    /// The entry by name; nullptr when absent.
    const enum_entry* find(std::string_view entry) const noexcept;
    /// The entry of value v; nullptr when absent.
    const enum_entry* find(std::uint64_t v) const noexcept;
};

/// An attribute's checks from the spec.
struct checks {
    /// @{ The value's bounds.
    std::optional<std::int64_t> min, max;
    /// @}
    /// @{ The payload's length bounds.
    std::optional<std::uint64_t> min_len, max_len, exact_len;
    /// @}
    bool unterminated_ok = false;  ///< A string may lack its terminating NUL
};

/// One attribute of an attribute set.
struct attribute {
    std::string name;                        ///< its name
    std::uint16_t value = 0;                 ///< its type number
    attr_type type = attr_type::unused;      ///< what the payload holds
    byte_order order = byte_order::host;     ///< the byte order of integers
    bool multi_attr = false;                 ///< it may repeat
    std::string nested;                      ///< nested-attributes (set name)
    std::string enum_name;                   ///< the enum its value names; empty: none
    bool enum_as_flags = false;              ///< the enum is a set of flags
    attr_type sub_type = attr_type::unused;  ///< indexed-array / binary arrays
    std::string display_hint;                ///< how to print it (hex, mac, ipv4...)
    display hint = display::none;            ///< display_hint, resolved at load
    std::string struct_name;                 ///< binary payload that is a struct
    std::vector<std::string> type_value;     ///< nest-type-value levels
    /// @{ For sub-messages: the sub-message's name and the attribute that selects its format.
    std::string sub_message, selector;
    /// @}
    ynl::checks checks;    ///< its checks
    std::size_t line = 0;  ///< where it is defined, for messages
    /// Resolved at load: pointers into the same spec.
    const attr_set* nested_set = nullptr;
    const definition* enum_def = nullptr;               ///< the enum, resolved
    const definition* struct_def = nullptr;             ///< the struct, resolved
    const ynl::sub_message* sub_message_def = nullptr;  ///< the sub-message, resolved
    bool is_selector = false;  ///< some sub-message is chosen by an attribute of this name
    std::string json_key;      ///< "\"name\":": the decoder's cache (src/ynl/json_out.cpp)
};

/// An attribute set.
struct NLPP_API attr_set {
    std::string name;              ///< its name
    std::string subset_of;         ///< the set it is a subset of; empty: none
    std::vector<attribute> attrs;  ///< its attributes
    bool has_selector = false;     ///< resolved at load: some attribute is_selector
    /// The attribute by name; nullptr when absent.
    const attribute* find(std::string_view attr) const noexcept;
    /// The attribute of type `type`; nullptr when absent.
    const attribute* find(std::uint16_t type) const noexcept {
        // Ids usually follow the list (from 0 with an "unspec" entry, or from 1).
        if (type < attrs.size() && attrs[type].value == type) return &attrs[type];
        if (type > 0 && type <= attrs.size() && attrs[type - 1].value == type)
            return &attrs[type - 1];
        return find_listed(type);
    }

private:
    const attribute* find_listed(std::uint16_t type) const noexcept;
};

/// One message of an operation: the attributes it carries.
struct message_part {
    std::vector<std::string> attributes;  ///< the attributes' names
};

/// An operation of the spec.
struct operation {
    std::string name;                            ///< its name
    std::string attribute_set;                   ///< the attribute set of its messages
    std::string fixed_header;                    ///< struct name; empty: none
    std::optional<std::uint32_t> request_value;  ///< to the kernel
    std::optional<std::uint32_t> reply_value;  ///< from the kernel (replies, notifications, events)
    /// @{ Its messages: do request and reply, dump request and reply, event.
    std::optional<message_part> do_request, do_reply, dump_request, dump_reply, event;
    /// @}
    std::string notify;              ///< a notification reusing that operation's reply
    std::string mcgrp;               ///< the multicast group of its notifications
    std::vector<std::string> flags;  ///< admin-perm, uns-admin-perm
    /// Resolved at load: pointers into the same spec.
    const attr_set* set = nullptr;
    const definition* header = nullptr;  ///< the fixed header, resolved; nullptr: none
    bool has_do() const noexcept { return do_request || do_reply; }        ///< it has a do
    bool has_dump() const noexcept { return dump_request || dump_reply; }  ///< it has a dump
};

/// A multicast group of the spec.
struct mcast_group {
    std::string name;                    ///< its name
    std::optional<std::uint32_t> value;  ///< netlink-raw: the group number
};

/// One format of a sub-message.
struct sub_message_format {
    std::string value;          ///< the selector's value that picks it
    std::string fixed_header;   ///< its fixed header's name; empty: none
    std::string attribute_set;  ///< its attribute set's name; empty: none
    /// Resolved at load: pointers into the same spec.
    const attr_set* set = nullptr;
    const definition* header = nullptr;  ///< the fixed header, resolved
};
/// A sub-message: formats chosen by a selector attribute's value.
struct NLPP_API sub_message {
    std::string name;                         ///< its name
    std::vector<sub_message_format> formats;  ///< its formats
    /// The format for selector value v; nullptr when absent.
    const sub_message_format* find(std::string_view v) const noexcept;
};

/// A spec moves but does not copy: its parts point at each other.
struct NLPP_API spec {
    spec() = default;
    spec(spec&&) noexcept = default;             ///< moves
    spec& operator=(spec&&) noexcept = default;  ///< moves
    spec(const spec&) = delete;
    spec& operator=(const spec&) = delete;

    std::string file;  ///< the file name it was loaded from
    std::string name;  ///< the family's name
    /// genetlink, genetlink-c, genetlink-legacy or netlink-raw.
    ynl::protocol protocol = protocol::genetlink;
    std::uint32_t protonum = 16;            ///< NETLINK_GENERIC unless netlink-raw says otherwise
    std::uint32_t version = 1;              ///< the family's version
    std::string fixed_header;               ///< operations-level default
    std::vector<definition> definitions;    ///< its definitions
    std::vector<attr_set> attribute_sets;   ///< its attribute sets
    std::vector<operation> operations;      ///< its operations
    std::vector<mcast_group> mcast_groups;  ///< its multicast groups
    std::vector<sub_message> sub_messages;  ///< its sub-messages

    /// The definition by name; nullptr when absent.
    const definition* find_definition(std::string_view n) const noexcept;
    /// The attribute set by name; nullptr when absent.
    const attr_set* find_set(std::string_view n) const noexcept;
    /// The operation by name; nullptr when absent.
    const operation* find_op(std::string_view n) const noexcept;
    /// The sub-message by name; nullptr when absent.
    const sub_message* find_sub_message(std::string_view n) const noexcept;
    /// The operation whose reply (or notification) has this id.
    const operation* find_reply(std::uint32_t value) const noexcept;
    /// A generic netlink family.
    bool is_genetlink() const noexcept { return protocol != protocol::netlink_raw; }
};

/// Loads and checks a spec; errors read "FILE:LINE: reason".
NLPP_API result<spec> load_spec(const std::string& path);
NLPP_API result<spec> parse_spec(std::string_view yaml, const std::string& file_name);

/// Finds a spec by family name: NLPP_SPEC_PATH (colon-separated), then the
/// given extra directories, then /usr/local/share/ynl/specs and
/// /usr/share/ynl/specs. Tries NAME.yaml and NAME with '-' as '_'.
NLPP_API result<std::string> find_spec(std::string_view family,
                                       const std::vector<std::string>& extra_dirs = {});
/// The directories find_spec() searches, in order.
NLPP_API std::vector<std::string> spec_search_path(const std::vector<std::string>& extra_dirs = {});

}  // namespace nlpp::ynl
