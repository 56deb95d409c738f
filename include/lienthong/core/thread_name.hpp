#pragma once
// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it
// ("lt-io-0", "lt-audit", ...), so an operator can tell which of the hub's
// threads is busy or waiting. Linux keeps 15 bytes; longer names are cut.

#include <string>

namespace lienthong {

void name_this_thread(const std::string& name);

}  // namespace lienthong
