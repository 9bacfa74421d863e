// nlpp-ipvs watch: a change stream of IPVS. Every interval a snapshot
// through one long-lived client, and the events of nlpp::ipvs::diff()
// against the one before, as text lines (event::describe) or JSON lines
// (docs/ipvs.md, "watch: a change stream").
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nlpp::ipvs::cli {

struct watch_options {
    std::chrono::nanoseconds interval = std::chrono::seconds(1);
    bool json = false;
    bool initial = false;     // print the first snapshot as "added" events
    std::uint64_t count = 0;  // snapshots to take; 0: until SIGINT or SIGTERM
};

// watch [--interval S] [--json] [--initial] [--count N] (the args after
// "watch"): the options, or the exit status (2) after a one-line error.
std::variant<watch_options, int> parse_watch(const std::vector<std::string>& args);

// The value of an --interval option (v: null when missing), from min to max
// seconds, fractions allowed; else nullopt after a one-line error naming cmd.
std::optional<std::chrono::nanoseconds> seconds_arg(const char* cmd, const std::string* v,
                                                    double min, double max);

// Runs until o.count snapshots or SIGINT/SIGTERM (exit 0); 1 when a
// snapshot fails.
int watch(client& ipvs, const watch_options& o);

}  // namespace nlpp::ipvs::cli
