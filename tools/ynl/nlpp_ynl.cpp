// nlpp-ynl: speak any netlink family described by a YNL spec, JSON in and out.
//
//   nlpp-ynl --family rt-link --dump getlink [--output-json] [--netns NAME]
//   nlpp-ynl --family rt-link --do newlink --create --json '{"ifname": "v0", "linkinfo": {"kind": "veth"}}'
//   nlpp-ynl --family nftables --multi batch-begin '{"res-id": 10}' --multi newtable '{"name": "t"}' ...
//   nlpp-ynl --family rt-link --subscribe rtnlgrp-link --duration 5   (repeat --subscribe, or: all)
//   nlpp-ynl --family netdev --list-ops | --list-msgs | --list-attrs OP | --policy --do dev-get
//   nlpp-ynl --list-families
//   nlpp-ynl --family nlctrl --check-policy | --all --check-policy [--output-json]
//
// Options follow the kernel's ynl CLI. Specs are found by family name in
// NLPP_SPEC_PATH, the project's specs (installed share/nlpp/specs, or the
// source tree's specs/), then /usr/local/share/ynl/specs and
// /usr/share/ynl/specs. Output is indented JSON, or with --output-json one
// compact object per line, streamed as messages arrive.
#include <nlpp/core/version.hpp>
#include <nlpp/genl/genl.hpp>
#include <nlpp/ynl/client.hpp>
#include <nlpp/ynl/policy_check.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <dirent.h>
#include <iostream>
#include <poll.h>
#include <map>

namespace {

using nlohmann::ordered_json;

int report(const nlpp::error& e) {
    fmt::print(stderr, "nlpp-ynl: {}\n", e);
    return 1;
}
int usage(const std::string& why) {
    std::fprintf(stderr, "nlpp-ynl: %s\n", why.c_str());
    return 2;
}

// The specs on the search path by family name (the first found of each
// name); with `genetlink_only`, only genetlink families.
std::map<std::string, nlpp::ynl::spec> found_specs(bool genetlink_only) {
    std::map<std::string, nlpp::ynl::spec> found;
    for (const auto& d : nlpp::ynl::spec_search_path({NLPP_INSTALLED_SPECS, NLPP_SOURCE_SPECS}))
        if (DIR* dir = opendir(d.c_str())) {
            while (dirent* e = readdir(dir)) {
                std::string n = e->d_name;
                if (n.size() > 5 && n.ends_with(".yaml"))
                    if (auto s = nlpp::ynl::load_spec(d + "/" + n);
                        s && (!genetlink_only || s->is_genetlink()))
                        found.emplace(s->name, std::move(*s));
            }
            closedir(dir);
        }
    return found;
}

int list_families() {
    for (const auto& [name, s] : found_specs(false)) std::printf("%s\n", name.c_str());
    return 0;
}

// --check-policy: each spec compared with the kernel's policies (text, or
// one JSON object per family); 1 when any disagrees. With `all`, families
// this kernel does not have are listed as skipped.
int check_policies(const std::map<std::string, nlpp::ynl::spec>& specs, bool all, bool json,
                   const std::string& netns) {
    auto gc = nlpp::genl::client::open({.netns = netns});
    if (!gc) return report(gc.error());
    int status = 0;
    for (const auto& [name, s] : specs) {
        if (!s.is_genetlink())
            return usage(fmt::format(
                "--check-policy needs a genetlink family ({} is netlink-raw: its kernel side reports no policies)",
                s.name));
        auto p = nlpp::ynl::read_policies(*gc, s.name);
        if (!p && all && p.error().is(nlpp::errc::family_not_found)) {
            if (json)
                std::cout
                    << ordered_json{{"family", s.name}, {"skipped", "not in this kernel"}}.dump()
                    << '\n';
            else
                std::printf("%s: skipped: not in this kernel\n", s.name.c_str());
            continue;
        }
        if (!p) return report(p.error());
        const auto r = nlpp::ynl::check_policy(s, *p);
        if (!r.differences.empty()) status = 1;
        if (json) {
            ordered_json diffs = ordered_json::array();
            for (const auto& d : r.differences)
                diffs.push_back({{"kind", nlpp::ynl::kind_name(d.what)},
                                 {"operation", d.operation},
                                 {"attribute", d.attribute},
                                 {"spec", d.spec},
                                 {"kernel", d.kernel}});
            std::cout << ordered_json{{"family", r.family},
                                      {"operations", r.operations},
                                      {"attributes", r.attributes},
                                      {"differences", std::move(diffs)}}
                             .dump()
                      << '\n';
            continue;
        }
        std::printf("%s: %zu operations, %zu attribute policies: %s\n", r.family.c_str(),
                    r.operations, r.attributes,
                    r.differences.empty()
                        ? "the spec agrees with the kernel"
                        : fmt::format("{} differences", r.differences.size()).c_str());
        for (const auto& d : r.differences) std::printf("  %s\n", d.to_string().c_str());
    }
    return status;
}

void list_attrs(const nlpp::ynl::operation& op) {
    auto print_part = [&](const char* what, const std::optional<nlpp::ynl::message_part>& part) {
        if (!part) return;
        std::printf("%s:\n", what);
        const auto* set = op.set;
        for (const auto& name : part->attributes) {
            const auto* a = set ? set->find(name) : nullptr;
            std::string extra;
            if (a && !a->enum_name.empty()) extra += " enum " + a->enum_name;
            if (a && !a->nested.empty()) extra += " nest " + a->nested;
            if (a && !a->sub_message.empty())
                extra += " sub-message " + a->sub_message + " by " + a->selector;
            if (a && a->multi_attr) extra += " multi";
            std::printf("  %s: %s%s\n", name.c_str(),
                        a ? std::string(nlpp::ynl::type_name(a->type)).c_str() : "?",
                        extra.c_str());
        }
    };
    if (!op.fixed_header.empty()) std::printf("fixed header: %s\n", op.fixed_header.c_str());
    print_part("do request", op.do_request);
    print_part("do reply", op.do_reply);
    print_part("dump request", op.dump_request);
    print_part("dump reply", op.dump_reply);
    print_part("event", op.event);
    if (!op.notify.empty())
        std::printf("notification with the attributes of %s\n", op.notify.c_str());
    if (!op.mcgrp.empty()) std::printf("multicast group: %s\n", op.mcgrp.c_str());
}

// The kernel's policy for one operation, attributes named through the spec.
ordered_json policy_json(const nlpp::genl::policy_dump& p, std::uint32_t index,
                         const nlpp::ynl::spec& spec, const nlpp::ynl::attr_set* set, int depth) {
    ordered_json out = ordered_json::object();
    const auto it = p.policies.find(index);
    if (it == p.policies.end()) return out;
    for (const auto& [type, a] : it->second) {
        const nlpp::ynl::attribute* sa =
            set ? set->find(static_cast<std::uint16_t>(type)) : nullptr;
        ordered_json j{{"type", std::string(nlpp::genl::attr_type_name(a.type))}};
        for (const auto& l : nlpp::genl::limits(a))
            if (l.name != "policy-idx" &&
                l.name != "policy-maxtype")  // nested policies are shown inline
                j[std::string(l.name)] =
                    l.is_signed ? ordered_json(l.value) : ordered_json(l.uvalue);
        if (a.policy_idx && depth < 8 && *a.policy_idx != index)
            j["policy"] =
                policy_json(p, *a.policy_idx, spec, sa ? sa->nested_set : nullptr, depth + 1);
        out[sa ? sa->name : std::to_string(type)] = std::move(j);
    }
    return out;
}

// Prints replies as they come: compact lines, or an indented JSON value
// (a list for dumps) streamed element by element.
class printer {
public:
    printer(bool lines, bool list) : lines_(lines), list_(list) {}
    void print(const ordered_json& j) {
        if (lines_) {
            std::cout << j.dump() << '\n';
        } else {
            std::string s = j.dump(2);
            if (list_) {  // indent by one level inside the list
                std::string ind = "  ";
                for (std::size_t p = 0; (p = s.find('\n', p)) != std::string::npos; p += 3)
                    s.insert(p + 1, ind);
                std::cout << (count_ ? ",\n  " : "[\n  ") << s;
            } else {
                std::cout << (count_ ? "\n" : "") << s;
            }
        }
        ++count_;
    }
    void finish() {
        if (lines_) return;
        if (list_)
            std::cout << (count_ ? "\n]\n" : "[]\n");
        else if (count_)
            std::cout << '\n';
    }

private:
    bool lines_, list_;
    std::size_t count_ = 0;
};

volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop_signal(int sig) { stop_signal = sig; }

// --subscribe: prints each notification of the joined groups as
// {"name": OP, "msg": {...}} (one line with --output-json, else indented),
// flushed, for `limit` seconds (< 0: until SIGINT or SIGTERM). Lost
// notifications and undecodable ones are reported on stderr and listening
// goes on; exit status 0 unless the socket fails.
int listen(nlpp::ynl::client& client, const nlpp::ynl::decode_options& opts, bool lines,
           double limit) {
    // The signals are blocked except inside ppoll, so none can fall between
    // the check of stop_signal and the wait.
    sigset_t stops, normal;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigprocmask(SIG_BLOCK, &stops, &normal);
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(limit < 0 ? 0 : limit);
    for (;;) {
        // Wait only when nothing is queued or already read into the buffer.
        if (client.raw().pending_notifications() == 0 && !client.raw().readable()) {
            timespec wait{}, *timeout = nullptr;
            if (limit >= 0) {
                const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count();
                if (left <= 0) return 0;
                wait = {static_cast<time_t>(left / 1000000000),
                        static_cast<long>(left % 1000000000)};
                timeout = &wait;
            }
            pollfd p{client.raw().fd(), POLLIN, 0};
            const int n = ::ppoll(&p, 1, timeout, &normal);
            if (stop_signal) return 0;
            if (n == 0) return 0;
            if (n < 0 && errno != EINTR) return report(nlpp::error::from_errno(errno, "poll"));
            if (n < 0) continue;
        }
        auto n = client.next_notification(opts);
        if (!n) {
            if (n.error().errno_value() == ENOBUFS || n.error().is(nlpp::errc::malformed)) {
                report(n.error());  // lost or undecodable: say so and go on listening
                continue;
            }
            return report(n.error());
        }
        const ordered_json j{{"name", n->name}, {"msg", std::move(n->msg)}};
        std::cout << j.dump(lines ? -1 : 2) << std::endl;
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Speak any netlink family described by a YNL spec, with JSON in and out.",
                 "nlpp-ynl"};
    app.set_version_flag("--version", std::string("nlpp-ynl ") + nlpp::version_string);
    std::string spec_file, family, do_op, dump_op, json_in, list_attrs_op, netns;
    std::vector<std::pair<std::string, std::string>> multi;
    std::vector<std::string> subscribe;
    double sleep_s = -1, duration_s = -1;
    bool output_json = false, list_ops = false, list_msgs = false, list_fams = false,
         process_unknown = false, no_schema = false, policy = false, create = false, excl = false,
         replace = false, append = false, check_policy = false, all_families = false;
    auto* fam = app.add_option_group("family");
    fam->add_option("--spec", spec_file, "the YNL spec file");
    fam->add_option("--family", family, "the family name, looked up in the spec search path");
    fam->add_flag("--list-families", list_fams, "list the families whose specs are found");
    fam->add_flag("--all", all_families,
                  "with --check-policy: every genetlink family whose spec is found");
    fam->require_option(1);
    auto* ops = app.add_option_group("operation");
    ops->add_option("--do", do_op, "run a 'do' operation");
    ops->add_option("--dump", dump_op, "run a 'dump' operation");
    ops->add_option("--multi", multi,
                    "OP JSON: add a 'do' request to one batch (repeat; nftables transactions)")
        ->expected(1, -1);
    ops->add_flag("--list-ops", list_ops, "list the spec's operations");
    ops->add_flag("--list-msgs", list_msgs, "list operations and notifications");
    ops->add_option("--list-attrs", list_attrs_op,
                    "list the attributes of an operation or notification");
    app.add_option("--json", json_in,
                   "request attributes and fixed-header fields as one JSON object");
    app.add_flag("--output-json", output_json, "one compact JSON object per line, streamed");
    app.add_flag("--policy", policy,
                 "print the kernel's policy of the --do/--dump operation (genetlink)");
    app.add_flag(
        "--check-policy", check_policy,
        "compare the spec with the kernel's policies (genetlink; exit 1 when they disagree)");
    app.add_option("--subscribe", subscribe,
                   "join a multicast group (repeat, or 'all' for every group of the spec) and "
                   "print its notifications as {\"name\": OP, \"msg\": {...}}")
        ->expected(1)
        ->take_all();
    app.add_option("--sleep", sleep_s, "with --subscribe: seconds to listen");
    app.add_option("--duration", duration_s, "with --subscribe: seconds to listen");
    app.add_flag("--create", create, "NLM_F_CREATE");
    app.add_flag("--excl", excl, "NLM_F_EXCL");
    app.add_flag("--replace", replace, "NLM_F_REPLACE");
    app.add_flag("--append", append, "NLM_F_APPEND");
    app.add_flag("--process-unknown", process_unknown,
                 "keep unknown attributes as UnknownAttr(N): raw hex");
    app.add_flag("--no-schema", no_schema,
                 "accepted for compatibility: specs are checked by the loader, not a JSON schema");
    app.add_option("--netns", netns, "network namespace name (under /run/netns)");
    CLI11_PARSE(app, argc, argv);

    if (list_fams) return list_families();
    if (all_families && !check_policy) return usage("--all goes with --check-policy");
    if (all_families) return check_policies(found_specs(true), true, output_json, netns);
    if (spec_file.empty()) {
        auto path = nlpp::ynl::find_spec(family, {NLPP_INSTALLED_SPECS, NLPP_SOURCE_SPECS});
        if (!path) return report(path.error());
        spec_file = *path;
    }
    auto spec = nlpp::ynl::load_spec(spec_file);
    if (!spec) return report(spec.error());
    if (check_policy) {
        std::map<std::string, nlpp::ynl::spec> one;
        one.emplace(spec->name, std::move(*spec));
        return check_policies(one, false, output_json, netns);
    }

    if (list_ops || list_msgs) {
        for (const auto& op : spec->operations) {
            const bool ntf = !op.notify.empty() || op.event;
            if (ntf && !list_msgs) continue;
            std::string kinds;
            if (op.has_do()) kinds += " do";
            if (op.has_dump()) kinds += " dump";
            if (ntf) kinds += op.event ? " event" : " notify";
            std::printf("%s%s\n", op.name.c_str(), kinds.c_str());
        }
        return 0;
    }
    if (!list_attrs_op.empty()) {
        const auto* op = spec->find_op(list_attrs_op);
        if (!op) return usage(fmt::format("no operation '{}' in {}", list_attrs_op, spec->file));
        list_attrs(*op);
        return 0;
    }

    const std::uint16_t flags = static_cast<std::uint16_t>(
        (create ? nlpp::ynl::flag_create : 0) | (excl ? nlpp::ynl::flag_excl : 0) |
        (replace ? nlpp::ynl::flag_replace : 0) | (append ? nlpp::ynl::flag_append : 0));
    auto parse_json = [](const std::string& text,
                         const std::string& what) -> nlpp::result<ordered_json> {
        if (text.empty()) return ordered_json::object();
        try {
            return ordered_json::parse(text);
        } catch (const nlohmann::json::exception& e) {
            return nlpp::fail(nlpp::errc::invalid_argument,
                              fmt::format("{} is not valid JSON: {}", what, e.what()));
        }
    };
    std::vector<nlpp::ynl::request> reqs;
    auto add = [&](const std::string& name, nlpp::ynl::mode m,
                   const std::string& text) -> nlpp::result<void> {
        const auto* op = spec->find_op(name);
        if (!op)
            return nlpp::fail(nlpp::errc::invalid_argument,
                              fmt::format("no operation '{}' in {}", name, spec->file));
        auto j = parse_json(text, fmt::format("the JSON of {}", name));
        if (!j) return nlpp::fail(j.error());
        reqs.push_back({op, m, std::move(*j), flags});
        return {};
    };
    nlpp::result<void> added;
    if (!do_op.empty())
        added = add(do_op, nlpp::ynl::mode::do_request, json_in);
    else if (!dump_op.empty())
        added = add(dump_op, nlpp::ynl::mode::dump, json_in);
    for (const auto& [name, text] : multi)
        if (added) added = add(name, nlpp::ynl::mode::do_request, text);
    if (!added) return usage(added.error().context());
    if (reqs.empty() && subscribe.empty())
        return usage(
            "give --do OP, --dump OP, --multi OP JSON, --subscribe GROUP or a --list option");

    if (policy) {
        if (!spec->is_genetlink())
            return usage(
                "--policy needs a genetlink family (the kernel reports policies through nlctrl)");
        if (reqs.size() != 1) return usage("--policy needs --do OP or --dump OP");
        auto gc = nlpp::genl::client::open({.netns = netns});
        if (!gc) return report(gc.error());
        auto p = gc->policy(spec->name);
        if (!p) return report(p.error());
        const auto op = p->ops.find(*reqs[0].op->request_value);
        const auto idx = op == p->ops.end()                      ? std::nullopt
                         : reqs[0].mode == nlpp::ynl::mode::dump ? op->second.dump_policy
                                                                 : op->second.do_policy;
        if (!idx)
            return usage(fmt::format("the kernel reports no {} policy for {}",
                                     reqs[0].mode == nlpp::ynl::mode::dump ? "dump" : "do",
                                     reqs[0].op->name));
        std::cout << policy_json(*p, *idx, *spec, reqs[0].op->set, 0).dump(output_json ? -1 : 2)
                  << '\n';
        return 0;
    }

    auto client = nlpp::ynl::client::open(*spec, {.netns = netns});
    if (!client) return report(client.error());
    if (std::ranges::find(subscribe, "all") != subscribe.end()) {
        subscribe.clear();
        for (const auto& g : spec->mcast_groups) subscribe.push_back(g.name);
        if (subscribe.empty())
            return usage(fmt::format("--subscribe all: {} has no multicast groups", spec->name));
    }
    for (const auto& g : subscribe)
        if (auto r = client->subscribe(g); !r) return report(r.error());
    const double limit = duration_s >= 0 ? duration_s : sleep_s;
    if (!subscribe.empty())
        std::fprintf(stderr, "nlpp-ynl: listening to %s %s\n",
                     fmt::format("{}", fmt::join(subscribe, ", ")).c_str(),
                     limit >= 0 ? fmt::format("for {} s", limit).c_str() : "until interrupted");
    const nlpp::ynl::decode_options opts{.process_unknown = process_unknown};

    int status = 0;
    if (!reqs.empty()) {
        // A dump prints a list; a do its reply; a batch one value per reply.
        printer out(output_json, reqs.size() == 1 && reqs[0].mode == nlpp::ynl::mode::dump);
        std::string
            text;  // --output-json: lines written straight from the wire, flushed in 64 KiB blocks
        auto r =
            client->exchange(reqs, [&](std::size_t i, nlpp::message_view m) -> nlpp::result<void> {
                if (output_json) {
                    auto d = nlpp::ynl::decode_text(*spec, *reqs[i].op, m, text, opts);
                    if (!d)
                        return nlpp::fail(std::move(d.error()).wrap(reqs[i].op->name + " reply"));
                    text += '\n';
                    if (text.size() > 65536) {
                        std::fwrite(text.data(), 1, text.size(), stdout);
                        text.clear();
                    }
                    return {};
                }
                auto j = nlpp::ynl::decode(*spec, *reqs[i].op, m, opts);
                if (!j) return nlpp::fail(std::move(j.error()).wrap(reqs[i].op->name + " reply"));
                out.print(*j);
                return {};
            });
        std::fwrite(text.data(), 1, text.size(), stdout);
        out.finish();
        std::cout.flush();
        std::fflush(stdout);
        if (!r) return report(r.error());
        for (std::size_t i = 0; i < r->size(); ++i)
            if ((*r)[i]) {
                if (reqs.size() > 1)
                    (*r)[i]->set_context(fmt::format("request {}: {}", i + 1, (*r)[i]->context()));
                status = report(*(*r)[i]);
            }
    }

    if (!subscribe.empty() && listen(*client, opts, output_json, limit) != 0) status = 1;
    return status;
}
