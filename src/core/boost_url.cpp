// Boost.URL ships header-only on Debian: its implementation is compiled here,
// in exactly one translation unit of the whole program.
#include <boost/url/src.hpp>
