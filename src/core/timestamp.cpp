#include "lienthong/core/timestamp.hpp"

#include <cstddef>

namespace lienthong {

std::string to_rfc3339(std::chrono::system_clock::time_point time) {
  // Digits written into a fixed template: every exchange stamps several
  // times (audit record, answer envelope), and snprintf was 2.7 % of an
  // exchange's instructions. system_clock's range (years 1677 to 2262)
  // always fits four year digits.
  using namespace std::chrono;
  const auto micros = floor<microseconds>(time);
  const auto day = floor<days>(micros);
  const year_month_day date(day);
  const hh_mm_ss clock(micros - day);
  std::string text = "0000-00-00T00:00:00.000000Z";
  const auto put = [&text](std::size_t at, std::size_t width, long long value) {
    for (std::size_t i = width; i-- > 0; value /= 10)
      text[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, static_cast<int>(date.year()));
  put(5, 2, static_cast<unsigned>(date.month()));
  put(8, 2, static_cast<unsigned>(date.day()));
  put(11, 2, clock.hours().count());
  put(14, 2, clock.minutes().count());
  put(17, 2, clock.seconds().count());
  put(20, 6, clock.subseconds().count());
  return text;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  const auto digits = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size())
      return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9')
        return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (!year || !month || !day || text.size() < 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  const year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                            std::chrono::day(*day)};
  if (!date.ok())
    return std::nullopt;
  sys_time<microseconds> time = sys_days(date);
  if (text.size() == 10)
    return time_point_cast<system_clock::duration>(time);

  const auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !hour || !minute || !second ||
      text[13] != ':' || text[16] != ':' || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  time += hours(*hour) + minutes(*minute) + seconds(*second);
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    std::int64_t scale = 100'000;
    std::size_t first = ++at;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10)
      time += microseconds((text[at] - '0') * scale);
    if (at == first)
      return std::nullopt;
  }
  if (at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z'))
    return time_point_cast<system_clock::duration>(time);
  const auto offset_hours = digits(at + 1, 2), offset_minutes = digits(at + 4, 2);
  if (at + 6 != text.size() || (text[at] != '+' && text[at] != '-') || !offset_hours ||
      !offset_minutes || text[at + 3] != ':')
    return std::nullopt;
  const auto offset = hours(*offset_hours) + minutes(*offset_minutes);
  time += text[at] == '+' ? -offset : offset;
  return time_point_cast<system_clock::duration>(time);
}

}  // namespace lienthong
