// The specs the YNL fuzz targets exercise: ours, and the kernel's through
// NLPP_SPEC_PATH when it is set. The first input byte picks one, the second
// an operation of it.
#pragma once

#include <nlpp/ynl/spec.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <string>
#include <vector>

inline const std::vector<nlpp::ynl::spec>& fuzz_specs() {
    static const std::vector<nlpp::ynl::spec> all = [] {
        std::vector<nlpp::ynl::spec> v;
        if (auto s = nlpp::ynl::load_spec(NLPP_OWN_SPECS "/ipvs.yaml")) v.push_back(std::move(*s));
        if (const char* p = std::getenv("NLPP_SPEC_PATH")) {
            std::string dir(p);
            dir = dir.substr(0, dir.find(':'));
            for (const char* name : {"rt-link", "rt-route", "tc", "nlctrl", "netdev", "nftables"})
                if (auto s = nlpp::ynl::load_spec(dir + "/" + name + ".yaml")) v.push_back(std::move(*s));
        }
        return v;
    }();
    return all;
}

// The spec and operation the first two bytes pick; nullptrs when the input is too short.
inline std::pair<const nlpp::ynl::spec*, const nlpp::ynl::operation*> fuzz_pick(const std::uint8_t* data, std::size_t size) {
    const auto& all = fuzz_specs();
    if (size < 2 || all.empty()) return {nullptr, nullptr};
    const auto& s = all[data[0] % all.size()];
    if (s.operations.empty()) return {nullptr, nullptr};
    return {&s, &s.operations[data[1] % s.operations.size()]};
}
