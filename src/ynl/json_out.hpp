// The YNL decoder's two outputs, a JSON tree (tree_out) or compact JSON
// text (text_out), and the text the spec caches for the second (quoted
// names, the room a plain struct needs). Private to src/ynl.
#pragma once

#include <nlpp/ynl/spec.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace nlpp::ynl::detail {

using nlohmann::ordered_json;

// `v` as a JSON string at `o` (room for v.size() * 6 + 2): control
// characters as \u00XX, '"' and '\\' escaped; returns the end.
inline char* quoted(char* o, std::string_view v) {
    constexpr char digits[] = "0123456789abcdef";
    *o++ = '"';
    for (char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && c != '"' && c != '\\') {
            *o++ = c;
        } else if (u < 0x20) {
            *o++ = '\\', *o++ = 'u', *o++ = '0', *o++ = '0', *o++ = digits[u >> 4],
            *o++ = digits[u & 15];
        } else {
            *o++ = '\\', *o++ = c;
        }
    }
    *o++ = '"';
    return o;
}

// Decimal digits of v < 1000, without the general conversion: most decoded
// numbers are small (header fields, ids, octets).
[[gnu::always_inline]] inline char* small_decimal(char* o, unsigned v) {
    if (v >= 100)
        *o++ = static_cast<char>('0' + v / 100), v %= 100, *o++ = static_cast<char>('0' + v / 10);
    else if (v >= 10)
        *o++ = static_cast<char>('0' + v / 10);
    *o++ = static_cast<char>('0' + v % 10);
    return o;
}

// A decoded integer as decimal text (at most 20 characters); `as_unsigned`
// for values of unsigned types (the bits of u64 values above INT64_MAX).
[[gnu::always_inline]] inline char* decimal(char* o, std::int64_t v, bool as_unsigned) {
    if (v >= 0 && v < 1000) return small_decimal(o, static_cast<unsigned>(v));
    if (as_unsigned) return std::to_chars(o, o + 20, static_cast<std::uint64_t>(v)).ptr;
    return std::to_chars(o, o + 20, v).ptr;
}

// Output: a JSON tree (ordered_json) ...
class tree_out {
public:
    void key(std::string_view k, bool repeated) {
        key_ = k;
        repeated_ = repeated;
    }
    void key(std::string_view k, const std::string&, bool repeated) { key(k, repeated); }
    void begin_object() { stack_.push_back(place(ordered_json::object())); }
    void begin_array() { stack_.push_back(place(ordered_json::array())); }
    void end_object() { stack_.pop_back(); }
    void end_array() { stack_.pop_back(); }
    void value(std::uint64_t v) { place(ordered_json(v)); }
    void value(std::int64_t v) { place(ordered_json(v)); }
    void value(bool v) { place(ordered_json(v)); }
    void value(std::string&& v) { place(ordered_json(std::move(v))); }
    void value(std::string_view v) { place(ordered_json(std::string(v))); }
    void plain(std::string_view v) { value(v); }
    void name(const enum_entry& e) { value(std::string_view(e.name)); }
    ordered_json take() { return std::move(root_); }

private:
    ordered_json* place(ordered_json&& v) {
        if (stack_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        ordered_json& top = *stack_.back();
        if (top.is_array()) {
            auto& a = top.get_ref<ordered_json::array_t&>();
            a.push_back(std::move(v));
            return &a.back();
        }
        if (repeated_) {  // a repeated attribute replaces the earlier value, as in pyynl
            ordered_json& slot = top[std::string(key_)];
            slot = std::move(v);
            return &slot;
        }
        auto& m = top.get_ref<ordered_json::object_t&>();
        m.emplace_back(std::string(key_), std::move(v));
        return &m.back().second;
    }
    ordered_json root_;
    std::vector<ordered_json*> stack_;
    std::string_view key_;
    bool repeated_ = false;
};

// ... or compact JSON text (a repeated attribute appears twice; readers keep the last).
// Writes through a cursor into a per-thread scratch buffer that only grows
// (so it is never zero-filled again), then appends the text in one copy.
// One flag says whether a comma comes before the next key or value.
class text_out {
public:
    text_out() {
        auto& b = scratch();
        p_ = b.data();
        begin_ = b.data();
        end_ = b.data() + b.size();
    }
    void finish(std::string& out) const { out.append(begin_, p_); }
    // Raw writing for the decoder's fast paths: room for n bytes, then the
    // end of what was written (a value: a comma goes before the next one).
    char* reserve(std::size_t n) { return room(n); }
    void commit(char* end) {
        p_ = end;
        comma_ = true;
    }
    bool comma_pending() const { return comma_; }
    void key(std::string_view k, bool) {
        separate();
        quote(k);
        *room(1) = ':', ++p_;
        comma_ = false;
    }
    // A spec name, already quoted with its colon.
    [[gnu::always_inline]] void key(std::string_view, const std::string& quoted, bool) {
        char* o = room(quoted.size() + 1);
        if (comma_) *o++ = ',';
        p_ = copy(o, quoted.data(), quoted.size());
        comma_ = false;
    }
    void begin_object() { open('{'); }
    void begin_array() { open('['); }
    void end_object() { close('}'); }
    void end_array() { close(']'); }
    void value(std::uint64_t v) { number(v); }
    void value(std::int64_t v) { number(v); }
    void value(bool v) { word(v ? std::string_view("true") : std::string_view("false")); }
    void value(std::string_view v) {
        separate();
        quote(v);
        comma_ = true;
    }
    void name(const enum_entry& e) { word(e.json); }
    // A string that needs no escaping: hex, addresses.
    void plain(std::string_view v) {
        char* o = room(v.size() + 3);
        if (comma_) *o++ = ',';
        *o++ = '"';
        o = copy(o, v.data(), v.size());
        *o++ = '"';
        p_ = o;
        comma_ = true;
    }

    // Short copies without a library call: keys and names are mostly under 32 bytes.
    static char* copy(char* o, const char* from, std::size_t n) {
        if (n < 4) {
            for (std::size_t i = 0; i < n; ++i) o[i] = from[i];
        } else if (n < 8) {
            std::memcpy(o, from, 4);
            std::memcpy(o + n - 4, from + n - 4, 4);
        } else if (n <= 16) {
            std::memcpy(o, from, 8);
            std::memcpy(o + n - 8, from + n - 8, 8);
        } else if (n <= 32) {
            std::memcpy(o, from, 16);
            std::memcpy(o + n - 16, from + n - 16, 16);
        } else {
            std::memcpy(o, from, n);
        }
        return o + n;
    }

private:
    static std::vector<char>& scratch() {
        thread_local std::vector<char> buffer(4096);
        return buffer;
    }
    char* room(std::size_t n) {
        if (static_cast<std::size_t>(end_ - p_) < n) [[unlikely]]
            grow(n);
        return p_;
    }
    [[gnu::noinline]] void grow(std::size_t n) {
        auto& b = scratch();
        const std::size_t used = static_cast<std::size_t>(p_ - begin_);
        b.resize(std::max(b.size() * 2, used + n));
        begin_ = b.data();
        p_ = begin_ + used;
        end_ = begin_ + b.size();
    }
    void separate() {
        if (comma_) *room(1) = ',', ++p_;
    }
    void word(std::string_view w) {
        char* o = room(w.size() + 1);
        if (comma_) *o++ = ',';
        p_ = copy(o, w.data(), w.size());
        comma_ = true;
    }
    void open(char c) {
        char* o = room(2);
        if (comma_) *o++ = ',';
        *o++ = c;
        p_ = o;
        comma_ = false;
    }
    void close(char c) {
        *room(1) = c, ++p_;
        comma_ = true;
    }
    template <class T>
    [[gnu::always_inline]] void number(T v) {
        char* o = room(21);
        if (comma_) *o++ = ',';
        p_ = decimal(o, static_cast<std::int64_t>(v), std::is_unsigned_v<T>);
        comma_ = true;
    }
    void quote(std::string_view v) { p_ = quoted(room(v.size() * 6 + 2), v); }
    char* p_;
    char* begin_;
    char* end_;
    bool comma_ = false;
};

// Fills the spec's caches for text_out (enum_entry::json, json_key of
// struct members and attributes, definition::plain_text); the loader calls
// it once the spec is resolved.
void fill_text_caches(spec& s);

}  // namespace nlpp::ynl::detail
