// Asio and Beast are built with separate compilation (see CMakeLists.txt):
// their implementations are compiled once, here, instead of in every file
// that includes them. This keeps the build within CI's time on 2 cores.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
