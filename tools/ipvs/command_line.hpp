// nlpp-ipvs's ipvsadm 1.31-compatible command line: the option table, the
// per-command legality table, parsing (popt-style: -Ln, -p300 or -p 300,
// --long=value) and ipvsadm's texts (usage, usage errors, kernel errors).
// Pure functions: nothing here talks to the kernel, so tests reach them all.
//
//   auto p = cli::parse({"-A", "-t", "10.0.0.1:80", "-s", "rr"}, "ipvsadm");
//   if (auto* stop = std::get_if<cli::parse_stop>(&p)) { /* print stop->text, exit stop->status */ }
//   else run(std::get<cli::command_line>(p));
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nlpp::ipvs::cli {

// ipvsadm's commands and options, in its order (its messages use these names).
enum cmd_id {
    CMD_NONE = -1,
    ADD,
    EDIT,
    DEL,
    FLUSH,
    LIST,
    ADDDEST,
    DELDEST,
    EDITDEST,
    TIMEOUT,
    STARTD,
    STOPD,
    RESTORE,
    SAVE,
    ZERO
};
enum opt_id {
    O_NUMERIC,
    O_CONNECTION,
    O_SERVICE,
    O_SCHEDULER,
    O_PERSISTENT,
    O_NETMASK,
    O_SERVER,
    O_FORWARD,
    O_WEIGHT,
    O_UTHRESH,
    O_LTHRESH,
    O_MCAST,
    O_TIMEOUT,
    O_DAEMON,
    O_STATS,
    O_RATE,
    O_THRESHOLDS,
    O_PCONN,
    O_NOSORT,
    O_SYNCID,
    O_EXACT,
    O_OPS,
    O_PE,
    O_SCHEDFLAGS,
    O_MGROUP,
    O_MPORT,
    O_MTTL,
    O_MAXLEN,
    O_TUNINFO,
    O_TUNTYPE,
    O_TUNPORT,
    O_NOCSUM,
    O_CSUM,
    O_REMCSUM,
    O_JSON,
    NUM_OPT
};

// One parsed command line, with ipvsadm's defaults filled in.
struct command_line {
    cmd_id cmd = CMD_NONE;
    unsigned long long options = 0;  // bit (1 << opt_id) per option given
    unsigned format = 0;             // listing::fmt_bits
    service svc{};
    std::string netmask_arg;
    std::string sched_flags_arg;
    destination dest{};
    bool dest_port_given = false;
    sync_daemon daemon{};
    timeouts tmo{};
    std::vector<std::string> positional;

    bool has(opt_id o) const noexcept { return options & (1ull << o); }
};

// Where parsing stops short of a command: a usage error (status 2, text is
// ipvsadm's message and a newline, for stderr), -h or -v (status 0, the text
// for stdout) or no command at all (status 255, ipvsadm's "Try ..." hint for
// stderr).
struct parse_stop {
    int status;
    std::string text;
};

// Parses one command line (argv without the program name); prog is argv[0]
// for the texts that name it.
std::variant<command_line, parse_stop> parse(const std::vector<std::string>& args,
                                             std::string_view prog);

// The arguments on one line of -R's input: split at white space; none for
// a blank line or a comment (# first).
std::vector<std::string> restore_args(std::string_view line);

std::string usage_text(std::string_view prog);  // -h
std::string version_text();                     // -v

// ipvsadm's ipvs_strerror: the message for a kernel error from a given command.
std::string ipvsadm_message(cmd_id c, const nlpp::error& e);

// The change a command line makes (add/edit/delete a service or server), for
// a batch; nullopt for the other commands.
std::optional<change> as_change(const command_line& cl);
cmd_id cmd_of(change::kind k);

}  // namespace nlpp::ipvs::cli
