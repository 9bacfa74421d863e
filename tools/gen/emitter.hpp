// nlpp-gen's emitters: what they share (names, the spec's structure as C++
// types) and one entry point per emitter. Each emitter appends to the
// header (h) and source (c) text in the order main() calls them.
#pragma once

#include <nlpp/ynl/spec.hpp>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nlpp::gen_tool {

using namespace nlpp::ynl;

// The generated header and source, appended to by the emitters.
struct output {
    std::string h, c;
};

// A C++ identifier for a spec name: hyphens become underscores, keywords and
// C library macros get a trailing underscore, a leading digit a leading one.
std::string ident(std::string_view name);
std::string scalar_cpp(attr_type t);  // "" when not a scalar
std::string order_cpp(nlpp::byte_order o);

// The spec seen as C++: type names, which nests recurse, which sub-messages
// are typed. Emitters derive from it.
class emitter {
public:
    explicit emitter(const spec& s);

protected:
    // Types are written qualified, so that a member may share its type's name.
    std::string q(const std::string& name) const;
    static std::string set_type(const attr_set& s) { return ident(s.name); }
    std::string set_q(const attr_set& s) const;
    std::string value_type(const attribute& a) const;
    std::string field_type(const attribute& a, const attr_set& owner) const;
    // A member may not share its class's name.
    static std::string field(const attribute& a, const attr_set& s);
    static bool wire_attr(const attribute& a) {
        return a.type != attr_type::unused && a.type != attr_type::pad;
    }
    static bool nests(const attribute& a) {
        return a.nested_set && (a.type == attr_type::nest || (a.type == attr_type::indexed_array &&
                                                              a.sub_type == attr_type::nest));
    }
    bool recursive(const attribute& a, const attr_set& owner) const;
    // Sets in an order where a set comes after those it holds by value.
    std::vector<const attr_set*> ordered_sets() const;

    // A sub-message is typed when its selector sits in the same set (decoded
    // in the same loop), or in a set that nests this one directly: then the
    // nest keeps it raw and the enclosing set's decode resolves it once its
    // own attributes (the selector) are known, as tc's stats2 "app" by "kind".
    const attribute* local_selector(const attribute& a) const;
    struct outer_use {
        const attr_set* parent;  // the set with the selector
        const attribute* nest;   // its attribute nesting the sub-message's set
        const attribute* sub;    // the sub-message attribute
    };
    // Sub-messages of sets nested in `parent` chosen by one of parent's attributes.
    std::vector<outer_use> outer_uses(const attr_set& parent) const;
    bool typed_sub_message(const attribute& a) const;

    const spec& s_;
    std::string ns_;
    std::map<const attribute*, const attr_set*> owner_;

private:
    bool outer_selected(const attribute& a) const;
    bool reaches(const attr_set* from, const attr_set* to, std::set<const attr_set*>& seen) const;
};

// The emitters, in the order of the generated files.
void emit_types(const spec& s, output& out);  // types.cpp: constants, enums, flags, structs
void emit_sets(const spec& s,
               output& out);  // sets.cpp: attribute sets, sub-messages, encode/decode
void emit_policy(const spec& s, output& out);  // policy.cpp: policy tables (names::<set>)
void emit_operations(const spec& s, std::string_view file,
                     output& out);  // operations.cpp: ops::<op>, spec_info

// policy.cpp: the --tables header alone: constexpr policy tables and operation ids
// in namespace `ns`, for code that needs nlpp::core only; `command` is how it was made.
result<std::string> emit_tables(const spec& s, std::string_view command, std::string_view ns);

}  // namespace nlpp::gen_tool
