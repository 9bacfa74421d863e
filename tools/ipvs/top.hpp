// nlpp-ipvs top: a live terminal view (ncurses) of services and their
// destinations: the kernel's rate estimates (connections, packets and bytes
// per second), weights and connection counts, refreshed every interval and
// sorted by a column that keys change (docs/ipvs.md, "top").
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace nlpp::ipvs::cli {

enum class top_column { cps, packets, bytes, weight, active };

struct top_options {
    std::chrono::milliseconds interval{1000};
    top_column sort = top_column::cps;
};

// top [--interval S] [--sort cps|packets|bytes|weight|active] (the args
// after "top"): the options, or the exit status (2) after a one-line error
// (bad arguments, or standard input or output not a terminal).
std::variant<top_options, int> parse_top(const std::vector<std::string>& args);

// The table's lines, without the title: services sorted by the column
// (largest first, then by key), each followed by its destinations sorted
// the same way. A service's weight and connections are its destinations' sums.
std::vector<std::string> top_lines(std::vector<service_entry> entries, top_column sort);

// Runs until `q` (exit 0); 1 when a snapshot fails.
int top(client& ipvs, const top_options& o);

}  // namespace nlpp::ipvs::cli
