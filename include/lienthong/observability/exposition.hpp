#pragma once
// Writes metrics in the Prometheus text exposition format (version 0.0.4),
// the format every Prometheus-compatible scraper reads.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lienthong::observability {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class Exposition {
 public:
  // Starts a metric family: its # HELP and # TYPE lines. `type` is
  // "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view type, std::string_view help);
  // One sample line: name{labels} value. Label values are escaped here.
  void sample(std::string_view name, const Labels& labels, double value);
  // A family of one unlabelled sample.
  void single(std::string_view name, std::string_view type, std::string_view help, double value) {
    family(name, type, help);
    sample(name, {}, value);
  }

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Label values as the format wants them: backslash, quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace lienthong::observability
