#include "lienthong/core/thread_name.hpp"

#include <pthread.h>

namespace lienthong {

void name_this_thread(const std::string& name) {
  // A name is for people reading process listings; failing to set one
  // changes nothing the hub does, so the result is not checked.
  (void)pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace lienthong
