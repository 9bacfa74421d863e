// Where specs are found: NLPP_SPEC_PATH, the caller's directories, then
// the system's (see spec.hpp's find_spec).
#include <nlpp/ynl/spec.hpp>

#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

namespace nlpp::ynl {

std::vector<std::string> spec_search_path(const std::vector<std::string>& extra_dirs) {
    std::vector<std::string> dirs;
    if (const char* p = std::getenv("NLPP_SPEC_PATH")) {
        std::stringstream ss(p);
        for (std::string d; std::getline(ss, d, ':');)
            if (!d.empty()) dirs.push_back(d);
    }
    dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
    dirs.push_back("/usr/local/share/ynl/specs");
    dirs.push_back("/usr/share/ynl/specs");
    return dirs;
}

result<std::string> find_spec(std::string_view family, const std::vector<std::string>& extra_dirs) {
    const std::vector<std::string> dirs = spec_search_path(extra_dirs);
    // File names are lower case, with '-' or '_' (rt-link.yaml, rt_link.yaml);
    // family names may not be (the kernel's IPVS family).
    std::string lower(family), underscored;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    underscored = lower;
    for (char& c : underscored)
        if (c == '-') c = '_';
    for (const auto& d : dirs)
        for (const std::string& n : {std::string(family), lower, underscored}) {
            const std::string path = d + "/" + n + ".yaml";
            struct stat st;
            if (::stat(path.c_str(), &st) == 0) return path;
        }
    std::string searched;
    for (const auto& d : dirs) searched += (searched.empty() ? "" : ":") + d;
    error e(errc::family_not_found, fmt::format("no spec for family '{}' in {}", family, searched));
    e.set_hint("set NLPP_SPEC_PATH or pass --spec FILE");
    return fail(std::move(e));
}

}  // namespace nlpp::ynl
