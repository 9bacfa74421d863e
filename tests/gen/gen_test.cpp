// nlpp-gen's code and the spec engine agree: for every kernel spec and ours,
// every operation's sample request (all attributes of its set) encoded by the
// engine decodes into the generated types and encodes back to the same bytes.
#include <gen_all.hpp>

#include <nlpp/core/message.hpp>
#include <nlpp/ynl/encode.hpp>

#include <gtest/gtest.h>

#include <filesystem>

#include <linux/ip_vs.h>

#include "../support/ynl_samples.hpp"

namespace {

std::string spec_path(std::string_view file) {
    const std::string own = std::string(NLPP_OWN_SPECS) + "/" + std::string(file);
    if (std::filesystem::exists(own)) return own;
    return std::string(NLPP_KERNEL_SPECS) + "/" + std::string(file);
}

template <class Info>
std::size_t check_family() {
    auto spec = nlpp::ynl::load_spec(spec_path(Info::spec_file));
    EXPECT_TRUE(spec) << spec.error();
    if (!spec) return 0;
    std::size_t variants = 1;
    for (const auto& sm : spec->sub_messages) variants = std::max(variants, sm.formats.size());
    std::size_t checked = 0;
    Info::for_each_op([&]<class Op>() {
        if constexpr (!std::is_same_v<typename Op::attributes, nlpp::gen::none> && requires { Op::request; }) {
            const nlpp::ynl::operation* op = spec->find_op(Op::name);
            ASSERT_TRUE(op);
            for (std::size_t v = 0; v < variants; ++v) {
                nlpp::message_builder engine(0x20, 0);
                const auto in = nlpp::test::ynl_samples(*spec, v).message(*op);
                ASSERT_TRUE(nlpp::ynl::put_request(*spec, *op, in, engine)) << Op::name;
                auto wire = engine.finish();
                ASSERT_TRUE(wire);
                auto m = nlpp::message_view::parse(*wire).value();
                // Typed: decode the header and attributes, encode them again.
                nlpp::bytes p = m.payload();
                nlpp::message_builder typed(0x20, 0);
                if (Info::is_genetlink) {
                    typed.put_header(p.first(4));
                    p = p.subspan(4);
                }
                if constexpr (!std::is_same_v<typename Op::fixed_header, nlpp::gen::none>) {
                    typename Op::fixed_header h;
                    ASSERT_GE(p.size(), Op::fixed_header::wire_size);
                    decode(p.data(), h);
                    std::array<std::byte, Op::fixed_header::wire_size> w{};
                    encode(h, w.data());
                    typed.put_header(nlpp::bytes(w));
                    p = p.subspan(std::min(p.size(), (Op::fixed_header::wire_size + 3) & ~std::size_t{3}));
                }
                typename Op::attributes attrs;
                auto d = decode(nlpp::attr_range(p), attrs);
                ASSERT_TRUE(d) << Info::name << " " << Op::name << ": " << d.error();
                encode(typed, attrs);
                auto again = typed.finish();
                ASSERT_TRUE(again);
                ASSERT_EQ(std::vector<std::byte>(wire->begin(), wire->end()), std::vector<std::byte>(again->begin(), again->end()))
                    << Info::name << " " << Op::name << " variant " << v << ": " << in.dump();
                ++checked;
            }
        }
    });
    return checked;
}

TEST(gen, generated_code_and_engine_agree_on_every_spec) {
    std::size_t messages = 0;
    std::apply([&](auto... info) { ((messages += check_family<decltype(info)>()), ...); }, all_families{});
    EXPECT_GT(messages, 300u);
}

// A sub-message chosen by a selector of the enclosing set (tc's stats2
// "app" by the top-level "kind") is decoded to its typed format once the
// enclosing set's attributes are known; a value without a format stays raw.
TEST(gen, sub_message_chosen_by_an_enclosing_selector) {
    namespace tc = nlpp::gen::tc;
    auto spec = nlpp::ynl::load_spec(spec_path(tc::spec_info::spec_file));
    ASSERT_TRUE(spec) << spec.error();
    auto typed = [&](const nlohmann::ordered_json& in) {
        nlpp::message_builder b(36, 0);
        EXPECT_TRUE(nlpp::ynl::put_request(*spec, *spec->find_op("newqdisc"), in, b));
        auto wire = b.finish();
        EXPECT_TRUE(wire);
        nlpp::gen::message<tc::ops::newqdisc> m;
        auto view = nlpp::message_view::parse(*wire).value();
        EXPECT_TRUE(nlpp::gen::parse<tc::ops::newqdisc>(view, m));
        return m;
    };
    auto fq = typed({{"kind", "fq_codel"}, {"stats2", {{"app", {{"type", 0}, {"maxpacket", 1514}, {"drop-overlimit", 3}}}}}});
    ASSERT_TRUE(fq.attrs.stats2 && fq.attrs.stats2->app);
    ASSERT_TRUE(fq.attrs.stats2->app->fq_codel) << "typed by the enclosing kind";
    EXPECT_EQ(fq.attrs.stats2->app->fq_codel->maxpacket, 1514u);
    EXPECT_EQ(fq.attrs.stats2->app->fq_codel->drop_overlimit, 3u);
    EXPECT_FALSE(fq.attrs.stats2->app->raw_);
    auto other = typed({{"kind", "htb"}, {"stats2", {{"app", "01020304"}}}});
    ASSERT_TRUE(other.attrs.stats2 && other.attrs.stats2->app && other.attrs.stats2->app->raw_);
    EXPECT_EQ(other.attrs.stats2->app->raw_->payload.size(), 4u);
}

// A malformed attribute inside a nest fails the generated decode once, with
// the attribute's path by the spec's names (golden bytes: an IPVS service
// whose port, a u16, comes in 4 bytes); attributes before it are read and
// an unknown one is skipped, or kept raw when asked.
TEST(gen, decode_error_names_the_attribute_path) {
    namespace ipvs = nlpp::gen::IPVS;
    auto decoded = [](bool bad_port, bool keep_unknown) {
        nlpp::message_builder b(0x20, 0);
        {
            auto service = b.nest(IPVS_CMD_ATTR_SERVICE);
            b.put<std::uint32_t>(IPVS_SVC_ATTR_FWMARK, 7);
            if (bad_port) b.put<std::uint32_t>(IPVS_SVC_ATTR_PORT, 80);
        }
        b.put<std::uint32_t>(200, 1);  // a type the spec does not know
        auto wire = b.finish();
        EXPECT_TRUE(wire);
        auto m = nlpp::message_view::parse(*wire).value();
        ipvs::attrs::cmd_attrs a;
        auto r = decode(m.attrs(0), a, {.keep_unknown = keep_unknown});
        return std::pair(std::move(r), std::move(a));
    };
    auto [r, a] = decoded(true, false);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(nlpp::errc::attr_invalid)) << r.error();
    EXPECT_NE(r.error().what().find("IPVS cmd-attrs service.port: "), std::string::npos) << r.error();
    EXPECT_NE(r.error().what().find("needs 2 bytes of payload, has 4"), std::string::npos) << r.error();
    ASSERT_TRUE(a.service && a.service->fwmark);
    EXPECT_EQ(*a.service->fwmark, 7u);

    auto [good, skipped] = decoded(false, false);
    ASSERT_TRUE(good) << good.error();
    EXPECT_TRUE(skipped.unknown_.empty());
    auto [kept_ok, kept] = decoded(false, true);
    ASSERT_TRUE(kept_ok) << kept_ok.error();
    ASSERT_EQ(kept.unknown_.size(), 1u);
    EXPECT_EQ(kept.unknown_[0].type, 200);
}

}  // namespace
