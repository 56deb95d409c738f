#include "writer_records.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace lienthong::testing {

int commit_records(const audit::WriterOptions& options, std::vector<audit::AuditRecord> records) {
  audit::AuditWriter writer(
      options, std::make_shared<spdlog::logger>("test-writer",
                                                std::make_shared<spdlog::sinks::null_sink_mt>()));
  boost::asio::io_context io;
  int committed = 0;
  auto commit_all = [&]() -> boost::asio::awaitable<void> {
    for (auto& record : records) {
      const auto status = co_await writer.commit(std::move(record));
      committed += status.has_value() ? 1 : 0;
    }
  };
  boost::asio::co_spawn(io, commit_all, boost::asio::detached);
  io.run();
  return committed;
}

}  // namespace lienthong::testing
