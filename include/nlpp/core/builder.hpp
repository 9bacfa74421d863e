// nlpp/core/builder.hpp: the one way to build netlink messages.
//
// Every put is bounds-checked. The first overflow latches (a sticky error)
// and every later put is a no-op, so code builds without checking each
// call; finish() reports the failure as errc::message_size. Padding is
// always zeroed and nlmsg_len is written by finish(). Nests are RAII guards
// that patch their nla_len when they end, or rewind with cancel().
//
// Several messages can share one buffer (a batch): begin() closes the
// current message and opens the next.
//
// Example:
//   nlpp::message_builder b(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE);
//   b.put_header(ifinfomsg{});
//   b.put_string(IFLA_IFNAME, "veth0");
//   {
//       auto info = b.nest(IFLA_LINKINFO);
//       b.put_string(IFLA_INFO_KIND, "veth");
//   }                                       // nla_len patched here
//   b.put<std::uint32_t>(IFLA_MTU, 1400);
//   nlpp::result<nlpp::mutable_bytes> wire = b.finish();
//   if (!wire) return nlpp::fail(wire.error());   // errc::message_size: the buffer was too small
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlpp/core/bytes.hpp>
#include <nlpp/core/error.hpp>

namespace nlpp {

class message_builder;

/// An open nested attribute. Ends (patching nla_len) when destroyed.
class NLPP_API nest_guard {
public:
    nest_guard(const nest_guard&) = delete;
    nest_guard& operator=(const nest_guard&) = delete;
    /// Moves the guard; the moved-from one closes nothing.
    nest_guard(nest_guard&& o) noexcept : b_(o.b_), start_(o.start_) { o.b_ = nullptr; }
    nest_guard& operator=(nest_guard&&) = delete;
    ~nest_guard() { end(); }

    /// Patches nla_len now. Idempotent.
    void end() noexcept;
    /// Removes the nest and everything put into it.
    void cancel() noexcept;

private:
    friend class message_builder;
    nest_guard(message_builder* b, std::size_t start) noexcept : b_(b), start_(start) {}
    message_builder* b_;
    std::size_t start_;
};

/// Builds netlink messages into one buffer: every write is bounds-checked, the first overflow
/// latches, padding is zeroed and lengths are written by the builder.
class NLPP_API message_builder {
public:
    static constexpr std::size_t default_max_size = 1 << 20;  ///< the default max_size: 1 MiB

    /// Owned storage, grown as needed up to max_size bytes.
    message_builder(std::uint16_t type, std::uint16_t flags,
                    std::size_t max_size = default_max_size);
    /// Caller-supplied storage; never allocates.
    message_builder(mutable_bytes storage, std::uint16_t type, std::uint16_t flags) noexcept;

    message_builder(message_builder&&) noexcept;             ///< movable, not copyable
    message_builder& operator=(message_builder&&) noexcept;  ///< movable, not copyable
    message_builder(const message_builder&) = delete;
    message_builder& operator=(const message_builder&) = delete;
    ~message_builder();

    /// Appends a family header (genlmsghdr, ifinfomsg...), padded to 4 bytes.
    void put_header(bytes header);
    /// Writes a fixed header (a trivially copyable struct) after the nlmsghdr.
    template <class H>
    requires std::is_trivially_copyable_v<H>
    void put_header(const H& h) { put_header(as_bytes_of(h)); }

    /// Attributes.
    void put(std::uint16_t type, bytes payload);
    /// Adds an integer attribute in byte order o.
    template <std::integral T>
    void put(std::uint16_t type, T value, byte_order o = byte_order::host) {
        std::byte tmp[sizeof(T)];
        store<T>(tmp, value, o);
        put(type, bytes(tmp, sizeof tmp));
    }
    /// A NUL-terminated string (NLA_NUL_STRING / "string" in specs).
    void put_string(std::uint16_t type, std::string_view s);
    /// A zero-length attribute (NLA_FLAG).
    void put_flag(std::uint16_t type) { put(type, bytes{}); }
    /// Opens a nested attribute; NLA_F_NESTED is set unless asked not to.
    [[nodiscard]] nest_guard nest(std::uint16_t type, bool nested_flag = true);

    /// Closes the current message and starts another in the same buffer.
    void begin(std::uint16_t type, std::uint16_t flags);

    /// False once anything failed to fit.
    bool ok() const noexcept { return !overflow_; }
    /// Bytes written so far (all messages).
    std::size_t size() const noexcept { return size_; }
    /// Writes nlmsg_len of the last message and returns every message built,
    /// or errc::message_size if anything did not fit. Building may go on
    /// after finish() (it can be called again).
    result<mutable_bytes> finish();

private:
    friend class nest_guard;
    std::byte* reserve(std::size_t n);  ///< nullptr on overflow (and latches it)
    void start_message(std::uint16_t type, std::uint16_t flags);
    void close_message() noexcept;

    std::vector<std::byte> owned_;
    mutable_bytes storage_;
    std::size_t max_size_;
    std::size_t size_ = 0;
    std::size_t msg_start_ = 0;
    bool overflow_ = false;
    bool owns_ = false;
};

}  // namespace nlpp
