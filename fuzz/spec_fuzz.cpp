// Fuzz target: the YNL spec loader (YAML text in, model or error out).
#include <nlpp/ynl/spec.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto s = nlpp::ynl::parse_spec(text, "fuzz.yaml")) {
        for (const auto& op : s->operations) (void)s->find_set(op.attribute_set);
    } else {
        (void)s.error().what();
    }
    return 0;
}
