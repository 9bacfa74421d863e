// Test support for real-kernel tests: a network namespace per test, shell
// commands inside it, and the skip rule (skip without root, except under
// CI=true, where a missing capability is a failure).
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

namespace nlpp::test {

inline bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

// Runs a shell command; returns its stdout. Throws on a non-zero exit.
inline std::string sh(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int rc = ::pclose(p);
    if (rc != 0) throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + cmd + "\n" + out);
    return out;
}

// A fresh, named network namespace, deleted at the end of the test.
class netns {
public:
    netns() : name_("nlpp-t" + std::to_string(::getpid()) + "-" + std::to_string(counter()++)) {
        sh("ip netns add " + name_);
        sh("ip -n " + name_ + " link set lo up");
    }
    ~netns() {
        try {
            sh("ip netns del " + name_);
        } catch (...) {
        }
    }
    netns(const netns&) = delete;
    netns& operator=(const netns&) = delete;
    const std::string& name() const { return name_; }
    // Runs a command inside the namespace.
    std::string run(const std::string& cmd) const { return sh("ip netns exec " + name_ + " " + cmd); }

private:
    static int& counter() {
        static int c = 0;
        return c;
    }
    std::string name_;
};

// The drops the kernel counted for the socket with port id `port` (/proc/net/netlink of `ns`).
inline unsigned long netlink_drops(const netns& ns, std::uint32_t port) {
    std::istringstream rows(ns.run("cat /proc/net/netlink"));
    std::string line;
    std::getline(rows, line);  // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    while (std::getline(rows, line)) {
        std::istringstream f(line);
        std::string sk, groups;
        unsigned long eth = 0, pid = 0, rmem = 0, wmem = 0, dump = 0, locks = 0, drops = 0;
        f >> sk >> eth >> pid >> groups >> rmem >> wmem >> dump >> locks >> drops;
        if (f && pid == port) return drops;
    }
    ADD_FAILURE() << "port " << port << " not in /proc/net/netlink";
    return 0;
}

// `pairs` veth pairs, links d0, d1, ... with peers e0, e1, ..., made by ip in one batch: link
// changes from a socket of ip's, for notifications and dumps to see.
inline void add_veth_pairs(const netns& ns, int pairs) {
    const std::string file = "/tmp/" + ns.name() + ".batch";
    {
        std::FILE* f = std::fopen(file.c_str(), "w");
        if (!f) throw std::runtime_error("cannot write " + file);
        for (int i = 0; i < pairs; ++i) std::fprintf(f, "link add d%d type veth peer name e%d\n", i, i);
        std::fclose(f);
    }
    sh("ip -n " + ns.name() + " -batch " + file);
    std::remove(file.c_str());
}

}  // namespace nlpp::test

// Skips a real-kernel test that cannot run here; under CI=true it fails.
#define NLPP_REQUIRE_ROOT()                                                                 \
    do {                                                                                    \
        if (::geteuid() != 0) {                                                             \
            if (::nlpp::test::in_ci()) FAIL() << "real-kernel test needs root under CI=true"; \
            GTEST_SKIP() << "real-kernel test needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN)";    \
        }                                                                                   \
    } while (0)
