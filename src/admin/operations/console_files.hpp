#pragma once
// The web console's static files, read from the console directory and never
// from outside it. They are sent with headers that keep the console to its
// own origin (no inline script, no framing), since it holds an admin token.

#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::admin {

// `relative` is the path under /console/ ("" means index.html).
// Client.NotFound for a missing file or a path that is not plain names.
Result<net::HttpResponse> console_file(const std::string& console_dir, std::string_view relative);

}  // namespace lienthong::admin
