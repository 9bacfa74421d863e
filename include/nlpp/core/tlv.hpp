// nlpp/core/tlv.hpp: the checked walk shared by message and attribute ranges.
//
// Both netlink messages and attributes are length-prefixed records padded
// to 4 bytes. tlv_range walks such records in place; each step checks that
// a header fits, that the length covers the header and that it stays inside
// the data. On a malformed record the walk ends and the range keeps a
// walk_fault (what and where) for error(). message_range and attr_range
// are this walk with their own header sizes and views.
//
// Example (given nlpp::bytes payload):
//   nlpp::attr_range attrs(payload);            // a tlv_range of attr_view
//   for (nlpp::attr_view a : attrs) { /* ... */ }
//   if (auto f = attrs.fault()) std::printf("bad attribute at offset %zu\n", f->offset);
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include <nlpp/core/bytes.hpp>
#include <nlpp/core/error.hpp>

namespace nlpp {

/// Where and why a walk over records stopped early. Cheap to record; turned
/// into an nlpp::error only when asked.
struct NLPP_API walk_fault {
    errc code{};              ///< what went wrong
    std::size_t offset = 0;   ///< from the start of the walked bytes
    const char* reason = "";  ///< why, in words
    /// The fault as an error; `what` names the walk.
    nlpp::error to_error(std::string_view what) const;
};

namespace detail {

/// Traits: `view` (made by Traits::make(data, length)), `length_type` (the
/// record's leading length field), `header` (bytes), and three reasons.
template <class Traits>
class tlv_range {
public:
    tlv_range() = default;
    explicit tlv_range(bytes data) noexcept : data_(data) {}

    class iterator {
    public:
        using value_type = typename Traits::view;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::input_iterator_tag;

        iterator() = default;
        value_type operator*() const noexcept { return Traits::make(pos_, len_); }
        iterator& operator++() noexcept {
            const std::size_t step = align4(len_);
            pos_ = (step >= static_cast<std::size_t>(end_ - pos_)) ? end_ : pos_ + step;
            check();
            return *this;
        }
        iterator operator++(int) noexcept {
            auto t = *this;
            ++*this;
            return t;
        }
        bool operator==(const iterator& o) const noexcept { return pos_ == o.pos_; }

    private:
        friend class tlv_range;
        iterator(const tlv_range* owner, const std::byte* pos, const std::byte* end) noexcept
            : owner_(owner), pos_(pos), end_(end) {
            check();
        }
        void check() noexcept {
            if (pos_ == end_) return;
            const auto left = static_cast<std::size_t>(end_ - pos_);
            if (left < Traits::header) return stop(Traits::short_reason);
            len_ = load<typename Traits::length_type>(
                bytes(pos_, sizeof(typename Traits::length_type)));
            if (len_ < Traits::header) return stop(Traits::small_reason);
            if (len_ > left) return stop(Traits::long_reason);
        }
        void stop(const char* reason) noexcept {
            owner_->record(
                {errc::truncated, static_cast<std::size_t>(pos_ - owner_->data_.data()), reason});
            pos_ = end_;
        }
        const tlv_range* owner_ = nullptr;
        const std::byte* pos_ = nullptr;
        const std::byte* end_ = nullptr;
        std::size_t len_ = 0;
    };

    iterator begin() const noexcept { return {this, data_.data(), data_.data() + data_.size()}; }
    iterator end() const noexcept {
        return {this, data_.data() + data_.size(), data_.data() + data_.size()};
    }
    bytes data() const noexcept { return data_; }
    bool empty() const noexcept { return data_.empty(); }
    /// Set when a walk stopped at a malformed record; the offset is from the
    /// start of this range's bytes.
    std::optional<walk_fault> fault() const noexcept { return fault_; }

protected:
    void record(walk_fault f) const noexcept {
        if (!fault_) fault_ = f;
    }
    bytes data_{};
    mutable std::optional<walk_fault> fault_{};
};

}  // namespace detail
}  // namespace nlpp
