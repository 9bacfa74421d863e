// The spec loader's read-only view of a libfyaml node (private to src/ynl).
#pragma once

#include <libfyaml.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nlpp::ynl {

// A read-only view of a libfyaml node with the helpers the loader needs.
class node {
public:
    node() = default;
    explicit node(fy_node* n) : n_(n) {}
    explicit operator bool() const noexcept { return n_ != nullptr; }
    bool is_map() const noexcept { return n_ && fy_node_is_mapping(n_); }
    bool is_seq() const noexcept { return n_ && fy_node_is_sequence(n_); }
    bool is_scalar() const noexcept { return n_ && fy_node_is_scalar(n_); }
    // Linear over the pairs: spec mappings are small, and libfyaml's own
    // lookup by string builds a key document per call (10x slower here).
    node operator[](std::string_view key) const {
        if (!is_map()) return node();
        void* it = nullptr;
        while (fy_node_pair* p = fy_node_mapping_iterate(n_, &it)) {
            fy_node* k = fy_node_pair_key(p);
            if (!k || !fy_node_is_scalar(k)) continue;
            std::size_t len = 0;
            const char* s = fy_node_get_scalar(k, &len);
            if (s && std::string_view(s, len) == key) return node(fy_node_pair_value(p));
        }
        return node();
    }
    std::string str() const {
        if (!is_scalar()) return {};
        std::size_t len = 0;
        const char* s = fy_node_get_scalar(n_, &len);
        return s ? std::string(s, len) : std::string();
    }
    std::vector<node> items() const {
        std::vector<node> out;
        if (!is_seq()) return out;
        void* it = nullptr;
        while (fy_node* c = fy_node_sequence_iterate(n_, &it)) out.emplace_back(c);
        return out;
    }
    // 1-based line of the node (for mappings and sequences: of their first element).
    std::size_t line() const {
        fy_node* n = n_;
        while (n) {
            if (fy_node_is_scalar(n)) {
                fy_token* t = fy_node_get_scalar_token(n);
                const fy_mark* m = t ? fy_token_start_mark(t) : nullptr;
                return m ? static_cast<std::size_t>(m->line) + 1 : 0;
            }
            void* it = nullptr;
            if (fy_node_is_mapping(n)) {
                fy_node_pair* p = fy_node_mapping_iterate(n, &it);
                n = p ? fy_node_pair_key(p) : nullptr;
            } else {
                n = fy_node_sequence_iterate(n, &it);
            }
        }
        return 0;
    }

private:
    fy_node* n_ = nullptr;
};

}  // namespace nlpp::ynl
