#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lienthong/observability/exchange_metrics.hpp"
#include "lienthong/observability/exposition.hpp"
#include "lienthong/observability/trace_context.hpp"

namespace lienthong::observability {
namespace {

TEST(TraceContext, JoinsAValidTraceparentWithASpanOfItsOwn) {
  const auto parsed =
      TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->span_id, "00f067aa0ba902b7");
  const auto joined =
      TraceContext::continue_from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  EXPECT_EQ(joined.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(joined.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(joined.flags, "00");  // the caller's sampling decision stands
  EXPECT_EQ(joined.traceparent(), "00-" + joined.trace_id + "-" + joined.span_id + "-00");
}

TEST(TraceContext, RefusesWhatTheSpecificationRefuses) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // forbidden version
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // 00 has no extra part
       }) {
    EXPECT_FALSE(TraceContext::parse(bad).has_value()) << bad;
  }
  // A later version may append fields; its first 55 characters are read as 00.
  EXPECT_TRUE(TraceContext::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")
                  .has_value());
  const auto fresh = TraceContext::continue_from("garbage");
  EXPECT_EQ(fresh.trace_id.size(), 32u);
  EXPECT_EQ(fresh.span_id.size(), 16u);
  EXPECT_TRUE(TraceContext::parse(fresh.traceparent()).has_value());
}

TEST(Exposition, EscapesLabelValues) {
  Exposition out;
  out.sample("x_total", {{"service", "a\"b\\c\nd"}}, 1.5);
  EXPECT_EQ(out.text(), "x_total{service=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

TEST(ExchangeMetrics, CountsFromManyThreadsAndWritesCumulativeBuckets) {
  ExchangeMetrics metrics;
  ExchangeSample sample;
  sample.consumer = "C";
  sample.provider = "P";
  sample.service = "s";
  sample.status = 200;
  sample.outcome = "ok";
  sample.request_bytes = 10;
  sample.seconds = 0.003;  // in the 0.005 bucket
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        metrics.record(sample);
    });
  }
  for (auto& thread : threads)
    thread.join();
  Exposition out;
  metrics.write(out);
  const std::string& text = out.text();
  EXPECT_NE(text.find("lienthong_exchanges_total{consumer=\"C\",provider=\"P\",service=\"s\","
                      "status=\"200\",outcome=\"ok\"} 4000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lienthong_exchange_request_bytes_total{consumer=\"C\",provider=\"P\","
                      "service=\"s\",status=\"200\",outcome=\"ok\"} 40000\n"),
            std::string::npos);
  EXPECT_NE(text.find("lienthong_exchange_duration_seconds_bucket{provider=\"P\",service=\"s\","
                      "le=\"0.0025\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("lienthong_exchange_duration_seconds_bucket{provider=\"P\",service=\"s\","
                      "le=\"0.005\"} 4000\n"),
            std::string::npos);
  EXPECT_NE(text.find("lienthong_exchange_duration_seconds_count{provider=\"P\",service=\"s\"} "
                      "4000\n"),
            std::string::npos);
  // No provider call was made: no provider histogram for this pair.
  EXPECT_EQ(text.find("lienthong_provider_duration_seconds_count"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::observability
