// The checked message builder.
#include <nlpp/core/attr.hpp>
#include <nlpp/core/builder.hpp>
#include <nlpp/core/message.hpp>

#include <algorithm>
#include <limits>

namespace nlpp {

message_builder::message_builder(std::uint16_t type, std::uint16_t flags, std::size_t max_size)
    : max_size_(max_size), owns_(true) {
    owned_.resize(std::min<std::size_t>(256, max_size));
    storage_ = owned_;
    start_message(type, flags);
}

message_builder::message_builder(mutable_bytes storage, std::uint16_t type,
                                 std::uint16_t flags) noexcept
    : storage_(storage), max_size_(storage.size()) {
    start_message(type, flags);
}

message_builder::message_builder(message_builder&& o) noexcept
    : owned_(std::move(o.owned_)), storage_(o.owns_ ? mutable_bytes(owned_) : o.storage_),
      max_size_(o.max_size_), size_(o.size_), msg_start_(o.msg_start_), overflow_(o.overflow_),
      owns_(o.owns_) {
    o.storage_ = {};
    o.size_ = 0;
}

message_builder& message_builder::operator=(message_builder&& o) noexcept {
    owned_ = std::move(o.owned_);
    storage_ = o.owns_ ? mutable_bytes(owned_) : o.storage_;
    max_size_ = o.max_size_;
    size_ = o.size_;
    msg_start_ = o.msg_start_;
    overflow_ = o.overflow_;
    owns_ = o.owns_;
    o.storage_ = {};
    o.size_ = 0;
    return *this;
}

message_builder::~message_builder() = default;

std::byte* message_builder::reserve(std::size_t n) {
    if (overflow_) return nullptr;
    const std::size_t need = size_ + align4(n);
    if (need > storage_.size()) {
        if (!owns_ || need > max_size_) {
            overflow_ = true;
            return nullptr;
        }
        owned_.resize(std::min(max_size_, std::max(need, owned_.size() * 2)));
        storage_ = owned_;
    }
    std::byte* p = storage_.data() + size_;
    std::fill(p + n, p + align4(n), std::byte{0});  // padding is always zero
    size_ = need;
    return p;
}

void message_builder::start_message(std::uint16_t type, std::uint16_t flags) {
    msg_start_ = size_;
    std::byte* h = reserve(message_header_size);
    if (!h) return;
    mutable_bytes hdr(h, message_header_size);
    store<std::uint32_t>(hdr, 0);
    store<std::uint16_t>(hdr.subspan(4), type);
    store<std::uint16_t>(hdr.subspan(6), flags);
    store<std::uint32_t>(hdr.subspan(8), 0);
    store<std::uint32_t>(hdr.subspan(12), 0);
}

void message_builder::close_message() noexcept {
    if (overflow_ || size_ - msg_start_ < message_header_size) return;
    store<std::uint32_t>(storage_.subspan(msg_start_),
                         static_cast<std::uint32_t>(size_ - msg_start_));
}

void message_builder::begin(std::uint16_t type, std::uint16_t flags) {
    close_message();
    start_message(type, flags);
}

void message_builder::put_header(bytes header) {
    if (std::byte* p = reserve(header.size())) std::copy(header.begin(), header.end(), p);
}

void message_builder::put(std::uint16_t type, bytes payload) {
    if (payload.size() > std::numeric_limits<std::uint16_t>::max() - attr_header_size) {
        overflow_ = true;
        return;
    }
    std::byte* p = reserve(attr_header_size + payload.size());
    if (!p) return;
    mutable_bytes a(p, attr_header_size);
    store<std::uint16_t>(a, static_cast<std::uint16_t>(attr_header_size + payload.size()));
    store<std::uint16_t>(a.subspan(2), type);
    std::copy(payload.begin(), payload.end(), p + attr_header_size);
}

void message_builder::put_string(std::uint16_t type, std::string_view s) {
    if (s.size() + 1 > std::numeric_limits<std::uint16_t>::max() - attr_header_size) {
        overflow_ = true;
        return;
    }
    std::byte* p = reserve(attr_header_size + s.size() + 1);
    if (!p) return;
    mutable_bytes a(p, attr_header_size);
    store<std::uint16_t>(a, static_cast<std::uint16_t>(attr_header_size + s.size() + 1));
    store<std::uint16_t>(a.subspan(2), type);
    std::copy_n(reinterpret_cast<const std::byte*>(s.data()), s.size(), p + attr_header_size);
    p[attr_header_size + s.size()] = std::byte{0};
}

nest_guard message_builder::nest(std::uint16_t type, bool nested_flag) {
    const std::size_t start = size_;
    std::byte* p = reserve(attr_header_size);
    if (!p) return {this, std::numeric_limits<std::size_t>::max()};
    mutable_bytes a(p, attr_header_size);
    store<std::uint16_t>(a, 0);
    store<std::uint16_t>(a.subspan(2),
                         static_cast<std::uint16_t>(type | (nested_flag ? attr_f_nested : 0)));
    return {this, start};
}

void nest_guard::end() noexcept {
    if (!b_) return;
    message_builder* b = b_;
    b_ = nullptr;
    if (b->overflow_ || start_ >= b->size_) return;
    const std::size_t len = b->size_ - start_;
    if (len > std::numeric_limits<std::uint16_t>::max()) {
        b->overflow_ = true;
        return;
    }
    store<std::uint16_t>(b->storage_.subspan(start_), static_cast<std::uint16_t>(len));
}

void nest_guard::cancel() noexcept {
    if (!b_) return;
    if (start_ <= b_->size_) b_->size_ = start_;
    b_ = nullptr;
}

result<mutable_bytes> message_builder::finish() {
    if (overflow_)
        return fail(
            errc::message_size,
            owns_
                ? "message builder: message exceeds the size limit or an attribute exceeds 64 KiB"
                : "message builder: message exceeds the caller's buffer or an attribute exceeds 64 KiB");
    close_message();
    return storage_.first(size_);
}

}  // namespace nlpp
