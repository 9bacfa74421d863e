// Test support: where the tests find upstream kernel YNL specs, and the record
// of checks that cannot run with the spec set at hand.
//
// The specs are test data beside the project (../shared/specs/kernel, in CI) or
// Debian's older linux-source set that scripts/kernel-specs.sh installs, whose
// files are named rt_link.yaml rather than rt-link.yaml and which lacks some
// families. A check that needs what the set lacks calls not_run(): the test
// command counts and prints those, and under CI=true they fail.
//
// Example:
//   const std::string path = nlpp::test::kernel_spec("rt-link");
//   if (path.empty()) return nlpp::test::not_run("rt-link spec");
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "kernel.hpp"

namespace nlpp::test {

// NLPP_SPEC_PATH's first entry (the test command sets it), else the directory
// chosen at configure time.
inline std::string kernel_spec_dir() {
    if (const char* p = std::getenv("NLPP_SPEC_PATH"); p && *p) {
        const std::string s(p);
        return s.substr(0, s.find(':'));
    }
    return NLPP_KERNEL_SPECS;
}

// The spec file of a family in that directory (either spelling), or "".
inline std::string kernel_spec(std::string_view family) {
    std::string underscored(family);
    std::replace(underscored.begin(), underscored.end(), '-', '_');
    for (const std::string& name : {std::string(family), underscored}) {
        const std::string path = kernel_spec_dir() + "/" + name + ".yaml";
        if (std::filesystem::exists(path)) return path;
    }
    return {};
}

// True when the family's spec file contains TEXT: a check that pins what only
// a newer spec says is guarded by it (and not_run() otherwise), so that the
// condition is read from the file, not through the loader under test.
inline bool spec_says(std::string_view family, std::string_view text) {
    std::ifstream in(kernel_spec(family));
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return all.find(text) != std::string::npos;
}

// Records that the current test cannot check WHAT with this spec set: a skip
// on a user's machine (appended to $NLPP_NOT_RUN for the test command's count),
// a failure under CI=true, where ../shared's full set is beside the project.
inline void not_run(const std::string& what) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
    if (in_ci()) {
        ADD_FAILURE() << name << ": " << what << " is missing from " << kernel_spec_dir() << " under CI=true";
        return;
    }
    if (const char* log = std::getenv("NLPP_NOT_RUN"); log && *log)
        std::ofstream(log, std::ios::app) << name << ": needs " << what << " (not in " << kernel_spec_dir() << ")\n";
    GTEST_SKIP() << "needs " << what << ", which " << kernel_spec_dir() << " lacks";
}

}  // namespace nlpp::test
