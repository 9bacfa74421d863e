// ipvsadm's texts as nlpp-ipvs prints them: the version line, the usage
// text, and the message for an errno from a given command (ipvsadm's
// ipvs_strerror); and the change a command line makes (see command_line.hpp).
#include "command_line.hpp"

#include <nlpp/core/version.hpp>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace nlpp::ipvs::cli {

std::string version_text() {
    return fmt::format("nlpp-ipvs {} (ipvsadm v1.31 2019/12/24 compatible, IPVS v1.2.1)\n",
                       nlpp::version_string);
}

// ipvsadm's ipvs_strerror: the message for an errno from a given command.
std::string ipvsadm_message(cmd_id c, const nlpp::error& e) {
    const int err = e.errno_value();
    if (!err) return e.what();
    struct row {
        cmd_id cmd;
        int err;
        const char* msg;
    } table[] = {
        {ADD, EEXIST, "Service already exists"},
        {ADD, ENOENT, "Scheduler or persistence engine not found"},
        {EDIT, ESRCH, "No such service"},
        {EDIT, ENOENT, "Scheduler or persistence engine not found"},
        {DEL, ESRCH, "No such service"},
        {ZERO, ESRCH, "No such service"},
        {ADDDEST, ESRCH, "Service not defined"},
        {ADDDEST, EEXIST, "Destination already exists"},
        {EDITDEST, ESRCH, "Service not defined"},
        {EDITDEST, ENOENT, "No such destination"},
        {DELDEST, ESRCH, "Service not defined"},
        {DELDEST, ENOENT, "No such destination"},
        {STARTD, EEXIST, "Daemon has already run"},
        {STOPD, ESRCH, "No daemon is running"},
        {LIST, ESRCH, "No such service"},
        {CMD_NONE, EPERM, "Permission denied (you must be root)"},
        {CMD_NONE, EINVAL,
         "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
        {CMD_NONE, ENOPROTOOPT, "Protocol not available"},
        {CMD_NONE, ENOMEM, "Memory allocation problem"},
        {CMD_NONE, EOPNOTSUPP, "Operation not supported with IPv6"},
        {CMD_NONE, EAFNOSUPPORT, "Operation not supported with specified address family"},
        {CMD_NONE, EMSGSIZE, "Module is wrong version"},
    };
    for (const auto& r : table)
        if ((r.cmd == CMD_NONE || r.cmd == c) && r.err == err) return r.msg;
    return std::strerror(err);
}

// One change of a command line, for the client or a batch.
std::optional<change> as_change(const command_line& cl) {
    switch (cl.cmd) {
    case ADD: return change{change::kind::add_service, cl.svc, std::nullopt};
    case EDIT: return change{change::kind::edit_service, cl.svc, std::nullopt};
    case DEL: return change{change::kind::del_service, cl.svc, std::nullopt};
    case ADDDEST: return change{change::kind::add_dest, cl.svc, cl.dest};
    case EDITDEST: return change{change::kind::edit_dest, cl.svc, cl.dest};
    case DELDEST: return change{change::kind::del_dest, cl.svc, cl.dest};
    default: return std::nullopt;
    }
}

cmd_id cmd_of(change::kind k) {
    static constexpr cmd_id map[] = {ADD, EDIT, DEL, ADDDEST, EDITDEST, DELDEST};
    return map[static_cast<int>(k)];
}

std::string usage_text(std::string_view prog) {
    return version_text() +
           fmt::format(
               "Usage:\n"
               "  {0} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]\n"
               "  {0} -D virtual-service\n  {0} -C\n  {0} -R\n  {0} -S [-n] [--json]\n"
               "  {0} -a|e virtual-service -r server-address [options]\n"
               "  {0} -d virtual-service -r server-address\n"
               "  {0} -L|l [virtual-service] [options] [--json]\n"
               "  {0} -Z [virtual-service]\n  {0} --set tcp tcpfin udp\n"
               "  {0} --start-daemon {{master|backup}} [daemon-options]\n  {0} --stop-daemon {{master|backup}}\n"
               "  {0} apply [--dry-run] [--partial] [--scope LIST] [--drain-timeout SECONDS] [--drain-inactive] [--json] FILE|-\n"
               "        make the IPVS state (within LIST) equal to FILE (as -S --json saves it), draining what leaves\n"
               "  {0} -h\n\n",
               prog) +
           "Commands:\n"
           "  --add-service     -A        add virtual service with options\n"
           "  --edit-service    -E        edit virtual service with options\n"
           "  --delete-service  -D        delete virtual service\n"
           "  --clear           -C        clear the whole table\n"
           "  --restore         -R        restore rules from stdin (sent as one pipelined batch)\n"
           "  --save            -S        save rules to stdout\n"
           "  --add-server      -a        add real server with options\n"
           "  --edit-server     -e        edit real server with options\n"
           "  --delete-server   -d        delete real server\n"
           "  --list            -L|-l     list the table\n"
           "  --zero            -Z        zero counters in a service or all services\n"
           "  --set tcp tcpfin udp        set connection timeout values\n"
           "  --start-daemon              start connection sync daemon\n"
           "  --stop-daemon               stop connection sync daemon\n"
           "  --help            -h        display this help message\n\n"
           "virtual-service:\n"
           "  --tcp-service|-t  service-address   service-address is host[:port]\n"
           "  --udp-service|-u  service-address   service-address is host[:port]\n"
           "  --sctp-service    service-address   service-address is host[:port]\n"
           "  --fwmark-service|-f fwmark          fwmark is an integer greater than zero\n\n"
           "Options:\n"
           "  --ipv6         -6                   fwmark entry uses IPv6\n"
           "  --scheduler    -s scheduler         rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh (default wlc)\n"
           "  --pe            engine              alternate persistence engine (sip)\n"
           "  --persistent   -p [timeout]         persistent service\n"
           "  --netmask      -M netmask           persistent granularity mask\n"
           "  --real-server  -r server-address    server-address is host (and port)\n"
           "  --gatewaying   -g                   gatewaying (direct routing) (default)\n"
           "  --ipip         -i                   ipip encapsulation (tunneling)\n"
           "  --masquerading -m                   masquerading (NAT)\n"
           "  --tun-type      type                one of ipip|gue|gre (default ipip)\n"
           "  --tun-port      port                tunnel destination port\n"
           "  --tun-nocsum                        tunnel encapsulation without checksum\n"
           "  --tun-csum                          tunnel encapsulation with checksum\n"
           "  --tun-remcsum                       tunnel encapsulation with remote checksum\n"
           "  --weight       -w weight            capacity of real server\n"
           "  --u-threshold  -x uthreshold        upper threshold of connections\n"
           "  --l-threshold  -y lthreshold        lower threshold of connections\n"
           "  --connection   -c                   output of current IPVS connections\n"
           "  --timeout                           output of timeout (tcp tcpfin udp)\n"
           "  --daemon                            output of daemon information\n"
           "  --stats                             output of statistics information\n"
           "  --rate                              output of rate information\n"
           "  --exact                             expand numbers (display exact values)\n"
           "  --thresholds                        output of thresholds information\n"
           "  --persistent-conn                   output of persistent connection info\n"
           "  --tun-info                          output of tunnel information\n"
           "  --nosort                            disable sorting output of service/server entries\n"
           "  --sort                              does nothing, for backwards compatibility\n"
           "  --ops          -o                   one-packet scheduling\n"
           "  --numeric      -n                   numeric output of addresses and ports\n"
           "  --sched-flags  -b flags             scheduler flags (comma-separated)\n"
           "  --json                              JSON output for listings (-L) and saves (-S)\n"
           "Daemon Options:\n"
           "  --syncid sid                        syncid for connection sync (default=255)\n"
           "  --sync-maxlen length                Max sync message length (default=1472)\n"
           "  --mcast-interface interface         multicast interface for connection sync\n"
           "  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)\n"
           "  --mcast-port port                   UDP port (default=8848)\n"
           "  --mcast-ttl ttl                     Multicast TTL (default=1)\n";
}

}  // namespace nlpp::ipvs::cli
