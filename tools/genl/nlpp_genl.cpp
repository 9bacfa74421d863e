// nlpp-genl: list generic netlink families, show one, or dump its policy.
//
//   nlpp-genl                 every family, like `genl ctrl list`
//   nlpp-genl show NAME       one family
//   nlpp-genl policy NAME     its attribute policies
//   --json                    JSON instead of text; --netns NAME to look elsewhere
#include <nlpp/core/version.hpp>
#include <nlpp/genl/genl.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace {

using nlohmann::ordered_json;

std::string capabilities(std::uint32_t flags) {
    std::string s;
    if (flags & nlpp::genl::op_admin_perm) s += "requires admin permission; ";
    if (flags & nlpp::genl::op_uns_admin_perm) s += "requires namespace admin permission; ";
    if (flags & nlpp::genl::op_cap_do) s += "can doit; ";
    if (flags & nlpp::genl::op_cap_dump) s += "can dumpit; ";
    if (flags & nlpp::genl::op_has_policy) s += "has policy";
    while (!s.empty() && (s.back() == ' ' || s.back() == ';')) s.pop_back();
    return s;
}

void print_family(const nlpp::genl::family_info& f) {
    fmt::print("\nName: {}\n", f.name);
    fmt::print("\tID: {:#x}  Version: {:#x}  header size: {}  max attribs: {} \n", f.id, f.version,
               f.hdrsize, f.maxattr);
    if (!f.ops.empty()) {
        fmt::print("\tcommands supported: \n");
        int i = 0;
        for (const auto& op : f.ops)
            fmt::print("\t\t#{}:  ID-{:#x} \n\t\tCapabilities ({:#x}):\n \t\t  {}\n\n", ++i, op.id,
                       op.flags, capabilities(op.flags));
        fmt::print("\n");
    }
    if (!f.mcast_groups.empty()) {
        fmt::print("\tmulticast groups:\n");
        int i = 0;
        for (const auto& g : f.mcast_groups)
            fmt::print("\t\t#{}:  ID-{:#x}  name: {} \n", ++i, g.id, g.name);
        fmt::print("\n");
    }
}

ordered_json family_json(const nlpp::genl::family_info& f) {
    ordered_json ops = ordered_json::array();
    for (const auto& op : f.ops)
        ops.push_back(
            {{"id", op.id}, {"flags", op.flags}, {"capabilities", capabilities(op.flags)}});
    ordered_json groups = ordered_json::array();
    for (const auto& g : f.mcast_groups) groups.push_back({{"name", g.name}, {"id", g.id}});
    return {{"name", f.name},       {"id", f.id}, {"version", f.version},  {"hdrsize", f.hdrsize},
            {"maxattr", f.maxattr}, {"ops", ops}, {"mcast-groups", groups}};
}

ordered_json policy_json(const nlpp::genl::policy_dump& p) {
    ordered_json policies = ordered_json::object();
    for (const auto& [idx, attrs] : p.policies) {
        ordered_json set = ordered_json::object();
        for (const auto& [type, a] : attrs) {
            ordered_json j = {{"type", nlpp::genl::attr_type_name(a.type)}};
            for (const auto& l : nlpp::genl::limits(a))
                j[std::string(l.name)] =
                    l.is_signed ? ordered_json(l.value) : ordered_json(l.uvalue);
            set[std::to_string(type)] = j;
        }
        policies[std::to_string(idx)] = set;
    }
    ordered_json ops = ordered_json::object();
    for (const auto& [cmd, op] : p.ops) {
        ordered_json j = ordered_json::object();
        if (op.do_policy) j["do"] = *op.do_policy;
        if (op.dump_policy) j["dump"] = *op.dump_policy;
        ops[std::to_string(cmd)] = j;
    }
    return {{"family-id", p.family_id}, {"policies", policies}, {"ops", ops}};
}

void print_policy(const std::string& name, const nlpp::genl::policy_dump& p) {
    fmt::print("Family {} (id {:#x})\n", name, p.family_id);
    for (const auto& [cmd, op] : p.ops)
        fmt::print("  command {}: do policy {}, dump policy {}\n", cmd,
                   op.do_policy ? std::to_string(*op.do_policy) : "-",
                   op.dump_policy ? std::to_string(*op.dump_policy) : "-");
    for (const auto& [idx, attrs] : p.policies) {
        fmt::print("  policy {}:\n", idx);
        for (const auto& [type, a] : attrs) {
            std::string extra;
            for (const auto& l : nlpp::genl::limits(a))
                extra += l.is_signed ? fmt::format(" {} {}", l.name, l.value)
                                     : fmt::format(" {} {}", l.name, l.uvalue);
            fmt::print("    attr {}: {}{}\n", type, nlpp::genl::attr_type_name(a.type), extra);
        }
    }
}

int report(const nlpp::error& e) {
    fmt::print(stderr, "nlpp-genl: {}\n", e);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"List generic netlink families, show one, or dump its policy.", "nlpp-genl"};
    app.set_version_flag("--version", std::string("nlpp-genl ") + nlpp::version_string);
    bool json = false;
    std::string netns;
    app.add_flag("--json", json, "print JSON");
    app.add_option("--netns", netns, "network namespace name (under /run/netns)");
    std::string name;
    auto* show = app.add_subcommand("show", "show one family");
    show->add_option("NAME", name, "family name")->required();
    auto* policy = app.add_subcommand("policy", "show a family's attribute policies");
    policy->add_option("NAME", name, "family name")->required();
    app.require_subcommand(0, 1);
    CLI11_PARSE(app, argc, argv);

    auto client = nlpp::genl::client::open({.netns = netns});
    if (!client) return report(client.error());

    if (*policy) {
        auto p = client->policy(name);
        if (!p) return report(p.error());
        if (json)
            std::cout << policy_json(*p).dump(2) << '\n';
        else
            print_policy(name, *p);
        return 0;
    }
    if (*show) {
        auto f = client->family(name);
        if (!f) return report(f.error());
        if (json)
            std::cout << family_json(**f).dump(2) << '\n';
        else
            print_family(**f);
        return 0;
    }
    auto all = client->families();
    if (!all) return report(all.error());
    if (json) {
        ordered_json out = ordered_json::array();
        for (const auto& f : *all) out.push_back(family_json(f));
        std::cout << out.dump(2) << '\n';
    } else {
        for (const auto& f : *all) print_family(f);
    }
    return 0;
}
