// nlpp-ipvs apply (see apply.hpp).
#include "apply.hpp"

#include "state_json.hpp"

#include <nlpp/ipvs/reconcile.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <future>
#include <span>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nlpp::ipvs::cli {
namespace {

constexpr const char* usage =
    "usage: nlpp-ipvs apply [--dry-run] [--partial] [--scope LIST] [--drain-timeout SECONDS] [--drain-inactive] [--json] "
    "FILE|-\n";

// One JSON line: {"type": ..., ...}. Whoever reads them live gets each group
// of lines known at once (the plan, a chunk's outcomes, a poll's) flushed
// together, not a system call per line.
void json_line(const nlohmann::ordered_json& j) {
    std::string line = j.dump();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
}

// Built member by member (nested initializer lists copy every value again):
// a large apply prints two lines per change.
nlohmann::ordered_json change_json(const char* type, const change& c) {
    static constexpr const char* actions[] = {"add_service", "edit_service", "del_service",
                                              "add_dest",    "edit_dest",    "del_dest"};
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    j["type"] = type;
    j["action"] = actions[static_cast<int>(c.what)];
    auto& svc = j["service"];
    if (const auto* v = std::get_if<virtual_service>(&c.service.key)) {
        svc["protocol"] = v->protocol == protocol::tcp   ? "tcp"
                          : v->protocol == protocol::udp ? "udp"
                                                         : "sctp";
        svc["address"] = v->address.to_string();
        svc["port"] = v->port;
    } else {
        const auto& f = std::get<firewall_mark>(c.service.key);
        svc["fwmark"] = f.mark;
        svc["family"] = f.family == AF_INET6 ? "ipv6" : "ipv4";
    }
    if (c.dest) {
        auto& d = j["destination"];
        d["address"] = c.dest->address.to_string();
        d["port"] = c.dest->port;
        if (c.what != change::kind::del_dest) d["weight"] = c.dest->weight;
    }
    j["text"] = c.describe();
    return j;
}

// "del dest ...: <why>" for a refused change, named once.
std::string refused(const std::string& op, const error& e) {
    return e.context() == op ? e.what() : op + ": " + e.what();
}

struct options {
    bool dry = false, json = false;
    plan_options plan;
    std::string file;
};

// The arguments after "apply", or the exit status of a usage error.
std::variant<options, int> parse_args(const std::vector<std::string>& args) {
    options o;
    std::optional<std::string> scope_text;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&]() -> const std::string* {
            return i + 1 < args.size() ? &args[++i] : nullptr;
        };
        if (a == "--dry-run")
            o.dry = true;
        else if (a == "--partial")
            o.plan.mode = reconcile_mode::partial;
        else if (a == "--json")
            o.json = true;
        else if (a == "--drain-inactive")
            o.plan.drain.inactive = true;
        else if (a == "--scope") {
            const auto* v = value();
            if (!v) return std::fprintf(stderr, "apply: --scope needs a LIST\n%s", usage), 2;
            scope_text = *v;
        } else if (a == "--drain-timeout") {
            const auto* v = value();
            std::uint32_t secs = 0;
            auto [p, ec] = v ? std::from_chars(v->data(), v->data() + v->size(), secs)
                             : std::from_chars_result{};
            if (!v || v->empty() || ec != std::errc{} || p != v->data() + v->size())
                return std::fprintf(
                           stderr,
                           "apply: --drain-timeout needs a number of seconds (0: no drain), got '%s'\n",
                           v ? v->c_str() : ""),
                       2;
            o.plan.drain.timeout = secs;
        } else if (o.file.empty() && (a == "-" || a.rfind("--", 0) != 0)) {
            o.file = a;
        } else {
            return std::fprintf(stderr, "apply: unexpected argument %s\n%s", a.c_str(), usage), 2;
        }
    }
    if (o.file.empty()) return std::fprintf(stderr, "%s", usage), 2;
    if (scope_text) {  // the command line's scope replaces the file's
        auto s = scope::parse(*scope_text);
        if (!s) return std::fprintf(stderr, "apply: --scope: %s\n", s.error().what().c_str()), 2;
        o.plan.scope = std::move(*s);
    }
    return o;
}

// Progress on a terminal: one line, rewritten.
void show_progress(const drain_progress& p) {
    if (p.draining)
        std::fprintf(
            stderr,
            "\r\033[Kdraining %zu destination%s: %llu active, %llu inactive connections, %.0f s left",
            p.draining, p.draining == 1 ? "" : "s", static_cast<unsigned long long>(p.active),
            static_cast<unsigned long long>(p.inactive), p.seconds_left);
    else
        std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
}

}  // namespace

int apply_file(const std::vector<std::string>& args) {
    auto parsed = parse_args(args);
    if (const int* status = std::get_if<int>(&parsed)) return *status;
    auto& o = std::get<options>(parsed);
    // The client opens and reads the kernel's state on a thread while the
    // file's services are read: it starts as soon as the scope is known (the
    // command line's, or else the file's).
    std::optional<result<client>> opened;
    std::future<result<std::vector<service_entry>>> snapshot;  // joined before opened goes
    auto desired = read_state(o.file, [&](const std::optional<scope>& file_scope) {
        if (!o.plan.scope)
            o.plan.scope = file_scope;  // the command line's scope replaces the file's
        // With no thread to be had, it runs when awaited (libstdc++ falls back to deferred).
        snapshot =
            std::async(std::launch::async | std::launch::deferred,
                       [&opened, &o]() -> result<std::vector<service_entry>> {
                           opened.emplace(client::open());
                           if (!*opened) return fail(opened->error());
                           return (*opened)->snapshot(o.plan.scope ? &*o.plan.scope : nullptr);
                       });
    });
    // A fault in the file is reported before one of the kernel.
    if (!desired) return std::fprintf(stderr, "apply: %s\n", desired.error().what().c_str()), 2;
    auto current = snapshot.get();
    if (!*opened) return std::fprintf(stderr, "apply: %s\n", opened->error().what().c_str()), 2;
    if (!current) return std::fprintf(stderr, "apply: %s\n", current.error().what().c_str()), 1;
    client& ipvs = **opened;
    auto p = plan(*current, desired->services, o.plan);
    if (!p)
        return std::fprintf(stderr, "apply: %s\n", p.error().what().c_str()),
               2;  // a service outside the scope

    // The plan.
    std::size_t planned = 0;
    auto show_plan = [&](const char* phase, const std::vector<change>& cs, const char* later) {
        for (const auto& c : cs) {
            ++planned;
            if (o.json) {
                auto l = change_json("plan", c);
                l["phase"] = phase;
                json_line(l);
            } else if (o.dry) {
                std::printf("would %s%s\n", c.describe().c_str(), later);
            }
        }
    };
    show_plan("now", p->changes, "");
    show_plan("drain", p->drains, " once drained");
    show_plan("after_drains", p->after_drains, " once its destinations are drained");
    std::fflush(stdout);
    if (o.dry) {
        if (o.json) json_line({{"type", "summary"}, {"planned", planned}});
        std::fprintf(stderr, "%zu changes planned, 0 failed\n", planned);
        return 0;
    }

    // Each outcome, as it comes.
    std::size_t applied = 0, failed = 0, gone = 0;
    auto show_outcome = [&](const change& c, const char* result, const std::optional<error>& e,
                            const std::string& note, const drain_outcome* timed_out = nullptr) {
        if (o.json) {
            auto l = change_json("outcome", c);
            l["result"] = result;
            if (e) l["error"] = e->what();
            if (timed_out) {
                l["active_conns"] = timed_out->active_conns;
                l["inactive_conns"] = timed_out->inactive_conns;
            }
            json_line(l);
        } else if (e) {
            std::printf("FAILED %s\n", refused(c.describe(), *e).c_str());
        } else {
            std::printf("%s%s\n", c.describe().c_str(), note.c_str());
        }
    };
    // Each chunk's outcomes are printed while the next is sent.
    const std::span<const change> all(p->changes);
    auto sent =
        ipvs.apply(all, [&](std::size_t first, std::span<const std::optional<error>> outcomes) {
            for (std::size_t k = 0; k < outcomes.size(); ++k) {
                const auto& e = outcomes[k];
                ++applied;
                failed += e.has_value();
                show_outcome(all[first + k], e ? "failed" : "applied", e, "");
            }
            std::fflush(stdout);
        });
    if (!sent) return std::fprintf(stderr, "apply: %s\n", sent.error().what().c_str()), 1;
    if (!p->drains.empty() || !p->after_drains.empty()) {
        const bool tty = !o.json && isatty(STDERR_FILENO);
        auto drained = finish_drains(ipvs, *p, o.plan.drain, [&](const drain_progress& pr) {
            if (tty && !pr.ended.empty()) std::fputs("\r\033[K", stderr);
            for (const auto& d : pr.ended) {
                using r = drain_outcome::reason;
                if (d.why == r::gone) {
                    ++gone;
                    show_outcome(d.step, "gone", std::nullopt,
                                 ": already gone (deleted by someone else during the drain)");
                    continue;
                }
                ++applied;
                failed += d.failure.has_value();
                if (d.failure)
                    show_outcome(d.step, "failed", d.failure, "");
                else if (d.why == r::drained)
                    show_outcome(d.step, "drained", std::nullopt, " (drained)");
                else
                    show_outcome(
                        d.step, "timed_out", std::nullopt,
                        fmt::format(" (drain timed out with {} active, {} inactive connections)",
                                    d.active_conns, d.inactive_conns),
                        &d);
            }
            if (o.json)
                json_line({{"type", "progress"},
                           {"draining", pr.draining},
                           {"active_conns", pr.active},
                           {"inactive_conns", pr.inactive},
                           {"seconds_left", std::lround(pr.seconds_left)}});
            std::fflush(stdout);
            if (tty) show_progress(pr);
        });
        if (tty) std::fputs("\r\033[K", stderr);
        if (!drained) return std::fprintf(stderr, "apply: %s\n", drained.error().what().c_str()), 1;
    }
    if (o.json)
        json_line({{"type", "summary"}, {"applied", applied}, {"failed", failed}, {"gone", gone}});
    if (gone)
        std::fprintf(stderr, "%zu changes applied, %zu failed, %zu already gone\n", applied, failed,
                     gone);
    else
        std::fprintf(stderr, "%zu changes applied, %zu failed\n", applied, failed);
    return failed ? 1 : 0;
}

}  // namespace nlpp::ipvs::cli
