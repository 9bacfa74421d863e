// nlpp-ipvs: a drop-in replacement for ipvsadm 1.31 over nlpp::ipvs, plus
// JSON listings (--json), declarative state (apply [--dry-run]
// [--partial] FILE), a change stream (watch [--json]) and a live view
// (top). Options, defaults, checks, listings and exit codes follow
// ipvsadm: 2 for usage errors, 255 for a failed operation, 1 for a failed
// listing. -R sends its changes as pipelined batches of 1,024, each while
// it parses the next.
// This file runs commands; command_line.cpp parses them, listing.cpp
// prints the tables, apply.cpp runs `apply`, watch.cpp `watch` and
// top.cpp `top`.
#include "apply.hpp"
#include "command_line.hpp"
#include "listing.hpp"
#include "state_json.hpp"
#include "top.hpp"
#include "watch.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

namespace {

using namespace nlpp::ipvs;
using namespace nlpp::ipvs::cli;
namespace fb = nlpp::ipvs::cli::fmt_bits;

int report(cmd_id c, const nlpp::error& e) {
    std::fprintf(stderr, "%s\n", ipvsadm_message(c, e).c_str());
    return 255;
}

nlpp::result<std::vector<service_entry>> sorted_snapshot(client& ipvs, unsigned format) {
    std::vector<service_key> vanished;
    auto snap = ipvs.snapshot(nullptr, &vanished);
    for (const auto& k : vanished)  // ipvsadm would list it without destinations
        std::fprintf(stderr, "service %s was deleted during the listing\n", key_string(k).c_str());
    if (snap && !(format & fb::nosort)) cli::sort_like_ipvsadm(*snap);
    return snap;
}

int list(client& ipvs, const command_line& cl) {
    const bool json = cl.has(O_JSON);
    auto fail_list = [](const nlpp::error& e) {
        std::fprintf(stderr, "%s\n", e.what().c_str());
        return 1;
    };
    if (cl.has(O_CONNECTION)) {
        std::ifstream f("/proc/net/ip_vs_conn");
        if (!f) return std::fprintf(stderr, "cannot open file /proc/net/ip_vs_conn\n"), 1;
        std::stringstream ss;
        ss << f.rdbuf();
        std::fputs(cli::connections(ss.str(), cl.format).c_str(), stdout);
        return 0;
    }
    if (cl.has(O_TIMEOUT)) {
        auto t = ipvs.get_timeouts();
        if (!t) return fail_list(t.error());
        std::cout << (json ? cli::to_json(*t).dump(2) + "\n" : cli::timeout_line(*t));
        return 0;
    }
    if (cl.has(O_DAEMON)) {
        auto d = ipvs.daemons();
        if (!d) return fail_list(d.error());
        std::cout << (json ? cli::to_json(*d).dump(2) + "\n" : cli::daemon_lines(*d));
        return 0;
    }
    if (cl.has(O_SERVICE)) {
        auto s = ipvs.get_service(cl.svc.key);
        if (!s) return std::fprintf(stderr, "%s\n", ipvsadm_message(LIST, s.error()).c_str()), 1;
        auto d = ipvs.dests(cl.svc.key);
        if (!d) return fail_list(d.error());
        std::vector<service_entry> one{{*s, *d}};
        if (!(cl.format & fb::nosort)) cli::sort_like_ipvsadm(one);
        std::cout << (json ? cli::to_json(one).dump(2) + "\n"
                           : cli::title(cl.format) + cli::service_block(one[0], cl.format));
        return 0;
    }
    auto i = ipvs.get_info();
    if (!i) return fail_list(i.error());
    auto snap = sorted_snapshot(ipvs, cl.format);
    if (!snap) return fail_list(snap.error());
    const std::string out =
        json ? cli::to_json(*snap).dump(2) + "\n" : cli::listing(*i, *snap, cl.format);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

// Runs one parsed command (not -R).
int run(client& ipvs, const command_line& cl) {
    nlpp::result<void> r;
    switch (cl.cmd) {
    case LIST: return list(ipvs, cl);
    case SAVE: {
        auto snap = sorted_snapshot(ipvs, cl.format);
        if (!snap) return std::fprintf(stderr, "%s\n", snap.error().what().c_str()), 1;
        // With --json: the state as apply reads it back (no counters).
        const std::string out = cl.has(O_JSON)
                                    ? cli::to_json(*snap, cli::json_form::saved).dump(2) + "\n"
                                    : cli::listing({}, *snap, cl.format | fb::rule);
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }
    case FLUSH: r = ipvs.flush(); break;
    case ADD: r = ipvs.add_service(cl.svc); break;
    case EDIT: r = ipvs.edit_service(cl.svc); break;
    case DEL: r = ipvs.del_service(cl.svc.key); break;
    case ZERO:
        r = ipvs.zero(cl.has(O_SERVICE) ? std::optional<service_key>(cl.svc.key) : std::nullopt);
        break;
    case ADDDEST: r = ipvs.add_dest(cl.svc.key, cl.dest); break;
    case EDITDEST: r = ipvs.edit_dest(cl.svc.key, cl.dest); break;
    case DELDEST: r = ipvs.del_dest(cl.svc.key, cl.dest); break;
    case TIMEOUT: r = ipvs.set_timeouts(cl.tmo); break;
    case STARTD: r = ipvs.start_daemon(cl.daemon); break;
    case STOPD: r = ipvs.stop_daemon(cl.daemon.state); break;
    default: break;
    }
    return r ? 0 : report(cl.cmd, r.error());
}

// -R: every line is an ipvsadm command; service and server changes are
// sent as pipelined batches, other commands run in order between them.
// A batch is sent on a thread of its own while the next one is parsed, so
// the parsing overlaps the kernel's work; its failures are reported before
// anything said of the lines after it, as ipvsadm would.
int restore(client& ipvs, std::string_view prog) {
    int status = 0;
    struct batch_of_lines {
        std::vector<change> changes;
        std::vector<std::size_t> lines;  // the input line of each change
    };
    batch_of_lines batch;
    std::future<nlpp::result<std::vector<std::optional<nlpp::error>>>> in_flight;
    batch_of_lines sent;
    std::string later;  // what was said of lines parsed while a batch was in flight
    auto say = [&](const std::string& text) {
        if (in_flight.valid())
            later += text;
        else
            std::fputs(text.c_str(), stderr);
    };
    auto finish_sent = [&] {
        if (!in_flight.valid()) return;
        const auto results = in_flight.get();
        if (!results) {
            std::fprintf(stderr, "%s\n", results.error().what().c_str());
            status = 255;
        } else {
            for (std::size_t k = 0; k < results->size(); ++k)
                if ((*results)[k]) {
                    std::fprintf(
                        stderr, "line %zu: %s\n", sent.lines[k],
                        ipvsadm_message(cmd_of(sent.changes[k].what), *(*results)[k]).c_str());
                    status = 255;
                }
        }
        std::fputs(later.c_str(), stderr);
        later.clear();
    };
    auto send_batch = [&] {
        finish_sent();
        if (batch.changes.empty()) return;
        std::swap(sent, batch);  // the next batch reuses the room of the one before
        batch.changes.clear();
        batch.lines.clear();
        // Encoded here, sent on a thread while the next lines are parsed.
        // With no thread to be had, it runs when awaited (libstdc++ falls back to deferred).
        in_flight = std::async(std::launch::async | std::launch::deferred,
                               [&ipvs, pc = nlpp::ipvs::prepare(sent.changes)]() mutable {
                                   return ipvs.send(std::move(pc));
                               });
    };
    // Read all of stdin at once (line-wise iostream reads are slow), then split.
    std::string input;
    char chunk[65536];
    for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, stdin)) > 0;)
        input.append(chunk, got);
    // Changes go out in batches of this many (each pipelined in chunks):
    // the memory stays small and warm whatever the input's size.
    constexpr std::size_t batch_size = 1024;
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < input.size();) {
        const std::size_t eol = std::min(input.find('\n', pos), input.size());
        const std::string_view line(input.data() + pos, eol - pos);
        pos = eol + 1;
        ++n;
        const std::vector<std::string> args = restore_args(line);
        if (args.empty()) continue;
        auto parsed = parse(args, prog);
        if (auto* stop = std::get_if<parse_stop>(&parsed)) {
            if (stop->status != 2) {  // -h, -v or no command: the end, as in ipvsadm
                send_batch();         // the lines before it were applied
                finish_sent();
                std::fputs(stop->text.c_str(), stop->status == 0 ? stdout : stderr);
                return stop->status;
            }
            say(fmt::format("line {}: {}", n, stop->text));
            status = 2;
            continue;
        }
        const command_line& cl = std::get<command_line>(parsed);
        if (cl.cmd == RESTORE) {
            say(fmt::format("line {}: -R inside -R\n", n));
            status = 2;
        } else if (auto op = as_change(cl)) {
            batch.changes.push_back(*op);
            batch.lines.push_back(n);
            if (batch.changes.size() == batch_size) send_batch();
        } else {
            send_batch();
            finish_sent();
            if (const int rc = run(ipvs, cl)) status = rc;
        }
    }
    send_batch();
    finish_sent();
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view prog = argv[0];
    std::vector<std::string> args(argv + 1, argv + argc);
    std::optional<command_line> cl;
    const bool is_apply = !args.empty() && args[0] == "apply";
    const std::vector<std::string> rest(args.begin() + !args.empty(), args.end());
    std::optional<watch_options> watching;
    std::optional<top_options> topping;
    if (!args.empty() && args[0] == "watch") {
        auto w = parse_watch(rest);
        if (const int* status = std::get_if<int>(&w)) return *status;
        watching = std::get<watch_options>(w);
    } else if (!args.empty() && args[0] == "top") {
        auto t = parse_top(rest);
        if (const int* status = std::get_if<int>(&t)) return *status;
        topping = std::get<top_options>(t);
    } else if (!is_apply && !args.empty()) {  // usage errors before touching the kernel
        auto parsed = parse(args, prog);
        if (auto* stop = std::get_if<parse_stop>(&parsed)) {
            std::fputs(stop->text.c_str(), stop->status == 0 ? stdout : stderr);
            return stop->status;
        }
        cl = std::move(std::get<command_line>(parsed));
    }
    if (is_apply) return apply_file(rest);
    auto ipvs = client::open();
    if (!ipvs) {
        std::fprintf(
            stderr,
            "Can't initialize ipvs: %s\nAre you sure that IP Virtual Server is built in the kernel or as module?\n",
            ipvs.error().what().c_str());
        return 2;
    }
    // ipvsadm starts with GET_INFO and gives up with status 2 when that fails (without CAP_NET_ADMIN, say).
    if (auto i = ipvs->get_info(); !i) {
        std::fprintf(
            stderr,
            "Can't initialize ipvs: %s\nAre you sure that IP Virtual Server is built in the kernel or as module?\n",
            ipvsadm_message(CMD_NONE, i.error()).c_str());
        return 2;
    }
    if (watching) return watch(*ipvs, *watching);
    if (topping) return top(*ipvs, *topping);
    if (!cl) {  // no arguments: list everything
        command_line all;
        all.cmd = LIST;
        return list(*ipvs, all);
    }
    if (cl->cmd == RESTORE) return restore(*ipvs, prog);
    return run(*ipvs, *cl);
}
