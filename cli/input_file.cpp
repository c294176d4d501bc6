#include "input_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace smc::cli {

bool ReadInput(const std::string& path, std::string* out, std::string* error) {
  out->clear();
  // POSIX read() rather than iostreams: it reports a directory (EISDIR) or a permission
  // problem with its errno, which the user needs to see.
  const bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  char buffer[65536];
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out->append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      *error = std::strerror(errno);
      ok = false;
      break;
    }
  }
  if (!is_stdin) ::close(fd);
  return ok;
}

}  // namespace smc::cli
