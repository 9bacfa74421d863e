// nlpp-gen's operations emitter: per operation its message ids, fixed
// header and attribute set (ops::<op>), and the family (spec_info).
#include "emitter.hpp"

#include <fmt/format.h>

namespace nlpp::gen_tool {
namespace {

class operations_emitter : emitter {
public:
    operations_emitter(const spec& s, std::string_view file, output& out)
        : emitter(s), file_(file), h_(out.h) {}

    void operations() {
        h_ +=
            "// Operations: message ids (genetlink: the command), fixed header and attribute set.\nnamespace ops {\n";
        for (const auto& op : s_.operations) {
            const std::string o = ident(op.name);
            h_ += fmt::format("struct {} {{\n", o);
            h_ += fmt::format("    static constexpr std::string_view name = \"{}\";\n", op.name);
            if (op.request_value)
                h_ += fmt::format("    static constexpr std::uint16_t request = {};\n",
                                  *op.request_value);
            if (op.reply_value)
                h_ += fmt::format("    static constexpr std::uint16_t reply = {};\n",
                                  *op.reply_value);
            h_ += fmt::format("    static constexpr bool has_do = {}, has_dump = {};\n",
                              op.has_do() ? "true" : "false", op.has_dump() ? "true" : "false");
            h_ += fmt::format("    static constexpr bool genetlink = {};\n",
                              s_.is_genetlink() ? "true" : "false");
            h_ += fmt::format("    using fixed_header = {};\n",
                              op.header ? q(op.header->name) : "nlpp::gen::none");
            if (op.set)
                h_ += fmt::format(
                    "    using attributes = {};\n    static const nlpp::attr_set& names() noexcept {{ return names::{}; }}\n",
                    set_q(*op.set), set_type(*op.set));
            else
                h_ += "    using attributes = nlpp::gen::none;\n";
            h_ += "};\n";
        }
        h_ += "}  // namespace ops\n\n";
        h_ +=
            "// The family: its name (genetlink: resolve it through nlctrl), socket protocol and operations.\nstruct spec_info {\n";
        h_ += fmt::format("    static constexpr std::string_view name = \"{}\";\n", s_.name);
        h_ += fmt::format("    static constexpr std::string_view spec_file = \"{}\";\n", file_);
        h_ += fmt::format("    static constexpr int protocol = {};\n", s_.protonum);
        h_ += fmt::format("    static constexpr bool is_genetlink = {};\n",
                          s_.is_genetlink() ? "true" : "false");
        std::string groups;
        for (const auto& g : s_.mcast_groups)
            groups += fmt::format("{}{{\"{}\", {}}}", groups.empty() ? "" : ", ", g.name,
                                  g.value.value_or(0));
        h_ += fmt::format(
            "    // Multicast groups (genetlink: ids resolved through nlctrl).\n"
            "    static constexpr std::array<nlpp::gen::group_info, {}> mcast_groups = {{{{{}}}}};\n",
            s_.mcast_groups.size(), groups);
        h_ +=
            "    // Calls f.template operator()<ops::X>() for every operation X.\n    template <class F>\n    static void for_each_op(F&& f) {\n";
        for (const auto& op : s_.operations)
            h_ += fmt::format("        f.template operator()<ops::{}>();\n", ident(op.name));
        h_ += "    }\n};\n\n";
    }

private:
    std::string_view file_;
    std::string& h_;
};

}  // namespace

void emit_operations(const spec& s, std::string_view file, output& out) {
    operations_emitter(s, file, out).operations();
}

}  // namespace nlpp::gen_tool
