// nlpp-ynl: speak any netlink family described by a YNL spec, with JSON out.
//
//   nlpp-ynl --family rt-link --dump getlink [--output-json] [--netns NAME]
//   nlpp-ynl --spec FILE --do OP [--json '{}']
//   nlpp-ynl --family netdev --list-ops | --list-attrs OP
//   nlpp-ynl --list-families
//
// Specs are found by family name in NLPP_SPEC_PATH, the project's specs
// (installed share/nlpp/specs, or the source tree's specs/), then
// /usr/local/share/ynl/specs and /usr/share/ynl/specs. This first version
// decodes every reply and notification; requests carry only their fixed
// header (zeroed), so --json must be empty or absent.
#include <nlpp/core/version.hpp>
#include <nlpp/genl/genl.hpp>
#include <nlpp/ynl/decode.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <dirent.h>
#include <iostream>
#include <set>

namespace {

int report(const nlpp::error& e) {
    std::fprintf(stderr, "nlpp-ynl: %s\n", e.what().c_str());
    return 1;
}

std::vector<std::string> spec_dirs() {
    return {NLPP_INSTALLED_SPECS, NLPP_SOURCE_SPECS};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Speak any netlink family described by a YNL spec, with JSON in and out.", "nlpp-ynl"};
    app.set_version_flag("--version", std::string("nlpp-ynl ") + nlpp::version_string);
    std::string spec_file, family, do_op, dump_op, json_in, list_attrs, netns;
    bool output_json = false, list_ops = false, list_families = false, process_unknown = false;
    app.add_option("--spec", spec_file, "the YNL spec file");
    app.add_option("--family", family, "the family name, looked up in the spec search path");
    app.add_option("--do", do_op, "run a 'do' operation");
    app.add_option("--dump", dump_op, "run a 'dump' operation");
    app.add_option("--json", json_in, "request attributes as JSON (only {} for now)");
    app.add_flag("--output-json", output_json, "one compact JSON object per line, streamed");
    app.add_flag("--process-unknown", process_unknown, "keep unknown attributes as raw hex");
    app.add_flag("--list-ops", list_ops, "list the spec's operations");
    app.add_option("--list-attrs", list_attrs, "list the attributes of an operation");
    app.add_flag("--list-families", list_families, "list the families whose specs are found");
    app.add_option("--netns", netns, "network namespace name (under /run/netns)");
    CLI11_PARSE(app, argc, argv);

    if (list_families) {
        std::set<std::string> names;
        std::vector<std::string> dirs;
        if (const char* p = std::getenv("NLPP_SPEC_PATH")) {
            std::string s(p);
            for (std::size_t pos = 0; pos <= s.size();) {
                const auto c = std::min(s.find(':', pos), s.size());
                if (c > pos) dirs.push_back(s.substr(pos, c - pos));
                pos = c + 1;
            }
        }
        for (const auto& d : spec_dirs()) dirs.push_back(d);
        dirs.push_back("/usr/local/share/ynl/specs");
        dirs.push_back("/usr/share/ynl/specs");
        for (const auto& d : dirs)
            if (DIR* dir = opendir(d.c_str())) {
                while (dirent* e = readdir(dir)) {
                    std::string n = e->d_name;
                    if (n.size() > 5 && n.ends_with(".yaml"))
                        if (auto s = nlpp::ynl::load_spec(d + "/" + n)) names.insert(s->name);
                }
                closedir(dir);
            }
        for (const auto& n : names) std::printf("%s\n", n.c_str());
        return 0;
    }

    if (spec_file.empty()) {
        if (family.empty()) return std::fprintf(stderr, "nlpp-ynl: give --spec FILE or --family NAME\n"), 2;
        auto path = nlpp::ynl::find_spec(family, spec_dirs());
        if (!path) return report(path.error());
        spec_file = *path;
    }
    auto spec = nlpp::ynl::load_spec(spec_file);
    if (!spec) return report(spec.error());

    if (list_ops) {
        for (const auto& op : spec->operations)
            std::printf("%s%s%s\n", op.name.c_str(), op.has_do() ? " do" : "", op.has_dump() ? " dump" : "");
        return 0;
    }
    if (!list_attrs.empty()) {
        const auto* op = spec->find_op(list_attrs);
        if (!op) return std::fprintf(stderr, "nlpp-ynl: no operation '%s' in %s\n", list_attrs.c_str(), spec->file.c_str()), 2;
        const auto* set = spec->find_set(op->attribute_set);
        if (set)
            for (const auto& a : set->attrs)
                if (a.type != nlpp::ynl::attr_type::unused)
                    std::printf("%s %s\n", a.name.c_str(), std::string(nlpp::ynl::type_name(a.type)).c_str());
        return 0;
    }

    const bool dump = !dump_op.empty();
    const std::string& op_name = dump ? dump_op : do_op;
    if (op_name.empty()) return std::fprintf(stderr, "nlpp-ynl: give --do OP or --dump OP (or a --list option)\n"), 2;
    const auto* op = spec->find_op(op_name);
    if (!op) return std::fprintf(stderr, "nlpp-ynl: no operation '%s' in %s\n", op_name.c_str(), spec->file.c_str()), 2;
    if ((dump && !op->has_dump()) || (!dump && !op->has_do()))
        return std::fprintf(stderr, "nlpp-ynl: operation '%s' has no %s\n", op_name.c_str(), dump ? "dump" : "do"), 2;
    if (!json_in.empty()) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(json_in);
        } catch (const nlohmann::json::exception& e) {
            return std::fprintf(stderr, "nlpp-ynl: --json is not valid JSON: %s\n", e.what()), 2;
        }
        if (!j.is_object() || !j.empty())
            return std::fprintf(stderr, "nlpp-ynl: request attributes are not supported yet (only --json '{}')\n"), 2;
    }
    if (!op->request_value) return std::fprintf(stderr, "nlpp-ynl: operation '%s' has no request id\n", op_name.c_str()), 2;

    auto sock = nlpp::socket::open(static_cast<int>(spec->protonum), {.netns = netns});
    if (!sock) return report(sock.error());
    std::uint16_t type = static_cast<std::uint16_t>(*op->request_value);
    nlpp::message_builder b(type, 0);
    if (spec->is_genetlink()) {
        nlpp::genl::client gc(std::move(*sock));
        auto f = gc.family(spec->name);
        if (!f) return report(f.error());
        b = nlpp::genl::make_request((*f)->id, static_cast<std::uint8_t>(*op->request_value), static_cast<std::uint8_t>(spec->version));
        *sock = std::move(gc.raw());
    }
    if (!op->fixed_header.empty()) {
        std::vector<std::byte> zeros(spec->find_definition(op->fixed_header)->size);
        b.put_header(nlpp::bytes(zeros));
    }
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    const nlpp::ynl::decode_options opts{.process_unknown = process_unknown};
    auto on_reply = [&](nlpp::message_view m) -> nlpp::result<void> {
        auto j = nlpp::ynl::decode(*spec, *op, m, opts);
        if (!j) return nlpp::fail(j.error());
        if (output_json) std::cout << j->dump() << '\n';
        else all.push_back(std::move(*j));
        return {};
    };
    const nlpp::request_info info{fmt::format("{} {}", op_name, dump ? "dump" : "do")};
    auto r = dump ? sock->dump(b, on_reply, info) : sock->request(b, on_reply, info);
    if (!r) return report(r.error());
    if (!output_json) std::cout << (dump ? all.dump(2) : (all.empty() ? std::string("{}") : all[0].dump(2))) << '\n';
    return 0;
}
