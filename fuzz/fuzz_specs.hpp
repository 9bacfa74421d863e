// The specs the YNL fuzz targets exercise: ours, and the kernel's through
// NLPP_SPEC_PATH when it is set. The first input byte picks one.
#pragma once

#include <nlpp/ynl/spec.hpp>

#include <cstdlib>
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
