// The attribute decoder's slow path: problems and their attribute paths.
#include <nlpp/core/decoder.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace nlpp {

attr_range attr_decoder::inner_range(std::size_t fixed_header) const noexcept {
    const bytes p = attr().payload();
    if (p.size() < fixed_header)
        return attr_range::failed({errc::truncated, 0, "payload is shorter than its fixed header"});
    return attr_range(p.subspan(std::min(align4(fixed_header), p.size())));
}

void attr_decoder::invalid(attr_view a, std::string_view reason) {
    keep_at(nlpp::error(errc::attr_invalid, std::string(reason)), a);
}

void attr_decoder::keep_at(nlpp::error e, attr_view a) {
    if (!problem_) problem_ = std::move(e).wrap(where(path_of(a.type())));
}

void attr_decoder::adopt(nlpp::error e) {
    if (!problem_) problem_ = std::move(e);
}

// "ops.1.id": the names (or numbers) of the enclosing attributes, outermost first.
std::string attr_decoder::path_of(std::uint16_t type) const {
    const attr_name* n = set_ ? set_->find(type) : nullptr;
    std::string name = n ? std::string(n->name) : std::to_string(type);
    return parent_ ? fmt::format("{}.{}", parent_->path_of(parent_->type()), name) : name;
}

std::string attr_decoder::where(const std::string& path) const {
    if (path.empty()) return std::string(what_);
    return what_.empty() ? path : fmt::format("{} {}", what_, path);
}

std::optional<nlpp::error> attr_decoder::error() const {
    if (problem_) return problem_;
    if (auto f = range_.fault())
        return f->to_error("attribute")
            .wrap(where(parent_ ? parent_->path_of(parent_->type()) : std::string()));
    return std::nullopt;
}

}  // namespace nlpp
